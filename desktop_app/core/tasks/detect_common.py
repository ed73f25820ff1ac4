"""Shared part of the generic object detectors (`detect-yolo`, `detect-ssd`): pre-processing from the card,
class-aware NMS (cv2.dnn.NMSBoxesBatched) and mapping boxes back to original pixels with the Geometry."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from desktop_app.core.media.image import load_image
from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import Detection, DetectionResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, option_or_card
from desktop_app.core.tasks.image_prep import Geometry, image_input


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, threshold: float, iou: float) -> np.ndarray:
    """Indices kept by per-class NMS among boxes (N,4 x1y1x2y2) scoring above threshold, best first."""
    # Only the boxes above the threshold go to OpenCV (it keeps score > threshold too): a detector's thousands
    # of candidates, turned into Python lists box by box, cost NanoDet 3 ms a frame whatever the threshold.
    candidates = np.flatnonzero(scores > threshold)
    if len(candidates) == 0:
        return np.zeros((0,), np.int64)
    b = np.asarray(boxes, np.float64)[candidates]
    xywh = np.column_stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]]).tolist()
    kept = cv2.dnn.NMSBoxesBatched(xywh, scores[candidates].astype(float).tolist(),
                                   classes[candidates].astype(int).tolist(), threshold, iou)
    keep = candidates[np.asarray(kept, dtype=np.int64).reshape(-1)]
    return keep[np.argsort(-scores[keep], kind="stable")]


class ObjectDetectorTask(Task):
    """Image -> labelled boxes. Subclasses turn raw outputs into boxes in model-input pixels."""

    input_kind = "image"
    payload_type = DetectionResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.input_name, self.prep = image_input(card, session)
        self.labels = card.labels()

    @abstractmethod
    def decode_outputs(self, outputs: list[np.ndarray], geo: Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw outputs -> boxes (N,4) x1y1x2y2 in model-input pixels, scores (N,), class indices (N,)."""

    def label(self, index: int) -> str:
        return self.labels[index] if 0 <= index < len(self.labels) else f"class {index}"

    def decode(self, path: Path) -> np.ndarray:
        return load_image(path)

    def run(self, data: Any, clock: StageClock, **options: Any) -> DetectionResult:
        threshold = option_or_card(options, "score_threshold", self.card, "score", 0.5)
        iou = option_or_card(options, "nms_iou", self.card, "nms_iou", 0.45)
        with clock.stage("preprocess"):
            tensor, geo = self.prep(data)
        outputs, ms = self.session.run({self.input_name: tensor})
        clock.add("inference", ms)
        with clock.stage("postprocess"):
            boxes, scores, classes = self.decode_outputs(outputs, geo)
            keep = nms(boxes, scores, classes, threshold, iou)
            height, width = data.shape[:2]
            x1, y1 = geo.to_original(boxes[keep, 0], boxes[keep, 1])
            x2, y2 = geo.to_original(boxes[keep, 2], boxes[keep, 3])
            detections = tuple(
                Detection(
                    box=(float(np.clip(x1[i], 0, width)), float(np.clip(y1[i], 0, height)),
                         float(np.clip(x2[i], 0, width)), float(np.clip(y2[i], 0, height))),
                    score=float(scores[k]), label=self.label(int(classes[k])),
                )
                for i, k in enumerate(keep)
            )
        return DetectionResult(detections=detections, width=int(width), height=int(height))
