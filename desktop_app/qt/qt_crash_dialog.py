"""Uncaught exceptions in the GUI: logged, then shown in one non-blocking dialog; the app keeps running.

`install_crash_handler` replaces `sys.excepthook` (the UI thread, and Python code run by QThreads) and
`threading.excepthook` (plain Python threads). The hook runs in the failing thread: it logs the exception
and builds the report there (`core.logs.crash_details`, Qt-free), then a queued signal carries two strings
to the UI thread, which shows the dialog. While the dialog is open, further exceptions only bump its
counter. KeyboardInterrupt and a thread's SystemExit go to the hooks that were there before.
"""

from __future__ import annotations

import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.logs import crash_details, one_line, scrub
from desktop_app.core.paths import UserDirs


def _message(summary: str) -> str:
    return f"Something went wrong: {summary.rstrip('.')}. The app is still running; your results are kept."


class QtCrashDialog(QDialog):
    """The crash report: a one-line message, a counter for repeats, the details (hidden until asked
    for), "Copy details", "Open log folder" and Close. Shown with `show()`, never `exec()`."""

    def __init__(self, log_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Desktop App: something went wrong")
        self.setModal(False)
        self.setMinimumWidth(560)
        self.log_folder = log_folder
        self.count = 0

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.count_label.hide()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setMinimumHeight(260)
        self.details.hide()

        self.details_button = QPushButton("Show details")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Put versions, the error and the last log lines on the clipboard "
                                    "(nothing is sent anywhere)")
        self.copy_button.clicked.connect(self.copy_details)
        self.open_logs_button = QPushButton("Open log folder")
        self.open_logs_button.clicked.connect(self.open_log_folder)
        self.close_button = QPushButton("Close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.close)

        buttons = QHBoxLayout()
        for button in (self.details_button, self.copy_button, self.open_logs_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        self.main_layout = layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.count_label)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)

    def show_report(self, summary: str, details: str) -> None:
        """Show a new report, or count a repeat when one is already on screen."""
        if self.isVisible():
            self.count += 1
            self.count_label.setText(f"This happened {self.count} times while this message was open "
                                     f"(latest: {summary}). Each one is in the log file.")
            self.count_label.show()
            self._fit()
            return
        self.count = 1
        self.message_label.setText(_message(summary))
        self.details.setPlainText(details)
        self.count_label.hide()
        self.copy_button.setText("Copy details")
        self._fit()
        self.show()
        self.raise_()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")

    def open_log_folder(self) -> None:
        self.log_folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_folder)))

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Show details")
        self._fit()

    def _fit(self) -> None:
        """Resize to the content now (wrapped labels and shown/hidden details change the height)."""
        self.main_layout.invalidate()
        self.main_layout.activate()
        self.adjustSize()


class CrashHandler(QObject):
    """Owns the hooks and the dialog; create it in the UI thread, keep a reference, `uninstall()` at the end."""

    reported = Signal(str, str)  # one-line summary, full details; emitted from any thread

    def __init__(self, parent_window: QWidget | None, dirs: UserDirs) -> None:
        super().__init__()
        self.dirs = dirs
        self.extra_versions = {"PySide6": pyside_version, "Qt": qVersion()}
        self.dialog = QtCrashDialog(dirs.logs, parent_window)
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous_sys = sys.excepthook
        self._previous_thread = threading.excepthook
        self.installed = False

    def install(self) -> None:
        self._previous_sys, self._previous_thread = sys.excepthook, threading.excepthook
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        self.installed = True

    def uninstall(self) -> None:
        """Put back the hooks that were there before `install` (unless someone replaced ours since)."""
        if not self.installed:
            return
        if sys.excepthook == self._sys_hook:
            sys.excepthook = self._previous_sys
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_thread
        self.installed = False

    def _sys_hook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_sys(exc_type, exc, tb)
            return
        self._report(exc_type, exc, tb, threading.current_thread().name)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit | KeyboardInterrupt):
            self._previous_thread(args)
            return
        name = args.thread.name if args.thread is not None else threading.current_thread().name
        self._report(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _report(self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None,
                thread: str) -> None:
        """Runs in the failing thread: log, build the report, hand it to the UI thread."""
        try:
            try:
                details = crash_details(exc_type, exc, tb, self.extra_versions, thread=thread)
            except Exception as failure:  # still show the error, with what can be had
                details = (f"(the full report could not be built: {type(failure).__name__})\n"
                           + scrub("".join(traceback.format_exception(exc_type, exc, tb))))
            self.reported.emit(one_line(exc_type, exc), details)
        finally:  # and on a console, when there is one (never the frozen GUI on Windows), as Python would
            if sys.stderr is not None:
                traceback.print_exception(exc_type, exc, tb, file=sys.stderr)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if shiboken6.isValid(self.dialog):  # gone with its parent window when that closed first
            self.dialog.show_report(summary, details)


def install_crash_handler(parent_window: QWidget | None, dirs: UserDirs) -> CrashHandler:
    """Create the handler in the UI thread and install its hooks; keep the returned object alive."""
    handler = CrashHandler(parent_window, dirs)
    handler.install()
    return handler
