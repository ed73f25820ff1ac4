"""A visible keyboard focus for every control: a 2 px ring in the palette's highlight colour around whichever
widget of the window has focus (Fusion alone marks some controls faintly and scroll areas not at all)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QFocusFrame, QWidget

RING_PX = 2


class QtFocusRing(QFocusFrame):
    """One ring per window; it follows focus changes among the window's widgets and hides for the others."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.setObjectName("focus-ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()  # until a control has focus (a child left alone would show with the window, at 0,0)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and new is not self._window and self._window.isAncestorOf(new):
            self.setWidget(new)
        else:  # focus left the window's controls: no ring (the stubs miss that None is allowed)
            self.setWidget(None)  # type: ignore[arg-type]

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """The style's frame is a faint 1 px line; this is a solid one in the highlight colour."""
        painter = QPainter(self)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), RING_PX)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = RING_PX // 2
        painter.drawRect(self.rect().adjusted(half, half, -half, -half))
