"""The background half of a refresh: optional recount with new settings, then one frozen snapshot."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal

from desktop_app.core.monitor.engine import MonitorEngine, Window
from desktop_app.qt.qt_workers import Worker


class SnapshotWorker(Worker):
    """Runs `engine.reconfigure(**changes)` (when any) and `engine.snapshot(window)` off the UI thread."""

    ready = Signal(object)  # MonitorSnapshot

    def __init__(self, engine: MonitorEngine, window: Window, changes: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.window = window
        self.changes = dict(changes or {})

    def work(self) -> None:
        if self.changes:
            self.engine.reconfigure(**self.changes)
        self.ready.emit(self.engine.snapshot(self.window))
