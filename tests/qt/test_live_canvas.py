"""The live canvas's fast picture path: RGB frames become Format_RGB32 images with the same colours
(mirrored when asked), owned by an array the canvas keeps, and paint scaled without a cached pixmap."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSizeF
from PySide6.QtGui import QColor, QImage

from desktop_app.qt.camera.qt_live_canvas import QtLiveCanvas, qimage_rgb32


def _frame() -> np.ndarray:
    frame = np.zeros((4, 6, 3), np.uint8)
    frame[0, 0] = (255, 0, 0)  # red, top left
    frame[3, 5] = (0, 0, 255)  # blue, bottom right
    frame[1, 2] = (10, 200, 30)
    return frame


def _halves() -> np.ndarray:
    """40x60: red left half, blue right half."""
    frame = np.zeros((40, 60, 3), np.uint8)
    frame[:, :30] = (250, 20, 20)
    frame[:, 30:] = (20, 20, 250)
    return frame


def _canvas(qtbot, width: int = 300, height: int = 200) -> QtLiveCanvas:  # type: ignore[no-untyped-def]
    canvas = QtLiveCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(width, height)
    return canvas


def test_rgb32_image_keeps_colours_and_positions() -> None:
    image, owner = qimage_rgb32(_frame())
    assert image.format() == QImage.Format.Format_RGB32 and (image.width(), image.height()) == (6, 4)
    assert owner.shape == (4, 6, 4) and not np.shares_memory(owner, _frame())
    assert image.pixelColor(0, 0) == QColor(255, 0, 0)
    assert image.pixelColor(5, 3) == QColor(0, 0, 255)
    assert image.pixelColor(2, 1) == QColor(10, 200, 30)


def test_mirrored_image_flips_left_and_right() -> None:
    image, _ = qimage_rgb32(_frame(), mirror=True)
    assert image.pixelColor(5, 0) == QColor(255, 0, 0)
    assert image.pixelColor(0, 3) == QColor(0, 0, 255)


def test_grey_frames_are_accepted() -> None:
    grey = np.full((3, 3), 77, np.uint8)
    image, _ = qimage_rgb32(grey)
    assert image.pixelColor(1, 1) == QColor(77, 77, 77)


def test_canvas_paints_the_frame_scaled(qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas = _canvas(qtbot)
    image, owner = qimage_rgb32(_halves())
    canvas._pixels = owner
    canvas.set_image(image)
    shot = canvas.grab().toImage()
    rect = canvas.image_rect()
    left = shot.pixelColor(int(rect.x() + rect.width() * 0.25), int(rect.center().y()))
    right = shot.pixelColor(int(rect.x() + rect.width() * 0.75), int(rect.center().y()))
    assert left.red() > 200 and left.blue() < 60
    assert right.blue() > 200 and right.red() < 60


def test_frames_are_scaled_to_the_painted_size_before_they_become_images() -> None:
    frame = _halves()
    image, owner = qimage_rgb32(frame, size=(150, 100))
    assert (image.width(), image.height()) == (150, 100) and owner.shape == (100, 150, 4)
    assert image.pixelColor(10, 50).red() > 200 and image.pixelColor(140, 50).red() < 60
    small, _ = qimage_rgb32(frame, mirror=True, size=(30, 20))
    assert (small.width(), small.height()) == (30, 20)
    assert small.pixelColor(2, 10).red() < 60 and small.pixelColor(28, 10).red() > 200


def test_clearing_keeps_the_frame_shape_so_a_restart_does_not_relayout(qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas = _canvas(qtbot, 400, 400)
    canvas.show()
    image, owner = qimage_rgb32(np.zeros((30, 40, 3), np.uint8))
    canvas._pixels = owner
    canvas.set_image(image)
    capped = canvas.maximumHeight()
    canvas.clear()
    assert not canvas.has_image() and canvas.live_frame is None
    assert canvas.maximumHeight() == capped and not canvas.image_rect().isEmpty()
    shot = canvas.grab().toImage()  # the placeholder is painted, not a crash on a missing image
    assert not shot.isNull()


def test_a_frame_scaled_for_the_canvas_is_blitted_in_place(qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas = _canvas(qtbot)
    size = canvas._device_size(60, 40)
    assert size is not None
    image, owner = qimage_rgb32(_halves(), size=size)
    image.setDevicePixelRatio(canvas.devicePixelRatioF())
    canvas._pixels = owner
    canvas.set_image(image, QSizeF(60, 40))
    shot = canvas.grab().toImage()
    rect = canvas.image_rect()
    y = int(rect.center().y())
    assert shot.pixelColor(int(rect.x() + 2), y).red() > 200
    assert shot.pixelColor(int(rect.right() - 3), y).blue() > 200
    assert shot.pixelColor(int(rect.x() + rect.width() * 0.25), y).red() > 200
