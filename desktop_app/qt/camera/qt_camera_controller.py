"""Starts, stops, suspends and retries the live worker for the camera panel (no widgets here).

The user's intent (`wanted`) and the panel's visibility (`suspended`) decide whether a worker runs: a
hidden panel or a minimised window stops capture, showing it again resumes if the user had it running.
A source that fails, is lost or ends clears the intent and reports a `problem`; `retry` starts again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.pipeline import Pipeline, one_line
from desktop_app.core.sources.camera import CameraSpec
from desktop_app.core.sources.capture import CaptureState
from desktop_app.core.sources.live import BackgroundEffect, LiveFrame
from desktop_app.qt.camera.qt_camera_stats import CameraPanelStats, DisplayLatency, panel_stats
from desktop_app.qt.camera.qt_live_recording import LiveRecording, RecordingDone
from desktop_app.qt.camera.qt_live_worker import FrameGate, LiveWorker
from desktop_app.qt.qt_workers import WorkerController

PROBLEM_STATES = (CaptureState.LOST, CaptureState.ENDED, CaptureState.FAILED)


@dataclass(frozen=True)
class CameraRequest:
    """What to run: the source, the model, expressions on/off, the live threshold (None: the card's), the
    object classes kept (None: all) and the background effect (None: a segmenter's mask is drawn)."""

    spec: CameraSpec
    model_id: str
    emotion: bool = False
    threshold: float | None = None
    classes: frozenset[str] | None = None
    background: BackgroundEffect | None = None


class QtCameraController(QObject):
    """One live worker at a time; every signal is delivered in the UI thread."""

    frame = Signal(object)  # LiveFrame, newest only
    state = Signal(object, object)  # CaptureState, message
    problem = Signal(object, str)  # CaptureState (LOST / ENDED / FAILED), one-line message
    running_changed = Signal(bool)
    recording_done = Signal(object)  # RecordingDone (also when a recording had to stop: no path, an error)

    def __init__(self, pipeline: Pipeline, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self.workers = WorkerController("camera", self, exclusive=True)  # a device opens once the last closed
        self.workers.stopped.connect(self._on_worker_stopped)
        self.recording = LiveRecording(on_failed=self.recording_done.emit)  # emitted from the worker: queued
        self.display = DisplayLatency()
        self.request: CameraRequest | None = None
        self.wanted = False
        self.suspended = False
        self._run_id = 0
        self._gate: FrameGate | None = None
        self._latest: LiveFrame | None = None

    # -- state ----------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.workers.busy

    @property
    def worker(self) -> LiveWorker | None:
        worker = self.workers.worker
        return worker if isinstance(worker, LiveWorker) else None

    @property
    def latest(self) -> LiveFrame | None:
        """The newest frame handed to the UI (kept for snapshots)."""
        return self._latest

    def stats(self) -> CameraPanelStats | None:
        if self._latest is None:
            return None
        return panel_stats(self._latest, self.display, self._gate.skipped if self._gate else 0)

    # -- intent ---------------------------------------------------------------------------------------
    def start(self, request: CameraRequest) -> None:
        """Run `request` (restarting if another source runs); waits for visibility when suspended."""
        if self.running:
            self._halt()
        self.request, self.wanted = request, True
        self._sync()

    def retry(self) -> None:
        """Start the last request again (after a failure, a loss or the end of a file)."""
        if self.request is not None:
            self.start(self.request)

    def stop(self) -> None:
        self.wanted = False
        self._sync()

    def set_suspended(self, suspended: bool) -> None:
        """Hidden or minimised: stop capture but remember to resume."""
        if suspended != self.suspended:
            self.suspended = suspended
            self._sync()

    def shutdown(self) -> None:
        """Stop capture and recording (window closing; the window joins the thread)."""
        self.wanted = False
        self._halt()

    # -- live settings --------------------------------------------------------------------------------
    def set_threshold(self, value: float) -> None:
        if self.request is not None:
            self.request = replace(self.request, threshold=value)
        if (worker := self.worker) is not None:
            worker.detector.set_threshold(value)

    def set_model(self, model_id: str, emotion: bool, threshold: float | None) -> None:
        if self.request is not None:
            self.request = replace(self.request, model_id=model_id, emotion=emotion, threshold=threshold)
        if (worker := self.worker) is not None:
            worker.detector.set_model(model_id, threshold)
            worker.detector.set_emotion(emotion)

    def set_classes(self, classes: frozenset[str] | None) -> None:
        if self.request is not None:
            self.request = replace(self.request, classes=classes)
        if (worker := self.worker) is not None:
            worker.detector.set_classes(classes)

    def set_background(self, effect: BackgroundEffect | None) -> None:
        if self.request is not None:
            self.request = replace(self.request, background=effect)
        if (worker := self.worker) is not None:
            worker.detector.set_background(effect)

    def record_to(self, path: Path) -> None:
        """Record the annotated stream to `path` (.mp4 or .avi) from the next processed frame."""
        fps = self._latest.stats.capture_fps if self._latest is not None else 0.0
        self.recording.start(path, float(min(60, max(1, round(fps)))) if fps >= 1 else 30.0)

    def stop_recording(self) -> RecordingDone | None:
        done = self.recording.stop()
        if done is not None:
            self.recording_done.emit(done)
        return done

    # -- running --------------------------------------------------------------------------------------
    def _sync(self) -> None:
        should_run = self.wanted and not self.suspended and self.request is not None
        if should_run and not self.running:
            self._launch()
        elif not should_run and self.running:
            self._halt()

    def _launch(self) -> None:
        assert self.request is not None
        self._run_id += 1
        self._gate = FrameGate()
        self._latest = None
        self.display.reset()
        r = self.request
        worker = LiveWorker(self.pipeline, r.spec, r.model_id, emotion=r.emotion, threshold=r.threshold,
                            gate=self._gate, recording=self.recording, run_id=self._run_id, classes=r.classes,
                            background=r.background)
        worker.frame_ready.connect(self._on_frame)
        worker.state_changed.connect(self._on_state)
        self.workers.start(worker, on_failed=self._on_failed)
        self.running_changed.emit(True)

    def _halt(self) -> None:
        self._run_id += 1  # late events of the old run are ignored from here on
        self.workers.stop()
        self.stop_recording()

    @Slot(int, object)
    def _on_frame(self, run_id: int, live: LiveFrame) -> None:
        if run_id != self._run_id:
            return
        self._latest = live
        try:
            self.frame.emit(live)
        finally:
            if self._gate is not None:
                self._gate.taken()

    @Slot(int, object, object)
    def _on_state(self, run_id: int, state: CaptureState, message: str | None) -> None:
        if run_id != self._run_id:
            return
        self.state.emit(state, message)
        if state in PROBLEM_STATES:
            self.wanted = False
            self.stop_recording()
            self.problem.emit(state, message or state.value)

    def _on_failed(self, exc: BaseException) -> None:
        self.wanted = False
        self.stop_recording()
        self.problem.emit(CaptureState.FAILED, one_line(exc))

    @Slot()
    def _on_worker_stopped(self) -> None:
        self.running_changed.emit(self.running)
