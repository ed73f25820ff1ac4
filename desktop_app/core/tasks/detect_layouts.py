"""Detection output layouts by name (the card's `[detect] layout`): each turns the model's raw outputs into
boxes in model-input pixels, scores, classes and the values after the classes (mask coefficients,
keypoints), and checks an output's shape against the layout with a one-line error naming the field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card_outputs import DetectOutputs
from desktop_app.core.tasks.detect_ssd import split_outputs
from desktop_app.core.tasks.detect_yolo import decode_grids

Shape = Sequence[int | str | None]


@dataclass(frozen=True)
class Decoded:
    """Candidate boxes of one image: x1y1x2y2 in model-input pixels, scores, class indices (card numbering,
    class_offset applied), the values after the classes (N, extra) and whether the boxes are final (no NMS)."""

    boxes: np.ndarray
    scores: np.ndarray
    classes: np.ndarray
    extra: np.ndarray
    final: bool = False


@dataclass(frozen=True)
class LayoutContext:
    """What a decoder needs besides the outputs: the card's table, the label count (0: unknown), the number of
    values per box after the classes, the input size and the model's id for messages."""

    spec: DetectOutputs
    labels: int
    extra: int
    input_width: int
    input_height: int
    model_id: str


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float32)


def _dims(shape: Shape) -> str:
    return "[" + ",".join(str(d) if isinstance(d, int) else "?" for d in shape) + "]"


def _fail(ctx: LayoutContext, field: str, name: str, shape: Shape, what: str) -> ModelCardError:
    return ModelCardError(f"{ctx.model_id}: [detect] {field}: {what} in output {name!r} {_dims(shape)}")


def _known(d: int | str | None) -> bool:
    return isinstance(d, int) and d > 0


def _class_count(ctx: LayoutContext, name: str, shape: Shape, head: int) -> int | None:
    """Classes in a [1, head+C+extra, N] / [1, N, head+C+extra] output; checks rank and labels."""
    if len(shape) != 3:
        raise _fail(ctx, f"layout {ctx.spec.layout!r}", name, shape, "expected a 3-D output [1, values, boxes]")
    axis = _values_axis(ctx, shape, _wanted(ctx, head))
    values = shape[axis]
    if not _known(values):
        return None
    classes = int(values) - head - ctx.extra  # type: ignore[arg-type]
    if classes < 1:
        raise _fail(ctx, f"layout {ctx.spec.layout!r}", name, shape,
                    f"{values} values per box leave no class scores after {head} box values and {ctx.extra} others")
    if ctx.labels and classes - ctx.spec.class_offset != ctx.labels:
        offset = f" (less class_offset {ctx.spec.class_offset})" if ctx.spec.class_offset else ""
        raise _fail(ctx, "labels", name, shape, f"{ctx.labels} labels for {classes} classes{offset}")
    return classes


def _wanted(ctx: LayoutContext, head: int) -> int | None:
    """Values per box the labels imply (None without labels)."""
    return head + ctx.labels + ctx.spec.class_offset + ctx.extra if ctx.labels else None


def _values_axis(ctx: LayoutContext, shape: Shape, want: int | None) -> int:
    """Which axis holds the values of one box: the one matching the expected count, else the smaller."""
    if ctx.spec.layout == "yolov5":
        return 2
    if want is not None and shape[1] != want and shape[2] == want:
        return 2
    if want is None and _known(shape[1]) and _known(shape[2]) and shape[2] < shape[1]:  # type: ignore[operator]
        return 2
    return 1


def check_yolo(ctx: LayoutContext, outputs: Mapping[str, Shape], name: str) -> None:
    _class_count(ctx, name, outputs[name], 5 if ctx.spec.layout == "yolov5" else 4)


def _rows_of(ctx: LayoutContext, array: np.ndarray, name: str, head: int) -> tuple[np.ndarray, int]:
    classes = _class_count(ctx, name, array.shape, head)
    assert classes is not None
    axis = _values_axis(ctx, array.shape, _wanted(ctx, head))
    rows = array[0].T if axis == 1 else array[0]
    return np.ascontiguousarray(rows, dtype=np.float32), classes


def _scale(ctx: LayoutContext, boxes: np.ndarray) -> np.ndarray:
    if ctx.spec.coords == "relative":
        boxes = boxes * np.array([ctx.input_width, ctx.input_height] * 2, np.float32)
    return boxes


def _cxcywh(rows: np.ndarray) -> np.ndarray:
    cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def decode_yolo(ctx: LayoutContext, outputs: Mapping[str, np.ndarray], name: str) -> Decoded:
    """[1, 4+C+E, N] or [1, N, 4+C+E] (cx cy w h in input pixels, C class scores, E extra values);
    `yolov5`: [1, N, 5+C+E] with an objectness multiplying the class scores."""
    v5 = ctx.spec.layout == "yolov5"
    head = 5 if v5 else 4
    rows, classes = _rows_of(ctx, outputs[name], name, head)
    scores = rows[:, head : head + classes]
    if ctx.spec.scores == "sigmoid":
        scores = _sigmoid(scores)
    if v5:
        objectness = _sigmoid(rows[:, 4:5]) if ctx.spec.scores == "sigmoid" else rows[:, 4:5]
        scores = scores * objectness
    best = scores.argmax(axis=1)
    return Decoded(_scale(ctx, _cxcywh(rows)), scores[np.arange(len(rows)), best].astype(np.float32),
                   best.astype(np.int64) - ctx.spec.class_offset, rows[:, head + classes :])


def check_rows(ctx: LayoutContext, outputs: Mapping[str, Shape], name: str) -> None:
    shape = outputs[name]
    if len(shape) not in (2, 3):
        raise _fail(ctx, "layout 'rows'", name, shape, "expected [N, columns] or [1, N, columns]")
    width = shape[-1]
    need = len(ctx.spec.columns) + ctx.extra
    if _known(width) and width != need and not (ctx.extra == 0 and width > need):  # type: ignore[operator]
        raise _fail(ctx, "columns", name, shape,
                    f"{len(ctx.spec.columns)} named columns + {ctx.extra} others = {need}, but rows have {width}")


def decode_rows(ctx: LayoutContext, outputs: Mapping[str, np.ndarray], name: str) -> Decoded:
    """One row per final detection; `columns` names the leading values, the rest are extra values."""
    array = outputs[name]
    check_rows(ctx, {name: array.shape}, name)
    rows = (array[0] if array.ndim == 3 else array).astype(np.float32)
    col = {c: i for i, c in enumerate(ctx.spec.columns) if c != "-"}
    if "batch" in col:
        rows = rows[rows[:, col["batch"]] == 0]
    if {"x1", "y1", "x2", "y2"} <= col.keys():
        boxes = rows[:, [col["x1"], col["y1"], col["x2"], col["y2"]]]
    else:
        boxes = _cxcywh(rows[:, [col["cx"], col["cy"], col["w"], col["h"]]])
    scores = rows[:, col["score"]]
    if ctx.spec.scores == "sigmoid":
        scores = _sigmoid(scores)
    if "objectness" in col:
        scores = scores * rows[:, col["objectness"]]
    classes = np.rint(rows[:, col["class"]]).astype(np.int64) if "class" in col else np.zeros(len(rows), np.int64)
    extra = rows[:, len(ctx.spec.columns) : len(ctx.spec.columns) + ctx.extra]
    return Decoded(_scale(ctx, boxes), scores.astype(np.float32), classes - ctx.spec.class_offset, extra, final=True)


def _detr_names(ctx: LayoutContext, outputs: Mapping[str, Shape]) -> tuple[str, str]:
    boxes = ctx.spec.boxes or next((n for n, s in outputs.items() if len(s) == 3 and s[-1] == 4), None)
    logits = ctx.spec.logits or next((n for n, s in outputs.items() if n != boxes and len(s) == 3), None)
    for key, value in (("boxes", boxes), ("logits", logits)):
        if value is None or value not in outputs:
            raise ModelCardError(f"{ctx.model_id}: [detect] {key}: no output {value or ''!r} of shape "
                                 f"[1,Q,{'4' if key == 'boxes' else 'C+1'}]; outputs are {', '.join(outputs)}")
    return logits, boxes  # type: ignore[return-value]


def check_detr(ctx: LayoutContext, outputs: Mapping[str, Shape], name: str) -> None:
    logits, boxes = _detr_names(ctx, outputs)
    shape = outputs[logits]
    if len(shape) != 3 or len(outputs[boxes]) != 3 or outputs[boxes][-1] != 4:
        raise _fail(ctx, "layout 'detr'", logits, shape, f"expected logits [1,Q,C+1] and boxes [1,Q,4] ({boxes!r} "
                    f"{_dims(outputs[boxes])})")
    if ctx.labels and _known(shape[-1]) and shape[-1] != ctx.labels + 1:
        raise _fail(ctx, "labels", logits, shape, f"{ctx.labels} labels for {int(shape[-1]) - 1} classes "  # type: ignore[arg-type]
                    "(+ 'no object')")


def decode_detr(ctx: LayoutContext, outputs: Mapping[str, np.ndarray], name: str) -> Decoded:
    """Softmax over C+1 logits (the last is 'no object'), boxes cx cy w h relative to the input."""
    logits_name, boxes_name = _detr_names(ctx, {n: a.shape for n, a in outputs.items()})
    logits = outputs[logits_name][0].astype(np.float64)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = (probs / probs.sum(axis=-1, keepdims=True))[:, :-1]
    best = probs.argmax(axis=1)
    boxes = _cxcywh(outputs[boxes_name][0].astype(np.float32))
    boxes = boxes * np.array([ctx.input_width, ctx.input_height] * 2, np.float32)
    return Decoded(boxes, probs[np.arange(len(probs)), best].astype(np.float32),
                   best.astype(np.int64) - ctx.spec.class_offset, np.zeros((len(probs), 0), np.float32), final=True)


def check_grids(ctx: LayoutContext, outputs: Mapping[str, Shape], name: str) -> None:
    if not any(len(s) == 5 for s in outputs.values()):
        shapes = ", ".join(_dims(s) for s in outputs.values())
        raise ModelCardError(f"{ctx.model_id}: [detect] layout 'yolov4-grids': no [1,S,S,3,5+C] output ({shapes})")


def decode_grids_layout(ctx: LayoutContext, outputs: Mapping[str, np.ndarray], name: str) -> Decoded:
    rows = decode_grids([o for o in outputs.values() if o.ndim == 5], ctx.input_width, ctx.input_height)
    probs = rows[:, 5:] * rows[:, 4:5]
    best = probs.argmax(axis=1)
    return Decoded(_cxcywh(rows), probs[np.arange(len(rows)), best].astype(np.float32),
                   best.astype(np.int64) - ctx.spec.class_offset, np.zeros((len(rows), 0), np.float32))


def check_ssd(ctx: LayoutContext, outputs: Mapping[str, Shape], name: str) -> None:
    if not any(len(s) == 3 and s[-1] == 4 for s in outputs.values()):
        shapes = ", ".join(_dims(s) for s in outputs.values())
        raise ModelCardError(f"{ctx.model_id}: [detect] layout 'ssd': no boxes output [1,N,4] ({shapes})")


def decode_ssd(ctx: LayoutContext, outputs: Mapping[str, np.ndarray], name: str) -> Decoded:
    boxes, labels, scores = split_outputs(list(outputs.values()))
    boxes = boxes * np.array([ctx.input_width, ctx.input_height] * 2, np.float32)
    return Decoded(boxes, scores, labels - ctx.spec.class_offset, np.zeros((len(boxes), 0), np.float32))


Checker = Callable[[LayoutContext, Mapping[str, Shape], str], None]
Decoder = Callable[[LayoutContext, Mapping[str, np.ndarray], str], Decoded]

#: Layout name -> (shape check, decoder).
LAYOUTS: dict[str, tuple[Checker, Decoder]] = {
    "yolo": (check_yolo, decode_yolo),
    "yolov5": (check_yolo, decode_yolo),
    "rows": (check_rows, decode_rows),
    "detr": (check_detr, decode_detr),
    "yolov4-grids": (check_grids, decode_grids_layout),
    "ssd": (check_ssd, decode_ssd),
}


def _register_gfl() -> None:
    from desktop_app.core.tasks.detect_gfl import check_gfl, decode_gfl

    LAYOUTS["gfl"] = (check_gfl, decode_gfl)


_register_gfl()
