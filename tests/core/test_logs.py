"""The rotating log file: rotation, one handler however often it is set up, no personal folders or login
name in it, a cheap tail, and crash reports with versions, traceback and the lines before the crash."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import logs
from desktop_app.core.paths import UserDirs

log = logging.getLogger("desktop_app.test_logs")


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[UserDirs]:
    root = logging.getLogger()
    level = root.level
    yield UserDirs.under(tmp_path)
    logs.close_logging()
    root.setLevel(level)


@pytest.fixture
def person(monkeypatch: pytest.MonkeyPatch) -> str:
    """A made-up user: home folder /home/annika, login name annika."""
    monkeypatch.setenv("HOME", "/home/annika")
    monkeypatch.setenv("USERPROFILE", "/home/annika")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "annika")
    return "annika"


def _app_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)]


def test_the_file_rotates_when_it_passes_its_size(dirs: UserDirs) -> None:
    path = logs.setup_logging(dirs, max_bytes=2_000, backup_count=2)
    for i in range(200):
        log.info("line %03d %s", i, "x" * 40)
    assert path == dirs.logs / "desktop-app.log"
    assert (dirs.logs / "desktop-app.log.1").is_file() and (dirs.logs / "desktop-app.log.2").is_file()
    assert not (dirs.logs / "desktop-app.log.3").exists()  # only backup_count backups are kept
    assert path.stat().st_size <= 2_000
    assert "line 199" in path.read_text(encoding="utf-8")
    assert "line 000" not in path.read_text(encoding="utf-8")


def test_setting_up_twice_keeps_one_handler_and_writes_each_line_once(dirs: UserDirs, tmp_path: Path) -> None:
    logs.setup_logging(dirs)
    path = logs.setup_logging(dirs)
    assert len(_app_handlers()) == 1
    log.info("only once")
    assert path.read_text(encoding="utf-8").count("only once") == 1
    moved = logs.setup_logging(UserDirs.under(tmp_path / "other"))
    log.info("after the move")
    assert len(_app_handlers()) == 1
    assert "after the move" in moved.read_text(encoding="utf-8")
    assert "after the move" not in path.read_text(encoding="utf-8")
    logs.close_logging()
    assert _app_handlers() == [] and logs.current_log_file() is None


def test_home_folder_and_login_name_never_reach_the_file(dirs: UserDirs, person: str) -> None:
    path = logs.setup_logging(dirs)
    log.info("opened %s", "/home/annika/Photos/me.jpg")
    log.warning("camera file /media/Annika/usb/cat.png")
    try:
        raise FileNotFoundError(2, "No such file", "/home/annika/secret/notes.txt")
    except FileNotFoundError:
        log.exception("decoding failed for %r", Path("/home/annika/secret/notes.txt"))
    text = path.read_text(encoding="utf-8")
    assert person not in text.lower()
    assert "/home/" not in text
    assert "~/Photos/me.jpg" in text
    assert "/media/<user>/usb/cat.png" in text
    assert "~/secret/notes.txt" in text and "Traceback" in text  # the exception text is scrubbed too


def test_similar_names_and_generic_accounts_are_left_alone(person: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert logs.scrub("/home/annikab/x.jpg and annikab") == "/home/annikab/x.jpg and annikab"
    assert logs.scrub("/home/annika") == "~"
    monkeypatch.setenv("LOGNAME", "root")
    assert logs.scrub("root logger") == "root logger"


def test_recent_lines_are_the_newest_in_order(dirs: UserDirs) -> None:
    logs.close_logging()
    assert logs.recent_log_lines(5) == []  # nothing set up
    logs.setup_logging(dirs)
    for i in range(300):
        log.info("entry %03d %s", i, "y" * 200)  # 300 long lines: the tail is read in more than one block
    lines = logs.recent_log_lines(40)
    assert len(lines) == 40
    assert [int(line.split("entry ")[1][:3]) for line in lines] == list(range(260, 300))
    assert logs.recent_log_lines(0) == []


def _explode(where: str) -> None:
    raise ValueError(f"boom in {where}")


def test_crash_details_hold_versions_traceback_and_the_lines_before(dirs: UserDirs, person: str) -> None:
    import numpy
    import onnxruntime

    from desktop_app import __version__

    path = logs.setup_logging(dirs)
    for i in range(3):
        log.info("before the crash %d", i)
    try:
        _explode("/home/annika/models/net.onnx")
    except ValueError:
        exc_type, exc, tb = sys.exc_info()
    assert exc_type is not None
    details = logs.crash_details(exc_type, exc, tb, {"PySide6": "9.9.9"}, thread="loader")
    assert f"app: {__version__}" in details
    assert f"python: {sys.version.split()[0]}" in details
    assert f"numpy: {numpy.__version__}" in details
    assert f"onnxruntime: {onnxruntime.__version__}" in details
    assert "CPUExecutionProvider" in details and "PySide6: 9.9.9" in details
    assert "platform: " in details and "thread: loader" in details
    assert "Traceback (most recent call last)" in details and "_explode" in details
    assert "ValueError: boom in ~/models/net.onnx" in details
    assert "before the crash 2" in details
    assert person not in details.lower()
    written = path.read_text(encoding="utf-8")
    assert "ERROR" in written and "uncaught exception in thread loader" in written
    assert "ValueError: boom in ~/models/net.onnx" in written


def test_one_line_summary_is_short_and_first_line_only() -> None:
    assert logs.one_line(KeyError, KeyError("x")) == "KeyError: 'x'"
    assert logs.one_line(RuntimeError, RuntimeError("first\nsecond")) == "RuntimeError: first"
    assert logs.one_line(ValueError, ValueError()) == "ValueError"
    assert len(logs.one_line(ValueError, ValueError("z" * 1000))) == 300
