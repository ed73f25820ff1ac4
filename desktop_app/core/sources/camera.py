"""One interface over a camera index, a video file and a network stream (cv2.VideoCapture underneath).

`CameraSource.open()` may block up to the spec's open timeout (streams), so callers run it off the UI
thread (`CaptureThread` does). `read()` returns a fresh RGB uint8 frame or raises: `CameraLostError`
when a camera or stream stops, `SourceEndedError` when a file ends without `loop`. Messages are one line.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np

from desktop_app.core.errors import CameraLostError, CameraUnavailableError, SourceEndedError
from desktop_app.core.sources.camera_spec import (
    CameraKind,
    CameraSpec,
    backend_for,
    enumerate_cameras,
    parse_camera,
    prepare_video_environment,
    redact_url,
)

__all__ = ["CameraInfo", "CameraKind", "CameraSource", "CameraSpec", "backend_for", "enumerate_cameras",
           "parse_camera", "prepare_video_environment", "redact_url"]

#: Consecutive failed reads tolerated from a local camera before it counts as lost (drivers hiccup).
CAMERA_READ_RETRIES = 5
_DEFAULT_PORTS = {"http": 80, "https": 443, "rtsp": 554, "rtsps": 322, "rtmp": 1935}


@dataclass(frozen=True)
class CameraInfo:
    """What the source actually delivers (may differ from what was asked), and through which backend."""

    label: str
    kind: CameraKind
    backend: str
    width: int
    height: int
    fps: float | None
    frame_count: int | None = None
    requested: tuple[int | None, int | None, float | None] = (None, None, None)


def to_rgb(frame: np.ndarray) -> np.ndarray:
    """An OpenCV BGR / BGRA / grey frame -> a new contiguous RGB uint8 array."""
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def _check_reachable(url: str, timeout_s: float) -> None:
    """A quick TCP connect so an unreachable host or closed port gets a precise message within the timeout."""
    parts = urlsplit(url)
    host, scheme = parts.hostname, parts.scheme.lower()
    if not host or scheme not in _DEFAULT_PORTS:
        return
    port = parts.port or _DEFAULT_PORTS[scheme]
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except TimeoutError:
        raise CameraUnavailableError(f"stream {redact_url(url)} is unreachable: no answer within {timeout_s:g} s") from None
    except ConnectionRefusedError:
        raise CameraUnavailableError(f"stream {redact_url(url)} is unreachable: connection refused") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CameraUnavailableError(f"stream {redact_url(url)} is unreachable: {reason}") from None


class CameraSource:
    """A camera, video file or stream behind one open / read / close interface (not thread-safe: one
    thread reads; `interrupt()` alone may be called from another thread to cut a paced wait short)."""

    def __init__(self, spec: CameraSpec | str | int) -> None:
        self.spec = spec if isinstance(spec, CameraSpec) else parse_camera(spec)
        self._cap: cv2.VideoCapture | None = None
        self._info: CameraInfo | None = None
        self._pending: np.ndarray | None = None
        self._wake = threading.Event()
        self._pace_start = 0.0
        self._pace_frames = 0

    @property
    def info(self) -> CameraInfo | None:
        return self._info

    @property
    def is_open(self) -> bool:
        return self._cap is not None

    def __enter__(self) -> CameraSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening -------------------------------------------------------------------------------------
    def _capture(self) -> cv2.VideoCapture:
        spec, backend = self.spec, backend_for(self.spec.kind)
        if spec.kind == "index":
            return cv2.VideoCapture(spec.index, backend)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(spec.open_timeout_s * 1000),
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(spec.read_timeout_s * 1000)]
        if backend == cv2.CAP_FFMPEG:
            return cv2.VideoCapture(spec.value, backend, params)
        return cv2.VideoCapture(spec.value, backend)

    def _refuse_before_open(self) -> None:
        spec = self.spec
        if spec.kind == "file":
            path = Path(spec.value)
            if not path.exists():
                raise CameraUnavailableError(f"video file not found: {path}")
            if not path.is_file():
                raise CameraUnavailableError(f"not a video file: {path} is a folder")
        elif spec.kind == "url":
            _check_reachable(spec.value, spec.open_timeout_s)

    def _open_failed(self) -> CameraUnavailableError:
        spec = self.spec
        if spec.kind == "file":
            return CameraUnavailableError(f"not a video file OpenCV can read: {spec.label}")
        if spec.kind == "url":
            return CameraUnavailableError(f"stream {spec.label} could not be opened: not a video stream, or no answer "
                                          f"within {spec.open_timeout_s:g} s")
        node = Path(f"/dev/video{spec.index}")
        if backend_for("index") == cv2.CAP_V4L2 and not node.exists():
            return CameraUnavailableError(f"no camera at index {spec.index}")
        return CameraUnavailableError(f"camera {spec.index} could not be opened: no camera at that index, "
                                      "or it is in use by another application")

    def _first_frame_failed(self) -> CameraUnavailableError:
        spec = self.spec
        if spec.kind == "file":
            return CameraUnavailableError(f"video file has no readable frames: {spec.label}")
        if spec.kind == "url":
            return CameraUnavailableError(f"stream {spec.label} opened but sent no frame within "
                                          f"{spec.read_timeout_s:g} s")
        return CameraUnavailableError(f"camera {spec.index} gives no picture: it is probably in use by another application")

    def _apply_format(self, cap: cv2.VideoCapture) -> None:
        """Ask a local camera for the spec's size and FPS (files and streams keep their own)."""
        spec = self.spec
        if spec.kind != "index":
            return
        if spec.width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, float(spec.width))
        if spec.height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, float(spec.height))
        if spec.fps:
            cap.set(cv2.CAP_PROP_FPS, float(spec.fps))

    def open(self) -> CameraInfo:
        """Open the source and read its first frame (so a busy camera or a silent stream fails here, not later)."""
        self.close()
        self._refuse_before_open()
        cap = self._capture()
        if not cap.isOpened():
            cap.release()
            raise self._open_failed()
        self._apply_format(cap)
        ok, frame = cap.read()
        if not ok or frame is None:
            cap.release()
            raise self._first_frame_failed()
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if self.spec.kind == "file" else 0
        spec = self.spec
        self._info = CameraInfo(
            label=spec.label, kind=spec.kind, backend=cap.getBackendName(), width=int(frame.shape[1]),
            height=int(frame.shape[0]), fps=fps if 0 < fps < 1000 else None, frame_count=count or None,
            requested=(spec.width, spec.height, spec.fps))
        self._cap, self._pending = cap, frame
        self._wake.clear()
        self._pace_start, self._pace_frames = time.perf_counter(), 0
        return self._info

    # -- reading -------------------------------------------------------------------------------------
    def interrupt(self) -> None:
        """Cut a paced wait short (thread-safe); the pending read returns its frame at once."""
        self._wake.set()

    def _pace(self) -> None:
        """For files played in real time: wait until this frame's time on the file's own clock."""
        info = self._info
        if self.spec.kind != "file" or not self.spec.realtime or info is None or not info.fps:
            return
        due = self._pace_start + self._pace_frames / info.fps
        delay = due - time.perf_counter()
        if delay > 0:
            self._wake.wait(delay)
        elif delay < -1.0:  # fell far behind (machine stalled): restart the clock instead of racing
            self._pace_start, self._pace_frames = time.perf_counter(), 0
        self._pace_frames += 1

    def _read_raw(self, cap: cv2.VideoCapture) -> np.ndarray:
        spec = self.spec
        attempts = CAMERA_READ_RETRIES if spec.kind == "index" else 1
        for _ in range(attempts):
            ok, frame = cap.read()
            if ok and frame is not None:
                return frame
        if spec.kind == "file":
            if spec.loop and cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                ok, frame = cap.read()
                if ok and frame is not None:
                    self._pace_start, self._pace_frames = time.perf_counter(), 0
                    return frame
            raise SourceEndedError(f"end of video file: {spec.label}")
        if spec.kind == "url":
            raise CameraLostError(f"stream {spec.label} stopped sending frames (closed or silent for "
                                  f"{spec.read_timeout_s:g} s)")
        raise CameraLostError(f"camera {spec.index} stopped delivering frames: unplugged or taken by another application")

    def read(self) -> np.ndarray:
        """The next frame as a new RGB uint8 array (paced for real-time files); raises when the source stops."""
        cap = self._cap
        if cap is None:
            raise CameraLostError(f"{self.spec.label} is not open")
        if self._pending is not None:
            frame, self._pending = self._pending, None
        else:
            frame = self._read_raw(cap)
        self._pace()
        return to_rgb(frame)

    def close(self) -> None:
        """Release the device or file (safe to call twice); `open()` may be called again to retry."""
        cap, self._cap, self._pending = self._cap, None, None
        if cap is not None:
            cap.release()
