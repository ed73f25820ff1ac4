"""Raw-mode payload: every input and output tensor of one run, summarised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.payloads.classification import ClassificationResult
from desktop_app.core.payloads.protocol import ExportValue, plural


@dataclass(frozen=True)
class TensorSummary:
    """Shape and statistics of one output tensor (raw mode)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    head: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape), "min": self.min,
                "max": self.max, "mean": self.mean, "std": self.std, "head": list(self.head)}


@dataclass(frozen=True)
class RawResult:
    """Every output tensor of a model run on one input, summarised."""

    inputs: tuple[TensorSummary, ...]
    outputs: tuple[TensorSummary, ...]

    def summary(self) -> str:
        return "; ".join(f"{t.name} {t.dtype}{list(t.shape)} mean={t.mean if t.mean is None else round(t.mean, 4)}"
                         for t in self.outputs)

    def label(self, task: str | None) -> str:
        return plural(len(self.outputs), "output")

    def score(self) -> float | None:
        return None

    def tooltip(self) -> str:
        return self.label(None)

    def json_fields(self) -> dict[str, Any]:
        return {"inputs": [t.to_dict() for t in self.inputs], "outputs": [t.to_dict() for t in self.outputs]}

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {}

    def export_fields(self) -> dict[str, ExportValue]:
        return {}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        return ()

    def is_empty(self) -> bool:
        return not self.outputs

    def describe(self) -> str:
        return f"{len(self.outputs)} output(s)"
