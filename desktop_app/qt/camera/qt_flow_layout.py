"""A row of controls that wraps onto more lines when its space is narrow (the camera panel's rows), so the
panel's minimum width is its widest single control, not the sum of a row."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QLayoutItem, QSizePolicy, QWidget


def control_group(*widgets: QWidget, spacing: int = 6) -> QWidget:
    """Widgets that stay together on one line of a flow (a label with its control, a button with its option),
    at their preferred widths (an expanding slider inside does not make the group take a line's spare width)."""
    group = QWidget()
    group.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
    layout = QHBoxLayout(group)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    return group


class QtFlowLayout(QLayout):
    """Items left to right at their preferred widths, wrapped onto the next line when the next one does not
    fit. On each line, the spare width goes to horizontally expanding items; without one, an item added with
    `push_right` and those after it on its line move to the right edge. Hidden widgets take no space."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, line_spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._push_right: list[bool] = []
        self._spacing, self._line_spacing = spacing, line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout ------------------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)
        self._push_right.append(False)

    def add(self, widget: QWidget, push_right: bool = False) -> None:
        """Add `widget`; `push_right`: it and the items after it on its line sit at the right edge."""
        self.addWidget(widget)
        self._push_right[-1] = push_right

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        if not 0 <= index < len(self._items):
            return None
        del self._push_right[index]
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt API)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt API)
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """Everything on one line."""
        shown = self._shown()
        width = sum(self._items[i].sizeHint().width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((self._items[i].sizeHint().height() for i in shown), default=0)
        return QSize(width, height) + self._margin_size()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        """The widest single item (the height for a given width comes from heightForWidth)."""
        size = QSize(0, 0)
        for i in self._shown():
            size = size.expandedTo(self._items[i].minimumSize())
        return size + self._margin_size()

    # -- layout -------------------------------------------------------------------------------------------
    def _margin_size(self) -> QSize:
        m = self.contentsMargins()
        return QSize(m.left() + m.right(), m.top() + m.bottom())

    def _shown(self) -> list[int]:
        return [i for i, item in enumerate(self._items) if not item.isEmpty()]

    def _width(self, index: int, available: int) -> int:
        item = self._items[index]
        return max(item.minimumSize().width(), min(item.sizeHint().width(), available))

    def _lines(self, available: int) -> list[list[int]]:
        lines: list[list[int]] = []
        used = 0
        for i in self._shown():
            width = self._width(i, available)
            if lines and lines[-1] and used + self._spacing + width <= available:
                lines[-1].append(i)
                used += self._spacing + width
            else:
                lines.append([i])
                used = width
        return lines

    def _arrange(self, rect: QRect, apply: bool) -> int:
        """Place the items in `rect` (when `apply`); returns the height the lines take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        available = max(1, area.width())
        y = area.y()
        for n, line in enumerate(self._lines(available)):
            if n:
                y += self._line_spacing
            widths = [self._width(i, available) for i in line]
            height = max(self._items[i].sizeHint().height() for i in line)
            if apply:
                self._place(line, widths, QPoint(area.x(), y), available, height)
            y += height
        return y - rect.y() + m.bottom()

    def _place(self, line: list[int], widths: list[int], origin: QPoint, available: int, height: int) -> None:
        spare = max(0, available - sum(widths) - self._spacing * (len(line) - 1))
        growing = [k for k, i in enumerate(line)
                   if self._items[i].expandingDirections() & Qt.Orientation.Horizontal]
        for k in growing:
            widths[k] += spare // len(growing)
        push_at = next((k for k, i in enumerate(line) if self._push_right[i]), None) if not growing else None
        x = origin.x()
        for k, i in enumerate(line):
            if k == push_at:
                x += spare
            item = self._items[i]
            h = min(height, item.sizeHint().height()) if not item.hasHeightForWidth() else height
            item.setGeometry(QRect(x, origin.y() + (height - h) // 2, widths[k], h))
            x += widths[k] + self._spacing
