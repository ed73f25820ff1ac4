"""Segmentation payload: instance masks (one per object, in original pixels) or a semantic class map, with
the share of the picture each class covers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from desktop_app.core.payloads.classification import ClassificationResult, ClassScore
from desktop_app.core.payloads.detection import Box
from desktop_app.core.payloads.protocol import ExportValue, plural
from desktop_app.core.render.sketch import Sketch, colour_for

#: Class names a semantic map leaves untinted.
BACKGROUND_NAMES = frozenset({"background", "__background__", "bg", "none", "unlabeled"})


@dataclass(frozen=True)
class SegmentInstance:
    """One object: its box and score, and its mask as a bool array covering the integer box region
    (rows mask_origin[1] .. +mask.shape[0], columns mask_origin[0] .. +mask.shape[1]) in original pixels."""

    box: Box
    score: float
    label: str
    mask: np.ndarray = field(compare=False, repr=False)
    mask_origin: tuple[int, int] = (0, 0)
    class_index: int = 0

    @property
    def pixels(self) -> int:
        """How many pixels the mask covers."""
        return int(np.count_nonzero(self.mask))

    def full_mask(self, width: int, height: int) -> np.ndarray:
        """The mask placed on a (height, width) bool canvas."""
        canvas = np.zeros((height, width), dtype=bool)
        x, y = self.mask_origin
        h, w = self.mask.shape[:2]
        canvas[y : y + h, x : x + w] = self.mask[: max(0, height - y), : max(0, width - x)]
        return canvas

    def to_dict(self) -> dict[str, Any]:
        return {"box": [round(v, 2) for v in self.box], "score": round(float(self.score), 6), "label": self.label,
                "mask_pixels": self.pixels}


@dataclass(frozen=True)
class SegmentationResult:
    """Instance masks (each object) or a semantic class map (HxW class indices, original size), with the
    fraction of the image each class covers, largest first."""

    instances: tuple[SegmentInstance, ...]
    class_map: np.ndarray | None = field(compare=False, repr=False)
    class_names: tuple[str, ...]
    areas: tuple[tuple[str, float], ...]
    width: int
    height: int

    @property
    def semantic(self) -> bool:
        return self.class_map is not None

    def people_in_frame(self) -> int | None:
        """Instance masks labelled "person"; a semantic map cannot tell people apart (None)."""
        return None if self.semantic else sum(1 for i in self.instances if i.label == "person")

    def person_mask(self) -> np.ndarray | None:
        """A float32 mask (1 = person) from a semantic class map: the class named "person" where there is
        one, a one-class model's class, else every class but the first (taken as background)."""
        if self.class_map is None:
            return None
        classes = np.asarray(self.class_map)
        names = [n.lower() for n in self.class_names]
        if "person" in names:
            mask = classes == names.index("person")
        elif len(names) == 1:
            mask = classes == 0
        else:
            mask = classes > 0
        return mask.astype(np.float32)

    def _areas_text(self, limit: int = 5) -> str:
        return ", ".join(f"{name} {fraction:.0%}" for name, fraction in self.areas[:limit])

    def summary(self) -> str:
        if self.semantic:
            return self._areas_text() or "no classes"
        parts = [f"{i.label} {i.score:.2f}" for i in self.instances]
        return f"{plural(len(self.instances), 'object')}" + (": " + ", ".join(parts) if parts else "") + (
            f" (covering {self._areas_text()})" if self.areas else "")

    def label(self, task: str | None) -> str:
        if self.semantic:
            return self._areas_text(1) or "no classes"
        return plural(len(self.instances), "object")

    def score(self) -> float | None:
        return max((float(i.score) for i in self.instances), default=None)

    def tooltip(self) -> str:
        lines = [f"{i.label} {i.score:.2f}" for i in self.instances]
        lines += [f"{name}: {fraction:.1%} of the image" for name, fraction in self.areas]
        return "\n".join(lines) or "nothing segmented"

    def json_fields(self) -> dict[str, Any]:
        return {"instances": [i.to_dict() for i in self.instances],
                "areas": {name: round(fraction, 6) for name, fraction in self.areas},
                "image_size": [self.width, self.height]}

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {"instances": [], "areas": {}}

    def export_fields(self) -> dict[str, ExportValue]:
        return {"instances": len(self.instances),
                "class_areas": json.dumps({n: round(f, 6) for n, f in self.areas}, ensure_ascii=False)}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {"instances": 0, "class_areas": "{}"}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        """One prediction per instance (its class and score); a semantic map gives none."""
        classes = max(2, len(self.class_names))
        return tuple(ClassificationResult(top=(ClassScore(i.class_index, i.label, float(i.score)),), num_classes=classes)
                     for i in self.instances)

    def is_empty(self) -> bool:
        return not self.instances and not self.areas

    def describe(self) -> str:
        return self._areas_text(2) if self.semantic else plural(len(self.instances), "object")

    def draw_on(self, sketch: Sketch) -> None:
        """A class map tinted per class (background left clear), or each instance's mask and labelled box in
        its class's colour."""
        sketch.width, sketch.height = self.width, self.height
        if self.class_map is not None:
            sketch.set_class_map(self.class_map, {i: colour_for(i) for i, name in enumerate(self.class_names)
                                                  if name.strip().lower() not in BACKGROUND_NAMES})
        for inst in self.instances:
            colour = colour_for(inst.class_index)
            sketch.add_mask(inst.mask, inst.mask_origin, colour)
            sketch.add_box(inst.box, f"{inst.label} {inst.score:.2f}", colour)
