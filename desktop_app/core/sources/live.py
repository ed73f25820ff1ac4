"""Live detection, Qt-free: take the newest frame from a `FrameBuffer`, run the pipeline on it, smooth
faces over frames, apply the live threshold, and hand back a frozen `LiveFrame` with rolling stats.

`LiveDetector` composes four parts, each with one job: `LiveSettings` (set from the UI thread at any time,
read once per frame), `InFlightPolicy` (how many frames may be in flight: one, then the model's
`model_plan` on CPU once it falls behind the source), `InFlightScheduler` (keeps that many frames handed to
the model, results in capture order) and `LiveFinisher` (smoothing, live threshold, stats). A Qt worker
loops `LiveDetector.next()` on its thread and emits each `LiveFrame`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime.parallel import CoreSplit
from desktop_app.core.sources.frame_buffer import BufferedFrame, FrameBuffer
from desktop_app.core.sources.live_effects import BackgroundEffect
from desktop_app.core.sources.live_finish import InferredFrame, LiveFinisher, LiveFrame
from desktop_app.core.sources.live_plan import model_plan, open_live_sessions
from desktop_app.core.sources.live_scheduler import InFlightPolicy, InFlightScheduler
from desktop_app.core.sources.live_settings import LiveSettings
from desktop_app.core.sources.live_stats import LiveStats, LiveStatsSnapshot
from desktop_app.core.sources.overlay import draw_overlay
from desktop_app.core.sources.recorder import VideoRecorder, save_snapshot
from desktop_app.core.sources.smoothing import BoxSmoother, Track

__all__ = ["BackgroundEffect", "BoxSmoother", "LiveDetector", "LiveFrame", "LiveStats", "LiveStatsSnapshot", "Track", "VideoRecorder",
           "draw_overlay", "open_live_sessions", "save_snapshot"]


class LiveDetector:
    """Runs a model on live frames with smoothing and a live threshold (one consumer thread at a time).

    The pipeline runs detection at a raw threshold below the live one (`threshold - 2 * hysteresis`,
    at least `min_raw_threshold`), so a face dipping just under the threshold keeps its track and
    its median score decides; only the live threshold decides what is shown. Object detectors run the same
    way, their boxes tracked class by class: the frame's result then holds the boxes shown (smoothed box,
    median score), so the view, snapshots, recordings and the monitor agree. Segmenters and pose models run at
    the live threshold (pose keypoints smoothed with a One Euro filter); classifiers pass through. `classes`
    keeps only those object classes; `background` blurs or replaces the background behind a segmenter's
    people. `max_in_flight` fixes the most frames in flight from the first frame (None: the
    policy's choice).
    """

    def __init__(self, pipeline: Pipeline, model_id: str = "centerface", *, buffer: FrameBuffer | None = None,
                 emotion: bool = False, threshold: float | None = None, smoother: BoxSmoother | None = None,
                 stats: LiveStats | None = None, source_name: str = "camera", min_raw_threshold: float = 0.05,
                 options: Mapping[str, Any] | None = None, max_in_flight: int | None = None,
                 classes: frozenset[str] | None = None, background: BackgroundEffect | None = None) -> None:
        self.pipeline = pipeline
        self.buffer = buffer
        self.source_name = source_name
        self.min_raw_threshold = min_raw_threshold
        self.options = dict(options or {})
        self.settings = LiveSettings(pipeline, model_id, threshold=threshold, emotion=emotion, classes=classes,
                                     background=background)
        self.finisher = LiveFinisher(smoother, stats, buffer.counters if buffer is not None else None)
        self.policy = InFlightPolicy(lambda model: model_plan(pipeline, model), max_in_flight)
        self.scheduler = InFlightScheduler(buffer, self._run) if buffer is not None else None

    @property
    def smoother(self) -> BoxSmoother:
        return self.finisher.smoother

    @property
    def stats(self) -> LiveStats:
        return self.finisher.stats

    # -- settings, from any thread --------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self.settings.threshold

    def set_threshold(self, value: float) -> None:
        """The live score threshold in [0, 1]; applies from the next frame."""
        self.settings.set_threshold(value)

    @property
    def model_id(self) -> str:
        return self.settings.model_id

    def set_model(self, model_id: str, threshold: float | None = None) -> None:
        """Switch model from the next frame (tracks and stats start over, one frame in flight again)."""
        self.settings.set_model(model_id, threshold)

    def set_emotion(self, enabled: bool) -> None:
        """Run the expression model on each face crop (the detector's card names it) from the next frame."""
        self.settings.set_emotion(enabled)

    def set_classes(self, classes: frozenset[str] | None) -> None:
        """Keep only these object classes from the next frame (None: all)."""
        self.settings.set_classes(classes)

    def set_background(self, effect: BackgroundEffect | None) -> None:
        """Blur or replace the background behind a segmenter's people from the next frame (None: draw the mask)."""
        self.settings.set_background(effect)

    # -- processing, on the consumer thread -----------------------------------------------------------
    def plan(self, model_id: str) -> CoreSplit:
        """How `model_id` runs once it falls behind (from the provider its session really got)."""
        return self.policy.plan(model_id)

    @property
    def max_in_flight(self) -> int:
        """The most frames in flight now (1, or the plan's number once the model fell behind)."""
        return self.policy.current.calls

    def reset(self) -> None:
        """Forget tracks and stats (new source, retry); back to one frame in flight."""
        self.finisher.reset()
        self.policy.reset()

    def _run(self, item: BufferedFrame, threads: int | None) -> InferredFrame:
        """The model on one frame with this frame's settings (safe on several threads at once)."""
        settings = self.settings.take()
        options = dict(self.options)
        if settings.tracks_boxes:  # boxes below the threshold too, for the smoothing's hysteresis
            raw = max(self.min_raw_threshold, settings.threshold - 2 * self.smoother.hysteresis)
            options.update(score_threshold=min(raw, settings.threshold))
            if settings.is_detector:
                options.update(emotion=settings.emotion)
        elif settings.thresholded:  # segmenters, pose: the live threshold, no box smoothing
            options.update(score_threshold=settings.threshold)
        result = self.pipeline.run_data(item.frame, settings.model_id, f"{self.source_name}#{item.seq}",
                                        threads=threads, **options)
        return InferredFrame(item.frame, item.t_capture, item.seq, result, settings)

    def _finish(self, done: InferredFrame) -> LiveFrame:
        """Smooth and count one inferred frame (in capture order), then let the policy judge the pace."""
        if done.settings.changed:
            self.reset()
        live = self.finisher.finish(done)
        if self.buffer is not None and done.result.ok:
            self.policy.observe(done.settings.model_id, live.stats)
        return live

    def process(self, frame: np.ndarray, t_capture: float, seq: int) -> LiveFrame:
        """Run the model on one RGB frame and smooth -> a LiveFrame (never raises for model errors)."""
        return self._finish(self._run(BufferedFrame(frame, t_capture, seq), None))

    def next(self, timeout: float | None = 0.5) -> LiveFrame | None:
        """The next processed frame, in capture order -> None on timeout, closed buffer or after `close`
        (see `InFlightScheduler.next` for how frames in flight are run)."""
        if self.scheduler is None:
            raise ValueError("LiveDetector.next needs a buffer")
        if self.scheduler.closed:
            return None
        plan = self.policy.before_frame(self.settings.model_id)
        if self.policy.releasing:
            self._release_one_call_sessions(self.settings.model_id)
        done = self.scheduler.next(plan, timeout)
        return None if done is None else self._finish(done)

    def _release_one_call_sessions(self, model_id: str) -> None:
        """The next frame is the last on the one-call sessions (the model's and its second stage's): they
        give their spare memory back after it, as two frames in flight run on sessions of their own."""
        try:
            task = self.pipeline.task(model_id)
            sessions = [task.session]
            if task.card.second_stage:
                sessions.append(self.pipeline.task(task.card.second_stage).session)
        except Exception:  # a model that cannot be loaded is reported on its frames
            return
        for session in sessions:
            session.release_spare_memory_after_next_run()

    def close(self) -> None:
        """End the frames in flight and the pool's threads (close the buffer first so none waits for a
        frame). Safe to call twice; `next` returns None afterwards."""
        if self.scheduler is not None:
            self.scheduler.close()
