"""Horizontal probability bars (label, bar, percentage), painted with palette colours so they read in
light and dark themes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_app.core.results import ClassScore


def percent(score: float) -> str:
    """0.38371 -> '38.4%' (more digits near 0 and 100 so tiny differences stay visible)."""
    value = score * 100
    return f"{value:.2f}%" if value < 1 or value > 99 else f"{value:.1f}%"


class QtScoreBars(QWidget):
    """One row per class: its name over a bar filled to its probability, the percentage on the right.
    The best row is drawn stronger; names too long for the row are elided (full names in the tooltip)."""

    ROW_PADDING = 6
    ROW_GAP = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scores: tuple[ClassScore, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Class probabilities")

    def set_scores(self, scores: Sequence[ClassScore]) -> None:
        self._scores = tuple(scores)
        lines = [f"{s.label}: {percent(s.score)}" for s in self._scores]
        self.setAccessibleDescription("; ".join(lines))
        self.setToolTip("\n".join(lines))
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, str]]:
        """(label, percentage text) per bar, best first."""
        return [(s.label, percent(s.score)) for s in self._scores]

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 2 * self.ROW_PADDING

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        n = len(self._scores)
        return QSize(320, n * self._row_height() + max(0, n - 1) * self.ROW_GAP)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        track = pal.color(QPalette.ColorRole.Base)
        border = pal.color(QPalette.ColorRole.Mid)
        accent = pal.color(QPalette.ColorRole.Highlight)
        text = pal.color(QPalette.ColorRole.Text)
        bold = QFont(self.font())
        bold.setBold(True)
        height = self._row_height()
        y = 0.0
        for i, score in enumerate(self._scores):
            row = QRectF(0.5, y + 0.5, self.width() - 1.0, height - 1.0)
            painter.setPen(border)
            painter.setBrush(track)
            painter.drawRoundedRect(row, 4, 4)
            fill = QColor(accent)
            fill.setAlpha(150 if i == 0 else 80)
            filled = QRectF(row.x(), row.y(), row.width() * max(0.0, min(1.0, score.score)), row.height())
            if filled.width() > 0.5:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
                painter.drawRoundedRect(filled, 4, 4)
            painter.setFont(bold if i == 0 else self.font())
            painter.setPen(text)
            inner = row.adjusted(self.ROW_PADDING + 2, 0, -(self.ROW_PADDING + 2), 0)
            pct = percent(score.score)
            pct_width = painter.fontMetrics().horizontalAdvance(pct) + 12
            label = painter.fontMetrics().elidedText(score.label, Qt.TextElideMode.ElideRight,
                                                     max(0, int(inner.width() - pct_width)))
            painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, pct)
            y += height + self.ROW_GAP
        painter.end()
