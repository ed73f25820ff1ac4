"""`detect-yolo`: YOLO-family outputs -> labelled boxes.

Two layouts, told apart by rank:
- grids [1, S, S, A, 5+C] (YOLOv4 in the ONNX model zoo): raw x, y, w, h, then objectness and class
  probabilities (already sigmoid); decoded with the YOLOv4 anchors and x/y scales, largest grid first;
- flat [1, N, 5+C] (YOLOv5-style exports): cx, cy, w, h in input pixels, objectness, class scores.
Score = objectness x class probability; NMS per class.
"""

from __future__ import annotations

import numpy as np

from desktop_app.core.errors import TaskError
from desktop_app.core.tasks.base import register
from desktop_app.core.tasks.detect_common import ObjectDetectorTask
from desktop_app.core.tasks.image_prep import Geometry

# YOLOv4 (AlexeyAB cfg, as in the zoo's post-processing): anchors in input pixels per grid, stride 8/16/32.
YOLOV4_ANCHORS = np.array(
    [[[12, 16], [19, 36], [40, 28]], [[36, 75], [76, 55], [72, 146]], [[142, 110], [192, 243], [459, 401]]],
    dtype=np.float32,
)
YOLOV4_XYSCALE = (1.2, 1.1, 1.05)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _best_class(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of cx, cy, w, h, objectness, class probs -> boxes x1y1x2y2, scores, classes."""
    probs = rows[:, 5:] * rows[:, 4:5]
    classes = probs.argmax(axis=1) if probs.shape[1] else np.zeros(len(rows), np.int64)
    scores = probs[np.arange(len(rows)), classes] if probs.shape[1] else rows[:, 4]
    cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes.astype(np.float32), scores.astype(np.float32), classes.astype(np.int64)


def decode_grids(grids: list[np.ndarray], input_width: int, input_height: int,
                 anchors: np.ndarray = YOLOV4_ANCHORS, xyscale: tuple[float, ...] = YOLOV4_XYSCALE) -> np.ndarray:
    """YOLOv4 grids [1, S, S, A, 5+C] (any order) -> rows [N, 5+C] with cx, cy, w, h in input pixels."""
    ordered = sorted(grids, key=lambda g: -g.shape[1])  # finest grid (stride 8) first
    if len(ordered) > len(anchors):
        raise TaskError(f"YOLO: {len(ordered)} output grids but anchors for {len(anchors)}")
    rows = []
    for i, grid in enumerate(ordered):
        g = grid[0].astype(np.float32)
        size_y, size_x = g.shape[0], g.shape[1]
        if g.shape[2] != anchors.shape[1]:
            raise TaskError(f"YOLO: grid {i} has {g.shape[2]} anchors per cell, expected {anchors.shape[1]}")
        ys, xs = np.meshgrid(np.arange(size_y), np.arange(size_x), indexing="ij")
        cell = np.stack([xs, ys], axis=-1)[:, :, None, :].astype(np.float32)
        stride = np.array([input_width / size_x, input_height / size_y], np.float32)
        scale = xyscale[i]
        xy = ((_sigmoid(g[..., 0:2]) * scale) - 0.5 * (scale - 1) + cell) * stride
        wh = np.exp(g[..., 2:4]) * anchors[i]
        rows.append(np.concatenate([xy, wh, g[..., 4:]], axis=-1).reshape(-1, g.shape[-1]))
    return np.concatenate(rows, axis=0)


@register
class DetectYoloTask(ObjectDetectorTask):
    """Image -> objects from a YOLO-family model (grid or flat output layout)."""

    name = "detect-yolo"

    def decode_outputs(self, outputs: list[np.ndarray], geo: Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        grids = [o for o in outputs if o.ndim == 5]
        if grids:
            rows = decode_grids(grids, geo.input_width, geo.input_height)
        elif outputs and outputs[0].ndim == 3 and outputs[0].shape[-1] >= 5:
            rows = outputs[0][0].astype(np.float32)
        else:
            shapes = ", ".join(str(list(o.shape)) for o in outputs)
            raise TaskError(f"{self.card.id}: outputs {shapes} are not a YOLO layout ([1,S,S,A,5+C] or [1,N,5+C])")
        return _best_class(rows)
