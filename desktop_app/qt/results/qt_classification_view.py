"""Classification results: the picture with the top-k bars (images), or the predicted class with its
bars and the true label (CSV rows)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.results import ClassificationResult, Result
from desktop_app.qt.results.qt_image import QtImageCanvas, qimage_from_array
from desktop_app.qt.results.qt_payload_view import QtPayloadView
from desktop_app.qt.results.qt_score_bars import QtScoreBars, percent


def truth_text(payload: ClassificationResult) -> str:
    """'True label: cat ✓' / 'True label: dog ✗ (predicted cat)'; empty when the input has no label."""
    if payload.true_label is None:
        return ""
    if not payload.top:
        return f"True label: {payload.true_label}"
    if payload.true_label == payload.best.label:
        return f"True label: {payload.true_label} ✓ correct"
    return f"True label: {payload.true_label} ✗ wrong (predicted {payload.best.label})"


def _headline(text_size: float = 1.25) -> QLabel:
    label = QLabel()
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(max(9.0, font.pointSizeF() * text_size))
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _plain(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class QtClassificationView(QtPayloadView):
    """Image classification: the picture (scaled to fit) above the best class and the top-k bars."""

    page = "classification"
    payload_type = ClassificationResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = QtImageCanvas()
        self.canvas.setAccessibleName("Classified picture")
        self.top_label = _headline()
        self.top_label.setAccessibleName("Best class")
        self.truth_label = _plain("True label")
        self.bars = QtScoreBars()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 100)  # grows first, up to the picture's height
        layout.addWidget(self.top_label)
        layout.addWidget(self.truth_label)
        layout.addWidget(self.bars)
        layout.addStretch(1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        payload = result.payload
        assert isinstance(payload, ClassificationResult)
        self.canvas.set_image(qimage_from_array(image) if image is not None else None)
        self.canvas.setVisible(image is not None)
        if payload.top:
            best = payload.best
            self.top_label.setText(f"{best.label} — {percent(best.score)}")
        else:
            self.top_label.setText("No classes")
        self.bars.set_scores(payload.top)
        self.bars.setAccessibleDescription(
            f"Top {len(payload.top)} of {payload.num_classes} classes: {self.bars.accessibleDescription()}")
        truth = truth_text(payload)
        self.truth_label.setText(truth)
        self.truth_label.setVisible(bool(truth))


class QtTabularView(QtPayloadView):
    """A CSV row's prediction: the predicted class, the true label (✓/✗) and every class's bar."""

    page = "tabular"
    payload_type = ClassificationResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.predicted_label = _headline(1.4)
        self.predicted_label.setAccessibleName("Predicted class")
        self.truth_label = _plain("True label")
        self.bars = QtScoreBars()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.predicted_label)
        layout.addWidget(self.truth_label)
        layout.addWidget(self.bars)
        layout.addStretch(1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        payload = result.payload
        assert isinstance(payload, ClassificationResult)
        if payload.top:
            self.predicted_label.setText(f"Predicted: {payload.best.label} ({percent(payload.best.score)})")
        else:
            self.predicted_label.setText("No prediction")
        self.bars.set_scores(payload.top)
        truth = truth_text(payload)
        self.truth_label.setText(truth or "No true label in this row")
