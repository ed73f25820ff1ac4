"""Run by tests/e2e/test_screen_fit.py in its own process on an X screen of a given size (Xvfb): the real
window as a person first opens it (two photos dropped), then each tab (Files, Camera running on a video,
Microphone) in three dock states: both docks shown with the monitor folded to its summary line, the monitor
opened, and both docks closed. Per state: a screenshot, every visible widget that reaches beyond the screen,
every horizontal scroll bar on show, the window's size, the panel's size and (camera) the live view's size.
Prints one JSON object."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QScrollBar

from bench.live_video import model_video
from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices
from desktop_app.qt.qt_main_window import QtMainWindow
from tests.e2e.camera_mode_screenshots import outside
from tests.e2e.gui_screenshots import SAMPLES, drop

TABS = ("files", "camera", "microphone")
DOCKS = ("docks", "monitor-open", "docks-hidden")  # the three dock states shot on every tab

Step = tuple[Callable[[], bool], Callable[[], object]]


def sideways_scroll_bars(window: QtMainWindow) -> list[str]:
    """Horizontal scroll bars on show, named by the scroll area that holds them."""
    found = []
    for bar in window.findChildren(QScrollBar):
        if bar.orientation() == Qt.Orientation.Horizontal and bar.isVisible():
            holder = bar.parentWidget()
            area = holder.parentWidget() if holder is not None else None
            found.append(f"{type(area).__name__} {area.accessibleName() if area is not None else ''!r}")
    return found


def main(out: Path, home: Path, tag: str) -> int:
    app = QApplication(sys.argv[:1])
    window = QtMainWindow(AppServices.create(UserDirs.under(home)))
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    screen = window.screen().availableGeometry()
    (home / "video").mkdir(parents=True, exist_ok=True)
    video, _ = model_video(home / "video", "nanodet", count=30)
    report: dict[str, object] = {"platform": app.platformName(), "screen": [screen.width(), screen.height()],
                                 "states": {}}
    states: dict[str, object] = report["states"]  # type: ignore[assignment]
    monitor = window.monitor_panel.view
    docks = (window.models_dock, window.monitor_dock)

    def shoot(name: str) -> None:
        app.processEvents()
        window.grab().save(str(out / f"fit-{tag}-{name}.png"))
        panel = window.inputs.currentWidget()
        canvas = window.camera_panel.view.canvas
        states[name] = {"outside": outside(window, screen), "sideways": sideways_scroll_bars(window),
                        "window": [window.width(), window.height()], "panel": [panel.width(), panel.height()],
                        "video": [canvas.width(), canvas.height()] if canvas.isVisible() else None,
                        "ring": window.focus_ring.isVisible() and window.focus_ring.widget() is None}

    def show_tab(name: str) -> None:
        window.inputs.setCurrentIndex(TABS.index(name))
        if name == "files":
            drop(window, [SAMPLES / "cat-chelsea.jpg", SAMPLES / "coffee-cup.jpg"])
        elif name == "camera":
            report["window_before_camera"] = [window.width(), window.height()]
            window.camera_panel.set_mode("objects")
            window.camera_panel.set_source(str(video))
            window.camera_panel.start()

    def files_done() -> bool:
        snap = window.monitor_panel.snapshot
        return window.files_panel.view.table.model().rowCount() >= 2 and not window.files_panel.controller.busy \
            and snap is not None and snap.n >= 2

    def camera_shown() -> bool:
        latest = window.camera_panel.controller.latest
        return latest is not None and latest.stats.processed >= 10

    def settled() -> bool:  # the folded monitor's dock has shrunk back to its summary line
        return window.monitor_dock.isHidden() or not monitor.folded or window.monitor_dock.height() < 120

    ready = {"files": files_done, "camera": camera_shown, "microphone": window.microphone_panel.isVisible}

    def set_docks(shown: bool) -> None:
        for dock in docks:
            dock.setVisible(shown)

    def tab_steps(tab: str) -> list[Step]:
        """Show the tab, then shoot it with the docks shown, the monitor opened and both docks closed."""
        return [(lambda: True, lambda: show_tab(tab)),
                (lambda: ready[tab]() and settled(), lambda: shoot(tab)),
                (lambda: True, lambda: monitor.set_folded(False)),
                (monitor.tabs.isVisible, lambda: shoot(f"{tab}-monitor-open")),
                (lambda: True, lambda: monitor.set_folded(True)),
                (lambda: True, lambda: set_docks(False)),
                (lambda: not any(d.isVisible() for d in docks), lambda: shoot(f"{tab}-docks-hidden")),
                (lambda: True, lambda: set_docks(True)),
                (lambda: all(d.isVisible() for d in docks) and settled(), lambda: None)]

    # (wait until this holds, then do that): each state is shot once what it shows has arrived.
    steps: list[Step] = [(window.isVisible, lambda: report.__setitem__("window_start", [window.width(),
                                                                                        window.height()]))]
    for tab in TABS:
        steps += tab_steps(tab)
    steps += [(lambda: True, window.camera_panel.stop),
              (lambda: True, lambda: report.__setitem__("window_end", [window.width(), window.height()])),
              (lambda: True, window.close), (lambda: True, app.quit)]

    def run(index: int) -> None:
        if index >= len(steps):
            return
        ready_now, step = steps[index]
        if not ready_now():
            QTimer.singleShot(100, lambda: run(index))
            return
        step()
        QTimer.singleShot(50, lambda: run(index + 1))  # let layouts settle before the next check

    run(0)
    QTimer.singleShot(150_000, app.quit)
    app.exec()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
