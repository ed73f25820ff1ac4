"""Frozen result dataclasses the core hands to the CLI, the Qt layer and the monitor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.runtime.session import ProviderReport

Box = tuple[float, float, float, float]
Point = tuple[float, float]


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
class ClassScore:
    """One class with its probability."""

    index: int
    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "index": self.index, "score": round(float(self.score), 6)}


@dataclass(frozen=True)
class ClassificationResult:
    """Top-k classes, best first, plus the full probability vector's entropy-relevant summary."""

    top: tuple[ClassScore, ...]
    num_classes: int
    true_label: str | None = None

    @property
    def best(self) -> ClassScore:
        return self.top[0]


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


@dataclass(frozen=True)
class DetectionResult:
    """All detections in one image, with the image size they refer to."""

    detections: tuple[Detection, ...]
    width: int
    height: int


@dataclass(frozen=True)
class SpeechSegment:
    """A stretch of speech, in seconds from the start of the input, with its mean speech probability."""

    start_s: float
    end_s: float
    score: float

    def to_dict(self) -> dict[str, float]:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "score": round(self.score, 4)}


@dataclass(frozen=True)
class VadResult:
    """Speech segments of a clip plus the per-chunk speech probabilities (for timelines)."""

    segments: tuple[SpeechSegment, ...]
    probabilities: tuple[float, ...]
    chunk_s: float
    duration_s: float


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


Payload = ClassificationResult | DetectionResult | VadResult | RawResult


@dataclass(frozen=True)
class Result:
    """One processed input item: a file, a CSV row or a frame; `ok` False carries a one-line error."""

    source: str
    ok: bool
    model_id: str | None = None
    model_sha256: str | None = None
    provider: ProviderReport | None = None
    timings: Timings = field(default_factory=Timings)
    payload: Payload | None = None
    error: str | None = None
    row: int | None = None
    task: str | None = None
    #: (attribute, value, provenance) facts about the input for the monitor's groups, e.g.
    #: ("sex", "Female", "csv-column") or ("brightness", "dark", "computed").
    attributes: tuple[tuple[str, str, str], ...] = ()
