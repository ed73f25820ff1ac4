"""Model manager (stub until the model manager lands)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QListWidget, QVBoxLayout, QWidget

from desktop_app.core.services import AppServices


class QtModelManager(QWidget):
    """Bundled and user models, import/remove, inspector, provider choice with health verdicts."""

    models_changed = Signal()
    provider_changed = Signal(str)
    model_chosen = Signal(str, str)  # kind ("image", "detect", "audio", "table"), model id
    message = Signal(str)

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.list = QListWidget()
        self.list.setAccessibleName("Models")
        for card in services.registry.list():
            self.list.addItem(f"{card.name} ({card.task})")
        QVBoxLayout(self).addWidget(self.list)

    def import_paths(self, paths: list[Path]) -> None:
        self.message.emit(f"importing {len(paths)} model(s)")

    def import_dialog(self) -> None: ...

    def choose_model_dialog(self) -> None: ...

    def shutdown(self) -> None: ...
