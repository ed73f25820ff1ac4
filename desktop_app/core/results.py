"""Frozen result dataclasses the core hands to the CLI, the Qt layer and the monitor.

The payload kinds live in `desktop_app.core.payloads` (one module each) and are re-exported here."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.core.payloads import (
    Box,
    ClassificationResult,
    ClassScore,
    Detection,
    DetectionResult,
    Keypoint,
    MultiHeadResult,
    Payload,
    Point,
    PosedPerson,
    PoseResult,
    RawResult,
    SegmentationResult,
    SegmentInstance,
    SpeechSegment,
    TensorSummary,
    VadResult,
)
from desktop_app.core.runtime.session import ProviderReport

__all__ = ["Box", "ClassScore", "ClassificationResult", "Detection", "DetectionResult", "Keypoint", "MultiHeadResult",
           "Payload", "Point", "PoseResult", "PosedPerson", "RawResult", "Result", "SegmentInstance",
           "SegmentationResult", "SpeechSegment", "TensorSummary", "Timings", "VadResult"]


@dataclass(frozen=True)
class Timings:
    """Per-stage wall times in milliseconds."""

    decode_ms: float = 0.0
    preprocess_ms: float = 0.0
    inference_ms: float = 0.0
    postprocess_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        return self.decode_ms + self.preprocess_ms + self.inference_ms + self.postprocess_ms

    def to_dict(self) -> dict[str, float]:
        return {
            "decode": round(self.decode_ms, 3),
            "preprocess": round(self.preprocess_ms, 3),
            "inference": round(self.inference_ms, 3),
            "postprocess": round(self.postprocess_ms, 3),
            "total": round(self.total_ms, 3),
        }


@dataclass(frozen=True)
class Result:
    """One processed input item: a file, a CSV row or a frame; `ok` False carries a one-line error."""

    source: str
    ok: bool
    model_id: str | None = None
    model_sha256: str | None = None
    provider: ProviderReport | None = None
    timings: Timings = field(default_factory=Timings)
    #: What the task produced (a `Payload`: it presents itself); None when the item failed.
    payload: Payload | None = None
    error: str | None = None
    row: int | None = None
    task: str | None = None
    #: (attribute, value, provenance) facts about the input for the monitor's groups, e.g.
    #: ("sex", "Female", "csv-column") or ("brightness", "dark", "computed").
    attributes: tuple[tuple[str, str, str], ...] = ()
