"""Starts and stops the microphone panel's workers (live capture, file analysis) and relays their signals.

`stop()` does not wait for the worker: the stopped run's last updates (the segment closed at the stop, a
saved recording) still arrive, until a new run starts; from then on only the new run's updates are relayed.
A new capture opens the device only once the previous capture's thread has ended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.services import AppServices
from desktop_app.qt.microphone.qt_mic_worker import FileVadWorker, MicWorker
from desktop_app.qt.qt_workers import WorkerController


class QtMicController(QObject):
    """One live capture and one file analysis at most, never both at once."""

    opened = Signal(object)  # MicOpened
    update = Signal(object)  # MicUpdate
    recorded = Signal(object)  # RecordingSaved or the exception
    failed = Signal(object)  # the exception that ended a run
    stopped = Signal()  # a run ended (stopped, failed or finished)

    def __init__(self, services: AppServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.live = WorkerController("microphone", self, exclusive=True)
        self.file = WorkerController("audio-file", self)
        self.live.stopped.connect(self.stopped)
        self.file.stopped.connect(self.stopped)
        self._latest: MicWorker | FileVadWorker | None = None  # the run whose updates are relayed

    @property
    def capturing(self) -> bool:
        return self.live.busy

    @property
    def device_in_use(self) -> bool:
        """A capture runs or a stopped one has not closed its stream yet (PortAudio must stay up)."""
        return self.live.busy or self.live.retiring > 0

    @property
    def analysing(self) -> bool:
        return self.file.busy

    @property
    def recording_possible(self) -> bool:
        return isinstance(self.live.worker, MicWorker) and self.live.busy

    def start_capture(self, sd: Any, device: int | str | None, params: dict[str, float],
                      record_to: Path | None = None) -> None:
        """Open `device` on a fresh worker (a running capture or file analysis is stopped first)."""
        self.stop()
        worker = MicWorker(self.services, sd, device, params, record_to)
        self._wire(worker)
        worker.recorded.connect(self._on_recorded)
        self.live.start(worker, on_failed=self._on_failed)

    def analyse_file(self, path: Path, params: dict[str, float]) -> None:
        """Run the VAD over an audio file in blocks (a running capture is stopped first)."""
        self.stop()
        worker = FileVadWorker(self.services, path, params)
        self._wire(worker)
        self.file.start(worker, on_failed=self._on_failed)

    def _wire(self, worker: MicWorker | FileVadWorker) -> None:
        self._latest = worker
        worker.opened.connect(self._on_opened)
        worker.update.connect(self._on_update)

    def start_recording(self, path: Path) -> bool:
        worker = self.live.worker
        if not isinstance(worker, MicWorker) or not self.live.busy:
            return False
        worker.start_recording(path)
        return True

    def stop_recording(self) -> None:
        worker = self.live.worker
        if isinstance(worker, MicWorker):
            worker.stop_recording()

    def stop(self) -> None:
        """Stop both workers without waiting; their last updates still arrive (until a new run starts)."""
        self.live.stop()
        self.file.stop()

    def _from_current_run(self) -> bool:
        sender = self.sender()
        return sender is not None and sender is self._latest

    @Slot(object)
    def _on_opened(self, info: object) -> None:
        if self._from_current_run():
            self.opened.emit(info)

    @Slot(object)
    def _on_update(self, update: object) -> None:
        if self._from_current_run():
            self.update.emit(update)

    @Slot(object)
    def _on_recorded(self, saved: object) -> None:
        self.recorded.emit(saved)

    def _on_failed(self, exc: BaseException) -> None:
        self.failed.emit(exc)
