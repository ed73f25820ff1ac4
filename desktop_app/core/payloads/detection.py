"""Detection payload: boxes (with landmarks and a face's expression) in original pixel coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.payloads.classification import ClassificationResult, ClassScore
from desktop_app.core.payloads.protocol import ExportValue, plural
from desktop_app.core.render.sketch import Sketch, colour_of_label

Box = tuple[float, float, float, float]
Point = tuple[float, float]


@dataclass(frozen=True)
class Detection:
    """A detected object in original pixel coordinates (x1, y1, x2, y2), with optional landmarks."""

    box: Box
    score: float
    label: str
    landmarks: tuple[Point, ...] = ()
    emotion: ClassScore | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "box": [round(v, 2) for v in self.box],
            "score": round(float(self.score), 6),
            "label": self.label,
            "landmarks": [[round(x, 2), round(y, 2)] for x, y in self.landmarks],
            "emotion": self.emotion.to_dict() if self.emotion else None,
        }

    def summary(self) -> str:
        """"face 0.91 at (10,20)-(50,70) happy 0.80"."""
        x1, y1, x2, y2 = self.box
        emo = f" {self.emotion.label} {self.emotion.score:.2f}" if self.emotion else ""
        return f"{self.label} {self.score:.2f} at ({x1:.0f},{y1:.0f})-({x2:.0f},{y2:.0f}){emo}"


@dataclass(frozen=True)
class DetectionResult:
    """All detections in one image, with the image size they refer to. An object detector names its classes
    (`class_names`): the monitor then counts each box; a face detector counts each face's expression."""

    detections: tuple[Detection, ...]
    width: int
    height: int
    class_names: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = [d.summary() for d in self.detections]
        return f"{len(self.detections)} found" + (": " + "; ".join(parts) if parts else "")

    def label(self, task: str | None) -> str:
        return plural(len(self.detections), "detection" if self.class_names or task != "detect-faces" else "face")

    def score(self) -> float | None:
        return max((float(d.score) for d in self.detections), default=None)

    def tooltip(self) -> str:
        return "\n".join(f"{d.label} {d.score:.2f}" + (f" · {d.emotion.label} {d.emotion.score:.2f}" if d.emotion else "")
                         for d in self.detections) or ("nothing above the batch threshold" if self.class_names
                                                       else "no faces above the batch threshold")

    def json_fields(self) -> dict[str, Any]:
        return {"detections": [d.to_dict() for d in self.detections], "image_size": [self.width, self.height]}

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {"detections": []}

    def export_fields(self) -> dict[str, ExportValue]:
        return {"detections": len(self.detections)}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {"detections": 0}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        """Each face's expression; for an object detector, each box with its class score."""
        if self.class_names:
            index = {name: i for i, name in enumerate(self.class_names)}
            classes = max(2, len(self.class_names))
            return tuple(ClassificationResult(top=(ClassScore(index.get(d.label, -1), d.label, float(d.score)),),
                                              num_classes=classes) for d in self.detections)
        return tuple(ClassificationResult(top=(d.emotion,), num_classes=emotion_classes)
                     for d in self.detections if d.emotion is not None)

    def is_empty(self) -> bool:
        return not self.detections

    def people_in_frame(self) -> int | None:
        """How many people the picture shows: an object detector's "person" boxes, a face detector's faces
        (both above the threshold it ran at; the live view counts the face tracks it shows instead)."""
        return sum(1 for d in self.detections if d.label == "person") if self.class_names else len(self.detections)

    def describe(self) -> str:
        return plural(len(self.detections), "detection") if self.class_names else f"{len(self.detections)} face(s)"

    def draw_on(self, sketch: Sketch) -> None:
        """Each box in its label's colour, with "label score" (and a face's expression) and landmarks."""
        sketch.width, sketch.height = self.width, self.height
        for d in self.detections:
            colour = colour_of_label(d.label)
            emo = f" {d.emotion.label}" if d.emotion else ""
            sketch.add_box(d.box, f"{d.label} {d.score:.2f}{emo}", colour)
            for point in d.landmarks:
                sketch.add_dot(point, (255, 200, 0), kind="landmark")
