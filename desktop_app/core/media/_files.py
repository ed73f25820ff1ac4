"""Shared file checks for the media loaders: one-line messages for OS errors and size limits."""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from desktop_app.core.errors import MediaError, MediaTooLargeError


def display_name(path: Path) -> str:
    """The name used in messages: the file's name, or the whole path when it has none."""
    return path.name or str(path)


def human_bytes(size: int) -> str:
    """A byte count in decimal units, e.g. "200 MB"."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def os_error(name: str, exc: OSError) -> MediaError:
    """A MediaError with a one-line reason for an OSError raised while opening or reading a file."""
    if isinstance(exc, FileNotFoundError):
        reason = "file not found"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    elif isinstance(exc, IsADirectoryError) or exc.errno == errno.EISDIR:
        reason = "is a folder, not a file"
    else:
        reason = f"cannot read the file ({exc.strerror or exc})"
    return MediaError(f"{name}: {reason}")


def check_regular_file(path: Path, *, max_bytes: int | None = None, what: str = "files") -> int:
    """Size of `path` after checking it is a readable regular file under the size limit."""
    name = display_name(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise os_error(name, exc) from exc
    if stat.S_ISDIR(info.st_mode):
        raise MediaError(f"{name}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise MediaError(f"{name}: is not a regular file (device, pipe or socket)")
    if max_bytes is not None and info.st_size > max_bytes:
        raise MediaTooLargeError(
            f"{name}: file is {human_bytes(info.st_size)}, over the {human_bytes(max_bytes)} limit for {what}"
        )
    return info.st_size


def read_limited(path: Path, *, max_bytes: int, what: str) -> bytes:
    """The bytes of a regular file, refusing it (before reading) when it is over `max_bytes`."""
    name = display_name(path)
    check_regular_file(path, max_bytes=max_bytes, what=what)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise os_error(name, exc) from exc
    if len(data) > max_bytes:  # the file grew after stat()
        raise MediaTooLargeError(f"{name}: file is over the {human_bytes(max_bytes)} limit for {what}")
    return data
