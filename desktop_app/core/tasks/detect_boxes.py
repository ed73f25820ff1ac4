"""Boxes from any `[detect]` layout, checked against the model when the task is built: the decoder shared by
the detect, instance-segment and multi-person pose tasks (decode, class-aware NMS, map to original pixels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks.detect_common import nms
from desktop_app.core.tasks.detect_layouts import LAYOUTS, Decoded, LayoutContext
from desktop_app.core.tasks.image_prep import Geometry


@dataclass(frozen=True)
class FoundBoxes:
    """Kept boxes of one image, best first: x1y1x2y2 in original pixels (clipped), in model-input pixels,
    scores, class indices and each box's extra values (mask coefficients, keypoints)."""

    boxes: np.ndarray
    input_boxes: np.ndarray
    scores: np.ndarray
    classes: np.ndarray
    extra: np.ndarray


def output_name(card: ModelCard, session: ModelSession, name: str | None, field: str) -> str:
    """A named output (default: the first), refused with the field's name when the model has none such."""
    if name is None:
        return session.output_names[0]
    if name not in session.output_names:
        raise ModelCardError(f"{card.id}: {field} {name!r} is not an output of the model; its outputs are "
                             f"{', '.join(session.output_names)}")
    return name


class BoxDecoder:
    """The card's `[detect]` table applied to one model: checked once against its output shapes."""

    def __init__(self, card: ModelCard, session: ModelSession, labels: tuple[str, ...], extra: int,
                 input_size: tuple[int, int]) -> None:
        if card.detect is None:
            raise ModelCardError(f"{card.id}: the card has no [detect] table")
        self.card = card
        self.spec = card.detect
        self.labels = labels
        self.output = output_name(card, session, self.spec.output, "[detect] output")
        for key in ("logits", "boxes"):
            value = getattr(self.spec, key)
            if value is not None:
                output_name(card, session, value, f"[detect] {key}")
        self.check, self.decoder = LAYOUTS[self.spec.layout]
        self.context = LayoutContext(self.spec, len(labels), extra, input_size[0], input_size[1], card.id)
        self.check(self.context, {o.name: list(o.shape) for o in session.outputs}, self.output)

    def with_input_size(self, width: int, height: int) -> LayoutContext:
        c = self.context
        return c if (c.input_width, c.input_height) == (width, height) else LayoutContext(
            c.spec, c.labels, c.extra, width, height, c.model_id)

    def label(self, index: int) -> str:
        return self.labels[index] if 0 <= index < len(self.labels) else f"class {index}"

    def decode(self, outputs: Mapping[str, np.ndarray], geo: Geometry) -> Decoded:
        """Candidate boxes in model-input pixels (before the score cut-off and NMS)."""
        ctx = self.with_input_size(geo.input_width, geo.input_height)
        return self.decoder(ctx, outputs, self.output)

    def find(self, outputs: Mapping[str, np.ndarray], geo: Geometry, size: tuple[int, int], threshold: float,
             iou: float, max_boxes: int = 300) -> FoundBoxes:
        """Decode, keep boxes above the threshold (class-aware NMS unless the layout's boxes are final),
        best first, and map them to the original image of `size` (width, height)."""
        d = self.decode(outputs, geo)
        if d.final:
            keep = np.flatnonzero(d.scores > threshold)
            keep = keep[np.argsort(-d.scores[keep], kind="stable")]
        else:
            keep = nms(d.boxes, d.scores, d.classes, threshold, iou)
        keep = keep[:max_boxes]
        width, height = size
        input_boxes = d.boxes[keep]
        x1, y1 = geo.to_original(input_boxes[:, 0], input_boxes[:, 1])
        x2, y2 = geo.to_original(input_boxes[:, 2], input_boxes[:, 3])
        boxes = np.stack([np.clip(x1, 0, width), np.clip(y1, 0, height), np.clip(x2, 0, width),
                          np.clip(y2, 0, height)], axis=1).astype(np.float32).reshape(-1, 4)
        return FoundBoxes(boxes, input_boxes, d.scores[keep], d.classes[keep], d.extra[keep])
