"""A camera given by URL: an MJPEG stream served on 127.0.0.1 by the test itself; a stream that stops
gives the lost state and a retry recovers once it serves again; unreachable URLs fail fast and plainly."""

from __future__ import annotations

import socket
import time

import pytest

from desktop_app.core.errors import CameraLostError, CameraUnavailableError
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.sources.camera import CameraSource, parse_camera
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live import LiveDetector
from tests.core.sources.face_video import FACE_FRAMES, FaceVideo, iou
from tests.core.sources.mjpeg_server import MjpegServer


def test_faces_found_through_an_mjpeg_stream(face_video: FaceVideo, pipeline: Pipeline) -> None:
    detector = LiveDetector(pipeline, "centerface")
    with MjpegServer(face_video.frames, fps=None, limit=90) as server:
        source = CameraSource(parse_camera(server.url, read_timeout_s=2))
        info = source.open()
        assert (info.kind, info.backend, info.width, info.height) == ("url", "FFMPEG", 640, 480)
        frames = []
        with pytest.raises(CameraLostError, match="stopped sending frames"):
            while True:
                frames.append(source.read())
        source.close()
    assert len(frames) == 90
    found = missed = false = 0
    for i in list(FACE_FRAMES)[::2] + list(range(0, 30, 5)) + list(range(60, 90, 5)):
        detections = [d for d in detector.process(frames[i], 0.0, i + 1).result.payload.detections  # type: ignore[union-attr]
                      if d.score >= 0.5]
        truth = face_video.faces[i]
        if truth is None:
            false += bool(detections)
        elif detections and iou(detections[0].box, truth) >= 0.5:
            found += 1
        else:
            missed += 1
    assert found >= 0.9 * (found + missed) and false == 0


@pytest.mark.parametrize("end", ["close", "stall"])
def test_stream_that_stops_is_lost_and_retry_recovers(face_video: FaceVideo, end: str) -> None:
    with MjpegServer(face_video.frames, fps=120, limit=20, end=end) as server:
        source = CameraSource(parse_camera(server.url, open_timeout_s=3, read_timeout_s=1))
        buffer = FrameBuffer()
        capture = CaptureThread(source, buffer)
        capture.start()
        while buffer.get(timeout=10) is not None:
            pass
        capture.join(10)
        assert capture.state is CaptureState.LOST
        assert capture.message is not None and "\n" not in capture.message
        assert capture.message.startswith(f"stream {server.url} stopped sending frames")
        assert 15 <= capture.stats().frames_read <= 20

        server.available = False  # still down: the retry fails plainly
        buffer.reopen()
        retry = CaptureThread(source, buffer)
        retry.start()
        retry.join(10)
        assert retry.state is CaptureState.FAILED and retry.message is not None
        assert "could not be opened" in retry.message

        server.available, server.limit = True, None  # back: the retry works
        buffer.reopen()
        again = CaptureThread(source, buffer)
        again.start()
        item = buffer.get(timeout=10)
        assert item is not None and item.frame.shape == (480, 640, 3)
        assert again.state is CaptureState.RUNNING
        assert again.stop(timeout=10) and again.state is CaptureState.STOPPED


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_closed_port_is_refused_at_once_with_a_plain_message() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/video.mjpg"
    start = time.perf_counter()
    with pytest.raises(CameraUnavailableError, match=r"^stream http://127\.0\.0\.1:\d+/video\.mjpg is unreachable: "
                                                     r"connection refused$"):
        CameraSource(url).open()
    assert time.perf_counter() - start < 10


def test_silent_server_times_out_within_the_open_timeout() -> None:
    with socket.socket() as listener:  # accepts TCP but never answers HTTP
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/video.mjpg"
        start = time.perf_counter()
        with pytest.raises(CameraUnavailableError, match="could not be opened"):
            CameraSource(parse_camera(url, open_timeout_s=1.5)).open()
        assert time.perf_counter() - start < 10
