"""The app's log file and crash reports (no Qt here; the GUI's crash dialog is in `qt/qt_crash_dialog.py`).

`setup_logging` puts one rotating file (`desktop-app.log`, 1 MB x 5 backups, UTF-8) in the user log
folder. Every line written there, exception text included, goes through `scrub`:

- the user's home folder becomes `~` (`/home/alice/Photos/me.jpg` -> `~/Photos/me.jpg`), so file names
  and their place relative to home stay readable, which is what a bug report needs;
- the login name, wherever else it appears as a whole word, becomes `<user>` (`/media/alice/usb/a.jpg`
  -> `/media/<user>/usb/a.jpg`). Generic account names (root, admin, ...) are left alone: they say
  nothing about a person and would mangle ordinary words.

Absolute paths outside the home folder are kept as they are (install folder, temporary files). Nothing
here sends anything anywhere: `crash_details` builds text that the user may copy by hand.
"""

from __future__ import annotations

import datetime
import functools
import getpass
import logging
import logging.handlers
import os
import platform
import re
import sys
import threading
import traceback
from importlib import metadata
from pathlib import Path
from types import TracebackType

from desktop_app import __version__
from desktop_app.core.paths import UserDirs

LOG_NAME = "desktop-app.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"
GENERIC_ACCOUNTS = frozenset({"root", "user", "admin", "administrator", "guest", "default", "app", "runner"})

log = logging.getLogger(__name__)


# -- privacy ---------------------------------------------------------------------------------------

def _identity() -> tuple[str, str]:
    """(home folder, login name) of the current user; either may be "" when unknown."""
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError, OSError):
        home = ""
    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):
        user = ""
    return home, user


@functools.lru_cache(maxsize=8)
def _patterns(home: str, user: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    flags = re.IGNORECASE if os.name == "nt" or sys.platform == "darwin" else 0
    homes: set[str] = set()
    if home.rstrip("/\\") and len(home.rstrip("/\\")) > 2:  # never "/" or "C:\"
        for variant in {home, os.path.realpath(home)}:
            variant = variant.rstrip("/\\")
            homes |= {variant, variant.replace("\\", "/"), variant.replace("\\", "\\\\")}
    home_re = None
    if homes:
        alternatives = "|".join(re.escape(h) for h in sorted(homes, key=len, reverse=True))
        home_re = re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w.-])", flags)
    user_re = None
    if len(user) >= 3 and user.lower() not in GENERIC_ACCOUNTS:
        user_re = re.compile(rf"(?<![A-Za-z0-9]){re.escape(user)}(?![A-Za-z0-9])", re.IGNORECASE)
    return home_re, user_re


def scrub(text: str) -> str:
    """`text` with the home folder replaced by `~` and the login name by `<user>` (see module doc)."""
    home_re, user_re = _patterns(*_identity())
    if home_re is not None:
        text = home_re.sub("~", text)
    if user_re is not None:
        text = user_re.sub("<user>", text)
    return text


class PrivacyFormatter(logging.Formatter):
    """Formats a record as usual (message, arguments, exception, stack), then scrubs the whole text."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _AppLogHandler(logging.handlers.RotatingFileHandler):
    """Rotating file handler that keeps appending when rotation is impossible (on Windows another
    running instance may hold the file open) instead of losing every later line."""

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            if self.stream is None or self.stream.closed:
                self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # the log is best effort: never print logging's own traceback to the user's console


_handler_lock = threading.Lock()
_handler: _AppLogHandler | None = None


def setup_logging(dirs: UserDirs, level: int = logging.INFO, *, max_bytes: int = MAX_BYTES,
                  backup_count: int = BACKUP_COUNT) -> Path:
    """Send the root logger to `<dirs.logs>/desktop-app.log`, rotating; returns the file's path.
    Calling it again replaces the app's handler (never adds a second one)."""
    global _handler
    path = dirs.logs / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    with _handler_lock:
        if _handler is not None:
            root.removeHandler(_handler)
            _handler.close()
        _handler = _AppLogHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
        _handler.setFormatter(PrivacyFormatter(LINE_FORMAT))
        root.addHandler(_handler)
        root.setLevel(level)
    return path


def close_logging() -> None:
    """Remove and close the handler `setup_logging` installed (tests; the end of the app)."""
    global _handler
    with _handler_lock:
        if _handler is not None:
            logging.getLogger().removeHandler(_handler)
            _handler.close()
            _handler = None


def current_log_file() -> Path | None:
    """The file `setup_logging` writes to, or None when it was not called."""
    handler = _handler
    return Path(handler.baseFilename) if handler is not None else None


def recent_log_lines(n: int = 40, path: Path | None = None) -> list[str]:
    """The last `n` lines of the current log (or of `path`), read from the end of the file."""
    if _handler is not None:
        _handler.flush()
    path = path or current_log_file()
    if n <= 0 or path is None:
        return []
    try:
        with open(path, "rb") as handle:
            end = handle.seek(0, os.SEEK_END)
            block, data = max(4096, n * 160), b""
            while True:
                start = max(0, end - block)
                handle.seek(start)
                data = handle.read(end - start)
                if start == 0 or data.count(b"\n") > n:
                    break
                block *= 2
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    if start > 0:
        lines = lines[1:]  # the first line read is probably cut
    return lines[-n:]


# -- crash reports ---------------------------------------------------------------------------------

def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def _base_versions() -> tuple[tuple[str, str], ...]:
    versions = {
        "app": _dist_version("desktop-app") or __version__,
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "platform": f"{platform.platform()} {platform.machine()}",
        "frozen": str(bool(getattr(sys, "frozen", False))),
    }
    try:
        import numpy

        versions["numpy"] = numpy.__version__
    except Exception as exc:  # a crash report must be built whatever is broken
        versions["numpy"] = f"unavailable ({type(exc).__name__})"
    try:
        from desktop_app.core.runtime import providers as prov

        versions["onnxruntime"] = f"{prov.ort.__version__} ({prov.ort_distribution()})"
        versions["providers"] = ", ".join(prov.available_providers())
    except Exception as exc:  # same: ONNX Runtime itself may be what fails to load
        versions["onnxruntime"] = f"unavailable ({type(exc).__name__})"
    return tuple(versions.items())


def versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    """App, Python, OS, numpy, ONNX Runtime (and its providers), plus what the caller adds (Qt)."""
    return {**dict(_base_versions()), **(extra or {})}


def crash_details(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None,
                  extra_versions: dict[str, str] | None = None, *, thread: str | None = None,
                  log_lines: int = 40) -> str:
    """Plain-text report of an uncaught exception: versions, traceback, the log's last lines (all
    scrubbed). Also logs the exception at ERROR, after reading the log lines that led up to it."""
    recent = recent_log_lines(log_lines)
    thread = thread or threading.current_thread().name
    log.error("uncaught exception in thread %s", thread, exc_info=(exc_type, exc, tb) if exc is not None else None)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    trace = "".join(traceback.format_exception(exc_type, exc, tb)) if exc is not None else exc_type.__name__
    lines = ["Desktop App crash report", f"time: {when}", f"thread: {thread}",
             f"error: {one_line(exc_type, exc)}", "", "versions:"]
    lines += [f"  {key}: {value}" for key, value in versions(extra_versions).items()]
    lines += ["", "traceback:", trace.rstrip("\n"), "", f"last {len(recent)} log lines:"]
    lines += [f"  {line}" for line in recent]
    return scrub("\n".join(lines) + "\n")


def one_line(exc_type: type[BaseException], exc: BaseException | None, limit: int = 300) -> str:
    """`ValueError: first line of the message` (scrubbed, cut at `limit` characters)."""
    try:
        text = str(exc).strip() if exc is not None else ""
    except Exception:  # a broken __str__ must not break the report
        text = "<message unavailable>"
    message = text.splitlines()[0] if text else ""
    text = f"{exc_type.__name__}: {message}" if message else exc_type.__name__
    text = scrub(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
