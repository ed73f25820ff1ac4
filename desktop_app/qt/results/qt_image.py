"""numpy -> QImage at the edge (always a copy), aspect-preserving fit, and a picture widget that scales
its image and any overlay coordinates together."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

UNLIMITED = 16_777_215  # QWIDGETSIZE_MAX
_FORMATS = {2: QImage.Format.Format_Grayscale8, 3: QImage.Format.Format_RGB888, 4: QImage.Format.Format_RGBA8888}


def qimage_from_array(array: np.ndarray) -> QImage:
    """An HxWx3 RGB (or HxWx4 RGBA, or HxW grey) uint8 array -> a QImage owning its own copy of the pixels,
    so the array can be freed as soon as this returns."""
    if array.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {array.dtype}")
    channels = 2 if array.ndim == 2 else (array.shape[2] if array.ndim == 3 else 0)
    if channels not in _FORMATS:
        raise ValueError(f"expected HxW, HxWx3 or HxWx4 pixels, got shape {array.shape}")
    pixels = np.ascontiguousarray(array)
    height, width = pixels.shape[:2]
    wrapped = QImage(pixels.data, width, height, pixels.strides[0], _FORMATS[channels])
    return wrapped.copy()  # detach from the numpy buffer


def fit_rect(content: QSizeF, bounds: QRectF) -> QRectF:
    """The largest rectangle with `content`'s aspect ratio centred inside `bounds`."""
    if content.width() <= 0 or content.height() <= 0 or bounds.width() <= 0 or bounds.height() <= 0:
        return QRectF()
    scale = min(bounds.width() / content.width(), bounds.height() / content.height())
    width, height = content.width() * scale, content.height() * scale
    return QRectF(bounds.x() + (bounds.width() - width) / 2, bounds.y() + (bounds.height() - height) / 2,
                  width, height)


def is_dark(palette: QPalette) -> bool:
    """Whether the palette's window background is dark (pick contrasting accent colours from it)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_colour(palette: QPalette) -> QColor:
    """A red readable on the palette's window colour."""
    return QColor(255, 120, 105) if is_dark(palette) else QColor(180, 30, 30)


def warning_colour(palette: QPalette) -> QColor:
    """An amber readable on the palette's window colour."""
    return QColor(240, 190, 80) if is_dark(palette) else QColor(150, 90, 0)


class QtImageCanvas(QWidget):
    """Paints a picture scaled to fit (aspect kept, centred); subclasses draw overlays in the picture's
    logical coordinates (e.g. original pixels) through `map_point` / `map_rect`. Its height is capped at
    what the picture needs at the current width, so wide pictures leave no empty bands above and below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._logical = QSizeF()
        self._cache: QPixmap | None = None
        # Live video: every frame is new, so a cached scaled copy is never reused; drawing the image
        # straight into the target rectangle (bilinear) costs a fraction of scale + pixmap conversion.
        self.draw_direct = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Picture")

    def set_image(self, image: QImage | None, logical_size: QSizeF | None = None) -> None:
        """Show `image` (or nothing); overlay coordinates refer to `logical_size` (default: the image's size)."""
        self._image = image if image is not None and not image.isNull() else None
        if logical_size is not None:
            self._logical = QSizeF(logical_size)
        elif self._image is not None:
            self._logical = QSizeF(self._image.size())
        else:
            self._logical = QSizeF()
        self._cache = None
        self._cap_height()
        self.update()

    def _cap_height(self) -> None:
        if self._logical.isEmpty():
            self.setMaximumHeight(UNLIMITED)
            return
        margins = self.contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        needed = math.ceil(width * self._logical.height() / self._logical.width()) + margins.top() + margins.bottom()
        self.setMaximumHeight(max(self.minimumSizeHint().height(), needed))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._cap_height()

    def has_image(self) -> bool:
        return self._image is not None

    def image_rect(self) -> QRectF:
        """Where the picture lands in widget coordinates."""
        return fit_rect(self._logical, QRectF(self.contentsRect()))

    def map_point(self, x: float, y: float) -> QPointF:
        """A logical (original-pixel) point -> widget coordinates."""
        rect = self.image_rect()
        if rect.isEmpty():
            return QPointF()
        return QPointF(rect.x() + x * rect.width() / self._logical.width(),
                       rect.y() + y * rect.height() / self._logical.height())

    def map_rect(self, x1: float, y1: float, x2: float, y2: float) -> QRectF:
        """A logical (original-pixel) box -> widget coordinates."""
        return QRectF(self.map_point(x1, y1), self.map_point(x2, y2)).normalized()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(480, 360)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(160, 120)

    def _scaled(self, rect: QRectF) -> QPixmap | None:
        if self._image is None or rect.isEmpty():
            return None
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio)))
        if self._cache is None or self._cache.size() != size:
            scaled = self._image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
            self._cache = QPixmap.fromImage(scaled)
            self._cache.setDevicePixelRatio(ratio)
        return self._cache

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.image_rect()
        pixmap = None if self.draw_direct else self._scaled(rect)
        if self.draw_direct and self._image is not None and not rect.isEmpty():
            ratio = self.devicePixelRatioF()
            device = QSize(round(rect.width() * ratio), round(rect.height() * ratio))
            if self._image.size() == device and self._image.devicePixelRatio() == ratio:
                painter.drawImage(rect.topLeft().toPoint(), self._image)  # scaled already: a blit on whole pixels
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(rect, self._image)
        elif pixmap is not None:
            painter.drawPixmap(rect.topLeft(), pixmap)
        elif not rect.isEmpty():  # coordinates without a picture: show the frame they refer to
            painter.fillRect(rect, self.palette().color(QPalette.ColorRole.Mid))
        else:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No picture")
        self.paint_overlay(painter)
        painter.end()

    def paint_overlay(self, painter: QPainter) -> None:
        """Draw on top of the picture (widget coordinates; use map_point / map_rect)."""
