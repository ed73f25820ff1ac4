"""The live video view: the newest frame scaled to fit, with the visible face tracks drawn in Qt (the
same boxes, landmarks and labels as the still-image view), or any other model's boxes, masks, skeletons
and top classes drawn by core/render onto the scaled frame; optionally mirrored like a selfie camera."""

from __future__ import annotations

import time

import cv2
import numpy as np
from PySide6.QtCore import QRectF, QSize, QSizeF, Signal
from PySide6.QtGui import QImage, QPaintEvent
from PySide6.QtWidgets import QWidget

from desktop_app.core.render import RenderOptions, render
from desktop_app.core.results import Detection, DetectionResult
from desktop_app.core.sources.live import LiveFrame, Track
from desktop_app.core.sources.overlay import live_sketch
from desktop_app.qt.camera.qt_live_recording import shown
from desktop_app.qt.results.qt_detection_canvas import QtDetectionCanvas
from desktop_app.qt.results.qt_image import fit_rect, qimage_from_array


def track_detection(track: Track, width: int, mirror: bool) -> Detection:
    """A smoothed track as a Detection to paint (x flipped around the frame's width when mirrored)."""
    x1, y1, x2, y2 = track.box
    landmarks = track.landmarks

    def fx(x: float) -> float:
        return width - x if mirror else x

    if mirror:
        x1, x2 = fx(x2), fx(x1)
        landmarks = tuple((fx(x), y) for x, y in landmarks)
    return Detection((x1, y1, x2, y2), track.score, "face", landmarks, track.emotion)


def fit_frame(frame: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """The frame scaled to `size` (width, height), or itself when no size is given or it already fits."""
    height, width = frame.shape[:2]
    if size is None or size == (width, height) or size[0] <= 0 or size[1] <= 0:
        return frame
    # area averaging only where bilinear would alias (to half the size or less); just under 1:1 it
    # is OpenCV's slow generic path (3.5 ms for 640x480 -> 600x450 against 0.6 ms bilinear)
    halved = 2 * size[0] <= width
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA if halved else cv2.INTER_LINEAR)


def qimage_rgb32(frame: np.ndarray, mirror: bool = False, size: tuple[int, int] | None = None) -> tuple[QImage, np.ndarray]:
    """An HxWx3 RGB (or HxW grey) uint8 frame -> (QImage in Format_RGB32, the new array it wraps),
    scaled to `size` (width, height) first when given.

    The array is a fresh copy made by OpenCV (resize, flip and colour conversion); the caller must keep
    it as long as the QImage is used. Scaling here (SIMD bilinear, or area when halving or more) and then
    blitting 1:1 costs a fraction of letting the painter scale every frame."""
    if frame.dtype != np.uint8 or frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] != 3):
        return qimage_from_array(np.ascontiguousarray(frame[:, ::-1]) if mirror else frame), frame
    frame = fit_frame(frame, size)
    source = cv2.flip(frame, 1) if mirror else frame
    code = cv2.COLOR_GRAY2BGRA if frame.ndim == 2 else cv2.COLOR_RGB2BGRA
    pixels = cv2.cvtColor(source, code)
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_RGB32), pixels


class QtLiveCanvas(QtDetectionCanvas):
    """Paints LiveFrames; `displayed(LiveFrame, t)` fires when a frame is first painted (perf_counter s),
    so the panel can measure capture -> display latency."""

    displayed = Signal(object, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Live video")
        self.threshold = 0.0  # the tracks handed in are already the visible ones
        self._live: LiveFrame | None = None
        self._pending_display = False
        self._capped_for: tuple[int, float, float] | None = None
        self._pixels: np.ndarray | None = None  # owns the memory of the QImage on screen
        self.draw_direct = True

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(640, 480)

    def _cap_height(self) -> None:
        """Recompute the height cap only when the width or the frame size changed (not on every frame:
        each change of a size constraint makes the window re-propagate its size hints)."""
        key = (self.width(), self._logical.width(), self._logical.height())
        if key != self._capped_for:
            self._capped_for = key
            super()._cap_height()

    @property
    def live_frame(self) -> LiveFrame | None:
        return self._live

    def set_live(self, live: LiveFrame, mirror: bool = False) -> None:
        """Show a processed frame. Its pixels are copied here, in the UI thread, into a 32-bit BGRX array
        (the raster engine's native layout, so painting needs no conversion), which the QImage wraps and
        this canvas keeps alive for as long as that QImage is shown."""
        frame = live.frame
        width, height = int(frame.shape[1]), int(frame.shape[0])
        self._live = live
        self._pending_display = True
        sketch = None if live.smoothed or frame.ndim != 3 else live_sketch(live)
        if sketch is None or sketch.is_empty():
            dets = tuple(track_detection(t, width, mirror) for t in shown(live).visible_tracks)
            image, self._pixels = qimage_rgb32(frame, mirror, self._device_size(width, height))
        else:  # drawn onto the frame scaled to the screen: masks and skeletons cost little at that size
            dets = ()
            options = RenderOptions(boxes=self.show_boxes, labels=self.show_labels, landmarks=self.show_landmarks,
                                    mirror=mirror)
            picture = render(np.ascontiguousarray(fit_frame(frame, self._device_size(width, height))), sketch, options)
            image, self._pixels = qimage_rgb32(picture)
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self.set_detections(DetectionResult(dets, width, height), image)

    def _device_size(self, width: int, height: int) -> tuple[int, int] | None:
        """The size, in device pixels, a width x height frame is painted at now (None before layout)."""
        rect = fit_rect(QSizeF(width, height), QRectF(self.contentsRect()))
        if rect.isEmpty():
            return None
        ratio = self.devicePixelRatioF()
        return max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio))

    def clear(self) -> None:
        """Drop the picture but keep the last frame's size: a restart then shows a placeholder of the same
        shape and the window is not laid out twice (emptied, then refilled by the first frame)."""
        self._live = None
        self._pending_display = False
        width, height = int(self._logical.width()), int(self._logical.height())
        self.set_detections(DetectionResult((), max(0, width), max(0, height)), None)
        self._pixels = None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self._pending_display and self._live is not None:
            self._pending_display = False
            self.displayed.emit(self._live, time.perf_counter())
