"""The live confidence and fairness panel (the "Monitor" dock) over `desktop_app.core.monitor`."""

from desktop_app.qt.monitor.qt_monitor_panel import QtMonitorPanel

__all__ = ["QtMonitorPanel"]
