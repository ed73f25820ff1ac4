"""`detect`: labelled boxes from any layout the card's `[detect]` table names (yolo, yolov5, rows, detr,
yolov4-grids, ssd), with the labels checked against the model's class dimension when the task is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.media.image import load_image
from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import Detection, DetectionResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, option_or_card, register
from desktop_app.core.tasks.detect_boxes import BoxDecoder, FoundBoxes
from desktop_app.core.tasks.image_prep import Geometry, image_input
from desktop_app.core.tasks.steps import BatchSteps, dynamic_batch

ImageContext = tuple[Geometry, tuple[int, int]]


class ImageModelTask(Task, BatchSteps):
    """An image task run as preprocess -> infer -> postprocess, so the batch engine can stack images. The
    context each image carries is its geometry and its original (width, height)."""

    input_kind = "image"

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.input_name, self.prep = image_input(card, session)
        self.labels = card.labels()

    @property
    def input_size(self) -> tuple[int, int]:
        """The model-input size (0, 0 when it follows the image: native resize)."""
        return self.prep.width or 0, self.prep.height or 0

    def decode(self, path: Path) -> np.ndarray:
        return load_image(path)

    @property
    def batch_dynamic(self) -> bool:
        shape = next(i.shape for i in self.session.inputs if i.name == self.input_name)
        return dynamic_batch(shape) and self.prep.width is not None

    def preprocess(self, data: Any) -> tuple[np.ndarray, ImageContext]:
        tensor, geo = self.prep(data)
        return tensor, (geo, (int(data.shape[1]), int(data.shape[0])))

    def infer(self, tensor: np.ndarray) -> tuple[list[np.ndarray], float]:
        return self.session.run({self.input_name: tensor})

    def named(self, outputs: list[np.ndarray]) -> dict[str, np.ndarray]:
        return dict(zip(self.session.output_names, outputs, strict=False))

    def run(self, data: Any, clock: StageClock, **options: Any) -> Any:
        return self.run_steps(data, clock, **options)


class BoxTask(ImageModelTask):
    """An image task whose results start from boxes of the card's `[detect]` table."""

    def extra_values(self) -> int:
        """Values per box after the class scores (mask coefficients, keypoints); subclasses say how many."""
        return 0

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.boxes = BoxDecoder(card, session, self.labels, self.extra_values(), self.input_size)

    def find(self, outputs: list[np.ndarray], context: ImageContext, options: dict[str, Any]) -> FoundBoxes:
        threshold = option_or_card(options, "score_threshold", self.card, "score", 0.25)
        iou = option_or_card(options, "nms_iou", self.card, "nms_iou", 0.45)
        geo, size = context
        return self.boxes.find(self.named(outputs), geo, size, threshold, iou)


@register
class DetectTask(BoxTask):
    """Image -> labelled boxes in original pixels."""

    name = "detect"
    payload_type = DetectionResult

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> DetectionResult:
        found = self.find(outputs, context, options)
        width, height = context[1]
        detections = tuple(Detection(box=tuple(float(v) for v in box),  # type: ignore[arg-type]
                                     score=float(score), label=self.boxes.label(int(cls)))
                           for box, score, cls in zip(found.boxes, found.scores, found.classes, strict=True))
        names = self.labels or tuple(sorted({d.label for d in detections}))
        return DetectionResult(detections=detections, width=width, height=height, class_names=names or ("object",))
