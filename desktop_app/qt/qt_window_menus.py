"""The main window's menus: every action with its keyboard shortcut, and the Help menu's list of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QMessageBox, QWidget

from desktop_app.core.runtime import providers as prov
from desktop_app.core.settings import THEMES

if TYPE_CHECKING:
    from desktop_app.qt.qt_main_window import QtMainWindow

Keys = QKeySequence | QKeySequence.StandardKey | str | None
PROVIDER_LABELS = {"auto": "&Auto", "directml": "&DirectML", "cuda": "C&UDA", "cpu": "&CPU",
                   "strict-gpu": "&Strict GPU"}
PANEL_HINT = ("In the panels: Alt + the underlined letter of a label or button; Tab and Shift+Tab move between "
              "controls (the focused one has a ring in the highlight colour); Space presses the focused button; "
              "Esc cancels a running batch.")


def _action(window: QWidget, menu: QMenu, text: str, slot: Callable[..., Any], keys: Keys = None,
            tip: str = "") -> QAction:
    action = QAction(text, window)
    if keys is not None:
        action.setShortcut(QKeySequence(keys))
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def _choices(window: QWidget, menu: QMenu, items: list[tuple[str, str]], current: str,
             choose: Callable[[str], None]) -> QActionGroup:
    """Checkable, exclusive actions (value, text); the current value is checked."""
    group = QActionGroup(window)
    for value, text in items:
        action = QAction(text, window, checkable=True)
        action.setChecked(value == current)
        action.triggered.connect(lambda _=False, v=value: choose(v))
        group.addAction(action)
        menu.addAction(action)
    return group


def build_menus(w: QtMainWindow) -> tuple[QActionGroup, QActionGroup]:
    """File, Model, View, Settings and Help; returns the provider and theme action groups."""
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    _action(w, file_menu, "&Open files…", w.files_panel.open_files_dialog, QKeySequence.StandardKey.Open)
    _action(w, file_menu, "Open &folder…", w.files_panel.open_folder_dialog, "Ctrl+Shift+O")
    file_menu.addSeparator()
    _action(w, file_menu, "&Export results…", w.files_panel.export_dialog, "Ctrl+E")
    _action(w, file_menu, "&Copy result", w.files_panel.copy_current, "Ctrl+Shift+C")
    file_menu.addSeparator()
    _action(w, file_menu, "&Quit", w.close, "Ctrl+Q")

    model_menu = bar.addMenu("&Model")
    _action(w, model_menu, "&Choose model…", w.model_manager.choose_model_dialog, "Ctrl+M")
    _action(w, model_menu, "&Import model…", w.model_manager.import_dialog, "Ctrl+I")
    providers = _choices(w, model_menu.addMenu("&Provider"), [(c, PROVIDER_LABELS[c]) for c in prov.CHOICES],
                         w.services.settings.provider, w.set_provider)

    view_menu = bar.addMenu("&View")
    for number, (text, panel) in enumerate((("&Files tab", w.files_panel), ("&Camera tab", w.camera_panel),
                                             ("&Microphone tab", w.microphone_panel)), start=1):
        _action(w, view_menu, text, lambda _=False, p=panel: w.show_panel(p), f"Ctrl+{number}")
    _action(w, view_menu, "Monitor &details", w.toggle_monitor_details, "Ctrl+D",
            "Open or fold the monitor's numbers and charts")
    view_menu.addSeparator()
    for dock, text, keys in ((w.models_dock, "Models &dock", "Ctrl+Shift+M"),
                             (w.monitor_dock, "M&onitor dock", "Ctrl+Shift+D")):
        toggle = dock.toggleViewAction()  # shows or closes the dock; checked while it is shown
        toggle.setText(text)
        toggle.setShortcut(QKeySequence(keys))
        view_menu.addAction(toggle)
    themes = _choices(w, view_menu.addMenu("&Theme"), [(t, t.capitalize()) for t in THEMES],
                      w.services.settings.theme, w.set_theme)

    settings_menu = bar.addMenu("&Settings")
    _action(w, settings_menu, "Open &settings folder", w.open_settings_folder, "Ctrl+,")

    help_menu = bar.addMenu("&Help")
    _action(w, help_menu, "&Keyboard shortcuts", lambda: show_shortcuts(w, bar), QKeySequence.StandardKey.HelpContents)
    _action(w, help_menu, "&Diagnostics: copy system info", w.copy_diagnostics)
    _action(w, help_menu, "Run &self-test", w.run_self_test)
    help_menu.addSeparator()
    _action(w, help_menu, "&About", w.about)
    return providers, themes


def shortcuts_text(bar: QMenuBar) -> str:
    """Every menu action with its shortcut, menu by menu, and how to reach the panels' controls."""
    lines = []
    for top in bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        lines.append(top.text().replace("&", ""))
        stack = [(a, "  ") for a in reversed(menu.actions())]
        while stack:
            action, indent = stack.pop()
            if action.isSeparator():
                continue
            sub = action.menu()
            if isinstance(sub, QMenu):
                lines.append(f"{indent}{action.text().replace('&', '')}:")
                stack += [(a, indent + "  ") for a in reversed(sub.actions())]
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            lines.append(f"{indent}{action.text().replace('&', '').rstrip('…')}" + (f"\t{keys}" if keys else ""))
    return "\n".join([*lines, "", PANEL_HINT])


def show_shortcuts(parent: QWidget, bar: QMenuBar) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("Keyboard shortcuts")
    box.setText("Keyboard shortcuts")
    box.setInformativeText(shortcuts_text(bar).replace("\t", "    "))
    box.setAccessibleName("Keyboard shortcuts")
    box.exec()
