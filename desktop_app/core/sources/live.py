"""Live detection, Qt-free: take the newest frame from a `FrameBuffer`, run the pipeline on it, smooth
faces over frames, apply the live threshold, and hand back a frozen `LiveFrame` with rolling stats.

A Qt worker loops `LiveDetector.next()` on its thread and emits each `LiveFrame`; the UI thread may call
`set_threshold` / `set_emotion` / `set_model` at any time (applied from the next frame on).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult, Result
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live_stats import LiveStats, LiveStatsSnapshot
from desktop_app.core.sources.overlay import draw_overlay
from desktop_app.core.sources.recorder import VideoRecorder, save_snapshot
from desktop_app.core.sources.smoothing import FaceSmoother, Track

__all__ = ["FaceSmoother", "LiveDetector", "LiveFrame", "LiveStats", "LiveStatsSnapshot", "Track",
           "VideoRecorder", "draw_overlay", "save_snapshot"]

DETECT_TASK = "detect-faces"


@dataclass(frozen=True)
class LiveFrame:
    """One processed frame: the picture, the model's Result, smoothed face tracks and the stats then.

    `frame` is the capture's own array (the capture never reuses it); copy it before wrapping it in
    a QImage. Times are time.perf_counter seconds.
    """

    frame: np.ndarray
    result: Result
    tracks: tuple[Track, ...]
    stats: LiveStatsSnapshot
    seq: int
    t_capture: float
    t_ready: float
    threshold: float

    @property
    def visible_tracks(self) -> tuple[Track, ...]:
        """The tracks to draw: smoothed score above the live threshold (with hysteresis)."""
        return tuple(t for t in self.tracks if t.visible)

    @property
    def latency_ms(self) -> float:
        """Capture -> result ready, in milliseconds."""
        return (self.t_ready - self.t_capture) * 1000.0


class LiveDetector:
    """Runs a model on live frames with smoothing and a live threshold (one consumer thread at a time).

    The pipeline runs detection at a raw threshold below the live one (`threshold - 2 * hysteresis`,
    at least `min_raw_threshold`), so a face dipping just under the threshold keeps its track and
    its median score decides; only the live threshold decides what is shown. Non-detection models
    (classification) pass through with no tracks.
    """

    def __init__(self, pipeline: Pipeline, model_id: str = "centerface", *, buffer: FrameBuffer | None = None,
                 emotion: bool = False, threshold: float | None = None, smoother: FaceSmoother | None = None,
                 stats: LiveStats | None = None, source_name: str = "camera", min_raw_threshold: float = 0.05,
                 options: Mapping[str, Any] | None = None) -> None:
        self.pipeline = pipeline
        self.buffer = buffer
        self.smoother = smoother or FaceSmoother()
        self.stats = stats or LiveStats()
        self.source_name = source_name
        self.min_raw_threshold = min_raw_threshold
        self.options = dict(options or {})
        self._lock = threading.Lock()
        self._model_id = model_id
        self._emotion = emotion
        self._threshold = threshold if threshold is not None else self._card_threshold(model_id)
        self._model_changed = False
        self._detector_ids: dict[str, bool] = {}  # model id -> is a face detector (looked up once per model)

    def _card_threshold(self, model_id: str) -> float:
        try:
            return self.pipeline.card(model_id).threshold("score", 0.5)
        except Exception:  # unknown model: the pipeline reports it on the first frame
            return 0.5

    # -- settings, from any thread --------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        with self._lock:
            return self._threshold

    def set_threshold(self, value: float) -> None:
        """The live score threshold in [0, 1]; applies from the next frame."""
        with self._lock:
            self._threshold = float(min(1.0, max(0.0, value)))

    @property
    def model_id(self) -> str:
        with self._lock:
            return self._model_id

    def set_model(self, model_id: str, threshold: float | None = None) -> None:
        """Switch model from the next frame (tracks and stats start over)."""
        new_threshold = threshold if threshold is not None else self._card_threshold(model_id)
        with self._lock:
            self._model_id, self._threshold, self._model_changed = model_id, new_threshold, True

    def set_emotion(self, enabled: bool) -> None:
        """Run the expression model on each face crop (the detector's card names it) from the next frame."""
        with self._lock:
            self._emotion = bool(enabled)

    # -- processing, on the worker thread ------------------------------------------------------------------
    def _settings(self) -> tuple[str, float, bool, bool]:
        with self._lock:
            changed, self._model_changed = self._model_changed, False
            return self._model_id, self._threshold, self._emotion, changed

    def reset(self) -> None:
        """Forget tracks and stats (new source, retry)."""
        self.smoother.reset()
        self.stats.reset()

    def process(self, frame: np.ndarray, t_capture: float, seq: int) -> LiveFrame:
        """Run the model on one RGB frame and smooth -> a LiveFrame (never raises for model errors)."""
        model_id, threshold, emotion, changed = self._settings()
        if changed:
            self.reset()
        options = dict(self.options)
        is_detector = self._is_detector(model_id)
        if is_detector:
            raw = max(self.min_raw_threshold, threshold - 2 * self.smoother.hysteresis)
            options.update(score_threshold=min(raw, threshold), emotion=emotion)
        result = self.pipeline.run_data(frame, model_id, f"{self.source_name}#{seq}", **options)
        tracks: tuple[Track, ...] = ()
        if is_detector:
            payload = result.payload
            detections = payload.detections if isinstance(payload, DetectionResult) else ()
            tracks = self.smoother.update(detections, threshold)
        t_ready = time.perf_counter()
        counters = self.buffer.counters() if self.buffer is not None else None
        self.stats.record(captured=counters.captured if counters else seq, dropped=counters.dropped if counters else 0,
                          inference_ms=result.timings.inference_ms, t_capture=t_capture, now=t_ready)
        return LiveFrame(frame, result, tracks, self.stats.snapshot(), seq, t_capture, t_ready, threshold)

    def _is_detector(self, model_id: str) -> bool:
        known = self._detector_ids.get(model_id)
        if known is not None:
            return known
        try:
            found = self.pipeline.card(model_id).task == DETECT_TASK
        except Exception:  # unknown model: the pipeline reports it; look again next frame
            return False
        self._detector_ids[model_id] = found
        return found

    def next(self, timeout: float | None = 0.5) -> LiveFrame | None:
        """Wait for the newest frame in the buffer and process it -> None on timeout or closed buffer."""
        if self.buffer is None:
            raise ValueError("LiveDetector.next needs a buffer")
        item = self.buffer.get(timeout)
        if item is None:
            return None
        return self.process(item.frame, item.t_capture, item.seq)
