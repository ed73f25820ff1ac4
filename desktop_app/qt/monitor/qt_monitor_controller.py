"""The monitor panel's controller: counts results, refreshes at a bounded rate, exports reports.

`add_result` is O(1) (event conversion, `engine.add`, a dirty flag). A QTimer ticks at `REFRESH_HZ`
while the panel is visible; a tick with something new starts one `SnapshotWorker` (never two), and
the frozen snapshot comes back to the UI thread through `snapshot_ready`.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core.fileio import atomic_write_many
from desktop_app.core.monitor.engine import SESSION, MonitorEngine, MonitorSnapshot, Window
from desktop_app.core.monitor.events import GroupValue, SourceKind, event_from_result
from desktop_app.core.monitor.export import CSV_COLUMNS, report_rows
from desktop_app.core.monitor.groups import session_tag
from desktop_app.core.results import Result
from desktop_app.qt.monitor.qt_monitor_worker import SnapshotWorker
from desktop_app.qt.qt_workers import WorkerController, failure_handler

REFRESH_HZ = 4
SLIDING_REFRESH_S = 1.0  # a last-T-seconds window changes with time alone: recount at least this often
MAX_LABELS = 2000


class QtMonitorController(QObject):
    """Feeds the engine, schedules snapshots in a worker and writes reports; owns no widget."""

    snapshot_ready = Signal(object)  # MonitorSnapshot, in the UI thread
    message = Signal(str)

    def __init__(self, engine: MonitorEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.window: Window = SESSION
        self.tag: GroupValue | None = None
        self.labels: set[str] = set()
        self.dirty = True
        self.follow_newest = True  # count the model of the newest prediction (until the user picks one)
        self._changes: dict[str, Any] = {}
        self._started_at = 0.0
        self._workers = WorkerController("monitor-snapshot", self)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // REFRESH_HZ)
        self._timer.timeout.connect(self.tick)

    # -- input -------------------------------------------------------------------------------

    def add_result(self, result: Result, groups: tuple[GroupValue, ...] = (), kind: SourceKind = "file") -> bool:
        """Count one finished result (UI thread, O(1)); False when it has no class scores or was deduplicated."""
        if self.tag is not None and all(g.attribute != self.tag.attribute for g in groups):
            groups = (*groups, self.tag)
        event = event_from_result(result, groups, kind)
        if event is None or not self.engine.add(event):
            return False
        if len(self.labels) < MAX_LABELS:
            self.labels.update(name for name, _ in event.top)
        if self.follow_newest and self._changes.get("model", self.engine.config.model) != event.model_id:
            self._changes["model"] = event.model_id  # one model at a time: the newest, recounted from the log
        self.dirty = True
        return True

    def choose_model(self, model_id: str | None) -> None:
        """Count only `model_id`'s predictions; None: follow the model of the newest prediction."""
        self.follow_newest = model_id is None
        self.configure(model=model_id if model_id is not None else self.engine.newest_model())

    def set_session_tag(self, attribute: str | None, value: str = "") -> None:
        """Tag every following result with a session-tag group (None clears it)."""
        self.tag = session_tag(attribute, value) if attribute else None

    # -- refresh -----------------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """Visible: tick and refresh; hidden: stop the timer and a snapshot in flight (not waited for)."""
        if active:
            self.dirty = True
            self._timer.start()
            self.tick()
        else:
            self._timer.stop()
            self._workers.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def busy(self) -> bool:
        return self._workers.busy

    def set_window(self, window: Window) -> None:
        self.window = window
        self.dirty = True

    def configure(self, **changes: Any) -> None:
        """Ask for a recount with new engine settings (positive class, threshold, min n) at the next tick."""
        self._changes.update(changes)
        self.dirty = True

    @Slot()
    def tick(self) -> None:
        if self._workers.busy:
            return
        sliding = self.window.kind == "last_s" and time.monotonic() - self._started_at >= SLIDING_REFRESH_S
        if not (self.dirty or self._changes or sliding):
            return
        changes, self._changes, self.dirty = self._changes, {}, False
        self._started_at = time.monotonic()
        worker = SnapshotWorker(self.engine, self.window, changes)
        worker.ready.connect(self._on_ready)
        self._workers.start(worker, on_failed=failure_handler("Monitor: could not update", self.message.emit))

    @Slot(object)
    def _on_ready(self, snapshot: MonitorSnapshot) -> None:
        if self.sender() is not self._workers.worker:
            return  # counted before a reset or before the panel was hidden
        if snapshot.window != self.window:
            self.dirty = True  # the window changed while this one was counted
            return
        self.snapshot_ready.emit(snapshot)

    def reset(self) -> None:
        """Forget every event (the tag and settings stay)."""
        self._workers.stop()
        self.engine.reset()
        self.labels.clear()
        self.dirty = True

    def shutdown(self) -> None:
        self._timer.stop()
        self._workers.stop()

    # -- export ------------------------------------------------------------------------------

    def export_report(self, path_json: Path, path_csv: Path) -> dict[str, Any]:
        """Write the current window's report as JSON and as flat CSV rows (atomically); returns the report.

        Computed fresh (one snapshot's cost, pending events included), so it equals `engine.report(window)`.
        Both files are written before either replaces its target: a full disk or a read-only folder raises
        WriteError and leaves neither half-written; the counted events stay, so the export can be retried.
        """
        report = self.engine.report(self.window)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(report_rows(report))  # the same numbers as the JSON, not a second count
        atomic_write_many({Path(path_json): (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
                           Path(path_csv): out.getvalue().encode("utf-8")})
        self.message.emit(f"Monitor report ({report['window']['n']} predictions) saved to {path_json} and {path_csv}")
        return report
