"""Write faults for tests that run as root (where a chmod-ed folder is still writable): a real ENOSPC from
the kernel by handing the atomic writer /dev/full as its temporary file, and ENOSPC / EROFS / EACCES raised
at the low-level calls (temporary file, replace) of the writers under test."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core import fileio

DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full on this system")


def os_error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def dev_full_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Temporary files made in `folder` are /dev/full (every write to them fails with a real ENOSPC); other
    folders are untouched. The name handed back is a harmless path in `folder` that never exists."""
    real = tempfile.mkstemp

    def mkstemp(suffix: Any = None, prefix: Any = None, dir: Any = None, text: bool = False) -> tuple[int, str]:  # noqa: A002
        if dir is not None and Path(dir).resolve() == Path(folder).resolve():
            return os.open(DEV_FULL, os.O_WRONLY), str(Path(dir) / f"{prefix or ''}dev-full{suffix or ''}")
        return real(suffix, prefix, dir, text)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def fail_mkstemp_in(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    """Creating a file in `folder` fails with `code` (EROFS: a read-only folder, EACCES: no permission)."""
    real = tempfile.mkstemp

    def mkstemp(suffix: Any = None, prefix: Any = None, dir: Any = None, text: bool = False) -> tuple[int, str]:  # noqa: A002
        if dir is not None and Path(dir).resolve() == Path(folder).resolve():
            raise os_error(code)
        return real(suffix, prefix, dir, text)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def fail_replace_into(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    """Moving a finished temporary file over its target in `folder` fails with `code`."""
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).parent.resolve() == Path(folder).resolve():
            raise os_error(code)
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def free_space(monkeypatch: pytest.MonkeyPatch, folder: Path, free: list[int]) -> None:
    """`fileio.free_bytes` reports free[0] bytes for `folder` (change free[0] to fill the disk mid-way)."""
    real = fileio.free_bytes

    def free_bytes(where: Path) -> int | None:
        if Path(where).resolve() == Path(folder).resolve():
            return free[0]
        return real(where)

    monkeypatch.setattr(fileio, "free_bytes", free_bytes)


def leftovers(folder: Path) -> list[str]:
    """Names in `folder` (temporary files included), sorted."""
    return sorted(p.name for p in Path(folder).iterdir()) if Path(folder).exists() else []


def sound_file_that_fills(after_writes: int) -> type:
    """A soundfile.SoundFile whose writes fail from the `after_writes`-th on, as libsndfile fails on a
    full disk: LibsndfileError code 2 and no errno. Patch it in for `soundfile.SoundFile`."""
    import numpy as np
    import soundfile as sf

    class FillingSoundFile(sf.SoundFile):
        writes = 0

        def write(self, data: np.ndarray) -> None:  # type: ignore[override]
            FillingSoundFile.writes += 1
            if FillingSoundFile.writes >= after_writes:
                raise sf.LibsndfileError(2)
            super().write(data)

    return FillingSoundFile

