"""Multi-head classification: the picture, then every head's best class and its top-k bars."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.payloads.classification import MultiHeadResult
from desktop_app.core.results import Result
from desktop_app.qt.results.qt_image import QtImageCanvas, qimage_from_array
from desktop_app.qt.results.qt_payload_view import QtPayloadView
from desktop_app.qt.results.qt_score_bars import QtScoreBars, percent


class QtMultiHeadView(QtPayloadView):
    """One headline and one set of bars per head, rebuilt for each result (heads differ between models)."""

    page = "multihead"
    payload_type = MultiHeadResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = QtImageCanvas()
        self.canvas.setAccessibleName("Classified picture")
        self.heads_box = QWidget()
        self.heads_layout = QVBoxLayout(self.heads_box)
        self.heads_layout.setContentsMargins(0, 0, 0, 0)
        self.head_widgets: list[tuple[QLabel, QtScoreBars]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 100)
        layout.addWidget(self.heads_box)
        layout.addStretch(1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        payload = result.payload
        assert isinstance(payload, MultiHeadResult)
        self.canvas.set_image(qimage_from_array(image) if image is not None else None)
        self.canvas.setVisible(image is not None)
        for label, bars in self.head_widgets:
            label.deleteLater()
            bars.deleteLater()
        self.head_widgets = []
        for name, head in payload.heads:
            label = QLabel(f"{name}: {head.best.label} — {percent(head.best.score)}" if head.top else f"{name}: —")
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setAccessibleName(f"Head {name}")
            bars = QtScoreBars()
            bars.set_scores(head.top)
            bars.setAccessibleName(f"{name} classes")
            self.heads_layout.addWidget(label)
            self.heads_layout.addWidget(bars)
            self.head_widgets.append((label, bars))
