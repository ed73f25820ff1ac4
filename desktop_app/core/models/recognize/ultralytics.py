"""Ultralytics YOLO exports (v5, v8, 11 and later): task, names, imgsz and kpt_shape from `metadata_props`,
the output layout from the output shapes. Metadata values are read as plain literals and never evaluated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.models.inspect import TensorInfo
from desktop_app.core.models.recognize.base import (
    ModelFacts,
    Recognition,
    fixed,
    image_guess,
    labels_text,
    recogniser,
)
from desktop_app.core.models.safe_literal import LiteralRefused, parse_literal

ROW_COLUMNS = ["x1", "y1", "x2", "y2", "score", "class"]
MASK_COEFFICIENTS = 32
_TASKS = ("detect", "segment", "pose", "classify")


@dataclass(frozen=True)
class _Meta:
    """The metadata fields read, with the notes to add to the summary about refused ones."""

    task: str | None
    names: list[str] | None
    imgsz: tuple[int, int] | None  # (height, width) as Ultralytics writes it
    kpt_shape: tuple[int, int] | None
    end2end: bool
    v5: bool
    notes: tuple[str, ...]


def _literal(meta: dict[str, str], key: str, notes: list[str]) -> Any:
    text = meta.get(key)
    if text is None:
        return None
    try:
        return parse_literal(text)
    except LiteralRefused as exc:
        notes.append(f"metadata '{key}' refused ({exc})")
        return None


def _names(value: Any) -> list[str] | None:
    if isinstance(value, dict) and all(isinstance(k, int) and not isinstance(k, bool) for k in value):
        if sorted(value) != list(range(len(value))):
            return None
        return [str(value[i]) for i in range(len(value))]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return None


def _pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value, value
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        return int(value[0]), int(value[1])
    return None


def _read_meta(meta: dict[str, str]) -> _Meta:
    notes: list[str] = []
    names_value = _literal(meta, "names", notes)
    names = _names(names_value)
    if names_value is not None and names is None:
        notes.append("metadata 'names' is not a class-number → name table")
    args = _literal(meta, "args", notes)
    args = args if isinstance(args, dict) else {}
    end2end = _literal(meta, "end2end", notes) is True or args.get("nms") is True
    task = meta.get("task")
    author = meta.get("author", "").lower()
    return _Meta(task=task.strip().lower() if task else None, names=names,
                 imgsz=_pair(_literal(meta, "imgsz", notes)), kpt_shape=_pair(_literal(meta, "kpt_shape", notes)),
                 end2end=end2end, v5="ultralytics" not in author, notes=tuple(notes))


@recogniser("ultralytics")
def recognise_ultralytics(facts: ModelFacts) -> Recognition | None:
    """An Ultralytics export: `author` Ultralytics, or YOLOv5's `stride` + `names` metadata."""
    meta = facts.metadata
    if "ultralytics" not in meta.get("author", "").lower() and not ("names" in meta and "stride" in meta):
        return None
    m = _read_meta(meta)
    task = m.task or _task_from_shapes(facts.info.outputs)
    family = "Ultralytics YOLO"
    if task == "obb":
        return Recognition({"task": "raw"}, f"{family} obb: oriented boxes are not supported", family,
                           recognised=True, refused=f"{family} oriented-box (obb) models are not supported yet; "
                           "import it with --task to describe it yourself")
    if task not in _TASKS:
        return _unfit(facts, m, f"task {task!r} in its metadata is not one the app runs")
    image = _image_table(facts, m, task)
    if image is None:
        return _unfit(facts, m, "no image input in its signature")
    outputs = _outputs(facts, m, task)
    if isinstance(outputs, str):
        return _unfit(facts, m, outputs)
    card: dict[str, Any] = {"task": task, "image": image, **outputs}
    if task != "classify":  # Ultralytics' predictor defaults: conf 0.25, NMS IoU 0.7
        card["thresholds"] = {"score": 0.25, "nms_iou": 0.7}
    extra: dict[str, bytes] = {}
    labels = "no class names"
    if m.names is not None:
        extra["labels.txt"] = labels_text(m.names)
        card["labels_file"] = "labels.txt"
        labels = f"{len(m.names)} {'class' if len(m.names) == 1 else 'classes'} from metadata"
    w, h = image.get("size", ["?", "?"])
    how = "center-crop" if task == "classify" else "letterbox"
    layout = _layout_word(card)
    summary = f"{family} {task}{layout}, {labels}, {w}×{h} {how}"
    if m.notes:
        summary += "; " + "; ".join(m.notes)
    return Recognition(card, summary, family, extra_files=extra)


def _layout_word(card: dict[str, Any]) -> str:
    layout = card.get("detect", {}).get("layout")
    return {"rows": " (end-to-end rows)", "yolov5": " (v5 layout)"}.get(layout, "")


def _task_from_shapes(outputs: tuple[TensorInfo, ...]) -> str:
    if len(outputs) == 2 and {len(o.shape) for o in outputs} == {3, 4}:
        return "segment"
    if len(outputs) == 1 and len(outputs[0].shape) == 2:
        return "classify"
    return "detect"


def _image_table(facts: ModelFacts, m: _Meta, task: str) -> dict[str, Any] | None:
    guess = image_guess(facts.info.inputs)
    if guess is None:
        return None
    table = guess.table()
    if m.imgsz is not None:
        table["size"] = [m.imgsz[1], m.imgsz[0]]
    table.update({"color": "RGB", "mean": 0, "std": 255})
    if task == "classify":  # resize the shorter side to the size, cut out the middle, as Pillow resamples
        table.update({"resize": "center-crop", "crop_fraction": 1.0, "interpolation": "pil-bilinear"})
    else:
        # Ultralytics' LetterBox resizes with bilinear interpolation, shrinking included
        table.update({"resize": "letterbox", "pad": 114, "interpolation": "linear"})
    return table


def _outputs(facts: ModelFacts, m: _Meta, task: str) -> dict[str, Any] | str:
    """The card's output tables, or why the outputs do not fit the task's layouts."""
    outs = facts.info.outputs
    if task == "classify":
        if len(outs) != 1 or len(outs[0].shape) != 2:
            return f"classify output {_shape(outs)} is not [1, classes]"
        return {"classify": {"output": outs[0].name, "activation": "none"}}
    boxes = [o for o in outs if o.rank_known and len(o.shape) == 3]
    if not boxes:
        return f"no [1, rows, columns] output among {_shape(outs)}"
    main = boxes[0]
    extra = 0
    tables: dict[str, Any] = {}
    if task == "segment":
        protos = [o for o in outs if o.rank_known and len(o.shape) == 4]
        if not protos:
            return "segment model without a [1, 32, h, w] mask-prototype output"
        extra = fixed(protos[0].shape[1]) or MASK_COEFFICIENTS
        tables["segment"] = {"kind": "instance", "protos": protos[0].name}
    elif task == "pose":
        k, dims = m.kpt_shape or (17, 3)
        extra = k * dims
    layout = _box_layout(main, m, extra)
    if layout is None:
        return f"output {main.name} {list(main.shape)} fits no Ultralytics {task} layout"
    detect: dict[str, Any] = {"output": main.name, "layout": layout}
    if layout == "rows":
        detect.update({"columns": ROW_COLUMNS, "coords": "pixels"})
    tables["detect"] = detect
    if task == "pose":
        k, dims = m.kpt_shape or (17, 3)
        tables["pose"] = {"layout": "rows" if layout == "rows" else "yolo", "keypoints": k, "dims": dims}
    return tables


def _box_layout(out: TensorInfo, m: _Meta, extra: int) -> str | None:
    """yolo [1, 4+C+extra, N] (or transposed), yolov5 [1, N, 5+C+extra], end-to-end rows [1, N, 6+extra]."""
    d1, d2 = fixed(out.shape[1]), fixed(out.shape[2])
    c = len(m.names) if m.names is not None else None
    if m.end2end or (d2 == 6 + extra and (c is None or d1 != 4 + c + extra)):
        return "rows" if d2 in (None, 6 + extra) else None
    if d1 is None and d2 is None:
        return "yolov5" if m.v5 else "yolo"
    if c is not None:
        if d1 == 4 + c + extra or (d2 == 4 + c + extra and not m.v5):
            return "yolo"
        if d2 == 5 + c + extra:
            return "yolov5"
        return None
    if d1 is not None and d2 is not None and d1 < d2 and d1 > 4 + extra:
        return "yolo"
    return "yolov5" if m.v5 and d2 is not None and d2 > 5 + extra else None


def _shape(outs: tuple[TensorInfo, ...]) -> str:
    return ", ".join(f"{o.name} {list(o.shape)}" for o in outs) or "none"


def _unfit(facts: ModelFacts, m: _Meta, why: str) -> Recognition:
    """Ultralytics metadata whose model fits none of the layouts: the signature's prefill, and why."""
    from desktop_app.core.models.recognize.signature import from_signature

    fallback = from_signature(facts)
    summary = f"Ultralytics metadata found but {why}; {fallback.summary}"
    return Recognition(fallback.card, summary, "Ultralytics YOLO", recognised=False)
