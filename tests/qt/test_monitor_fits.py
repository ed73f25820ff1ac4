"""The monitor on a laptop screen (the window at the size it takes on a 1366x768 screen): folded, it is one
line; opened on the Adult sample, the per-group table and its chart show without scrolling sideways and the
chart lies whole in the visible part of the dock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from tests.qt.test_files_panel import drop_and_wait

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "adult-test-sample.csv"
LAPTOP = (1284, 721)  # what the window takes of a 1366x768 screen


def _visible_in(widget: QWidget, area: QScrollArea) -> bool:
    """Whether the widget lies whole inside the scroll area's visible part."""
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def test_opened_monitor_shows_the_group_table_and_its_whole_chart_on_a_laptop_screen(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    main_window.resize(*LAPTOP)
    monitor = main_window.monitor_panel
    view = monitor.view
    assert view.folded and main_window.monitor_dock.height() < 80  # one summary line until asked
    drop_and_wait(qtbot, main_window, [SAMPLE])
    view.set_folded(False)
    qtbot.waitUntil(lambda: main_window.monitor_dock.height() > 150)
    fairness = view.fairness
    qtbot.waitUntil(lambda: fairness.attribute.findData("race") >= 0)
    fairness.attribute.setCurrentIndex(fairness.attribute.findData("race"))
    rows = monitor.snapshot.attribute("race").rows  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(fairness.rate_chart.groups) == len(rows) >= 4)
    area = view.tabs.currentWidget()
    assert isinstance(area, QScrollArea)
    table = fairness.groups  # laid out once the table has the height of its rows
    qtbot.waitUntil(lambda: table.rowCount() == len(rows) and table.height() == table.minimumHeight()
                    and area.widget().height() >= area.widget().minimumSizeHint().height())
    assert _visible_in(fairness.rate_chart, area)  # every group's bar and interval in view
    assert not area.horizontalScrollBar().isVisible() and not fairness.groups.horizontalScrollBar().isVisible()
    header = fairness.groups.horizontalHeader()
    first_row = fairness.groups.visualRect(fairness.groups.model().index(0, 0))
    assert header.mapTo(area.viewport(), QPoint(0, 0)).y() >= 0
    assert fairness.groups.viewport().mapTo(area.viewport(), first_row.bottomLeft()).y() <= area.viewport().height()
