"""Result view (stub until the result views land)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.results import Result


class QtResultView(QWidget):
    """Shows one Result: picture with top-k bars, detections, CSV rows, raw tensors, or the error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Results appear here.")
        QVBoxLayout(self).addWidget(self.label)

    def show_result(self, result: Result, image: Any = None) -> None:
        self.label.setText(result.error or str(result.payload))
