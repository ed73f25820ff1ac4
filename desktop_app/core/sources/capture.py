"""The capture thread: opens a source, reads it continuously into a `FrameBuffer`, and ends in a clear
state (stopped, ended, lost, failed) with a one-line message. A Qt worker drives it through the
`on_state` callback (called from the capture thread; emit a signal from it) or by polling `stats()`.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.errors import CameraLostError, SourceEndedError, SourceError
from desktop_app.core.sources.camera import CameraInfo, CameraSource
from desktop_app.core.sources.frame_buffer import FrameBuffer

log = logging.getLogger(__name__)


class CaptureState(enum.Enum):
    """Where a capture thread is; the last four are final."""

    IDLE = "idle"
    OPENING = "opening"
    RUNNING = "running"
    STOPPED = "stopped"  # stop() was called
    ENDED = "ended"  # a video file played to its end
    LOST = "lost"  # the camera or stream stopped delivering frames
    FAILED = "failed"  # the source could not be opened

    @property
    def final(self) -> bool:
        return self in (CaptureState.STOPPED, CaptureState.ENDED, CaptureState.LOST, CaptureState.FAILED)


@dataclass(frozen=True)
class CaptureStats:
    """A consistent view of the capture: state, its message, frames read and dropped, source info."""

    state: CaptureState
    message: str | None
    frames_read: int
    captured: int
    taken: int
    dropped: int
    info: CameraInfo | None


StateCallback = Callable[[CaptureState, str | None], None]


class CaptureThread(threading.Thread):
    """Reads `source` into `buffer` until stopped or the source fails; closes the source on its way out.

    Non-daemon and joinable: the owner calls `stop()` (which joins). When the thread ends it closes
    the buffer (unless `close_buffer=False`), so a consumer blocked in `get` wakes up.
    """

    def __init__(self, source: CameraSource, buffer: FrameBuffer, *, on_state: StateCallback | None = None,
                 close_buffer: bool = True, name: str = "capture") -> None:
        super().__init__(name=name, daemon=False)
        self.source = source
        self.buffer = buffer
        self._on_state = on_state
        self._close_buffer = close_buffer
        self._stop_event = threading.Event()
        self._lock = threading.Lock()
        self._state = CaptureState.IDLE
        self._message: str | None = None
        self._frames_read = 0
        self.opened = threading.Event()  # set once the source is open (or opening failed: see state)

    # -- state ---------------------------------------------------------------------------------------
    def _set_state(self, state: CaptureState, message: str | None = None) -> None:
        with self._lock:
            self._state, self._message = state, message
        if self._on_state is not None:
            try:
                self._on_state(state, message)
            except Exception:  # a broken listener must not kill the capture
                log.exception("capture state callback failed")

    @property
    def state(self) -> CaptureState:
        with self._lock:
            return self._state

    @property
    def message(self) -> str | None:
        with self._lock:
            return self._message

    def stats(self) -> CaptureStats:
        counters = self.buffer.counters()
        with self._lock:
            return CaptureStats(self._state, self._message, self._frames_read, counters.captured,
                                counters.taken, counters.dropped, self.source.info)

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self._set_state(CaptureState.OPENING)
            try:
                if not self.source.is_open:
                    self.source.open()
            except SourceError as exc:
                self._set_state(CaptureState.FAILED, str(exc))
                return
            finally:
                self.opened.set()
            self._set_state(CaptureState.RUNNING)
            self._loop()
        except Exception as exc:  # anything unexpected still ends in a clear state
            log.exception("capture thread failed")
            self._set_state(CaptureState.FAILED, f"capture failed: {type(exc).__name__}: {exc}")
        finally:
            self.source.close()
            if self._close_buffer:
                self.buffer.close()

    def _loop(self) -> None:
        while not self._stop_event.is_set():
            try:
                frame = self.source.read()
            except CameraLostError as exc:
                self._set_state(CaptureState.LOST, str(exc))
                return
            except SourceEndedError as exc:
                self._set_state(CaptureState.ENDED, str(exc))
                return
            t_capture = time.perf_counter()
            if self._stop_event.is_set():
                break
            with self._lock:
                self._frames_read += 1
            self.buffer.put(frame, t_capture)
        self._set_state(CaptureState.STOPPED)

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the thread to stop, cut any paced wait short, and join -> True once it has ended."""
        self._stop_event.set()
        self.source.interrupt()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)
        return not self.is_alive()
