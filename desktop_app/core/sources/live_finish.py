"""The last step of a live frame, in capture order on the consumer's thread: face smoothing, the live
threshold and the rolling stats, giving the frozen `LiveFrame` the UI draws.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from desktop_app.core.results import DetectionResult, Result
from desktop_app.core.sources.frame_buffer import BufferCounters
from desktop_app.core.sources.live_settings import FrameSettings
from desktop_app.core.sources.live_stats import LiveStats, LiveStatsSnapshot
from desktop_app.core.sources.smoothing import FaceSmoother, Track


@dataclass(frozen=True)
class InferredFrame:
    """A frame's model result with the settings it ran with, waiting to be finished in capture order."""

    frame: np.ndarray
    t_capture: float
    seq: int
    result: Result
    settings: FrameSettings


@dataclass(frozen=True)
class LiveFrame:
    """One processed frame: the picture, the model's Result, smoothed face tracks and the stats then.
    `smoothed`: the model is a face detector whose tracks are drawn (other models draw their payload).

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
    smoothed: bool = False

    @property
    def visible_tracks(self) -> tuple[Track, ...]:
        """The tracks to draw: smoothed score above the live threshold (with hysteresis)."""
        return tuple(t for t in self.tracks if t.visible)

    @property
    def latency_ms(self) -> float:
        """Capture -> result ready, in milliseconds."""
        return (self.t_ready - self.t_capture) * 1000.0


class LiveFinisher:
    """Smooths and counts inferred frames, which must come in capture order, into `LiveFrame`s.

    `counters` reads the frame buffer's running counters for the stats; without one (frames handed in
    directly) a frame's seq counts as captured and nothing as dropped.
    """

    def __init__(self, smoother: FaceSmoother | None = None, stats: LiveStats | None = None,
                 counters: Callable[[], BufferCounters] | None = None) -> None:
        self.smoother = smoother or FaceSmoother()
        self.stats = stats or LiveStats()
        self._counters = counters

    def reset(self) -> None:
        """Forget tracks and stats (new model, new source, retry)."""
        self.smoother.reset()
        self.stats.reset()

    def finish(self, done: InferredFrame) -> LiveFrame:
        """Smooth a detector's faces at the frame's live threshold and record the frame in the stats."""
        settings = done.settings
        tracks: tuple[Track, ...] = ()
        if settings.is_detector:
            payload = done.result.payload
            detections = payload.detections if isinstance(payload, DetectionResult) else ()
            tracks = self.smoother.update(detections, settings.threshold)
        t_ready = time.perf_counter()
        counters = self._counters() if self._counters is not None else None
        self.stats.record(captured=counters.captured if counters else done.seq,
                          dropped=counters.dropped if counters else 0,
                          inference_ms=done.result.timings.inference_ms, t_capture=done.t_capture, now=t_ready)
        return LiveFrame(done.frame, done.result, tracks, self.stats.snapshot(), done.seq, done.t_capture, t_ready,
                         settings.threshold, settings.is_detector)
