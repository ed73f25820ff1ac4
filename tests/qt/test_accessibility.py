"""Keyboard and screen-reader basics: walking the focus chain (Tab) of the main window with each input panel
shown and the monitor opened reaches every control, and none that takes focus lacks an accessible name; the
Help menu lists the keyboard shortcuts of every menu action."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QTabBar,
    QTabWidget,
    QWidget,
)


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
    chain, seen, widget = [], set(), window
    while True:
        widget = widget.nextInFocusChain()
        if widget is window or id(widget) in seen:
            return chain
        seen.add(id(widget))
        takes_tab = (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus
        if widget.isVisible() and widget.isEnabled() and takes_tab:
            chain.append(widget)


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
    for expected in ("Open files", "Ctrl+O", "Files tab", "Ctrl+1", "Camera tab", "Monitor details", "Quit"):
        assert expected in text, expected
    help_menu = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "&Help")
    assert any(a.text().replace("&", "").startswith("Keyboard shortcuts") for a in help_menu.actions())
