"""`[detect] layout = "gfl"`: anchor-free heads trained with Generalized Focal Loss (NanoDet, PP-PicoDet style).
Per stride S the model gives class scores [1, cells, C] (already sigmoid unless `scores = "sigmoid"`) and box
distributions [1, cells, 4 x bins]: for the left, top, right and bottom sides, `bins` logits whose softmax
expectation over 0..bins-1, times S, is the side's distance from the cell centre ((col + 0.5) S, (row + 0.5) S).
Cells run row by row over a grid of ceil(W / S) x ceil(H / S). Outputs are matched to strides by their shapes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from desktop_app.core.errors import ModelCardError
from desktop_app.core.tasks.detect_layouts import Decoded, LayoutContext, Shape


def _grid(ctx: LayoutContext, stride: int) -> tuple[int, int]:
    return math.ceil(ctx.input_width / stride), math.ceil(ctx.input_height / stride)


def _dims(shape: Shape) -> str:
    return "[" + ",".join(str(d) if isinstance(d, int) else "?" for d in shape) + "]"


def _pairs(ctx: LayoutContext, outputs: Mapping[str, Shape]) -> list[tuple[int, str, str]]:
    """(stride, scores output, boxes output) for every stride, or a one-line error naming the field."""
    width = 4 * ctx.spec.bins
    found = []
    for stride in ctx.spec.strides:
        gw, gh = _grid(ctx, stride)
        cells = [n for n, s in outputs.items() if len(s) == 3 and s[1] == gw * gh]
        boxes = [n for n in cells if outputs[n][2] == width]
        scores = [n for n in cells if n not in boxes]
        if len(boxes) != 1 or len(scores) != 1:
            shapes = ", ".join(f"{n} {_dims(s)}" for n, s in outputs.items())
            raise ModelCardError(f"{ctx.model_id}: [detect] strides/bins: stride {stride} needs one scores output "
                                 f"[1,{gw * gh},C] and one boxes output [1,{gw * gh},{width}] (4 sides x bins = "
                                 f"{ctx.spec.bins}); the outputs are {shapes}")
        classes = outputs[scores[0]][2]
        if ctx.labels and isinstance(classes, int) and classes != ctx.labels + ctx.spec.class_offset:
            raise ModelCardError(f"{ctx.model_id}: [detect] labels: {ctx.labels} labels for {classes} classes in "
                                 f"output {scores[0]!r} {_dims(outputs[scores[0]])}")
        found.append((stride, scores[0], boxes[0]))
    return found


def check_gfl(ctx: LayoutContext, outputs: Mapping[str, Shape], name: str) -> None:
    _pairs(ctx, outputs)


def _distances(logits: np.ndarray, bins: int) -> np.ndarray:
    """[cells, 4 x bins] logits -> [cells, 4] expected distances in bins."""
    x = logits.reshape(-1, 4, bins).astype(np.float32)
    x = np.exp(x - x.max(axis=2, keepdims=True))
    x /= x.sum(axis=2, keepdims=True)
    return x @ np.arange(bins, dtype=np.float32)


def decode_gfl(ctx: LayoutContext, outputs: Mapping[str, np.ndarray], name: str) -> Decoded:
    """Every cell of every stride: best class and its score, box from the distance distributions."""
    boxes: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    classes: list[np.ndarray] = []
    for stride, score_name, box_name in _pairs(ctx, {n: a.shape for n, a in outputs.items()}):
        gw, gh = _grid(ctx, stride)
        probs = outputs[score_name][0].astype(np.float32)
        if ctx.spec.scores == "sigmoid":
            probs = 1.0 / (1.0 + np.exp(-probs))
        best = probs.argmax(axis=1)
        rows, cols = np.divmod(np.arange(gw * gh, dtype=np.float32), gw)
        cx, cy = (cols + 0.5) * stride, (rows + 0.5) * stride
        d = _distances(outputs[box_name][0], ctx.spec.bins) * stride
        boxes.append(np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], axis=1))
        scores.append(probs[np.arange(len(probs)), best])
        classes.append(best.astype(np.int64) - ctx.spec.class_offset)
    n = sum(len(s) for s in scores)
    return Decoded(_stack(boxes, (0, 4)), _stack(scores, (0,)), _stack(classes, (0,), np.int64),
                   np.zeros((n, 0), np.float32))


def _stack(parts: Sequence[np.ndarray], empty: tuple[int, ...], dtype: type = np.float32) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(empty, dtype)
