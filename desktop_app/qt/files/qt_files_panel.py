"""Files panel (stub until the files work lands): drop files or folders, run them as a batch."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.services import AppServices


class QtFilesPanel(QWidget):
    """Batch of dropped files: table of results, progress, cancel, export."""

    result_selected = Signal(object, object)  # Result, decoded image (np.ndarray) or None
    result_ready = Signal(object)  # Result, for the status bar
    message = Signal(str)

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drop images, audio or CSV files (or a folder) anywhere on the window."))

    def run_paths(self, paths: list[Path]) -> None:
        self.message.emit(f"{len(paths)} item(s) queued")

    def open_files_dialog(self) -> None: ...

    def open_folder_dialog(self) -> None: ...

    def export_dialog(self) -> None: ...

    def copy_current(self) -> None: ...

    def shutdown(self) -> None: ...
