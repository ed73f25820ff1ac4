"""Small file helpers: atomic writes, streaming hashes, and one plain line for a write that failed."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from desktop_app.core.errors import WriteError, first_line

#: Below this much free space a folder counts as full when a library reports a failed write without saying why.
FULL_BELOW_BYTES = 1 << 20

_NO_PERMISSION = "no permission to write there"
_IN_THE_WAY = "a file is in the way of that folder"
#: errno -> the reason as the user reads it.
WRITE_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EFBIG: "the file is too large for this disk",
    errno.EROFS: "the folder is read-only",
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.ENOTDIR: _IN_THE_WAY,
    errno.EEXIST: _IN_THE_WAY,  # only mkdir of the folder meets it (temporary names are retried)
}
if hasattr(errno, "EDQUOT"):  # not on Windows
    WRITE_REASONS[errno.EDQUOT] = "the disk quota is used up"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def free_bytes(folder: Path) -> int | None:
    """Free space for this user in `folder` (its nearest existing parent), or None when it cannot be asked."""
    folder = Path(folder)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        return int(shutil.disk_usage(folder).free)
    except OSError:
        return None


def probe_write_errno(folder: Path) -> int | None:
    """Ask the file system why writing into `folder` fails now (ENOSPC, EROFS, EACCES), for libraries that
    report a failed write without an errno; None when nothing is visibly wrong."""
    folder = Path(folder)
    statvfs = getattr(os, "statvfs", None)
    if statvfs is not None:
        try:
            if statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
                return errno.EROFS
        except OSError:
            pass
    free = free_bytes(folder)
    if free is not None and free < FULL_BELOW_BYTES:
        return errno.ENOSPC
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return errno.EACCES
    return None


def write_errno(path: Path, exc: BaseException) -> int | None:
    """The errno behind a failed write: the exception's own, else what the folder says now."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code:
        return code
    return probe_write_errno(Path(path).parent)


def describe_write_error(path: Path, exc: BaseException) -> str:
    """One plain line: 'could not write out.csv to /media/usb: the disk is full' (or the folder is read-only,
    no permission to write there; other failures say what the system said)."""
    path = Path(path)
    if isinstance(exc, WriteError):
        return str(exc)
    code = write_errno(path, exc)
    if code in WRITE_REASONS:
        reason = WRITE_REASONS[code]
    elif isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror[:1].lower() + exc.strerror[1:]
    else:
        reason = first_line(exc, 200)
    return f"could not write {path.name} to {path.parent}: {reason}"


def write_error(path: Path, exc: BaseException, context: str = "") -> WriteError:
    """A WriteError for a failed write of `path` (`context` goes first, e.g. 'recording stopped')."""
    if isinstance(exc, WriteError) and not context:
        return exc
    line = describe_write_error(path, exc)
    return WriteError(f"{context}: {line}" if context else line, write_errno(path, exc))


def _write_temporary(path: Path, data: bytes) -> Path:
    """`data` in a new temporary file beside `path`, flushed to disk; removed again when anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _refuse_special(path: Path) -> None:
    """A device, pipe or folder at the target is never replaced by a regular file."""
    try:
        special = path.exists() and not path.is_file()
    except OSError:  # cannot even look: the write itself will say why
        return
    if special:
        raise WriteError(f"could not write {path.name} to {path.parent}: it is not a regular file", errno.EINVAL)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then replace the target. A failure (disk full, read-only
    folder, no permission) raises WriteError with one plain line; the target and the folder are left as they were."""
    path = Path(path)
    _refuse_special(path)
    try:
        tmp = _write_temporary(path, data)
    except OSError as exc:
        raise write_error(path, exc) from exc
    try:
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from exc
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_many(files: Mapping[Path, bytes]) -> None:
    """Write several files that belong together (a report's JSON and CSV): every temporary file is written
    before any target is replaced, so a full disk leaves none of them half-written or changed."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            _refuse_special(path)
            try:
                written.append((_write_temporary(path, data), path))
            except OSError as exc:
                raise write_error(path, exc) from exc
        for tmp, path in written:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise write_error(path, exc) from exc
    finally:
        for tmp, _path in written:
            tmp.unlink(missing_ok=True)
