"""Live detection, Qt-free: take the newest frame from a `FrameBuffer`, run the pipeline on it, smooth
faces over frames, apply the live threshold, and hand back a frozen `LiveFrame` with rolling stats.

A Qt worker loops `LiveDetector.next()` on its thread and emits each `LiveFrame`; the UI thread may call
`set_threshold` / `set_emotion` / `set_model` at any time (applied from the next frame on).

A run starts with one frame in flight, on all the cores ONNX Runtime wants: the lowest latency. When the
model cannot keep up with the source (after `SCALE_AFTER` frames, fewer than `KEEP_UP` of the captured
frames processed over the stats window) and it runs on CPU, two frames go in flight at once, each model
call on its share of the cores (`live_plan`): a small detector keeps two cores busier as two one-thread
calls than as one call split over two threads (about 10% more frames per second on a 2-core laptop, at
the cost of a longer call; see bench/bench_camera.py). Results still come out in capture order, and
smoothing and stats see them in that order. A new model, source or retry starts again with one.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import numpy as np

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult, Result
from desktop_app.core.runtime import providers as prov
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live_stats import LiveStats, LiveStatsSnapshot
from desktop_app.core.sources.overlay import draw_overlay
from desktop_app.core.sources.recorder import VideoRecorder, save_snapshot
from desktop_app.core.sources.smoothing import FaceSmoother, Track

__all__ = ["FaceSmoother", "LiveDetector", "LiveFrame", "LivePlan", "LiveStats", "LiveStatsSnapshot", "Track",
           "VideoRecorder", "draw_overlay", "live_plan", "open_live_sessions", "save_snapshot"]

DETECT_TASK = "detect-faces"
#: How long a frame-taking job waits for a frame before it ends (so a stopped source frees its thread).
TAKE_POLL_S = 0.25
#: Frames processed one at a time before the detector judges whether the model keeps up with the source.
SCALE_AFTER = 30
#: The share of captured frames the model must process to count as keeping up.
KEEP_UP = 0.8


@dataclass(frozen=True)
class LivePlan:
    """How a live model runs: frames processed at once, and intra-op threads per model call (None: the
    card's hint or ONNX Runtime's default)."""

    in_flight: int
    threads: int | None


def usable_cores() -> int:
    """The CPUs this process may run on (container and affinity limits included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def live_plan(provider: str, cores: int | None = None) -> LivePlan:
    """Two frames in flight on CPU with at least two cores, each call on a quarter of the logical CPUs
    (half the physical cores on the usual two-way SMT laptop, at least one); one frame at a time with
    ONNX Runtime's default threads on a GPU, which already works while the CPU waits."""
    cores = cores or usable_cores()
    if provider != prov.CPU or cores < 2:
        return LivePlan(1, None)
    return LivePlan(2, max(1, cores // 4))


ONE_AT_A_TIME = LivePlan(1, None)


def model_plan(pipeline: Pipeline, model_id: str) -> LivePlan | None:
    """`live_plan` for the provider the model's session really got; None when the model cannot be loaded
    (the pipeline reports why on the frames that use it)."""
    try:
        return live_plan(pipeline.task(model_id).session.report.used)
    except Exception:
        return None


def open_live_sessions(pipeline: Pipeline, model_id: str) -> LivePlan:
    """Open the sessions that two frames in flight would use for `model_id` (its own and its second
    stage's) when its plan has two; the app's start-up warm-up calls this, so switching a live view to
    two frames does not load models in the middle of it. Never raises."""
    plan = model_plan(pipeline, model_id) or ONE_AT_A_TIME
    if plan.in_flight > 1:
        try:
            task = pipeline.task(model_id, threads=plan.threads)
            if task.card.second_stage:
                pipeline.task(task.card.second_stage, threads=plan.threads)
        except Exception:  # a broken second stage is reported on the frames that use it
            pass
    return plan


@dataclass(frozen=True)
class _Settings:
    model_id: str
    threshold: float
    emotion: bool
    changed: bool
    is_detector: bool
    threads: int | None


@dataclass(frozen=True)
class _Done:
    """A frame's model result, waiting to be smoothed and counted in capture order."""

    frame: np.ndarray
    t_capture: float
    seq: int
    result: Result
    settings: _Settings


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
                 options: Mapping[str, Any] | None = None, in_flight: int | None = None) -> None:
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
        self._in_flight = in_flight  # None: one, then the plan's once the model falls behind; N: always N
        self._plans: dict[str, LivePlan] = {}
        self._active = ONE_AT_A_TIME  # what runs now: starts with one frame in flight (see the module's doc)
        self._jobs: collections.deque[Future[_Done | None]] = collections.deque()
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self._turn = threading.Condition()  # jobs take frames in ticket order
        self._tickets = 0  # the next job's ticket
        self._taking = 0  # the ticket whose job may take a frame now

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
    def _settings(self) -> _Settings:
        with self._lock:
            changed, self._model_changed = self._model_changed, False
            model_id, threshold, emotion = self._model_id, self._threshold, self._emotion
        return _Settings(model_id, threshold, emotion, changed, self._is_detector(model_id), self._active.threads)

    def plan(self, model_id: str) -> LivePlan:
        """How `model_id` runs live (looked up once per model, from the provider its session really got)."""
        known = self._plans.get(model_id)
        if known is not None:
            return known
        found = model_plan(self.pipeline, model_id)
        if found is None:  # unknown or broken model: reported on the frame; look again next time
            return ONE_AT_A_TIME
        if self._in_flight is not None:
            found = LivePlan(max(1, self._in_flight), found.threads if self._in_flight > 1 else None)
        self._plans[model_id] = found
        return found

    def reset(self) -> None:
        """Forget tracks and stats (new source, retry); back to one frame in flight."""
        self.smoother.reset()
        self.stats.reset()
        self._active = ONE_AT_A_TIME

    @property
    def in_flight(self) -> int:
        """Frames being processed at once now (1, or the plan's number once the model fell behind)."""
        return self._active.in_flight

    def _scale(self, model_id: str, stats: LiveStatsSnapshot) -> None:
        """One frame at a time until the model shows it cannot keep up with the source, then the plan's."""
        if self._in_flight is not None or self._active.in_flight > 1 or stats.processed < SCALE_AFTER:
            return
        if stats.capture_fps > 0 and stats.processed_fps < KEEP_UP * stats.capture_fps:
            self._active = self.plan(model_id)

    def _infer(self, frame: np.ndarray, t_capture: float, seq: int) -> _Done:
        """The model on one frame (safe on several threads at once): no tracks, no stats."""
        settings = self._settings()
        options = dict(self.options)
        if settings.is_detector:
            raw = max(self.min_raw_threshold, settings.threshold - 2 * self.smoother.hysteresis)
            options.update(score_threshold=min(raw, settings.threshold), emotion=settings.emotion)
        result = self.pipeline.run_data(frame, settings.model_id, f"{self.source_name}#{seq}",
                                        threads=settings.threads, **options)
        return _Done(frame, t_capture, seq, result, settings)

    def _finish(self, done: _Done) -> LiveFrame:
        """Smooth and count one inferred frame (on the consumer's thread, in capture order)."""
        settings = done.settings
        if settings.changed:
            self.reset()
        tracks: tuple[Track, ...] = ()
        if settings.is_detector:
            payload = done.result.payload
            detections = payload.detections if isinstance(payload, DetectionResult) else ()
            tracks = self.smoother.update(detections, settings.threshold)
        t_ready = time.perf_counter()
        counters = self.buffer.counters() if self.buffer is not None else None
        self.stats.record(captured=counters.captured if counters else done.seq,
                          dropped=counters.dropped if counters else 0,
                          inference_ms=done.result.timings.inference_ms, t_capture=done.t_capture, now=t_ready)
        snapshot = self.stats.snapshot()
        if counters is not None and done.result.ok:
            self._scale(settings.model_id, snapshot)
        return LiveFrame(done.frame, done.result, tracks, snapshot, done.seq, done.t_capture, t_ready,
                         settings.threshold)

    def process(self, frame: np.ndarray, t_capture: float, seq: int) -> LiveFrame:
        """Run the model on one RGB frame and smooth -> a LiveFrame (never raises for model errors)."""
        return self._finish(self._infer(frame, t_capture, seq))

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

    def _submit(self) -> None:
        assert self._executor is not None
        ticket, self._tickets = self._tickets, self._tickets + 1
        self._jobs.append(self._executor.submit(self._take_and_infer, ticket))

    def _take_and_infer(self, ticket: int) -> _Done | None:
        """One job of the in-flight pool: the newest frame not yet taken, then its model run. Jobs take
        their frames in the order they were submitted (a ticket each), so results in that order are in
        capture order."""
        assert self.buffer is not None
        with self._turn:
            self._turn.wait_for(lambda: self._taking == ticket or self._closed)
            if self._closed:
                return None
            try:
                item = self.buffer.get(TAKE_POLL_S)
            finally:
                self._taking += 1
                self._turn.notify_all()
        if item is None:
            return None
        return self._infer(item.frame, item.t_capture, item.seq)

    def next(self, timeout: float | None = 0.5) -> LiveFrame | None:
        """The next processed frame, in capture order -> None on timeout or closed buffer.

        With one frame in flight this waits for the newest frame and processes it on the caller's thread.
        With more, that many jobs each take the newest frame as soon as they start and run the model on a
        pool thread; a finished job is replaced before its frame is smoothed, so the model never waits.
        Back at one (a new model or source), the jobs still out are drained first and the pool ends.
        """
        if self.buffer is None:
            raise ValueError("LiveDetector.next needs a buffer")
        if self._closed:
            return None
        if self._in_flight is not None and self._in_flight > 1 and self._active.in_flight == 1:
            self._active = self.plan(self.model_id)  # a fixed number in flight, from the first frame
        in_flight = self._active.in_flight
        if in_flight <= 1 and not self._jobs:
            self._release()  # no-op unless two were in flight before
            item = self.buffer.get(timeout)
            if item is None:
                return None
            return self.process(item.frame, item.t_capture, item.seq)
        if in_flight > 1:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="live-infer")
            while len(self._jobs) < in_flight and not self.buffer.closed:
                self._submit()
        while self._jobs:
            try:
                done = self._jobs[0].result(timeout)
            except FutureTimeout:
                return None
            self._jobs.popleft()
            if in_flight > 1 and not self.buffer.closed:
                self._submit()
            if done is not None:
                return self._finish(done)
            if not self.buffer.closed:
                return None  # the job's wait for a frame timed out
            # the source ended; a later job may still hold a frame taken just before the end
        self._release()  # the source ended: no thread is kept for frames that will not come
        return None

    def close(self) -> None:
        """End the in-flight jobs and their threads (close the buffer first so none waits for a frame).
        Safe to call twice; `next` returns None afterwards."""
        with self._turn:
            self._closed = True
            self._turn.notify_all()
        jobs, self._jobs = list(self._jobs), collections.deque()
        for job in jobs:
            job.cancel()
        self._release()

    def _release(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
