"""`detect-faces`: CenterFace decode (heatmap, box scales, offsets, 5 landmarks at stride 4) + NMS,
boxes and landmarks mapped back to original pixels; optional expression model on each face crop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from desktop_app.core.errors import TaskError
from desktop_app.core.media.image import load_image
from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import Detection, DetectionResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, option_or_card, register
from desktop_app.core.tasks.classify import ClassifyTask
from desktop_app.core.tasks.image_prep import Geometry, image_input

STRIDE = 4
CROP_MARGIN = 0.1  # expression crops get 10 % of the box size added on each side


def _output_roles(session: ModelSession) -> tuple[int, int, int, int]:
    """Indices of heatmap (1 channel), scale and offset (2 channels, in that order), landmarks (10)."""
    channels = [o.shape[1] if len(o.shape) == 4 else None for o in session.outputs]
    try:
        heat = channels.index(1)
        lms = channels.index(10)
        two = [i for i, c in enumerate(channels) if c == 2]
        scale, offset = two[0], two[1]
    except (ValueError, IndexError):
        raise TaskError("the model's outputs are not CenterFace's (heatmap, scale, offset, landmarks)") from None
    return heat, scale, offset, lms


def decode_centerface(
    heatmap: np.ndarray, scale: np.ndarray, offset: np.ndarray, landmarks: np.ndarray,
    width: int, height: int, score_threshold: float, nms_iou: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw outputs for one image -> boxes (N,4) x1y1x2y2, scores (N,), landmarks (N,5,2), in model pixels."""
    hm = heatmap[0, 0]
    ys, xs = np.nonzero(hm > score_threshold)
    if ys.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.float32), np.zeros((0, 5, 2), np.float32)
    box_h = np.exp(scale[0, 0, ys, xs]) * STRIDE
    box_w = np.exp(scale[0, 1, ys, xs]) * STRIDE
    cy = (ys + offset[0, 0, ys, xs] + 0.5) * STRIDE
    cx = (xs + offset[0, 1, ys, xs] + 0.5) * STRIDE
    x1 = np.clip(cx - box_w / 2, 0, width)
    y1 = np.clip(cy - box_h / 2, 0, height)
    x2 = np.minimum(x1 + box_w, width)
    y2 = np.minimum(y1 + box_h, height)
    scores = hm[ys, xs].astype(np.float32)
    lm = landmarks[0][:, ys, xs]  # (10, N): y0, x0, y1, x1, ...
    pts = np.stack([lm[1::2] * box_w + x1, lm[0::2] * box_h + y1], axis=-1).transpose(1, 0, 2)
    boxes = np.stack([x1, y1, x2, y2], axis=1).astype(np.float32)
    xywh = [[float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])] for b in boxes]
    keep = np.asarray(cv2.dnn.NMSBoxes(xywh, scores.tolist(), score_threshold, nms_iou), dtype=np.int64).reshape(-1)
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    return boxes[keep], scores[keep], pts[keep].astype(np.float32)


def face_crops(image: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[np.ndarray]:
    """Crops around each box with a small margin, clipped to the image (never empty)."""
    h, w = image.shape[:2]
    crops = []
    for x1, y1, x2, y2 in boxes:
        mx, my = (x2 - x1) * CROP_MARGIN, (y2 - y1) * CROP_MARGIN
        a, b = int(max(0, np.floor(x1 - mx))), int(max(0, np.floor(y1 - my)))
        c, d = int(min(w, np.ceil(x2 + mx))), int(min(h, np.ceil(y2 + my)))
        crops.append(image[b : max(d, b + 1), a : max(c, a + 1)])
    return crops


@register
class DetectFacesTask(Task):
    """Image -> face boxes with 5 landmarks each, optionally an expression per face."""

    name = "detect-faces"
    input_kind = "image"
    payload_type = DetectionResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.input_name, self.prep = image_input(card, session)
        self.roles = _output_roles(session)
        labels = card.labels()
        self.label = labels[0] if labels else "face"

    def decode(self, path: Path) -> np.ndarray:
        return load_image(path)

    def detect(self, image: np.ndarray, clock: StageClock, score_threshold: float, nms_iou: float) -> list[Detection]:
        with clock.stage("preprocess"):
            tensor, geo = self.prep(image)
        outputs, ms = self.session.run({self.input_name: tensor})
        clock.add("inference", ms)
        with clock.stage("postprocess"):
            heat, scale, offset, lms = (outputs[i] for i in self.roles)
            boxes, scores, pts = decode_centerface(
                heat, scale, offset, lms, geo.input_width, geo.input_height, score_threshold, nms_iou
            )
            return self._to_detections(boxes, scores, pts, geo, image.shape[1], image.shape[0])

    def _to_detections(self, boxes: np.ndarray, scores: np.ndarray, pts: np.ndarray, geo: Geometry,
                       width: int, height: int) -> list[Detection]:
        bx1, by1 = geo.to_original(boxes[:, 0], boxes[:, 1])
        bx2, by2 = geo.to_original(boxes[:, 2], boxes[:, 3])
        px, py = geo.to_original(pts[..., 0], pts[..., 1])
        result = []
        for i in range(len(scores)):
            box = (float(np.clip(bx1[i], 0, width)), float(np.clip(by1[i], 0, height)),
                   float(np.clip(bx2[i], 0, width)), float(np.clip(by2[i], 0, height)))
            landmarks = tuple((float(x), float(y)) for x, y in zip(px[i], py[i], strict=True))
            result.append(Detection(box=box, score=float(scores[i]), label=self.label, landmarks=landmarks))
        return result

    def run(self, data: Any, clock: StageClock, **options: Any) -> DetectionResult:
        threshold = option_or_card(options, "score_threshold", self.card, "score", 0.5)
        nms_iou = option_or_card(options, "nms_iou", self.card, "nms_iou", 0.3)
        detections = self.detect(data, clock, threshold, nms_iou)
        second: ClassifyTask | None = options.get("second_stage")
        if second is not None and detections:
            crops = face_crops(data, [d.box for d in detections])
            labelled = second.classify_batch(crops, clock, k=1)
            detections = [
                Detection(d.box, d.score, d.label, d.landmarks, emotion=r.best)
                for d, r in zip(detections, labelled, strict=True)
            ]
        return DetectionResult(detections=tuple(detections), width=int(data.shape[1]), height=int(data.shape[0]))
