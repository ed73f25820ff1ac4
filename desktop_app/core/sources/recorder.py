"""Recording annotated frames to a video file, and saving snapshots, both written atomically: to a
temporary name in the target folder first, renamed over the target only when complete.

OpenCV's video writer does not report failed writes, so a recording checks the folder itself: at the start
(read-only, no permission, full) and every `SPACE_CHECK_EVERY` frames (free space below `MIN_FREE_BYTES`
counts as full). Either way it stops with a WriteError and removes its temporary file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from desktop_app.core import fileio
from desktop_app.core.errors import SourceError, WriteError
from desktop_app.core.fileio import atomic_write_bytes, write_error

#: Container -> codec. An .mp4 that this OpenCV build cannot write falls back to .avi with Motion JPEG.
CODECS = {".mp4": "mp4v", ".avi": "MJPG"}
#: A recording stops (the disk counts as full) when its folder has less free space than this.
MIN_FREE_BYTES = 16 << 20
#: How often, in frames written, free space is checked while recording.
SPACE_CHECK_EVERY = 15


def save_snapshot(path: Path, frame_rgb: np.ndarray) -> Path:
    """Write an RGB frame as PNG (or JPEG by suffix) atomically -> the path."""
    path = Path(path)
    suffix = path.suffix.lower() or ".png"
    ok, data = cv2.imencode(suffix, cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise SourceError(f"cannot encode a snapshot as {suffix}: {path.name}")
    atomic_write_bytes(path, data.tobytes())
    return path


class VideoRecorder:
    """Writes RGB frames to an .mp4 (mp4v) or .avi (MJPG); `close()` finalises to the target atomically.

    The frame size is fixed by the first frame (later frames of another size are resized to it).
    `path` reports the final target, which becomes .avi if .mp4 could not be opened.
    """

    def __init__(self, path: Path, fps: float, size: tuple[int, int] | None = None) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in CODECS:
            raise SourceError(f"recordings are .mp4 or .avi, not {self.path.suffix or 'no extension'}: {self.path.name}")
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.size = size
        self.frames_written = 0
        self._writer: cv2.VideoWriter | None = None
        self._tmp: Path | None = None
        self._closed = self._aborted = False
        self._check_folder()

    def _check_folder(self) -> None:
        """Refuse at once a folder that cannot take a recording (read-only, no permission, full)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".probe", dir=self.path.parent)
            os.close(fd)
            os.unlink(name)
        except OSError as exc:
            raise write_error(self.path, exc, "cannot record") from exc
        self._check_space("cannot record")

    def _check_space(self, context: str) -> None:
        free = fileio.free_bytes(self.path.parent)
        if free is not None and free < MIN_FREE_BYTES:
            raise write_error(self.path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), context)

    def _start(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        suffixes = [self.path.suffix.lower()] + ([".avi"] if self.path.suffix.lower() != ".avi" else [])
        for suffix in suffixes:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=f".part{suffix}", dir=self.path.parent)
            os.close(fd)
            writer = cv2.VideoWriter(name, cv2.VideoWriter.fourcc(*CODECS[suffix]), self.fps, (width, height))
            if writer.isOpened():
                self._writer, self._tmp, self.size = writer, Path(name), (width, height)
                self.path = self.path.with_suffix(suffix)
                return
            writer.release()
            Path(name).unlink(missing_ok=True)
        raise SourceError(f"cannot record video here: no codec for {self.path.name} in this OpenCV build")

    def write(self, frame_rgb: np.ndarray) -> None:
        """Append one RGB uint8 frame. A folder that fills up (or fails) raises WriteError; the recording is
        then aborted (its temporary file removed, the target untouched)."""
        if self._closed:
            raise SourceError(f"recording {self.path.name} is already closed")
        try:
            if self._writer is None:
                width, height = self.size or (frame_rgb.shape[1], frame_rgb.shape[0])
                self._start(width, height)
            elif self.frames_written % SPACE_CHECK_EVERY == 0:
                self._check_space("recording stopped")
        except OSError as exc:  # WriteError included
            self.abort()
            if isinstance(exc, WriteError):
                raise
            raise write_error(self.path, exc, "recording stopped") from exc
        assert self._writer is not None and self.size is not None
        if (frame_rgb.shape[1], frame_rgb.shape[0]) != self.size:
            frame_rgb = cv2.resize(frame_rgb, self.size, interpolation=cv2.INTER_AREA)
        self._writer.write(cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR))
        self.frames_written += 1

    def close(self) -> Path | None:
        """Finish the file and move it over the target -> the target, or None when no frame was written."""
        if self._closed:
            return self.path if self.frames_written and not self._aborted else None
        self._closed = True
        writer, tmp = self._writer, self._tmp
        self._writer = None
        if writer is None or tmp is None:
            return None
        writer.release()
        try:
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise write_error(self.path, exc, "recording not saved") from exc
        return self.path

    def abort(self) -> None:
        """Stop and delete the partial file; the target is left as it was."""
        self._closed = self._aborted = True
        writer, tmp, self._writer = self._writer, self._tmp, None
        if writer is not None:
            writer.release()
        if tmp is not None:
            tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoRecorder:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
