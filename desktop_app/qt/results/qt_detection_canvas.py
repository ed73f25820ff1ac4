"""The picture with detection boxes, landmarks and labels drawn over it; image and coordinates scale
together, and the score threshold filters boxes without re-running the model."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop_app.core.results import Detection, DetectionResult
from desktop_app.qt.results.qt_image import QtImageCanvas

BOX_COLOUR = QColor(0, 220, 130)  # drawn over photos, not over the palette: vivid with a dark halo
HALO_COLOUR = QColor(0, 0, 0, 170)
LANDMARK_COLOUR = QColor(255, 210, 0)
LABEL_TEXT_COLOUR = QColor(0, 0, 0)


def detection_text(det: Detection) -> str:
    """'face 0.93 · happy 0.98' (the emotion part only when a second stage ran)."""
    text = f"{det.label} {det.score:.2f}"
    if det.emotion is not None:
        text += f" · {det.emotion.label} {det.emotion.score:.2f}"
    return text


class QtDetectionCanvas(QtImageCanvas):
    """Paints a DetectionResult over its picture (a preview may be smaller than the original: boxes are in
    original pixels and are mapped through the result's width and height)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Picture with detections")
        self._result: DetectionResult | None = None
        self.threshold = 0.5
        self.show_boxes = True
        self.show_landmarks = True
        self.show_labels = True

    def set_detections(self, result: DetectionResult, image: QImage | None) -> None:
        self._result = result
        logical = QSizeF(result.width, result.height)
        if image is not None and (result.width <= 0 or result.height <= 0):
            logical = QSizeF(image.size())
        self.set_image(image, logical)
        self._describe()

    def set_threshold(self, value: float) -> None:
        self.threshold = float(value)
        self._describe()
        self.update()

    def set_layers(self, *, boxes: bool | None = None, landmarks: bool | None = None,
                   labels: bool | None = None) -> None:
        """Switch the overlay's layers on or off (None leaves one as it is)."""
        if boxes is not None:
            self.show_boxes = boxes
        if landmarks is not None:
            self.show_landmarks = landmarks
        if labels is not None:
            self.show_labels = labels
        self.update()

    def detections(self) -> tuple[Detection, ...]:
        return self._result.detections if self._result else ()

    def visible_detections(self) -> list[Detection]:
        """Detections at or above the threshold, in the result's order."""
        return [d for d in self.detections() if d.score >= self.threshold - 1e-9]

    def box_rect(self, det: Detection) -> QRectF:
        """A detection's box in widget coordinates."""
        return self.map_rect(*det.box)

    def _describe(self) -> None:
        shown = self.visible_detections()
        self.setAccessibleDescription("; ".join(detection_text(d) for d in shown) or "no detections shown")

    def paint_overlay(self, painter: QPainter) -> None:
        shown = self.visible_detections()
        if not shown:
            return
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        for det in shown:
            rect = self.box_rect(det)
            if self.show_boxes:
                self._paint_box(painter, rect)
            if self.show_landmarks and det.landmarks:
                self._paint_landmarks(painter, det, rect)
        if self.show_labels:  # labels last so no box crosses them
            for det in shown:
                self._paint_label(painter, self.box_rect(det), detection_text(det))

    def _paint_box(self, painter: QPainter, rect: QRectF) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(HALO_COLOUR, 4))
        painter.drawRect(rect)
        painter.setPen(QPen(BOX_COLOUR, 2))
        painter.drawRect(rect)

    def _paint_landmarks(self, painter: QPainter, det: Detection, rect: QRectF) -> None:
        radius = max(2.0, min(5.0, rect.width() / 40))
        painter.setPen(QPen(HALO_COLOUR, 1.5))
        painter.setBrush(LANDMARK_COLOUR)
        for x, y in det.landmarks:
            painter.drawEllipse(self.map_point(x, y), radius, radius)

    def _paint_label(self, painter: QPainter, box: QRectF, text: str) -> None:
        metrics = painter.fontMetrics()
        width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
        bounds = QRectF(self.rect())
        top = box.top() - height if box.top() - height >= bounds.top() else box.top()
        left = min(max(box.left(), bounds.left()), max(bounds.left(), bounds.right() - width))
        tag = QRectF(QPointF(left, top), QSizeF(width, height))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BOX_COLOUR)
        painter.drawRoundedRect(tag, 3, 3)
        painter.setPen(LABEL_TEXT_COLOUR)
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
