"""A picture with a payload's own drawing on it (core/render: masks, skeletons, boxes), for the result
pages whose overlays are easier drawn into the pixels than painted by Qt."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtWidgets import QWidget

from desktop_app.core.render import draw_payload
from desktop_app.core.results import Payload
from desktop_app.qt.results.qt_image import QtImageCanvas, qimage_from_array

#: Small pictures are enlarged to this longer side before drawing, so labels stay small and sharp on screen.
DRAW_SIDE = 960


def drawable(image: np.ndarray) -> np.ndarray:
    """The picture at DRAW_SIDE pixels on its longer side when it is smaller (drawing scales with the picture)."""
    height, width = image.shape[:2]
    scale = DRAW_SIDE / max(height, width, 1)
    if scale <= 1:
        return np.ascontiguousarray(image)
    return cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_LINEAR)


class QtDrawnCanvas(QtImageCanvas):
    """Shows `image` with `payload.draw_on` rendered on it; hidden when there is no picture."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)

    def show_payload(self, payload: Payload, image: np.ndarray | None) -> None:
        picture = draw_payload(drawable(image), payload) if image is not None and image.ndim == 3 else image
        self.set_image(qimage_from_array(picture) if picture is not None else None)
        self.setVisible(picture is not None)
