"""The last step of a live frame, in capture order on the consumer's thread: face and object box
smoothing, keypoint smoothing, the object classes kept, the background effect, and the rolling stats,
giving the frozen `LiveFrame` the UI draws.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from desktop_app.core.errors import MediaError
from desktop_app.core.monitor.events import with_people_in_frame
from desktop_app.core.results import Detection, DetectionResult, PoseResult, Result
from desktop_app.core.sources.frame_buffer import BufferCounters
from desktop_app.core.sources.keypoint_smoothing import PoseSmoother
from desktop_app.core.sources.live_effects import (
    BackgroundCompositor,
    keep_classes,
    person_mask,
)
from desktop_app.core.sources.live_settings import FrameSettings
from desktop_app.core.sources.live_stats import LiveStats, LiveStatsSnapshot
from desktop_app.core.sources.smoothing import BoxSmoother, Track


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

    `frame` is the picture to show: the capture's own array (the capture never reuses it), or, with a
    background effect, the composited picture (`effect` then says which); copy it before wrapping it in a
    QImage. `notice`: a one-line problem of this frame's effect (e.g. a replacement picture that cannot be
    read; the background is then blurred). Times are time.perf_counter seconds.
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
    effect: str = ""
    notice: str = ""

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

    def __init__(self, smoother: BoxSmoother | None = None, stats: LiveStats | None = None,
                 counters: Callable[[], BufferCounters] | None = None) -> None:
        self.smoother = smoother or BoxSmoother()
        self.object_smoother = BoxSmoother()
        self.pose_smoother = PoseSmoother()
        self.compositor = BackgroundCompositor()
        self.stats = stats or LiveStats()
        self._counters = counters

    def reset(self) -> None:
        """Forget tracks and stats (new model, new source, retry)."""
        self.smoother.reset()
        self.object_smoother.reset()
        self.pose_smoother.reset()
        self.stats.reset()

    def finish(self, done: InferredFrame) -> LiveFrame:
        """Smooth a detector's faces, or an object detector's boxes, at the frame's live threshold, smooth pose
        keypoints, keep the chosen classes, apply the background effect, and record the frame in the stats."""
        settings = done.settings
        result = done.result
        tracks: tuple[Track, ...] = ()
        found = result.payload if isinstance(result.payload, DetectionResult) else None
        if settings.is_detector:
            tracks = self.smoother.update(found.detections if found is not None else (), settings.threshold)
        elif settings.tracks_boxes and found is not None:
            shown = self.object_smoother.update(found.detections, settings.threshold)
            boxes = tuple(Detection(t.box, t.score, t.label, t.landmarks)
                          for t in sorted(shown, key=lambda t: -t.score) if t.visible)
            result = replace(result, payload=replace(found, detections=boxes))
        elif isinstance(result.payload, PoseResult):
            result = replace(result, payload=self.pose_smoother.update(result.payload, done.t_capture))
        # Counted before the class filter; a face detector's count is the faces shown, not the raw boxes.
        faces = sum(1 for t in tracks if t.visible) if settings.is_detector else None
        result = with_people_in_frame(result, faces)
        result = keep_classes(result, settings.classes)
        frame, effect, notice = self._effect(done.frame, result, settings)
        t_ready = time.perf_counter()
        counters = self._counters() if self._counters is not None else None
        self.stats.record(captured=counters.captured if counters else done.seq,
                          dropped=counters.dropped if counters else 0,
                          inference_ms=done.result.timings.inference_ms, t_capture=done.t_capture, now=t_ready)
        return LiveFrame(frame, result, tracks, self.stats.snapshot(), done.seq, done.t_capture, t_ready,
                         settings.threshold, settings.is_detector, effect, notice)

    def _effect(self, frame: np.ndarray, result: Result, settings: FrameSettings) -> tuple[np.ndarray, str, str]:
        """The picture to show, the effect's description and a problem line (frame, "", "" without effect)."""
        effect = settings.background
        mask = person_mask(result) if effect is not None else None
        if effect is None or mask is None:
            return frame, "", ""
        try:
            return self.compositor.composite(frame, mask, effect), effect.describe(), ""
        except (MediaError, OSError) as exc:
            fallback = replace(effect, kind="blur", image=None)
            notice = f"background picture cannot be used ({exc}); blurring instead"
            return self.compositor.composite(frame, mask, fallback), fallback.describe(), notice
