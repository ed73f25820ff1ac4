"""A picture with a payload's own drawing on it (core/render: masks, skeletons, boxes), for the result
pages whose overlays are easier drawn into the pixels than painted by Qt."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from desktop_app.core.render import draw_payload
from desktop_app.core.results import Payload
from desktop_app.qt.results.qt_image import QtImageCanvas, qimage_from_array


class QtDrawnCanvas(QtImageCanvas):
    """Shows `image` with `payload.draw_on` rendered on it; hidden when there is no picture."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)

    def show_payload(self, payload: Payload, image: np.ndarray | None) -> None:
        picture = draw_payload(np.ascontiguousarray(image), payload) if image is not None and image.ndim == 3 else image
        self.set_image(qimage_from_array(picture) if picture is not None else None)
        self.setVisible(picture is not None)
