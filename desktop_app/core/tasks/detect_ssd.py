"""`detect-ssd`: SSD-family outputs (boxes, labels, scores; as in the ONNX model zoo's SSD) -> labelled boxes.

Outputs are found by shape and type, not by name: boxes [1, N, 4] (x1, y1, x2, y2 relative to the input,
0..1), labels [1, N] (integers), scores [1, N] (floats). The card's `label_offset` threshold says what the
first class is numbered (1 when 0 means background) so that labels index the card's labels file.
"""

from __future__ import annotations

import numpy as np

from desktop_app.core.errors import TaskError
from desktop_app.core.tasks.base import register
from desktop_app.core.tasks.detect_common import ObjectDetectorTask
from desktop_app.core.tasks.image_prep import Geometry


def split_outputs(outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(boxes [N,4], labels [N], scores [N]) from the raw outputs of one image."""
    boxes = next((o for o in outputs if o.ndim == 3 and o.shape[-1] == 4), None)
    flat = [o for o in outputs if o.ndim == 2 and boxes is not None and o.shape[1] == boxes.shape[1]]
    labels = next((o for o in flat if np.issubdtype(o.dtype, np.integer)), None)
    scores = next((o for o in flat if np.issubdtype(o.dtype, np.floating)), None)
    if boxes is None or labels is None or scores is None:
        shapes = ", ".join(f"{list(o.shape)} {o.dtype}" for o in outputs)
        raise TaskError(f"outputs {shapes} are not an SSD layout (boxes [1,N,4], int labels [1,N], scores [1,N])")
    return boxes[0].astype(np.float32), labels[0].astype(np.int64), scores[0].astype(np.float32)


@register
class DetectSsdTask(ObjectDetectorTask):
    """Image -> objects from an SSD-family model (normalised boxes, labels, scores)."""

    name = "detect-ssd"

    def decode_outputs(self, outputs: list[np.ndarray], geo: Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        boxes, labels, scores = split_outputs(outputs)
        scale = np.array([geo.input_width, geo.input_height, geo.input_width, geo.input_height], np.float32)
        offset = int(self.card.threshold("label_offset", 0))
        return boxes * scale, scores, labels - offset
