"""Run by tests/e2e/test_screen_fit.py in its own process on an X screen of a given size (Xvfb): the real
window as a person first opens it (two photos dropped), then each tab (Files, Camera running on a video,
Microphone) with the monitor folded and opened, and with the Models dock closed; a screenshot of each state
and, per state, every visible widget that reaches beyond the screen. Prints one JSON object."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bench.live_video import model_video
from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices
from desktop_app.qt.qt_main_window import QtMainWindow
from tests.e2e.camera_mode_screenshots import outside
from tests.e2e.gui_screenshots import SAMPLES, drop


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

    def shoot(name: str) -> None:
        app.processEvents()
        window.grab().save(str(out / f"fit-{tag}-{name}.png"))
        states[name] = {"outside": outside(window, screen), "window": [window.width(), window.height()],
                        "panel": [window.inputs.currentWidget().width(), window.inputs.currentWidget().height()]}

    def files() -> None:
        window.inputs.setCurrentWidget(window.files_panel)
        drop(window, [SAMPLES / "cat-chelsea.jpg", SAMPLES / "coffee-cup.jpg"])

    def camera() -> None:
        window.inputs.setCurrentWidget(window.camera_panel)
        window.camera_panel.set_mode("objects")
        window.camera_panel.set_source(str(video))
        window.camera_panel.start()

    def microphone() -> None:
        window.camera_panel.stop()
        window.inputs.setCurrentWidget(window.microphone_panel)

    def files_done() -> bool:
        snap = window.monitor_panel.snapshot
        return window.files_panel.view.table.model().rowCount() >= 2 and not window.files_panel.controller.busy \
            and snap is not None and snap.n >= 2

    def camera_shown() -> bool:
        latest = window.camera_panel.controller.latest
        return latest is not None and latest.stats.processed >= 10

    # (wait until this holds, then do that): each state is shot once what it shows has arrived.
    steps: list[tuple[Callable[[], bool], Callable[[], None]]] = [
        (window.isVisible, lambda: report.__setitem__("window_start", [window.width(), window.height()])),
        (lambda: True, files), (files_done, lambda: shoot("files")),
        (lambda: True, lambda: monitor.set_folded(False)), (monitor.tabs.isVisible, lambda: shoot("files-monitor-open")),
        (lambda: True, lambda: monitor.set_folded(True)),
        (lambda: True, camera), (camera_shown, lambda: shoot("camera")),
        (lambda: True, lambda: monitor.set_folded(False)), (monitor.tabs.isVisible, lambda: shoot("camera-monitor-open")),
        (lambda: True, lambda: monitor.set_folded(True)),
        (lambda: True, window.models_dock.hide), (lambda: not window.models_dock.isVisible(),
                                                  lambda: shoot("camera-models-closed")),
        (lambda: True, window.models_dock.show),
        (lambda: True, microphone), (window.microphone_panel.isVisible, lambda: shoot("microphone")),
        (lambda: True, lambda: report.__setitem__("window_end", [window.width(), window.height()])),
        (lambda: True, window.close), (lambda: True, app.quit)]

    def run(index: int) -> None:
        if index >= len(steps):
            return
        ready, step = steps[index]
        if not ready():
            QTimer.singleShot(100, lambda: run(index))
            return
        step()
        QTimer.singleShot(50, lambda: run(index + 1))  # let layouts settle before the next check

    run(0)
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
