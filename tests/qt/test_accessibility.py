"""Keyboard and screen-reader basics: walking the focus chain (Tab) of the main window with each input panel
shown and the monitor opened reaches every control, none that takes focus lacks an accessible name, and every
one of them shows a visible focus ring when it has focus; the Help menu lists the keyboard shortcuts of every
menu action.

The naming rule: a control is named by its accessible name; a button (push, tool, check, radio) with text is
named by that text; the parts Qt exposes as one object with their owner (a tab widget's tab bar, the line edit
inside a spin box or combo box, a scroll area's viewport) are named by the owner. Combo boxes, spin boxes,
sliders, line edits, tables, lists, tab widgets and scroll areas need setAccessibleName: a label beside them
is not enough (the label's buddy gives the Alt shortcut, not the name every screen reader announces)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QTabBar,
    QTabWidget,
    QWidget,
)

from desktop_app.qt.qt_focus_ring import QtFocusRing
from tests.conftest import SAMPLES


def accessible_name(widget: QWidget) -> str:
    """What a screen reader announces: the accessible name, a button's own text, or, for the inner parts
    Qt exposes as one object with their owner (a tab widget's bar, a spin box's or combo box's line edit, a
    scroll area's viewport), the owner's name."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text().replace("&", "")
    owner = widget.parentWidget()
    if isinstance(widget, QTabBar) and isinstance(owner, QTabWidget):
        return owner.accessibleName()
    if isinstance(owner, QAbstractSpinBox | QComboBox):
        return owner.accessibleName()
    if isinstance(owner, QAbstractScrollArea) and widget is owner.viewport():
        return owner.accessibleName()
    return ""


def focus_chain(window: QWidget) -> list[QWidget]:
    """Every visible, enabled widget that Tab stops at, in focus-chain order."""
    chain: list[QWidget] = []
    seen: set[int] = set()
    widget = window.nextInFocusChain()
    while widget is not None and widget is not window and id(widget) not in seen:
        seen.add(id(widget))
        takes_tab = (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus
        if widget.isVisible() and widget.isEnabled() and takes_tab:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def test_every_focusable_control_has_an_accessible_name(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    main_window.monitor_panel.view.set_folded(False)
    for index in range(main_window.inputs.count()):
        main_window.inputs.setCurrentIndex(index)
        qtbot.waitUntil(lambda i=index: main_window.inputs.currentWidget().isVisible())
        chain = focus_chain(main_window)
        assert len(chain) > 20, main_window.inputs.tabText(index)
        unnamed = [f"{type(w).__name__} in {type(w.parentWidget()).__name__}" for w in chain if not accessible_name(w)]
        assert unnamed == [], (main_window.inputs.tabText(index), unnamed)
        panel = main_window.inputs.currentWidget()
        assert any(panel.isAncestorOf(w) for w in chain)  # the panel's own controls are on the Tab path


def test_tab_moves_focus_through_the_panel_controls(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    main_window.inputs.setCurrentWidget(main_window.camera_panel)
    source = main_window.camera_panel.view.source_combo
    source.setFocus()
    qtbot.waitUntil(source.hasFocus)
    visited = set()
    for _ in range(12):
        qtbot.keyClick(main_window.focusWidget(), Qt.Key.Key_Tab)
        visited.add(accessible_name(main_window.focusWidget()))
    assert {"Choose video file", "Resolution"} <= visited


def test_help_lists_the_keyboard_shortcuts(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    text = main_window.shortcuts_text()
    for expected in ("Open files", "Ctrl+O", "Files tab", "Ctrl+1", "Camera tab", "Monitor details", "Quit",
                     "Models dock\tCtrl+Shift+M", "Monitor dock\tCtrl+Shift+D"):
        assert expected in text, expected
    help_menu = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "&Help")
    assert any(a.text().replace("&", "").startswith("Keyboard shortcuts") for a in help_menu.actions())


def ring_pixels(ring: QWidget, colour: QColor) -> int:
    """Pixels of the ring's band (as its parent shows them) in the highlight colour."""
    parent = ring.parentWidget()
    assert parent is not None
    image = parent.grab(ring.geometry()).toImage()
    want = colour.rgb()
    return sum(image.pixel(x, y) == want for x in range(image.width()) for y in (0, 1, image.height() - 2,
                                                                                 image.height() - 1)
               if 0 <= y < image.height())


def ringed(ring: QtFocusRing, widget: QWidget) -> None:
    """The ring is on show around the widget (an assertion, so a timeout says which widget and where focus is)."""
    focused = QApplication.focusWidget()
    assert ring.widget() is widget and ring.isVisible(), (accessible_name(widget), type(widget).__name__,
                                                           type(focused).__name__ if focused else None)


def test_every_focusable_control_shows_a_focus_ring(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    main_window.monitor_panel.view.set_folded(False)
    ring = main_window.focus_ring
    focused = QApplication.focusWidget()
    if ring.isVisible():  # never a ring around nothing (a stray frame at the window's corner)
        assert focused is not None and ring.widget() is focused
    if focused is not None:
        focused.clearFocus()  # no control focused: no ring
    qtbot.waitUntil(lambda: not ring.isVisible())
    highlight = ring.palette().color(QPalette.ColorRole.Highlight)
    checked = 0
    for index in range(main_window.inputs.count()):
        main_window.inputs.setCurrentIndex(index)
        qtbot.waitUntil(lambda i=index: main_window.inputs.currentWidget().isVisible())
        for widget in focus_chain(main_window):
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            QApplication.processEvents()
            # where focus really went: an editable combo box's line edit focuses the box (its focus proxy), a
            # tab bar's scroll button hands it back to the tab bar
            widget = QApplication.focusWidget() or widget
            qtbot.waitUntil(lambda w=widget: ringed(ring, w))
            # the ring stands around the control, and enough of it is drawn in the highlight colour to be seen
            # (a control at its parent's edge shows the ring on its other sides)
            assert ring.geometry().contains(widget.geometry()), accessible_name(widget)
            assert ring_pixels(ring, highlight) >= ring.width() // 2, (accessible_name(widget), type(widget))
            checked += 1
    assert checked > 60


def test_the_docks_close_and_open_from_the_keyboard(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    assert main_window.models_dock.isVisible() and main_window.monitor_dock.isVisible()
    qtbot.keyClick(main_window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not main_window.models_dock.isVisible())
    qtbot.keyClick(main_window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not main_window.monitor_dock.isVisible())
    qtbot.keyClick(main_window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(main_window.models_dock.isVisible)


def unnamed_controls(window: QWidget) -> list[str]:
    return [f"{type(w).__name__} in {type(w.parentWidget()).__name__}" for w in focus_chain(window)
            if not accessible_name(w)]


@pytest.mark.parametrize("mode", ["faces", "people", "objects", "background"])
def test_each_camera_mode_names_its_own_controls(qtbot, main_window, mode: str) -> None:  # type: ignore[no-untyped-def]
    main_window.inputs.setCurrentWidget(main_window.camera_panel)
    main_window.camera_panel.set_mode(mode)
    qtbot.waitUntil(lambda: main_window.camera_panel.mode() == mode and main_window.camera_panel.isVisible())
    controls = main_window.camera_panel.view.mode_controls
    shown = [w for w in focus_chain(main_window) if controls.isAncestorOf(w)]
    print(mode, [accessible_name(w) for w in shown])
    assert mode not in ("objects", "background") or shown  # their own row (classes, effect) is on the Tab path
    assert unnamed_controls(main_window) == [], mode


def test_the_files_panel_with_results_names_its_controls(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    panel = main_window.files_panel
    with qtbot.waitSignal(panel.batch_finished, timeout=60_000):
        main_window.open_paths([SAMPLES / "cat-chelsea.jpg"])
    qtbot.waitUntil(panel.view.table.isVisible)
    chain = focus_chain(main_window)
    assert panel.view.table in chain and main_window.result_view.isVisible()
    assert unnamed_controls(main_window) == []


def check_dialog(qtbot, dialog: QWidget) -> int:  # type: ignore[no-untyped-def]
    """Every control on the dialog's Tab path is named and shows the dialog's own focus ring; how many."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    ring = dialog.focus_ring  # type: ignore[attr-defined]
    chain = focus_chain(dialog)
    assert [f"{type(w).__name__} in {type(w.parentWidget()).__name__}" for w in chain if not accessible_name(w)] == []
    for widget in chain:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        focused = QApplication.focusWidget() or widget
        qtbot.waitUntil(lambda w=focused: ringed(ring, w))
    return len(chain)


def test_the_model_dialogs_name_their_controls_and_show_focus(qtbot, main_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.builders import add_one

    manager = main_window.model_manager
    manager.catalog_button.click()
    catalog = manager.catalog_window
    assert catalog is not None and check_dialog(qtbot, catalog) >= 3
    catalog.close()
    with qtbot.waitSignal(manager.describe.opened, timeout=60_000) as blocker:
        manager.describe_paths([add_one(tmp_path / "plus-one.onnx")])
    describe = blocker.args[0]
    assert check_dialog(qtbot, describe) >= 5
    describe.reject()
