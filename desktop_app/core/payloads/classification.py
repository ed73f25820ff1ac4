"""Classification payload: top-k classes, best first (images, CSV rows, face expressions)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop_app.core.payloads.protocol import ExportValue
from desktop_app.core.render.sketch import Sketch


@dataclass(frozen=True)
class ClassScore:
    """One class with its probability."""

    index: int
    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "index": self.index, "score": round(float(self.score), 6)}


@dataclass(frozen=True)
class ClassificationResult:
    """Top-k classes, best first, with the number of classes and the input's true label if known."""

    top: tuple[ClassScore, ...]
    num_classes: int
    true_label: str | None = None

    @property
    def best(self) -> ClassScore:
        return self.top[0]

    def summary(self) -> str:
        body = ", ".join(f"{c.label} {c.score:.3f}" for c in self.top)
        if self.true_label is not None:
            body += f" (true: {self.true_label})"
        return body

    def label(self, task: str | None) -> str:
        return self.best.label if self.top else "no classes"

    def score(self) -> float | None:
        return float(self.best.score) if self.top else None

    def tooltip(self) -> str:
        lines = [f"{c.label}: {c.score:.3f}" for c in self.top]
        if self.true_label is not None:
            lines.append(f"true label: {self.true_label}")
        return "\n".join(lines)

    def json_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"top": [c.to_dict() for c in self.top]}
        if self.true_label is not None:
            out["true_label"] = self.true_label
        return out

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {"top": []}

    def export_fields(self) -> dict[str, ExportValue]:
        top = [c.to_dict() for c in self.top]
        return {"top1_label": top[0]["label"] if top else "", "top1_score": top[0]["score"] if top else "",
                "topk": json.dumps(top, ensure_ascii=False)}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {"top1_label": "", "top1_score": "", "topk": "[]"}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        return (self,)

    def is_empty(self) -> bool:
        return not self.top

    def describe(self) -> str:
        return f"{self.best.label} {self.best.score:.2f}" if self.top else "no classes"

    def draw_on(self, sketch: Sketch) -> None:
        """The top three classes as notes in the picture's corner."""
        for c in self.top[:3]:
            sketch.add_note(f"{c.label} {c.score:.2f}")


@dataclass(frozen=True)
class MultiHeadResult:
    """A classifier with several heads (e.g. age, gender, expression): each head's top classes, in card order.
    The monitor counts the first head only, so each input stays one prediction of one class set."""

    heads: tuple[tuple[str, ClassificationResult], ...]

    @property
    def first(self) -> ClassificationResult | None:
        return self.heads[0][1] if self.heads else None

    def summary(self) -> str:
        return "; ".join(f"{name}: {head.summary()}" for name, head in self.heads) or "no heads"

    def label(self, task: str | None) -> str:
        return " · ".join(f"{name} {head.label(task)}" for name, head in self.heads) or "no heads"

    def score(self) -> float | None:
        return self.first.score() if self.first is not None else None

    def tooltip(self) -> str:
        return "\n\n".join(f"{name}\n{head.tooltip()}" for name, head in self.heads) or "no heads"

    def json_fields(self) -> dict[str, Any]:
        return {"heads": {name: head.json_fields()["top"] for name, head in self.heads}}

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {"heads": {}}

    def export_fields(self) -> dict[str, ExportValue]:
        first = self.first.export_fields() if self.first is not None else ClassificationResult.empty_export_fields()
        heads = {name: head.top[0].to_dict() if head.top else None for name, head in self.heads}
        return {**first, "heads": json.dumps(heads, ensure_ascii=False)}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {**ClassificationResult.empty_export_fields(), "heads": "{}"}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        return (self.first,) if self.first is not None and self.first.top else ()

    def is_empty(self) -> bool:
        return not any(head.top for _, head in self.heads)

    def describe(self) -> str:
        return ", ".join(f"{name} {head.describe()}" for name, head in self.heads) or "no heads"

    def draw_on(self, sketch: Sketch) -> None:
        """Every head's best class as a note in the picture's corner."""
        for name, head in self.heads:
            sketch.add_note(f"{name}: {head.best.label} {head.best.score:.2f}" if head.top else f"{name}: -")
