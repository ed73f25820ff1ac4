"""What the microphone workers send to the panel: frozen, throttled updates (levels, a min/max waveform
envelope, per-chunk speech probabilities, closed segments, capture statistics, warnings), and the builder
that gathers audio blocks into them on the worker thread."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from desktop_app.core.errors import AppError
from desktop_app.core.results import SpeechSegment
from desktop_app.core.runtime.session import ProviderReport
from desktop_app.core.sources.live_vad import VadUpdate

SILENT_DBFS = -60.0  # below this peak level the input counts as silent
SILENT_AFTER_S = 3.0  # ... for this long (audio time) before warning
CLIP_HOLD_S = 1.0  # a clipped block keeps the warning up this long
MAX_UPDATE_HZ = 30.0
SILENT_WARNING = ("input is silent (peak below −60 dBFS for 3 s): check that the microphone is not muted "
                  "and that the right device is picked")
CLIPPED_WARNING = "input is clipping (peak at 0 dBFS): lower the input gain or move away from the microphone"

NO_DEVICE = "microphone: no input device found; plug in a microphone (or allow access to it) and press Refresh"


def plain_error(exc: object) -> str:
    """One line for the user: the app's own errors as they are, anything else with its type."""
    if isinstance(exc, AppError):
        return str(exc)
    return " ".join(f"microphone: {type(exc).__name__}: {exc}".split())


@dataclass(frozen=True)
class MicOpened:
    """The stream the device actually gave, and the VAD model that runs on it."""

    native_rate: int
    channels: int
    target_rate: int
    model_id: str
    model_sha256: str | None
    provider: ProviderReport


@dataclass(frozen=True)
class RecordingSaved:
    """A finished WAV recording of the raw input."""

    path: Path
    seconds: float
    rate: int
    channels: int


@dataclass(frozen=True)
class MicUpdate:
    """Everything new since the previous update (envelope, probabilities, segments) plus current state."""

    position_s: float  # audio seconds seen so far (at the model's rate)
    rms_dbfs: float
    peak_dbfs: float
    envelope: np.ndarray  # (n, 2) float32: min and max of each new bucket, buckets follow the previous ones
    bucket_s: float
    probabilities: tuple[float, ...]  # new chunks, following the previous ones
    chunk_s: float
    segments: tuple[SpeechSegment, ...]  # segments that closed since the previous update
    in_speech: bool
    captured: int = 0
    dropped: int = 0
    overflows: int = 0
    silent: bool = False
    clipped: bool = False
    recording_s: float | None = None
    progress: float | None = None  # 0..1 when analysing a file
    final: bool = False
    warnings: tuple[str, ...] = field(default=())
    inference_ms: float = 0.0  # model time for the new probabilities, all together


class UpdateBuilder:
    """Accumulates blocks on the worker thread; `due()` says when an update may go out (at most ~30 Hz)."""

    def __init__(self, rate: int, chunk: int, bucket: int = 160, max_hz: float = MAX_UPDATE_HZ) -> None:
        self.rate = rate
        self.chunk_s = chunk / rate
        self.bucket = max(1, bucket)
        self.min_interval = 1.0 / max_hz
        self.samples_seen = 0
        self._leftover = np.zeros(0, np.float32)
        self._env: list[np.ndarray] = []
        self._probs: list[float] = []
        self._segments: list[SpeechSegment] = []
        self._rms = self._peak = -200.0
        self._in_speech = False
        self._last_loud = 0.0
        self._last_clip: float | None = None
        self._last_emit = 0.0
        self._dirty = False
        self._inference_ms = 0.0

    @property
    def position_s(self) -> float:
        return self.samples_seen / self.rate

    def add(self, samples: np.ndarray, vad: VadUpdate, rms_dbfs: float, peak_dbfs: float, clipped: bool) -> None:
        """One audio block (mono at the model's rate) and what the VAD made of it."""
        self.samples_seen += len(samples)
        joined = np.concatenate([self._leftover, samples]) if len(self._leftover) else samples
        n = len(joined) // self.bucket
        if n:
            buckets = joined[: n * self.bucket].reshape(n, self.bucket)
            self._env.append(np.stack([buckets.min(axis=1), buckets.max(axis=1)], axis=1).astype(np.float32))
        self._leftover = np.array(joined[n * self.bucket :], dtype=np.float32)
        self._probs.extend(vad.probabilities)
        self._segments.extend(vad.segments)
        self._in_speech = vad.in_speech
        self._inference_ms += vad.inference_ms
        self._rms = max(self._rms, rms_dbfs)  # the loudest block since the last update, like the peak
        self._peak = max(self._peak, peak_dbfs)
        if peak_dbfs >= SILENT_DBFS:
            self._last_loud = self.position_s
        if clipped:
            self._last_clip = self.position_s
        self._dirty = True

    def add_segment(self, segment: SpeechSegment | None) -> None:
        if segment is not None:
            self._segments.append(segment)
            self._dirty = True
        self._in_speech = False

    @property
    def silent(self) -> bool:
        return self.position_s - self._last_loud >= SILENT_AFTER_S

    @property
    def clipped(self) -> bool:
        return self._last_clip is not None and self.position_s - self._last_clip < CLIP_HOLD_S

    def due(self) -> bool:
        return self._dirty and time.monotonic() - self._last_emit >= self.min_interval

    def take(self, *, captured: int = 0, dropped: int = 0, overflows: int = 0, recording_s: float | None = None,
             progress: float | None = None, final: bool = False) -> MicUpdate:
        """The update since the previous one; resets the deltas."""
        env = np.concatenate(self._env) if self._env else np.zeros((0, 2), np.float32)
        warnings = tuple(w for flag, w in ((self.silent, SILENT_WARNING), (self.clipped, CLIPPED_WARNING)) if flag)
        update = MicUpdate(self.position_s, self._rms, self._peak, env, self.bucket / self.rate, tuple(self._probs),
                           self.chunk_s, tuple(self._segments), self._in_speech, captured, dropped, overflows,
                           self.silent, self.clipped, recording_s, progress, final, warnings, self._inference_ms)
        self._env, self._probs, self._segments = [], [], []
        self._inference_ms = 0.0
        self._rms = self._peak = -200.0
        self._dirty = False
        self._last_emit = time.monotonic()
        return update
