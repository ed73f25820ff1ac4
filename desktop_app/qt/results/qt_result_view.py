"""The result view: a header (input, model, provider, timings) over a stack with one page per kind of
result, chosen from the payload's type, and an inline page for errors."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.core.results import ClassificationResult, DetectionResult, RawResult, Result, VadResult
from desktop_app.qt.results.qt_classification_view import QtClassificationView, QtTabularView
from desktop_app.qt.results.qt_detection_view import QtDetectionView
from desktop_app.qt.results.qt_image import error_colour
from desktop_app.qt.results.qt_raw_view import QtRawView
from desktop_app.qt.results.qt_result_header import QtResultHeader
from desktop_app.qt.results.qt_vad_view import QtVadView

#: Page per payload type; a ClassificationResult from a CSV row goes to "tabular" instead.
PAGE_FOR_PAYLOAD: dict[type, str] = {ClassificationResult: "classification", DetectionResult: "detection",
                                     VadResult: "vad", RawResult: "raw"}


class ResultPage(Protocol):
    """A page of the stack that can show one kind of Result."""

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None: ...


def plain_error(text: str | None) -> str:
    """The error in plain words: a traceback that slipped through is cut down to its last line."""
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    if not lines:
        return "This input could not be processed (no reason was given)."
    if lines[0].startswith("Traceback"):
        return lines[-1]
    return " ".join(lines)


def page_name(result: Result) -> str:
    """Which page shows a Result: 'error', 'empty', or a payload page."""
    if not result.ok:
        return "error"
    if result.payload is None:
        return "empty"
    name = PAGE_FOR_PAYLOAD.get(type(result.payload), "empty")
    if name == "classification" and (result.task == "tabular" or result.row is not None):
        return "tabular"
    return name


def _message_label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class QtResultView(QWidget):
    """Shows one Result: picture with top-k bars, detections, speech timeline, CSV rows, raw tensors, or
    the error; `image` is the decoded picture (possibly a downscaled preview) as HxWx3 RGB uint8, or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Result")
        self.header = QtResultHeader()
        self.header.hide()
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Result details")
        self.empty_label = _message_label("No result")
        self.empty_label.setText("Results appear here: drop images, audio or CSV files on the window.")
        self.error_label = _message_label("Error")
        font = self.error_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.error_label.setFont(font)
        self.classification = QtClassificationView()
        self.tabular = QtTabularView()
        self.detection = QtDetectionView()
        self.vad = QtVadView()
        self.raw = QtRawView()
        self.views: dict[str, ResultPage] = {
            "classification": self.classification, "tabular": self.tabular, "detection": self.detection,
            "vad": self.vad, "raw": self.raw,
        }
        self.pages: dict[str, QWidget] = {
            "empty": self.empty_label, "error": self.error_label, "classification": self.classification,
            "tabular": self.tabular, "detection": self.detection, "vad": self.vad, "raw": self.raw,
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self._recolour()

    @property
    def current_page(self) -> str:
        widget = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is widget)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        """Show a Result (slot for the files panel's result_selected)."""
        self.header.set_result(result)
        self.header.show()
        name = page_name(result)
        if name == "error":
            self.error_label.setText(plain_error(result.error))
        elif name == "empty":
            self.empty_label.setText("The model ran but returned nothing to show.")
        else:
            self.views[name].show_result(result, image)
        self.stack.setCurrentWidget(self.pages[name])

    def _recolour(self) -> None:
        palette = QPalette(self.error_label.palette())
        palette.setColor(QPalette.ColorRole.WindowText, error_colour(self.palette()))
        self.error_label.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()
        super().changeEvent(event)
