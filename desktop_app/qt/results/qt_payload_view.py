"""The base of every result page that shows one payload type; the result view picks pages by it."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from PySide6.QtWidgets import QWidget

from desktop_app.core.results import Payload, Result


class QtPayloadView(QWidget):
    """A page of the result view for one payload type; subclasses set `page` and `payload_type`."""

    page: ClassVar[str]
    payload_type: ClassVar[type[Payload]]

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        """Show a Result whose payload is a `payload_type`; `image` is the decoded picture, if any."""
        raise NotImplementedError
