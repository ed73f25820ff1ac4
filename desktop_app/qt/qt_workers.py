"""The one worker pattern: a Worker QObject moved to a QThread, started and stopped by a WorkerController.

Workers emit the core's frozen dataclasses; a failure is emitted as the exception object; cancellation
is the typed `Cancelled` exception raised inside the worker, never a string match. Every thread started
here is tracked so tests (and the window's close) can prove nothing is left running.
"""

from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.core.errors import Cancelled

_LIVE_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()


def running_threads() -> list[QThread]:
    """Threads started by controllers that have not finished (for leak checks)."""
    return [t for t in list(_LIVE_THREADS) if t.isRunning()]


class Worker(QObject):
    """Base class: subclasses implement `work()` and call `check_cancelled()` between steps."""

    failed = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()  # always last, after failed/cancelled/normal end

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the worker to stop at its next check (thread-safe)."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def work(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @Slot()
    def run(self) -> None:
        try:
            self.work()
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # delivered to the UI as an object, shown as one line
            self.failed.emit(exc)
        finally:
            self.finished.emit()


class WorkerController(QObject):
    """Owns one worker and its thread at a time: start, cancel, and join."""

    started = Signal()
    stopped = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._thread: QThread | None = None
        self.worker: Worker | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self, worker: Worker) -> None:
        """Run `worker` on a fresh thread; an earlier one is cancelled and joined first."""
        self.stop()
        thread = QThread()
        thread.setObjectName(f"{self.name}-thread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self.worker = thread, worker
        _LIVE_THREADS.add(thread)
        thread.start()
        self.started.emit()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and join; True when no thread is left running."""
        thread = self._thread
        if thread is None:
            return True
        self.cancel()
        thread.quit()
        ok = bool(thread.wait(timeout_ms))
        self._release()
        return ok

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None and not self._thread.isRunning():
            self._release()

    def _release(self) -> None:
        if self._thread is None:
            return
        thread, worker = self._thread, self.worker
        self._thread, self.worker = None, None
        if worker is not None:
            worker.deleteLater()
        thread.deleteLater()
        self.stopped.emit()
