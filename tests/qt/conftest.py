"""Qt fixtures: the main window built with user folders in tmp_path, closed after the test, and a check
that no thread outlives it."""

from __future__ import annotations

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def main_window(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    from desktop_app.core.models.registry import ModelRegistry
    from desktop_app.core.paths import bundled_models_dir
    from desktop_app.qt.qt_main_window import QtMainWindow

    before = {t.ident for t in threading.enumerate()}
    registry = ModelRegistry(bundled_models_dir(), tmp_path / "models")
    window = QtMainWindow(registry.list(), registry.problems())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    leaked = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert not leaked, f"threads still running after the window closed: {leaked}"

