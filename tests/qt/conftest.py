"""Qt fixtures: the main window built with user folders in tmp_path, closed after the test, and a check
that no thread outlives it."""

from __future__ import annotations

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _entry_point_settings() -> None:
    """The process-wide settings app.main makes (OpenCV on the calling thread), so the panels run as in the app."""
    from desktop_app.core.tasks.image_prep import one_opencv_thread

    one_opencv_thread()


@pytest.fixture
def main_window(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices
    from desktop_app.qt.qt_main_window import QtMainWindow
    from desktop_app.qt.qt_workers import running_threads

    before = {t.ident for t in threading.enumerate()}
    services = AppServices.create(UserDirs.under(tmp_path / "home"))
    window = QtMainWindow(services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    leaked_qt = [t.objectName() for t in running_threads()]
    assert not leaked_qt, f"QThreads still running after the window closed: {leaked_qt}"
    # Python code run on a QThread leaves a permanent _DummyThread entry; those are QThreads, checked above.
    leaked = [t.name for t in threading.enumerate()
              if t.ident not in before and t.is_alive() and not isinstance(t, threading._DummyThread)]
    assert not leaked, f"threads still running after the window closed: {leaked}"

