"""Pose payload: people (or objects) with keypoints in original pixels, and the skeleton joining them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.payloads.classification import ClassificationResult, ClassScore
from desktop_app.core.payloads.detection import Box
from desktop_app.core.payloads.protocol import ExportValue, plural
from desktop_app.core.render.sketch import Sketch, colour_for

KEYPOINT_RGB = (255, 230, 0)


@dataclass(frozen=True)
class Keypoint:
    """One keypoint in original pixels with its score (1.0 when the model gives none)."""

    x: float
    y: float
    score: float


@dataclass(frozen=True)
class PosedPerson:
    """One person (or object): its box (None for single-person models without one), score and keypoints."""

    box: Box | None
    score: float
    label: str
    keypoints: tuple[Keypoint, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"box": [round(v, 2) for v in self.box] if self.box is not None else None,
                "score": round(float(self.score), 6), "label": self.label,
                "keypoints": [[round(k.x, 2), round(k.y, 2), round(float(k.score), 4)] for k in self.keypoints]}


@dataclass(frozen=True)
class PoseResult:
    """Every person found in one image, the skeleton (pairs of keypoint numbers) and the keypoint names;
    keypoints scoring below `keypoint_threshold` are not drawn."""

    people: tuple[PosedPerson, ...]
    skeleton: tuple[tuple[int, int], ...]
    keypoint_names: tuple[str, ...]
    keypoint_threshold: float
    width: int
    height: int

    def visible(self, person: PosedPerson) -> int:
        """How many of a person's keypoints score at or above the threshold."""
        return sum(1 for k in person.keypoints if k.score >= self.keypoint_threshold)

    def summary(self) -> str:
        parts = [f"{p.label} {p.score:.2f} ({self.visible(p)}/{len(p.keypoints)} keypoints)" for p in self.people]
        return plural(len(self.people), "person").replace("persons", "people") + (
            ": " + "; ".join(parts) if parts else "")

    def label(self, task: str | None) -> str:
        return plural(len(self.people), "person").replace("persons", "people")

    def score(self) -> float | None:
        return max((float(p.score) for p in self.people), default=None)

    def tooltip(self) -> str:
        return "\n".join(f"{p.label} {p.score:.2f}: {self.visible(p)} keypoints visible"
                         for p in self.people) or "nobody found"

    def json_fields(self) -> dict[str, Any]:
        return {"people": [p.to_dict() for p in self.people], "keypoint_names": list(self.keypoint_names),
                "image_size": [self.width, self.height]}

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {"people": []}

    def export_fields(self) -> dict[str, ExportValue]:
        return {"people": len(self.people)}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {"people": 0}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        """One prediction per person: how sure the model is that it is one."""
        return tuple(ClassificationResult(top=(ClassScore(0, p.label, float(p.score)),), num_classes=2)
                     for p in self.people)

    def is_empty(self) -> bool:
        return not self.people

    def people_in_frame(self) -> int | None:
        """How many people were posed (objects of other labels are not counted)."""
        return sum(1 for p in self.people if p.label in ("person", ""))

    def describe(self) -> str:
        return self.label(None)

    def draw_on(self, sketch: Sketch) -> None:
        """Each person's box and skeleton in its own colour, keypoints at or above the threshold as dots."""
        sketch.width, sketch.height = self.width, self.height
        for n, person in enumerate(self.people):
            colour = colour_for(n)
            if person.box is not None:
                sketch.add_box(person.box, f"{person.label} {person.score:.2f}", colour)
            seen = [k if k.score >= self.keypoint_threshold else None for k in person.keypoints]
            for a, b in self.skeleton:
                ka, kb = (seen[a] if 0 <= a < len(seen) else None), (seen[b] if 0 <= b < len(seen) else None)
                if ka is not None and kb is not None:
                    sketch.add_line((ka.x, ka.y), (kb.x, kb.y), colour)
            for k in seen:
                if k is not None:
                    sketch.add_dot((k.x, k.y), KEYPOINT_RGB)
