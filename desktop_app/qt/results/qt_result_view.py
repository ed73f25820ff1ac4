"""The result view: a header (input, model, provider, timings) over a stack with one page per kind of
result, chosen from the payload's type, and an inline page for errors.

Each page class names its `page` and the `payload_type` it shows; a new task adds its view to
PAYLOAD_VIEWS (or ROW_VIEWS for CSV rows) and nothing else here changes."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.core.results import Result
from desktop_app.qt.results.qt_classification_view import QtClassificationView, QtTabularView
from desktop_app.qt.results.qt_detection_view import QtDetectionView
from desktop_app.qt.results.qt_image import error_colour
from desktop_app.qt.results.qt_multihead_view import QtMultiHeadView
from desktop_app.qt.results.qt_payload_view import QtPayloadView
from desktop_app.qt.results.qt_pose_view import QtPoseView
from desktop_app.qt.results.qt_raw_view import QtRawView
from desktop_app.qt.results.qt_result_header import QtResultHeader
from desktop_app.qt.results.qt_segmentation_view import QtSegmentationView
from desktop_app.qt.results.qt_vad_view import QtVadView

#: One page per payload type (a file's result); ROW_VIEWS take precedence for CSV rows.
PAYLOAD_VIEWS: tuple[type[QtPayloadView], ...] = (QtClassificationView, QtDetectionView, QtSegmentationView,
                                                   QtPoseView, QtMultiHeadView, QtVadView, QtRawView)
ROW_VIEWS: tuple[type[QtPayloadView], ...] = (QtTabularView,)
PAGE_FOR_PAYLOAD: dict[type, str] = {view.payload_type: view.page for view in PAYLOAD_VIEWS}
PAGE_FOR_ROW_PAYLOAD: dict[type, str] = {view.payload_type: view.page for view in ROW_VIEWS}
V = TypeVar("V", bound=QtPayloadView)


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
    payload_type = type(result.payload)
    if result.task == "tabular" or result.row is not None:
        name = PAGE_FOR_ROW_PAYLOAD.get(payload_type)
        if name is not None:
            return name
    return PAGE_FOR_PAYLOAD.get(payload_type, "empty")


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
    """Shows one Result: picture with top-k bars (every head's), detections, masks, skeletons, speech
    timeline, CSV rows, raw tensors, or the error; `image` is the decoded picture (possibly a downscaled preview) as HxWx3 RGB uint8, or None."""

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
        self.views: dict[str, QtPayloadView] = {cls.page: cls() for cls in PAYLOAD_VIEWS + ROW_VIEWS}
        self.pages: dict[str, QWidget] = {"empty": self.empty_label, "error": self.error_label, **self.views}
        for page in self.pages.values():
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self._recolour()

    def page_view(self, view_class: type[V]) -> V:
        """The page of one view class, typed (for callers and tests that know which kind they show)."""
        view = next(v for v in self.views.values() if type(v) is view_class)
        assert isinstance(view, view_class)
        return view

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
