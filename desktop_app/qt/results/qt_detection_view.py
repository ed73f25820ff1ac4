"""Detection results: the annotated picture, a live score-threshold slider, a count of what it lets
through, and toggles for boxes, landmarks and labels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QVBoxLayout, QWidget

from desktop_app.core.payloads import plural
from desktop_app.core.results import DetectionResult, Result
from desktop_app.qt.results.qt_detection_canvas import QtDetectionCanvas
from desktop_app.qt.results.qt_image import qimage_from_array
from desktop_app.qt.results.qt_payload_view import QtPayloadView

SLIDER_MIN, SLIDER_MAX = 5, 100  # hundredths: 0.05 .. 1.00
DEFAULT_THRESHOLD = 0.5


def count_text(shown: int, total: int, nouns: set[str], threshold: float) -> str:
    """'2 of 3 faces above 0.50' (detections of mixed labels are counted as 'detections')."""
    noun = next(iter(nouns)) if len(nouns) == 1 else "detection"
    if total == 0:
        return f"No {noun}s found"
    return f"{shown} of {plural(total, noun)} above {threshold:.2f}"


class QtDetectionView(QtPayloadView):
    """The detection page; the threshold is kept from one result to the next (it is a viewing filter)."""

    page = "detection"
    payload_type = DetectionResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = QtDetectionCanvas()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(SLIDER_MIN, SLIDER_MAX)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(5)
        self.slider.setTickInterval(5)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.slider.setAccessibleName("Minimum score")
        self.slider.setAccessibleDescription("Hides detections scoring below this value; arrow keys move by 0.01, "
                                             "Page Up and Page Down by 0.05")
        self.threshold_label = QLabel()
        self.threshold_label.setBuddy(self.slider)
        self.threshold_label.setMinimumWidth(self.threshold_label.fontMetrics().horizontalAdvance("Min sco&re 0.00 "))
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Detections shown")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens
        self.boxes_check = self._toggle("Bo&xes", "boxes")
        self.landmarks_check = self._toggle("Landmar&ks", "landmarks")
        self.labels_check = self._toggle("Labe&ls", "labels")

        slider_row = QHBoxLayout()
        slider_row.addWidget(self.threshold_label)
        slider_row.addWidget(self.slider, 1)
        toggles = QHBoxLayout()
        toggles.addWidget(self.count_label, 1)
        for check in (self.boxes_check, self.landmarks_check, self.labels_check):
            toggles.addWidget(check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 100)  # grows first, up to the picture's height
        layout.addLayout(slider_row)
        layout.addLayout(toggles)
        layout.addStretch(1)

        self.slider.valueChanged.connect(self._on_slider)
        self.slider.setValue(round(DEFAULT_THRESHOLD * 100))
        self._on_slider(self.slider.value())

    def _toggle(self, text: str, layer: str) -> QCheckBox:
        check = QCheckBox(text)
        check.setChecked(True)
        check.setAccessibleName(f"Show {layer}")
        check.toggled.connect(lambda on: self.canvas.set_layers(**{layer: on}))
        return check

    @property
    def threshold(self) -> float:
        return self.slider.value() / 100

    def set_threshold(self, value: float) -> None:
        """Move the slider (clamped to 0.05 .. 1.00); the picture and count follow at once."""
        self.slider.setValue(round(min(1.0, max(0.05, value)) * 100))

    def _on_slider(self, value: int) -> None:
        self.threshold_label.setText(f"Min sco&re {value / 100:.2f}")
        self.canvas.set_threshold(value / 100)
        self._update_count()

    def _update_count(self) -> None:
        total = self.canvas.detections()
        shown = self.canvas.visible_detections()
        nouns = {d.label for d in total} or {"face"}
        self.count_label.setText(count_text(len(shown), len(total), nouns, self.threshold))

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        payload = result.payload
        assert isinstance(payload, DetectionResult)
        self.canvas.set_detections(payload, qimage_from_array(image) if image is not None else None)
        self._update_count()
