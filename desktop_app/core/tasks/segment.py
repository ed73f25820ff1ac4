"""`segment`: instance masks (boxes from `[detect]` + Ultralytics-style prototypes) or a semantic class map,
as the card's `[segment] kind` says, with the share of the picture each class covers."""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import SegmentationResult, SegmentInstance
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import register
from desktop_app.core.tasks.detect import BoxTask, ImageModelTask
from desktop_app.core.tasks.detect_boxes import output_name
from desktop_app.core.tasks.segment_masks import class_areas, instance_mask, semantic_map


def _protos_name(card: ModelCard, session: ModelSession) -> str:
    assert card.segment is not None
    if card.segment.protos is not None:
        return output_name(card, session, card.segment.protos, "[segment] protos")
    found = next((o.name for o in session.outputs if len(o.shape) == 4), None)
    if found is None:
        raise ModelCardError(f"{card.id}: [segment] protos: no 4-D prototypes output [1,32,h,w]; outputs are "
                             f"{', '.join(f'{o.name} {list(o.shape)}' for o in session.outputs)}")
    return found


class InstanceSegmenter(BoxTask):
    """Boxes with mask coefficients after the classes, and the prototypes output they weigh."""

    name = "segment"
    payload_type = SegmentationResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        self.protos = _protos_name(card, session)
        shape = next(o.shape for o in session.outputs if o.name == self.protos)
        if len(shape) != 4 or not isinstance(shape[1], int):
            raise ModelCardError(f"{card.id}: [segment] protos: output {self.protos!r} {list(shape)} is not "
                                 "[1, masks, h, w]")
        self.mask_count = int(shape[1])
        super().__init__(card, session, pool)

    def extra_values(self) -> int:
        return self.mask_count

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> SegmentationResult:
        found = self.find(outputs, context, options)
        geo, (width, height) = context
        protos = self.named(outputs)[self.protos][0].astype(np.float32)
        threshold = self.card.threshold("mask", 0.5)
        instances = []
        covered: dict[int, np.ndarray] = {}
        for box, score, cls, coeffs in zip(found.boxes, found.scores, found.classes, found.extra, strict=True):
            mask, origin = instance_mask(coeffs, protos, box, geo, (width, height), threshold)
            instance = SegmentInstance(box=tuple(float(v) for v in box), score=float(score),  # type: ignore[arg-type]
                                       label=self.boxes.label(int(cls)), mask=mask, mask_origin=origin,
                                       class_index=int(cls))
            instances.append(instance)
            canvas = covered.setdefault(int(cls), np.zeros((height, width), bool))
            canvas |= instance.full_mask(width, height)
        total = max(1, width * height)
        areas = sorted(((self.boxes.label(c), float(np.count_nonzero(m)) / total) for c, m in covered.items()),
                       key=lambda p: -p[1])
        return SegmentationResult(instances=tuple(instances), class_map=None, class_names=self.labels,
                                  areas=tuple(a for a in areas if a[1] > 0), width=width, height=height)


class SemanticSegmenter(ImageModelTask):
    """A class for every pixel from a [1,C,H,W] / [1,H,W,C] output (or [1,H,W]: one yes/no channel)."""

    name = "segment"
    payload_type = SegmentationResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        assert card.segment is not None
        self.spec = card.segment
        self.output = output_name(card, session, self.spec.output, "[segment] output")
        shape = next(o.shape for o in session.outputs if o.name == self.output)
        if len(shape) not in (3, 4):
            raise ModelCardError(f"{card.id}: [segment] output {self.output!r} {list(shape)} is not a per-pixel "
                                 f"output [1,C,H,W] / [1,H,W,C] / [1,H,W]")
        channels = 1 if len(shape) == 3 else shape[1] if self.spec.layout == "NCHW" else shape[3]
        if isinstance(channels, int) and self.labels and channels > 1 and channels != len(self.labels):
            raise ModelCardError(f"{card.id}: [segment] labels: {len(self.labels)} labels for {channels} classes in "
                                 f"output {self.output!r} {list(shape)} (check [segment] layout {self.spec.layout})")

    def scores(self, array: np.ndarray) -> np.ndarray:
        """One image's output -> (C, h, w)."""
        a = array[0]
        if a.ndim == 2:
            return a[None]
        return a if self.spec.layout == "NCHW" else np.moveaxis(a, -1, 0)

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> SegmentationResult:
        geo, (width, height) = context
        scores = self.scores(self.named(outputs)[self.output]).astype(np.float32)
        names = self.labels or tuple(f"class {i}" for i in range(scores.shape[0]))
        classes = semantic_map(scores, self.spec.activation, geo, (width, height), self.card.threshold("mask", 0.5))
        return SegmentationResult(instances=(), class_map=classes, class_names=names,
                                  areas=class_areas(classes, names), width=width, height=height)


#: The segment task's strategies by `[segment] kind`.
SEGMENTERS: dict[str, type[ImageModelTask]] = {"instance": InstanceSegmenter, "semantic": SemanticSegmenter}


@register
class SegmentTask(ImageModelTask):
    """Image -> masks; built as the card's kind of segmenter (the registry keeps one name per task)."""

    name = "segment"
    payload_type = SegmentationResult

    def __new__(cls, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> Any:
        if card.segment is None:
            raise ModelCardError(f"{card.id}: task 'segment' needs a [segment] table")
        return SEGMENTERS[card.segment.kind](card, session, pool)
