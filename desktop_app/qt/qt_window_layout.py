"""How the main window sits on its screen: first-start sizes, the saved geometry and dock layout (window.ini in
the user's config folder), never larger than the screen's free area, the monitor dock's height following its
fold, and which input panel's size counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QSizePolicy

if TYPE_CHECKING:
    from desktop_app.qt.qt_main_window import QtMainWindow

MAX_FIRST_SIZE = (1600, 1000)  # a first start takes 94 % of the screen, up to this


class QtWindowLayout(QObject):
    """Owns the main window's size and dock layout rules; the window calls it, it never builds widgets."""

    def __init__(self, window: QtMainWindow) -> None:
        super().__init__(window)
        self._window = window

    def settings(self) -> QSettings:
        return QSettings(str(self._window.services.dirs.config / "window.ini"), QSettings.Format.IniFormat)

    def restore(self) -> None:
        """The saved docks, geometry and monitor fold, or a first-start layout; then fit the screen."""
        w, store = self._window, self.settings()
        geometry, state = store.value("geometry"), store.value("state")
        if isinstance(state, QByteArray):  # docks first: hiding one must not shrink the restored window
            w.restoreState(state)
        if isinstance(geometry, QByteArray):
            w.restoreGeometry(geometry)
        elif (screen := w.screen()) is not None:
            free = screen.availableGeometry()
            w.resize(min(MAX_FIRST_SIZE[0], int(free.width() * 0.94)),
                     min(MAX_FIRST_SIZE[1], int(free.height() * 0.94)))
            self.first_layout()
        self.fit_screen()
        if str(store.value("monitor_open", 0)) == "1":
            w.monitor_panel.view.set_folded(False)
        self.on_monitor_folded(w.monitor_panel.view.folded)

    def save(self) -> None:
        w, store = self._window, self.settings()
        store.setValue("geometry", w.saveGeometry())
        store.setValue("state", w.saveState())
        store.setValue("monitor_open", int(not w.monitor_panel.view.folded))
        store.sync()

    def first_layout(self) -> None:
        """First start: the Models dock gets about a quarter of the width (380 px on a laptop, where its table's
        columns fit; at most 460 px on a large screen), the result pane about a third of the rest, the input
        panels the remainder."""
        w = self._window
        dock = w.models_dock
        width = max(dock.minimumSizeHint().width(), min(460, max(380, int(w.width() * 0.27))))
        w.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        central = w.width() - width
        result = max(w.result_view.minimumSizeHint().width(), min(420, int(central * 0.34)))
        w.splitter.setSizes([central - result, result])

    def fit_screen(self) -> None:
        """Never start larger than the screen's free area (a saved or default size from a bigger screen)."""
        w = self._window
        screen = w.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        width, height = min(w.width(), free.width()), min(w.height(), free.height())
        if (width, height) != (w.width(), w.height()):
            w.resize(width, height)

    def on_monitor_folded(self, folded: bool) -> None:
        """Folded: the monitor dock shrinks to its summary line; opened: it takes about 40 % of the height.
        Sized once the dock's layout has taken the new content in (before, its old minimum would clamp it)."""
        QTimer.singleShot(0, self, lambda: self._size_monitor_dock(folded))

    def _size_monitor_dock(self, folded: bool) -> None:
        w = self._window
        if folded != w.monitor_panel.view.folded:  # folded and opened again before this ran
            return
        height = w.monitor_panel.minimumSizeHint().height() + 24 if folded else max(260, int(w.height() * 0.4))
        w.resizeDocks([w.monitor_dock], [height], Qt.Orientation.Vertical)

    def on_input_tab(self, index: int) -> None:
        """The file result pane belongs to the Files tab: the camera and the microphone get its width. Only the
        shown panel's minimum height counts (a tab widget otherwise needs the tallest of all its panels: the
        microphone's plot and table would keep the opened monitor short on every tab). Widths stay the widest
        panel's, so switching tabs never widens the window and the Files table keeps room for its columns."""
        w = self._window
        shown = w.inputs.widget(index)
        w.result_view.setVisible(shown is w.files_panel)
        for page in (w.files_panel, w.camera_panel, w.microphone_panel):
            height = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(QSizePolicy.Policy.Preferred, height)
