"""Uncaught exceptions (in a Qt slot or a plain Python thread) reach one non-blocking crash dialog with
"Copy details"; repeats bump a counter; the window keeps working; uninstall puts the old hooks back.

pytest-qt would fail these tests on the very exceptions they raise on purpose, hence
`qt_no_exception_capture`."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from desktop_app.core import logs
from desktop_app.core.paths import UserDirs
from desktop_app.qt.qt_crash_dialog import CrashHandler, install_crash_handler


class _Window(QWidget):
    """A stand-in main window with one editable field."""

    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit()
        QVBoxLayout(self).addWidget(self.field)


@pytest.fixture
def window(qtbot) -> _Window:  # type: ignore[no-untyped-def]
    widget = _Window()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def handler(window: _Window, tmp_path: Path) -> Iterator[CrashHandler]:
    level = logging.getLogger().level
    dirs = UserDirs.under(tmp_path)
    logs.setup_logging(dirs)
    crash = install_crash_handler(window, dirs)
    yield crash
    crash.uninstall()
    crash.dialog.close()
    logs.close_logging()
    logging.getLogger().setLevel(level)


def _raise_in_slot(message: str) -> None:
    def slot() -> None:
        raise ValueError(message)

    QTimer.singleShot(0, slot)


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_the_dialog_and_copy_puts_details_on_the_clipboard(
        qtbot, handler: CrashHandler) -> None:  # type: ignore[no-untyped-def]
    logging.getLogger("desktop_app.test").info("loading model tiny.onnx")
    _raise_in_slot("the model exploded")
    dialog = handler.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    assert not dialog.isModal()
    assert dialog.message_label.text() == ("Something went wrong: ValueError: the model exploded. "
                                           "The app is still running; your results are kept.")
    details = dialog.details.toPlainText()
    assert "Traceback (most recent call last)" in details and "in slot" in details
    assert "PySide6: " in details and "onnxruntime: " in details
    assert "loading model tiny.onnx" in details  # the log lines before the crash
    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == details
    log_file = logs.current_log_file()
    assert log_file is not None and "ValueError: the model exploded" in log_file.read_text(encoding="utf-8")


@pytest.mark.qt_no_exception_capture
def test_a_second_exception_bumps_the_counter_instead_of_a_second_dialog(
        qtbot, handler: CrashHandler, window: _Window) -> None:  # type: ignore[no-untyped-def]
    _raise_in_slot("first")
    qtbot.waitUntil(handler.dialog.isVisible, timeout=5_000)
    assert handler.dialog.count == 1 and not handler.dialog.count_label.isVisible()
    _raise_in_slot("second")
    qtbot.waitUntil(lambda: handler.dialog.count == 2, timeout=5_000)
    assert "2 times" in handler.dialog.count_label.text() and "ValueError: second" in handler.dialog.count_label.text()
    assert "first" in handler.dialog.message_label.text()  # the first report stays on screen
    assert len(window.findChildren(type(handler.dialog))) == 1
    handler.dialog.close()
    _raise_in_slot("third")  # closed: the next one is a fresh report
    qtbot.waitUntil(handler.dialog.isVisible, timeout=5_000)
    assert handler.dialog.count == 1 and "third" in handler.dialog.message_label.text()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_python_thread_reaches_the_dialog_on_the_ui_thread(
        qtbot, handler: CrashHandler, window: _Window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    shown_on: list[threading.Thread] = []
    show_report = handler.dialog.show_report

    def spy(summary: str, details: str) -> None:
        shown_on.append(threading.current_thread())
        show_report(summary, details)

    monkeypatch.setattr(handler.dialog, "show_report", spy)

    def work() -> None:
        raise RuntimeError("decoder thread failed")

    worker = threading.Thread(target=work, name="decoder")
    worker.start()
    worker.join(timeout=10)
    qtbot.waitUntil(handler.dialog.isVisible, timeout=5_000)
    assert shown_on == [threading.main_thread()]
    assert "RuntimeError: decoder thread failed" in handler.dialog.message_label.text()
    assert "thread: decoder" in handler.dialog.details.toPlainText()
    # The window still works after the crash report.
    qtbot.keyClicks(window.field, "still alive")
    assert window.field.text() == "still alive"


@pytest.mark.qt_no_exception_capture
def test_the_main_window_keeps_working_after_a_crash_report(qtbot, main_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    crash = install_crash_handler(main_window, UserDirs.under(tmp_path / "crash"))
    try:
        _raise_in_slot("slot failed")
        qtbot.waitUntil(crash.dialog.isVisible, timeout=5_000)
        assert crash.dialog.parent() is main_window
        main_window.show_message("after the crash")
        assert "after the crash" in main_window.statusBar().currentMessage()
    finally:
        crash.uninstall()
        crash.dialog.close()


def test_open_log_folder_asks_the_desktop_to_open_the_log_folder(
        handler: CrashHandler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
    handler.dialog.open_log_folder()
    assert [url.toLocalFile() for url in opened] == [str(tmp_path / "logs")]


def test_keyboard_interrupt_goes_to_the_previous_hook(handler: CrashHandler) -> None:
    seen: list[type[BaseException]] = []
    handler._previous_sys = lambda exc_type, exc, tb: seen.append(exc_type)
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [KeyboardInterrupt]
    assert not handler.dialog.isVisible()


def test_uninstall_restores_the_previous_hooks(window: _Window, tmp_path: Path) -> None:
    before_sys, before_thread = sys.excepthook, threading.excepthook
    crash = install_crash_handler(window, UserDirs.under(tmp_path))
    assert sys.excepthook == crash._sys_hook and threading.excepthook == crash._thread_hook
    crash.uninstall()
    assert sys.excepthook is before_sys and threading.excepthook is before_thread
