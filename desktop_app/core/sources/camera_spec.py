"""What a camera is before it is opened: a frozen `CameraSpec` parsed from what the user typed (an
index, a video file path or a stream URL), the OpenCV backend for it, and local camera enumeration.

Nothing here opens a device except `enumerate_cameras` on platforms that give no names (it stops at the
first index that fails, and never probes on Linux, where sysfs lists the devices).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import cv2

from desktop_app.core.errors import CameraUnavailableError

CameraKind = Literal["index", "file", "url"]

#: URL schemes handed to FFmpeg as network streams.
STREAM_SCHEMES = ("http", "https", "rtsp", "rtsps", "rtmp", "udp", "tcp", "srt")
_DEV_VIDEO = re.compile(r"^/dev/video(\d+)$")
SYS_V4L = Path("/sys/class/video4linux")


@dataclass(frozen=True)
class CameraSpec:
    """A camera by index, a video file or a stream URL, plus the wished format (None = the source's own).

    `realtime` paces a file at its native FPS (False: as fast as it decodes); `loop` restarts it at the
    end. Both are ignored for cameras and streams, which deliver at their own pace.
    """

    kind: CameraKind
    value: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    realtime: bool = True
    loop: bool = False
    open_timeout_s: float = 5.0
    read_timeout_s: float = 5.0

    @property
    def index(self) -> int:
        """The camera index (only for kind "index")."""
        if self.kind != "index":
            raise ValueError(f"{self.kind} source has no camera index")
        return int(self.value)

    @property
    def label(self) -> str:
        """A short name for messages and the UI (stream passwords are never shown)."""
        if self.kind == "index":
            return f"camera {self.value}"
        if self.kind == "file":
            return Path(self.value).name
        return redact_url(self.value)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def parse_camera(text: str | int, *, width: int | None = None, height: int | None = None,
                 fps: float | None = None, realtime: bool = True, loop: bool = False,
                 open_timeout_s: float = 5.0, read_timeout_s: float = 5.0) -> CameraSpec:
    """"0" or 0 -> camera index; "/dev/video2" -> index 2; "http://…", "rtsp://…" -> stream; else a file."""
    raw = str(text).strip()
    if not raw:
        raise CameraUnavailableError("no camera given: enter an index (0, 1, …), a video file or a stream URL")
    for name, value in (("width", width), ("height", height), ("fps", fps)):
        if value is not None and value <= 0:
            raise CameraUnavailableError(f"camera {name} must be positive, not {value}")

    def spec(kind: CameraKind, value: str) -> CameraSpec:
        return CameraSpec(kind, value, width, height, fps, realtime, loop, open_timeout_s, read_timeout_s)

    if raw.isdigit():
        return spec("index", str(int(raw)))
    dev = _DEV_VIDEO.match(raw)
    if dev:
        return spec("index", str(int(dev.group(1))))
    scheme = urlsplit(raw).scheme.lower()
    if scheme in STREAM_SCHEMES:
        return spec("url", raw)
    if scheme == "file":
        raw = urlsplit(raw).path
    return spec("file", str(Path(raw).expanduser()))


def backend_for(kind: CameraKind, platform: str | None = None) -> int:
    """The OpenCV capture backend for a source kind on a platform.

    Indexes: DirectShow on Windows (opens in well under a second where Media Foundation can take many
    seconds; see `prepare_video_environment` for MSMF), V4L2 on Linux, AVFoundation on macOS. Files and
    URLs: FFmpeg everywhere (it honours the open/read timeouts), or CAP_ANY if this build lacks it.
    """
    platform = platform or sys.platform
    if kind == "index":
        if platform == "win32":
            return int(cv2.CAP_DSHOW)
        if platform.startswith("linux"):
            return int(cv2.CAP_V4L2)
        if platform == "darwin":
            return int(cv2.CAP_AVFOUNDATION)
        return int(cv2.CAP_ANY)
    return int(cv2.CAP_FFMPEG) if cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG) else int(cv2.CAP_ANY)


def prepare_video_environment(environ: dict[str, str] | None = None, platform: str | None = None) -> None:
    """Call once from main(), before the first capture (ideally before cv2 is imported): on Windows it turns
    off Media Foundation hardware transforms (OPENCV_VIDEOIO_MSMF_ENABLE_HWTRANSFORMS=0), which otherwise
    make MSMF cameras take seconds to open. A value the user already set is kept. Not done at import time.
    """
    env = os.environ if environ is None else environ
    if (platform or sys.platform) == "win32":
        env.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HWTRANSFORMS", "0")


def _linux_cameras(root: Path, max_index: int) -> list[tuple[int, str]]:
    """Capture nodes listed in sysfs, named by the driver; a device's metadata nodes (index != 0) are skipped."""
    found: list[tuple[int, str]] = []
    try:
        entries = list(root.glob("video*"))
    except OSError:
        return found
    for entry in entries:
        match = re.fullmatch(r"video(\d+)", entry.name)
        if not match or int(match.group(1)) >= max_index:
            continue
        try:
            node_index = (entry / "index").read_text().strip()
        except OSError:
            node_index = "0"
        if node_index not in ("", "0"):
            continue
        try:
            name = (entry / "name").read_text().strip()
        except OSError:
            name = ""
        number = int(match.group(1))
        found.append((number, name or f"Camera {number}"))
    return sorted(found)


def _probe_index(index: int) -> bool:
    cap = cv2.VideoCapture(index, backend_for("index"))
    try:
        return bool(cap.isOpened())
    finally:
        cap.release()


def enumerate_cameras(max_index: int = 8, *, platform: str | None = None, sys_root: Path = SYS_V4L,
                      probe: Callable[[int], bool] = _probe_index) -> list[tuple[int, str]]:
    """Local cameras as (index, readable name), at most indexes 0..max_index-1.

    Linux reads /sys/class/video4linux (no device is opened; none there -> []). Elsewhere OpenCV gives no
    names, so indexes are probed in order until the first that does not open, named "Camera N".
    """
    platform = platform or sys.platform
    if platform.startswith("linux"):
        return _linux_cameras(sys_root, max_index)
    found = []
    for index in range(max_index):
        if not probe(index):
            break
        found.append((index, f"Camera {index}"))
    return found
