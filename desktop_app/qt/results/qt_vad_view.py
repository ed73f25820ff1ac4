"""Voice activity results: a timeline of the per-chunk speech probability with the speech segments
shaded, and the segments listed below it."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.results import Result, VadResult
from desktop_app.qt.results.qt_payload_view import QtPayloadView

SEGMENT_COLOUR = QColor(40, 170, 90)  # speech segments: green, distinct from the palette-blue curve


def seconds(value: float) -> str:
    """4.094 -> '4.09 s'."""
    return f"{value:.2f} s"


def _tick_step(duration: float, width_px: float) -> float:
    """A 1-2-5 step in seconds giving ticks at least ~70 px apart."""
    raw = duration / max(1.0, width_px / 70)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


class QtVadTimeline(QWidget):
    """Speech probability over time as a filled curve on 0..1, speech segments shaded behind it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vad: VadResult | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Speech probability timeline")
        self.setToolTip("Blue curve: speech probability of each chunk; green: detected speech segments")

    def set_vad(self, vad: VadResult) -> None:
        self._vad = vad
        spans = ", ".join(f"{s.start_s:.2f}–{s.end_s:.2f} s" for s in vad.segments) or "none"
        self.setAccessibleDescription(f"{vad.duration_s:.2f} s of audio; speech at {spans}")
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(480, 170)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(200, 110)

    def plot_rect(self) -> QRectF:
        metrics = self.fontMetrics()
        left = metrics.horizontalAdvance("1.0") + 8
        return QRectF(self.rect()).adjusted(left, 6, -10, -(metrics.height() + 8))

    def x_for(self, t: float) -> float:
        rect = self.plot_rect()
        duration = self._vad.duration_s if self._vad and self._vad.duration_s > 0 else 1.0
        return rect.left() + rect.width() * min(max(t, 0.0), duration) / duration

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        rect = self.plot_rect()
        painter.fillRect(rect, pal.color(QPalette.ColorRole.Base))
        if self._vad is not None and rect.width() > 0 and rect.height() > 0:
            self._paint_segments(painter, rect, pal)
            self._paint_curve(painter, rect, pal)
            self._paint_strips(painter, rect)
            self._paint_axes(painter, rect, pal)
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        painter.end()

    def _paint_segments(self, painter: QPainter, rect: QRectF, pal: QPalette) -> None:
        assert self._vad is not None
        shade = QColor(SEGMENT_COLOUR)
        shade.setAlpha(50)
        for seg in self._vad.segments:  # a tinted band behind the curve
            x1, x2 = self.x_for(seg.start_s), self.x_for(seg.end_s)
            band = QRectF(x1, rect.top(), max(1.0, x2 - x1), rect.height())
            painter.fillRect(band, shade)

    def _paint_strips(self, painter: QPainter, rect: QRectF) -> None:
        assert self._vad is not None
        for seg in self._vad.segments:  # solid strips along the top, over the curve, mark where speech is
            x1, x2 = self.x_for(seg.start_s), self.x_for(seg.end_s)
            painter.fillRect(QRectF(x1, rect.top(), max(1.0, x2 - x1), 6), SEGMENT_COLOUR)

    def _paint_curve(self, painter: QPainter, rect: QRectF, pal: QPalette) -> None:
        assert self._vad is not None
        probs, chunk = self._vad.probabilities, self._vad.chunk_s
        if not probs:
            return
        line = QColor(pal.color(QPalette.ColorRole.Highlight))
        fill = QColor(line)
        fill.setAlpha(110)
        path = QPainterPath(QPointF(self.x_for(0.0), rect.bottom()))
        for i, p in enumerate(probs):  # a step curve: each chunk holds its probability for chunk_s
            y = rect.bottom() - rect.height() * min(max(p, 0.0), 1.0)
            path.lineTo(self.x_for(i * chunk), y)
            path.lineTo(self.x_for((i + 1) * chunk), y)
        path.lineTo(self.x_for(len(probs) * chunk), rect.bottom())
        path.closeSubpath()
        painter.setPen(QPen(line, 1.5))
        painter.setBrush(fill)
        painter.drawPath(path)

    def _paint_axes(self, painter: QPainter, rect: QRectF, pal: QPalette) -> None:
        assert self._vad is not None
        text = pal.color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
        mid = rect.top() + rect.height() / 2
        painter.drawLine(QPointF(rect.left(), mid), QPointF(rect.right(), mid))
        painter.setPen(text)
        for value, y in (("1.0", rect.top()), ("0.5", mid), ("0", rect.bottom())):
            box = QRectF(0, y - metrics.height() / 2, rect.left() - 4, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, value)
        duration = self._vad.duration_s
        if duration <= 0:
            return
        step = _tick_step(duration, rect.width())
        t = 0.0
        while t <= duration + 1e-9:
            x = self.x_for(t)
            painter.drawLine(QPointF(x, rect.bottom()), QPointF(x, rect.bottom() + 3))
            label = f"{t:g} s"
            w = metrics.horizontalAdvance(label)
            left = min(max(x - w / 2, rect.left() - 4), self.width() - w - 1)
            painter.drawText(QPointF(left, rect.bottom() + 4 + metrics.ascent()), label)
            t += step


class QtVadView(QtPayloadView):
    """The VAD page: summary line, timeline, and a table of segments (start, end, length, score)."""

    page = "vad"
    payload_type = VadResult

    COLUMNS = ("#", "Start", "End", "Length", "Mean score")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Speech summary")
        self.timeline = QtVadTimeline()
        self.timeline.setMaximumHeight(260)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Speech segments")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.table, 1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        vad = result.payload
        assert isinstance(vad, VadResult)
        self.timeline.set_vad(vad)
        speech = sum(s.end_s - s.start_s for s in vad.segments)
        n = len(vad.segments)
        self.summary_label.setText(
            f"{n} speech segment{'s' if n != 1 else ''} (green) · {speech:.1f} s of speech in {vad.duration_s:.1f} s")
        self.table.setRowCount(n)
        for row, seg in enumerate(vad.segments):
            cells = (str(row + 1), seconds(seg.start_s), seconds(seg.end_s), seconds(seg.end_s - seg.start_s),
                     f"{seg.score:.2f}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
