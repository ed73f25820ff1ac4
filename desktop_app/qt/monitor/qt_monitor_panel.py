"""QtMonitorPanel: the live confidence and fairness panel (the "Monitor" dock).

The main window calls `add_result` for every finished result (UI thread, O(1)); the panel refreshes
at most `REFRESH_HZ` times a second while visible, counting in a worker and drawing the frozen
snapshot in the UI thread. `redraw_ms` keeps the cost of each drawing for the benchmark and tests.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from desktop_app.core.errors import AppError
from desktop_app.core.fileio import describe_write_error
from desktop_app.core.monitor.engine import MonitorEngine, MonitorSnapshot, Window
from desktop_app.core.monitor.events import GroupValue, SourceKind
from desktop_app.core.results import Result
from desktop_app.qt.monitor.qt_monitor_controller import REFRESH_HZ, QtMonitorController
from desktop_app.qt.monitor.qt_monitor_format import parse_session_tag
from desktop_app.qt.monitor.qt_monitor_view import QtMonitorView

__all__ = ["REFRESH_HZ", "QtMonitorPanel"]


class QtMonitorPanel(QWidget):
    """Confidence, calibration and per-group fairness of the predictions fed to `engine`, live."""

    message = Signal(str)
    flagged_selected = Signal(str)  # the source of a least-confident file item: 'path' or 'path#rowN'

    def __init__(self, engine: MonitorEngine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Monitor panel")
        self.controller = QtMonitorController(engine, self)
        self.view = QtMonitorView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.snapshot: MonitorSnapshot | None = None
        self.redraw_ms: deque[float] = deque(maxlen=10_000)
        self.redraws = 0
        c = self.controller
        c.snapshot_ready.connect(self._apply)
        c.message.connect(self.message)
        v = self.view
        v.window_changed.connect(c.set_window)
        v.session_tag_changed.connect(self.set_session_tag)
        v.reset_requested.connect(self.reset)
        v.export_requested.connect(self.export_dialog)
        v.confidence.threshold_changed.connect(lambda t: c.configure(low_confidence=t))
        v.confidence.flagged_activated.connect(self.flagged_selected)
        v.fairness.settings_changed.connect(lambda changes: c.configure(**changes))
        v.model_chosen.connect(c.choose_model)

    @property
    def engine(self) -> MonitorEngine:
        return self.controller.engine

    # -- public API --------------------------------------------------------------------------

    def add_result(self, result: Result, groups: tuple[GroupValue, ...] = (), kind: SourceKind = "file") -> None:
        """Count a finished result (UI thread; O(1): the engine's add and a dirty flag)."""
        self.controller.add_result(result, groups, kind)

    def set_session_tag(self, tag: str) -> None:
        """'B' (attribute 'session') or 'attribute=value' tags every following result; '' clears it."""
        parsed = parse_session_tag(tag)
        self.controller.set_session_tag(*(parsed or (None, "")))
        if self.view.tag.text() != tag:
            self.view.tag.setText(tag)
        self.message.emit(f"Monitor: this session is group {parsed[0]}={parsed[1]}" if parsed
                          else "Monitor: no session group")

    def set_positive_label(self, label: str | None) -> None:
        """The class whose rate is the selection rate (e.g. the model card's positive label)."""
        self.controller.configure(positive_label=label)

    def set_window(self, window: Window) -> None:
        self.controller.set_window(window)

    def reset(self) -> None:
        """Forget every counted prediction and clear the view."""
        self.controller.reset()
        self.snapshot = None
        self.controller.tick()
        self.message.emit("Monitor reset: no predictions counted")

    def export_report(self, path_json: Path | str, path_csv: Path | str) -> dict[str, Any]:
        """Write the current window's report (JSON + CSV, atomic writes); returns the report written."""
        return self.controller.export_report(Path(path_json), Path(path_csv))

    def export_dialog(self) -> None:
        """Ask where to save the JSON report (the CSV goes next to it) and write both."""
        path, _ = QFileDialog.getSaveFileName(self, "Export monitor report", "monitor-report.json",
                                              "JSON report (*.json)")
        if not path:
            return
        json_path = Path(path).with_suffix(".json")
        self.export_to(json_path, json_path.with_suffix(".csv"))

    def export_to(self, path_json: Path, path_csv: Path) -> str | None:
        """Export like `export_report`, but a failure (disk full, read-only folder) becomes one line in the
        status bar, returned too; the counted predictions stay for a retry elsewhere."""
        try:
            self.export_report(path_json, path_csv)
        except (AppError, OSError) as exc:
            detail = exc if isinstance(exc, AppError) else describe_write_error(path_json, exc)
            line = f"Monitor report not saved: {detail}"
            self.message.emit(line)
            return line
        return None

    def shutdown(self) -> None:
        """Stop refreshing and join the snapshot worker (the window calls this when it closes)."""
        self.controller.shutdown()

    # -- refresh -----------------------------------------------------------------------------

    @Slot(object)
    def _apply(self, snap: MonitorSnapshot) -> None:
        start = time.perf_counter()
        self.snapshot = snap
        self.view.fairness.set_labels(self.controller.labels, snap.config.positive_label)
        self.view.set_models(self.engine.seen_models())
        self.view.apply(snap)
        self.redraw_ms.append((time.perf_counter() - start) * 1e3)
        self.redraws += 1

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.controller.set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self.controller.set_active(False)
        super().hideEvent(event)
