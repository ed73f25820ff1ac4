"""The newest-frame buffer and the capture thread: drops counted, waiters woken, clean final states."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from desktop_app.core.errors import CameraLostError
from desktop_app.core.sources.camera import CameraInfo, CameraSource, parse_camera
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import BufferCounters, FrameBuffer
from tests.core.sources.face_video import FaceVideo


class SignallingBuffer(FrameBuffer):
    """Sets `reached` once `target` frames have been put (a test's synchronisation point)."""

    def __init__(self) -> None:
        super().__init__()
        self.target = 0
        self.reached = threading.Event()

    def put(self, frame: np.ndarray, t_capture: float | None = None) -> int:
        seq = super().put(frame, t_capture)
        if seq >= self.target:
            self.reached.set()
        return seq


class GatedSource(CameraSource):
    """A fake camera that delivers one frame per `gate` release, or fails when told to."""

    def __init__(self) -> None:
        super().__init__(parse_camera("0"))
        self.gate = threading.Semaphore(0)
        self.fail_next = False
        self.count = 0
        self._opened = False

    @property
    def is_open(self) -> bool:
        return self._opened

    def open(self) -> CameraInfo:
        self._opened = True
        return CameraInfo("fake", "index", "TEST", 4, 4, 30.0)

    def read(self) -> np.ndarray:
        if not self.gate.acquire(timeout=10):
            raise AssertionError("the test never released a frame")
        if self.fail_next:
            raise CameraLostError("camera 0 stopped delivering frames: unplugged")
        self.count += 1
        return np.full((4, 4, 3), self.count, np.uint8)

    def interrupt(self) -> None:
        self.gate.release()

    def close(self) -> None:
        self._opened = False


def test_buffer_keeps_the_newest_frame_and_counts_the_dropped() -> None:
    buffer = FrameBuffer()
    assert buffer.get(timeout=0) is None
    for i in range(1, 6):
        assert buffer.put(np.full((2, 2, 3), i, np.uint8), float(i)) == i
    item = buffer.get(timeout=0)
    assert item is not None and item.seq == 5 and item.t_capture == 5.0 and item.frame[0, 0, 0] == 5
    assert buffer.counters() == BufferCounters(captured=5, taken=1, dropped=4)
    frame, t_capture, seq = item  # also unpacks as a plain tuple
    assert seq == 5


def test_close_wakes_a_waiting_consumer() -> None:
    buffer = FrameBuffer()
    results: list[object] = []
    waiter = threading.Thread(target=lambda: results.append(buffer.get(timeout=30)))
    waiter.start()
    buffer.close()
    waiter.join(5)
    assert not waiter.is_alive() and results == [None]
    assert buffer.put(np.zeros((1, 1, 3), np.uint8)) == 0 and buffer.closed
    buffer.reopen()
    assert buffer.put(np.zeros((1, 1, 3), np.uint8)) == 1


def test_slow_consumer_gets_the_newest_frame_and_drops_are_counted() -> None:
    source, buffer = GatedSource(), SignallingBuffer()
    states: list[CaptureState] = []
    capture = CaptureThread(source, buffer, on_state=lambda s, m: states.append(s))
    capture.start()
    source.gate.release()
    first = buffer.get(timeout=10)
    assert first is not None and first.seq == 1
    buffer.target = 11
    for _ in range(10):  # the consumer is busy while ten more frames arrive
        source.gate.release()
    assert buffer.reached.wait(10)
    newest = buffer.get(timeout=10)
    assert newest is not None and newest.seq == 11 and newest.frame[0, 0, 0] == 11
    stats = capture.stats()
    assert (stats.state, stats.frames_read, stats.captured, stats.taken, stats.dropped) == (
        CaptureState.RUNNING, 11, 11, 2, 9)
    assert capture.stop(timeout=10)
    assert states == [CaptureState.OPENING, CaptureState.RUNNING, CaptureState.STOPPED]
    assert buffer.closed and not source.is_open


def test_lost_camera_ends_in_the_lost_state_with_its_message() -> None:
    source, buffer = GatedSource(), FrameBuffer()
    capture = CaptureThread(source, buffer)
    capture.start()
    source.fail_next = True
    source.gate.release()
    assert buffer.get(timeout=10) is None  # the capture closed the buffer on its way out
    capture.join(10)
    assert capture.state is CaptureState.LOST and capture.state.final
    assert capture.message == "camera 0 stopped delivering frames: unplugged"


def test_capture_of_a_whole_file_ends_and_accounts_for_every_frame(face_video: FaceVideo) -> None:
    before = threading.active_count()
    buffer = FrameBuffer()
    capture = CaptureThread(CameraSource(parse_camera(str(face_video.path), realtime=False)), buffer)
    capture.start()
    taken = 0
    while buffer.get(timeout=10) is not None:
        taken += 1
    capture.join(10)
    stats = capture.stats()
    assert stats.state is CaptureState.ENDED and stats.message == "end of video file: faces.avi"
    assert stats.frames_read == stats.captured == 90 and stats.taken == taken
    assert stats.taken + stats.dropped == 90
    assert stats.info is not None and stats.info.width == 640
    assert threading.active_count() == before


def test_failed_open_is_a_state_not_an_exception() -> None:
    states: list[tuple[CaptureState, str | None]] = []
    capture = CaptureThread(CameraSource("/nonexistent/clip.mp4"), FrameBuffer(),
                            on_state=lambda s, m: states.append((s, m)))
    capture.start()
    assert capture.opened.wait(10)
    capture.join(10)
    assert states == [(CaptureState.OPENING, None),
                      (CaptureState.FAILED, "video file not found: /nonexistent/clip.mp4")]


def test_stop_cuts_a_paced_file_short(face_video: FaceVideo) -> None:
    buffer = FrameBuffer()
    capture = CaptureThread(CameraSource(parse_camera(str(face_video.path), realtime=True, loop=True)), buffer)
    capture.start()
    assert buffer.get(timeout=10) is not None
    assert capture.stop(timeout=5)
    assert capture.state is CaptureState.STOPPED
    with pytest.raises(CameraLostError):
        capture.source.read()  # closed by the thread on its way out
