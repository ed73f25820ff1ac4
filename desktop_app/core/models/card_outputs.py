"""The card's output tables: `[classify]`, `[detect]`, `[segment]`, `[pose]` and the `[text]` input, parsed into
frozen objects (see docs/model-cards.md). Errors are one line naming the table and the field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card_fields import choice, get_field, int_in, plain_name, strings

ACTIVATIONS = ("auto", "softmax", "sigmoid", "none")
DETECT_LAYOUTS = ("yolo", "yolov5", "rows", "detr", "yolov4-grids", "ssd", "gfl")
COORDS = ("pixels", "relative")
SCORE_ACTIVATIONS = ("none", "sigmoid")
BOX_COLUMN_SETS = (("x1", "y1", "x2", "y2"), ("cx", "cy", "w", "h"), ("y1", "x1", "y2", "x2"))
ROW_COLUMNS = ("x1", "y1", "x2", "y2", "cx", "cy", "w", "h", "score", "class", "objectness", "batch", "-")
DEFAULT_ROW_COLUMNS: tuple[str, ...] = ("x1", "y1", "x2", "y2", "score", "class")
SEGMENT_KINDS = ("instance", "semantic")
SEGMENT_ACTIVATIONS = ("softmax", "sigmoid", "none")
POSE_LAYOUTS = ("yolo", "rows", "keypoints")
MAX_KEYPOINTS = 1000

COCO17_NAMES = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
                "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
                "right_knee", "left_ankle", "right_ankle")
#: The COCO person skeleton, 0-based keypoint pairs (legs, hips, torso, arms, face).
COCO17_SKELETON = ((15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
                   (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6))


@dataclass(frozen=True)
class ClassifyHead:
    """One output of a multi-head classifier: its name, output, activation and own labels."""

    name: str
    output: str
    activation: str = "auto"
    labels: tuple[str, ...] = ()
    labels_file: str | None = None


@dataclass(frozen=True)
class ClassifyOutputs:
    """`[classify]`: which output holds the class scores and how they become probabilities (or several heads)."""

    output: str | None = None
    activation: str = "auto"
    heads: tuple[ClassifyHead, ...] = ()


@dataclass(frozen=True)
class DetectOutputs:
    """`[detect]`: the detection output's layout and the meaning of its values."""

    layout: str
    output: str | None = None
    columns: tuple[str, ...] = DEFAULT_ROW_COLUMNS
    coords: str = "pixels"
    class_offset: int = 0
    scores: str = "none"
    logits: str | None = None
    boxes: str | None = None
    strides: tuple[int, ...] = (8, 16, 32)
    bins: int = 8

    @property
    def named_columns(self) -> int:
        """`rows`: how many leading columns the card names (mask coefficients or keypoints follow)."""
        return len(self.columns)


@dataclass(frozen=True)
class SegmentOutputs:
    """`[segment]`: instance masks (prototypes + [detect]) or a semantic per-pixel output."""

    kind: str = "instance"
    protos: str | None = None
    output: str | None = None
    layout: str = "NCHW"
    activation: str = "softmax"


@dataclass(frozen=True)
class PoseOutputs:
    """`[pose]`: K keypoints per box (yolo/rows, boxes from [detect]) or one person's keypoints."""

    layout: str = "yolo"
    output: str | None = None
    keypoints: int = 17
    dims: int = 3
    order: str = "xy"
    coords: str = "pixels"
    skeleton: tuple[tuple[int, int], ...] = COCO17_SKELETON
    keypoint_names: tuple[str, ...] = COCO17_NAMES


@dataclass(frozen=True)
class TextInput:
    """`[text]`: the tokenizer file and how long a text may be (the text-classify task reads it)."""

    tokenizer: str = "tokenizer.json"
    max_length: int = 512
    lowercase: bool = False


def _labels_of(table: Mapping[str, Any], where: str) -> tuple[tuple[str, ...], str | None]:
    labels = strings(table["labels"], "labels", where) if table.get("labels") is not None else ()
    labels_file = get_field(table, "labels_file", str, where)
    if not plain_name(labels_file):
        raise ModelCardError(f"{where}: 'labels_file' must be a plain file name inside the model's folder")
    if labels and labels_file:
        raise ModelCardError(f"{where}: give either 'labels' or 'labels_file', not both")
    return labels, labels_file


def parse_classify(table: Mapping[str, Any], where: str) -> ClassifyOutputs:
    w = f"{where} [classify]"
    heads_raw = get_field(table, "heads", list, w, [])
    heads = []
    for i, head in enumerate(heads_raw):
        hw = f"{where} [[classify.heads]] #{i + 1}"
        if not isinstance(head, dict):
            raise ModelCardError(f"{hw}: each head must be a table with name, output and labels")
        output = get_field(head, "output", str, hw)
        if not output:
            raise ModelCardError(f"{hw}: 'output' (the head's output name) is missing")
        labels, labels_file = _labels_of(head, hw)
        heads.append(ClassifyHead(
            name=get_field(head, "name", str, hw, output), output=output,
            activation=choice(get_field(head, "activation", str, hw), ACTIVATIONS, "activation", hw, "auto"),
            labels=labels, labels_file=labels_file))
    names = [h.name for h in heads]
    if len(set(names)) != len(names):
        raise ModelCardError(f"{w}: head names must be different, got {names}")
    return ClassifyOutputs(
        output=get_field(table, "output", str, w),
        activation=choice(get_field(table, "activation", str, w), ACTIVATIONS, "activation", w, "auto"),
        heads=tuple(heads))


def _columns(value: Any, w: str) -> tuple[str, ...]:
    columns = strings(value, "columns", w, max_items=64)
    unknown = [c for c in columns if c not in ROW_COLUMNS]
    if unknown:
        raise ModelCardError(f"{w}: 'columns' has {unknown[0]!r}; expected names from {' '.join(ROW_COLUMNS)}")
    named = [c for c in columns if c != "-"]
    if len(set(named)) != len(named):
        raise ModelCardError(f"{w}: 'columns' names a column twice")
    if not any(all(c in named for c in box) for box in BOX_COLUMN_SETS):
        raise ModelCardError(f"{w}: 'columns' needs a box: x1 y1 x2 y2, cx cy w h or y1 x1 y2 x2")
    if "score" not in named:
        raise ModelCardError(f"{w}: 'columns' needs a 'score' column")
    return columns


def parse_detect(table: Mapping[str, Any], where: str) -> DetectOutputs:
    w = f"{where} [detect]"
    layout = get_field(table, "layout", str, w)
    if layout is None:
        raise ModelCardError(f"{w}: 'layout' is missing; expected one of {', '.join(DETECT_LAYOUTS)}")
    layout = choice(layout, DETECT_LAYOUTS, "layout", w, "yolo")
    columns: tuple[str, ...] = DEFAULT_ROW_COLUMNS
    if table.get("columns") is not None:
        if layout != "rows":
            raise ModelCardError(f"{w}: 'columns' applies to layout 'rows' only (layout is {layout!r})")
        columns = _columns(table["columns"], w)
    return DetectOutputs(
        layout=layout, output=get_field(table, "output", str, w), columns=columns,
        coords=choice(get_field(table, "coords", str, w), COORDS, "coords", w, "pixels"),
        class_offset=int_in(table, "class_offset", w, 0, -1000, 1000),
        scores=choice(get_field(table, "scores", str, w), SCORE_ACTIVATIONS, "scores", w, "none"),
        logits=get_field(table, "logits", str, w), boxes=get_field(table, "boxes", str, w),
        strides=_strides(table, w), bins=int_in(table, "bins", w, 8, 2, 64))


def _strides(table: Mapping[str, Any], w: str) -> tuple[int, ...]:
    """`gfl`: the feature strides, each a power of two from 2 to 128, no repeats."""
    value = table.get("strides", [8, 16, 32])
    if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v in (2, 4, 8, 16, 32, 64, 128) for v in value):
        raise ModelCardError(f"{w}: 'strides' must be a list of different powers of two from 2 to 128, e.g. [8, 16, 32]")
    return tuple(int(v) for v in value)


def parse_segment(table: Mapping[str, Any], where: str) -> SegmentOutputs:
    w = f"{where} [segment]"
    return SegmentOutputs(
        kind=choice(get_field(table, "kind", str, w), SEGMENT_KINDS, "kind", w, "instance"),
        protos=get_field(table, "protos", str, w), output=get_field(table, "output", str, w),
        layout=choice(get_field(table, "layout", str, w), ("NCHW", "NHWC"), "layout", w, "NCHW"),
        activation=choice(get_field(table, "activation", str, w), SEGMENT_ACTIVATIONS, "activation", w, "softmax"))


def _skeleton(value: Any, k: int, w: str) -> tuple[tuple[int, int], ...]:
    if value is None:
        return COCO17_SKELETON if k == 17 else ()
    if value == "coco17":
        if k != 17:
            raise ModelCardError(f"{w}: 'skeleton' is 'coco17' but 'keypoints' is {k}, not 17")
        return COCO17_SKELETON
    if value == "none":
        return ()
    pairs = value if isinstance(value, list) else None
    if pairs is None or not all(isinstance(p, list) and len(p) == 2 and all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < k for i in p) for p in pairs):
        raise ModelCardError(f"{w}: 'skeleton' must be \"coco17\", \"none\" or pairs of keypoint numbers 0..{k - 1}")
    return tuple((int(a), int(b)) for a, b in pairs)


def parse_pose(table: Mapping[str, Any], where: str) -> PoseOutputs:
    w = f"{where} [pose]"
    k = int_in(table, "keypoints", w, 17, 1, MAX_KEYPOINTS)
    dims = get_field(table, "dims", int, w, 3)
    if dims not in (2, 3):
        raise ModelCardError(f"{w}: 'dims' is {dims}; expected 3 (x, y, score) or 2 (x, y)")
    names = strings(table["keypoint_names"], "keypoint_names", w) if table.get("keypoint_names") is not None else (
        COCO17_NAMES if k == 17 else tuple(f"keypoint {i}" for i in range(k)))
    if len(names) != k:
        raise ModelCardError(f"{w}: 'keypoint_names' has {len(names)} names for {k} keypoints")
    return PoseOutputs(
        layout=choice(get_field(table, "layout", str, w), POSE_LAYOUTS, "layout", w, "yolo"),
        output=get_field(table, "output", str, w), keypoints=k, dims=dims,
        order=choice(get_field(table, "order", str, w), ("xy", "yx"), "order", w, "xy"),
        coords=choice(get_field(table, "coords", str, w), COORDS, "coords", w, "pixels"),
        skeleton=_skeleton(table.get("skeleton"), k, w), keypoint_names=names)


def parse_text(table: Mapping[str, Any], where: str) -> TextInput:
    w = f"{where} [text]"
    tokenizer = get_field(table, "tokenizer", str, w, "tokenizer.json")
    if not plain_name(tokenizer):
        raise ModelCardError(f"{w}: 'tokenizer' must be a plain file name inside the model's folder")
    return TextInput(tokenizer=tokenizer, max_length=int_in(table, "max_length", w, 512, 1, 65536),
                     lowercase=get_field(table, "lowercase", bool, w, False))


@dataclass(frozen=True)
class OutputTables:
    """Every output table of one card (None where absent)."""

    classify: ClassifyOutputs | None = None
    detect: DetectOutputs | None = None
    segment: SegmentOutputs | None = None
    pose: PoseOutputs | None = None
    text: TextInput | None = None


_PARSERS: dict[str, Any] = {"classify": parse_classify, "detect": parse_detect, "segment": parse_segment,
                            "pose": parse_pose, "text": parse_text}


def parse_output_tables(data: Mapping[str, Any], task: str, where: str) -> OutputTables:
    """Parse the tables present and check that the task has the ones it needs."""
    parsed: dict[str, Any] = {}
    for key, parser in _PARSERS.items():
        table = data.get(key)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ModelCardError(f"{where}: [{key}] must be a table")
        parsed[key] = parser(table, where)
    tables = OutputTables(**parsed)
    _check_needs(tables, task, where)
    if task == "text-classify" and tables.text is None:
        tables = OutputTables(**{**parsed, "text": TextInput()})
    return tables


def _check_needs(tables: OutputTables, task: str, where: str) -> None:
    if task == "detect" and tables.detect is None:
        raise ModelCardError(f"{where}: task 'detect' needs a [detect] table with a 'layout'")
    if task == "segment":
        if tables.segment is None:
            raise ModelCardError(f"{where}: task 'segment' needs a [segment] table")
        if tables.segment.kind == "instance" and tables.detect is None:
            raise ModelCardError(f"{where}: [segment] kind 'instance' needs a [detect] table for the boxes")
    if task == "pose":
        if tables.pose is None:
            raise ModelCardError(f"{where}: task 'pose' needs a [pose] table")
        if tables.pose.layout != "keypoints" and tables.detect is None:
            raise ModelCardError(f"{where}: [pose] layout {tables.pose.layout!r} needs a [detect] table for the boxes")
