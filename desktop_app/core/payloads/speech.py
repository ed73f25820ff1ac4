"""Voice-activity payload: speech segments of a clip plus the per-chunk speech probabilities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.payloads.classification import ClassificationResult
from desktop_app.core.payloads.protocol import ExportValue, plural


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

    def summary(self) -> str:
        segs = ", ".join(f"{s.start_s:.2f}-{s.end_s:.2f}s" for s in self.segments)
        return f"{len(self.segments)} speech segment(s) in {self.duration_s:.2f} s" + (f": {segs}" if segs else "")

    def label(self, task: str | None) -> str:
        return plural(len(self.segments), "speech segment")

    def score(self) -> float | None:
        return max((float(s.score) for s in self.segments), default=None)

    def tooltip(self) -> str:
        return "\n".join(f"{s.start_s:.2f}–{s.end_s:.2f} s ({s.score:.2f})" for s in self.segments) or "no speech"

    def json_fields(self) -> dict[str, Any]:
        return {"segments": [s.to_dict() for s in self.segments], "duration_s": round(self.duration_s, 3)}

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        return {"segments": []}

    def export_fields(self) -> dict[str, ExportValue]:
        return {"segments": len(self.segments)}

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        return {"segments": 0}

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        return ()

    def is_empty(self) -> bool:
        return not self.segments

    def describe(self) -> str:
        return f"{len(self.segments)} speech segment(s)"
