"""The live worker: owns the capture thread and the `LiveDetector` loop, off the UI thread.

The UI keeps only the newest frame: a `FrameGate` lets one `LiveFrame` wait for the UI at a time;
frames processed while the UI has not taken the last one are counted as UI-skipped and dropped, so the
event queue never fills with pictures. (Frames "in flight" are the detector's: handed to the model and
not yet finished.)
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.sources.camera import CameraSource, CameraSpec, enumerate_cameras
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live import BackgroundEffect, LiveDetector, LiveFrame
from desktop_app.qt.camera.qt_live_recording import LiveRecording
from desktop_app.qt.qt_workers import Worker

#: How long the worker waits for a frame before checking whether capture is still alive.
POLL_S = 0.25
#: Seconds allowed for the capture thread to end (a stalled stream read can take its read timeout).
CAPTURE_JOIN_S = 10.0


class FrameGate:
    """One frame waiting for the UI at a time (thread-safe): the worker `offer`s, the UI `taken`s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting = False  # a frame was sent and the UI has not taken it yet
        self.skipped = 0  # processed frames the UI never saw because it was still busy

    def offer(self) -> bool:
        """True when the UI is free (the caller then emits the frame); else count a skip."""
        with self._lock:
            if self._waiting:
                self.skipped += 1
                return False
            self._waiting = True
            return True

    def taken(self) -> None:
        """The UI has the frame: the next one may be sent."""
        with self._lock:
            self._waiting = False


class LiveWorker(Worker):
    """Capture + live model loop for one source; ends when cancelled or when the source stops.

    Signals carry the run id (so the UI can ignore a finished run's late events): `frame_ready(run,
    LiveFrame)` (gated, newest wins) and `state_changed(run, CaptureState, message)` for every capture
    state (LOST / ENDED / FAILED carry a one-line message). The UI may call
    `detector.set_threshold / set_model / set_emotion / set_classes / set_background` at any time.
    """

    frame_ready = Signal(int, object)  # run id, LiveFrame
    state_changed = Signal(int, object, object)  # run id, CaptureState, str | None

    def __init__(self, pipeline: Pipeline, spec: CameraSpec, model_id: str, *, emotion: bool,
                 threshold: float | None, gate: FrameGate, recording: LiveRecording | None = None,
                 run_id: int = 0, classes: frozenset[str] | None = None,
                 background: BackgroundEffect | None = None) -> None:
        super().__init__()
        self.run_id = run_id
        self.spec = spec
        self.gate = gate
        self.recording = recording
        self.buffer = FrameBuffer()
        self.source = CameraSource(spec)
        self.detector = LiveDetector(pipeline, model_id, buffer=self.buffer, emotion=emotion, threshold=threshold,
                                     source_name=spec.label, classes=classes, background=background)
        self.capture: CaptureThread | None = None

    def cancel(self) -> None:
        """Stop at once: wake the loop (closing the buffer) and cut any paced wait short."""
        super().cancel()
        self.buffer.close()
        self.source.interrupt()

    def _on_capture_state(self, state: CaptureState, message: str | None) -> None:
        self.state_changed.emit(self.run_id, state, message)  # from the capture thread; queued to the UI

    def work(self) -> None:
        capture = CaptureThread(self.source, self.buffer, on_state=self._on_capture_state, name="camera-capture")
        self.capture = capture
        capture.start()
        try:
            while not self.is_cancelled:
                live = self.detector.next(timeout=POLL_S)
                if live is None:
                    if self.buffer.closed:
                        break
                    continue
                if self.recording is not None:
                    self.recording.write(live)
                self._deliver(live)
        finally:
            capture.stop(timeout=CAPTURE_JOIN_S)  # closes the buffer, so no pool job waits for a frame
            self.detector.close()

    def _deliver(self, live: LiveFrame) -> None:
        if not self.is_cancelled and self.gate.offer():
            self.frame_ready.emit(self.run_id, live)


class CameraListWorker(Worker):
    """Lists local cameras off the UI thread (on Windows and macOS listing means opening devices)."""

    listed = Signal(object)  # list[tuple[int, str]]

    def work(self) -> None:
        self.listed.emit(enumerate_cameras())
