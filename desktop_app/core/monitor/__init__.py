"""Confidence and fairness monitoring (Qt-free): events, windows, group sources, intervals, reports.

Entry points: `MonitorEngine` (add events, take snapshots, export reports), `event_from_result`,
the group sources in `groups`, and the pure interval functions in `intervals`.
"""

from desktop_app.core.monitor.engine import SESSION, MonitorConfig, MonitorEngine, MonitorSnapshot, Window
from desktop_app.core.monitor.events import Deduper, Event, EventLog, GroupValue, event_from_result

__all__ = ["SESSION", "Deduper", "Event", "EventLog", "GroupValue", "MonitorConfig", "MonitorEngine",
           "MonitorSnapshot", "Window", "event_from_result"]
