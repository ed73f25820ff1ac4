"""The camera panel's file dialogs: a video file to play, where to save a snapshot or a recording.
The panel's `snapshot_to` / `record_to` do the work, so tests call those without any dialog."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from desktop_app.core.errors import AppError, WriteError

if TYPE_CHECKING:
    from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mjpg *.mjpeg);;All files (*)"


def _folder(panel: QtCameraPanel) -> Path:
    return Path(panel.services.settings.last_folder or Path.home())


def browse_video(panel: QtCameraPanel) -> None:
    """Ask for a video file and put it in the source field."""
    name, _ = QFileDialog.getOpenFileName(panel, "Play a video file", str(_folder(panel)), VIDEO_FILTER)
    if name:
        panel.set_source(name)


def save_snapshot_dialog(panel: QtCameraPanel) -> None:
    """Ask where to save the newest frame (with the overlay if the panel's checkbox says so)."""
    if panel.controller.latest is None:
        panel.message.emit("no frame to save yet: start the camera first")
        return
    default = _folder(panel) / time.strftime("snapshot-%Y%m%d-%H%M%S.png")
    name, _ = QFileDialog.getSaveFileName(panel, "Save snapshot", str(default), "PNG image (*.png)")
    if not name:
        return
    try:
        saved = panel.snapshot_to(Path(name), panel.view.snapshot_overlay_check.isChecked())
    except WriteError as exc:  # disk full, read-only folder: the frame is still there to save elsewhere
        panel.show_write_problem(f"snapshot not saved: {exc}")
        return
    except AppError as exc:
        panel.message.emit(str(exc))
        return
    panel.clear_write_problem()
    panel.message.emit(f"snapshot saved: {saved}")


def record_dialog(panel: QtCameraPanel) -> None:
    """Ask where to record the annotated stream, then start recording."""
    default = _folder(panel) / time.strftime("camera-%Y%m%d-%H%M%S.mp4")
    name, _ = QFileDialog.getSaveFileName(panel, "Record video", str(default), "Video (*.mp4 *.avi)")
    if not name:
        return
    try:
        panel.record_to(Path(name))
    except WriteError as exc:
        panel.show_write_problem(str(exc))
    except AppError as exc:
        panel.message.emit(str(exc))
