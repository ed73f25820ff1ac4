"""Run by tests/e2e/test_gui_screenshots.py in its own process on a real X display (Xvfb): opens the real
window, drops a photo on it, waits for the result, then a folder batch, and saves screenshots of the files
panel, the batch table and the model inspector. Prints one JSON object."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices
from desktop_app.qt.qt_main_window import QtMainWindow

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def drop(window: QtMainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(QPoint(300, 300)), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def main(out: Path, home: Path) -> int:
    app = QApplication(sys.argv[:1])
    window = QtMainWindow(AppServices.create(UserDirs.under(home)))
    window.resize(1500, 900)
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    folder = home / "photos"
    folder.mkdir(parents=True)
    for i in range(4):
        for name in ("cat-chelsea.jpg", "coffee-cup.jpg", "portrait-astronaut.jpg"):
            shutil.copy(SAMPLES / name, folder / f"{i}-{name}")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    report: dict[str, object] = {"platform": app.platformName()}
    steps = iter(["photo", "folder", "adult", "done"])
    panel = window.files_panel

    def on_finished(summary: object) -> None:
        step = next(steps)
        app.processEvents()
        if step == "photo":
            report["photo_row"] = panel.current_row().label if panel.current_row() else None  # type: ignore[union-attr]
            window.grab().save(str(out / "files-panel-photo.png"))
            drop(window, [folder])
        elif step == "folder":
            report["batch_rows"] = panel.view.table.model().rowCount()
            window.grab().save(str(out / "batch-table.png"))
            drop(window, [SAMPLES / "adult-test-sample.csv"])
        elif step == "adult":
            poll_monitor(0)

    def poll_monitor(waited_ms: int) -> None:
        snap = window.monitor_panel.snapshot
        try:
            rows = snap.attribute("sex").rows if snap is not None else None
        except KeyError:  # not counted yet
            rows = None
        if rows is not None or waited_ms > 30_000:
            report["adult_groups"] = sorted(r.value for r in rows or ())
            window.monitor_panel.view.fairness.attribute.setCurrentIndex(
                max(0, window.monitor_panel.view.fairness.attribute.findText("sex", Qt.MatchFlag.MatchStartsWith)))
            QTimer.singleShot(500, shoot_monitor)
            return
        QTimer.singleShot(250, lambda: poll_monitor(waited_ms + 250))

    def shoot_monitor() -> None:
        window.grab().save(str(out / "monitor-adult-window.png"))
        inspect()

    def inspect() -> None:
        window.model_manager.select_model("centerface")
        QTimer.singleShot(1500, inspector)

    def inspector() -> None:
        window.models_dock.grab().save(str(out / "model-inspector.png"))
        window.grab().save(str(out / "window-inspector.png"))
        camera_session()

    def camera_session() -> None:
        """The face video as the camera, with the monitor counting each face's expression."""
        from tests.core.sources.face_video import make_face_video

        (home / "video").mkdir(parents=True, exist_ok=True)
        video = make_face_video(home / "video")
        window.inputs.setCurrentWidget(window.camera_panel)
        window.monitor_panel.reset()
        window.camera_panel.set_source(str(video.path))
        window.camera_panel.start()
        poll_camera(0)

    def poll_camera(waited_ms: int) -> None:
        snap = window.monitor_panel.snapshot
        if (snap is not None and snap.n >= 3) or waited_ms > 60_000:
            report["camera_events"] = snap.n if snap is not None else 0
            window.grab().save(str(out / "camera-session-monitor.png"))
            window.close()
            app.quit()
            return
        QTimer.singleShot(250, lambda: poll_camera(waited_ms + 250))

    panel.batch_finished.connect(on_finished)
    QTimer.singleShot(500, lambda: drop(window, [SAMPLES / "cat-chelsea.jpg"]))
    QTimer.singleShot(180_000, app.quit)  # never hang the test run
    app.exec()
    report["files"] = sorted(p.name for p in out.glob("*.png"))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
