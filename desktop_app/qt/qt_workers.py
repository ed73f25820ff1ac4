"""The one worker pattern: a Worker QObject moved to a QThread, started and stopped by a WorkerController.

Workers emit the core's frozen dataclasses; a failure is logged here with its traceback and emitted as the
exception object, which reaches the failure handler the controller was given (it shows one line);
cancellation is the typed `Cancelled` exception raised inside the worker, never a string match.

`stop()` never waits: it asks the worker to cancel and retires the thread, which stays referenced until it
has finished and is then deleted. Only the window's close (and tests) join threads, through `join_all`.
Every thread started here is tracked so tests can prove nothing is left running.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from desktop_app.core.errors import Cancelled
from desktop_app.core.pipeline import one_line

log = logging.getLogger("desktop_app")

#: Called in the UI thread with the exception that ended a worker; shows it as one line.
FailureHandler = Callable[[BaseException], None]

_LIVE_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()
_RUNS: set[WorkerRun] = set()  # every started run until its thread has finished: keeps them referenced


def running_threads() -> list[QThread]:
    """Threads started by controllers that have not finished (for leak checks)."""
    return [t for t in list(_LIVE_THREADS) if t.isRunning()]


def failure_line(what: str, exc: BaseException) -> str:
    """The one line a failure handler shows: what was being done, then the exception in one line."""
    return f"{what}: {one_line(exc)}"


def failure_handler(what: str, show: Callable[[str], object]) -> FailureHandler:
    """The failure handler that hands `failure_line(what, exc)` to `show` (a status message, a signal's emit)."""

    def handle(exc: BaseException) -> None:
        show(failure_line(what, exc))

    return handle


class Worker(QObject):
    """Base class: subclasses implement `work()` and call `check_cancelled()` between steps.

    A worker that starts Python threads of its own joins them before `work()` returns (in a `finally`),
    so nothing it started outlives its QThread."""

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
        except Exception as exc:  # logged here, delivered to the UI as an object, shown as one line
            log.error("%s failed: %s", type(self).__name__, one_line(exc), exc_info=exc)
            self.failed.emit(exc)
        finally:
            self.finished.emit()


class WorkerRun(QObject):
    """One worker on its thread, owned by the UI thread: delivers the worker's failure to its handler
    while the run is current, and deletes thread and worker once the thread has finished."""

    ended = Signal(object)  # this run, after its thread has finished

    def __init__(self, name: str, worker: Worker, on_failed: FailureHandler) -> None:
        super().__init__()
        self.worker, self.on_failed = worker, on_failed
        self.current = True  # False once stopped: a late failure is logged but not shown
        self._ended = False
        self.qthread = QThread()
        self.qthread.setObjectName(f"{name}-thread")
        worker.moveToThread(self.qthread)
        self.qthread.started.connect(worker.run)
        worker.finished.connect(self.qthread.quit, Qt.ConnectionType.DirectConnection)
        worker.failed.connect(self._on_failed)
        self.qthread.finished.connect(self._on_thread_finished)

    def start(self) -> None:
        _RUNS.add(self)
        _LIVE_THREADS.add(self.qthread)
        self.qthread.start()

    @property
    def running(self) -> bool:
        return not self._ended and self.qthread.isRunning()

    def retire(self) -> None:
        """Ask the worker to stop; its thread is deleted once it has finished (never while it runs)."""
        self.current = False
        self.worker.cancel()
        self.qthread.quit()

    def join(self, deadline: float) -> bool:
        """Wait for the thread until `deadline` (time.monotonic()); True once it has finished."""
        left_ms = max(0, int((deadline - time.monotonic()) * 1000))
        if not self.qthread.wait(left_ms):
            return False
        self._on_thread_finished()
        return True

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        if self.current:
            self.on_failed(exc)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._ended:
            return
        self.qthread.wait()  # `finished` is emitted just before the thread ends: this returns at once
        self._ended = True
        _RUNS.discard(self)
        self.worker.deleteLater()
        self.qthread.deleteLater()
        self.ended.emit(self)
        self.deleteLater()


def join_all(timeout_s: float = 10.0) -> bool:
    """Wait for every thread started by any controller (the window's close and tests only); True when none
    is left running."""
    deadline = time.monotonic() + timeout_s
    for run in list(_RUNS):
        run.join(deadline)
    return not running_threads()


class WorkerController(QObject):
    """Owns the current worker of one kind: start (with its failure handler) and stop (never waits); only
    `join_all` waits for threads.

    `exclusive` controllers (a camera, a microphone: one device) start a new worker only once the
    previous one's thread has finished; until then the new one is pending and `busy` is already True."""

    started = Signal()
    stopped = Signal()  # the current worker ended or was stopped: `busy` is False from here

    def __init__(self, name: str, parent: QObject | None = None, *, exclusive: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self.exclusive = exclusive
        self._current: WorkerRun | None = None
        self._pending: WorkerRun | None = None
        self._retiring: list[WorkerRun] = []

    @property
    def worker(self) -> Worker | None:
        """The current worker (running or waiting for its turn), None after stop()."""
        run = self._pending or self._current
        return run.worker if run is not None else None

    @property
    def busy(self) -> bool:
        return self._pending is not None or (self._current is not None and self._current.running)

    @property
    def retiring(self) -> int:
        """Threads stopped by this controller that have not finished yet."""
        return sum(run.running for run in self._retiring)

    def start(self, worker: Worker, *, on_failed: FailureHandler) -> None:
        """Run `worker` on a fresh thread; an earlier one is stopped (not waited for). `on_failed` gets the
        exception when the work fails, in the UI thread, while this worker is still the current one."""
        if on_failed is None or not callable(on_failed):
            raise TypeError(f"{self.name}: a worker needs a failure handler that shows the failure")
        self.stop()
        run = WorkerRun(self.name, worker, on_failed)
        run.ended.connect(self._on_run_ended)
        if self.exclusive and self.retiring:
            self._pending = run
        else:
            self._launch(run)
        self.started.emit()

    def cancel(self) -> None:
        """Ask the current worker to stop at its next check; it stays current until it ends."""
        if (worker := self.worker) is not None:
            worker.cancel()

    def stop(self) -> None:
        """Cancel the current worker and retire its thread; returns at once (the thread ends on its own)."""
        pending, self._pending = self._pending, None  # never started: dropping it deletes it
        current, self._current = self._current, None
        if current is not None:
            current.retire()
            if current.running:
                self._retiring.append(current)
        if pending is not None or current is not None:
            self.stopped.emit()

    def _launch(self, run: WorkerRun) -> None:
        self._current = run
        run.start()

    @Slot(object)
    def _on_run_ended(self, run: WorkerRun) -> None:
        if run in self._retiring:
            self._retiring.remove(run)
        if run is self._current:
            self._current = None
            self.stopped.emit()
        if self._pending is not None and not self.retiring:
            pending, self._pending = self._pending, None
            self._launch(pending)
