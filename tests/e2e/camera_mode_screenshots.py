"""Run by tests/e2e/test_camera_mode_screenshots.py in its own process on a real X display (Xvfb, 1366x768):
the real window, the Camera tab, each live mode on a video panned over a sample photo (People and Background
on the astronaut portrait, Objects on the coffee photo), a screenshot of each once its result is on screen.
Prints one JSON object: per mode what the last frame held, the window's size before and after, the screen."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from bench.live_video import model_video
from desktop_app.core.paths import UserDirs
from desktop_app.core.results import DetectionResult, PoseResult
from desktop_app.core.services import AppServices
from desktop_app.core.sources.live import LiveFrame
from desktop_app.qt.qt_main_window import QtMainWindow

#: mode -> (video's model, the frame is ready to be shown when...)
MODES: dict[str, tuple[str, Callable[[LiveFrame], bool]]] = {
    "people": ("movenet-lightning", lambda f: isinstance(f.result.payload, PoseResult) and bool(f.result.payload.people)),
    "objects": ("nanodet", lambda f: isinstance(f.result.payload, DetectionResult) and len(f.result.payload.detections) >= 2),
    "background": ("selfie-segmentation", lambda f: bool(f.effect)),
}


def outside(window: QWidget, screen: QRect) -> list[str]:
    """Visible widgets of the window whose shown part reaches beyond the screen (what a scroll area or a
    splitter clips away is not shown, so it does not count)."""
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        shown = widget.visibleRegion().boundingRect()
        if shown.isEmpty():
            continue
        rect = QRect(widget.mapToGlobal(shown.topLeft()), shown.size())
        if not screen.contains(rect):
            found.append(f"{type(widget).__name__} {widget.accessibleName()!r} {rect.getRect()}")
    return found


def describe(live: LiveFrame) -> dict[str, object]:
    payload = live.result.payload
    if isinstance(payload, PoseResult):
        return {"people": len(payload.people), "keypoints_shown": sum(payload.visible(p) for p in payload.people)}
    if isinstance(payload, DetectionResult):
        return {"labels": sorted({d.label for d in payload.detections})}
    return {"effect": live.effect}


def main(out: Path, home: Path) -> int:
    app = QApplication(sys.argv[:1])
    window = QtMainWindow(AppServices.create(UserDirs.under(home)))
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    videos = home / "videos"
    videos.mkdir(parents=True, exist_ok=True)
    panel = window.camera_panel
    screen = window.screen().availableGeometry()
    report: dict[str, object] = {"platform": app.platformName(), "screen": [screen.width(), screen.height()]}
    todo = list(MODES)
    latest: list[LiveFrame] = []
    panel.controller.frame.connect(lambda live: latest.__setitem__(slice(None), [live]))

    def start_next() -> None:
        if not todo:
            report["window_after"] = [window.width(), window.height()]
            window.close()
            app.quit()
            return
        mode = todo[0]
        video, _ = model_video(videos, MODES[mode][0], count=60)
        panel.set_mode(mode)
        latest.clear()
        panel.set_source(str(video))
        panel.start()
        poll(mode, 0, 0)

    def poll(mode: str, waited_ms: int, ready: int) -> None:
        live = latest[0] if latest else None
        ready = ready + 1 if live is not None and MODES[mode][1](live) else 0
        if ready >= 10 or waited_ms > 60_000:  # ten ready frames in a row: smoothing settled, overlay drawn
            app.processEvents()
            window.grab().save(str(out / f"camera-{mode}.png"))
            report[mode] = {**(describe(live) if live is not None else {}), "ready": ready >= 10,
                            "outside": outside(window, screen), "window": [window.width(), window.height()],
                            "video": [panel.view.canvas.width(), panel.view.canvas.height()],
                            "panel": [panel.width(), panel.height()]}
            panel.stop()
            todo.pop(0)
            QTimer.singleShot(300, start_next)
            return
        QTimer.singleShot(100, lambda: poll(mode, waited_ms + 100, ready))

    def begin() -> None:
        window.inputs.setCurrentWidget(panel)
        app.processEvents()
        report["window_before"] = [window.width(), window.height()]
        start_next()

    QTimer.singleShot(500, begin)
    QTimer.singleShot(240_000, app.quit)  # never hang the test run
    app.exec()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
