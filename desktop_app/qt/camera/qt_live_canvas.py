"""The live video view: the newest frame scaled to fit, with the visible face tracks drawn in Qt (the
same boxes, landmarks and labels as the still-image view), optionally mirrored like a selfie camera."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget

from desktop_app.core.results import Detection, DetectionResult
from desktop_app.core.sources.live import LiveFrame, Track
from desktop_app.qt.camera.qt_live_recording import shown
from desktop_app.qt.results.qt_detection_canvas import QtDetectionCanvas
from desktop_app.qt.results.qt_image import qimage_from_array


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
        """Show a processed frame (its pixels are copied into the QImage here, in the UI thread)."""
        frame = live.frame
        pixels = np.ascontiguousarray(frame[:, ::-1]) if mirror else frame
        width, height = int(frame.shape[1]), int(frame.shape[0])
        dets = tuple(track_detection(t, width, mirror) for t in shown(live).visible_tracks)
        self._live = live
        self._pending_display = True
        self.set_detections(DetectionResult(dets, width, height), qimage_from_array(pixels))

    def clear(self) -> None:
        self._live = None
        self._pending_display = False
        self.set_detections(DetectionResult((), 0, 0), None)
        self.set_image(None)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self._pending_display and self._live is not None:
            self._pending_display = False
            self.displayed.emit(self._live, time.perf_counter())
