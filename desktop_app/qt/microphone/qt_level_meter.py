"""Input level meter: RMS and peak bars in dBFS (−60 to 0) with their numbers, peak held for a moment."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DBFS = -60.0
HOLD_S = 1.0


def dbfs_text(value: float) -> str:
    """-23.44 -> '−23.4 dBFS'; anything under the floor -> '−∞ dBFS'."""
    if value <= -120:
        return "−∞ dBFS"
    return f"{value:.1f} dBFS".replace("-", "−")


class QtLevelMeter(QWidget):
    """Two horizontal bars (RMS, peak) scaled −60..0 dBFS; red when the input clips."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rms_dbfs = self.peak_dbfs = -200.0
        self.clipped = False
        self._hold = -200.0
        self._hold_at = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Input level")
        self.setToolTip("Input level in dBFS (0 = full scale): RMS (average loudness) and peak")

    def set_levels(self, rms_dbfs: float, peak_dbfs: float, clipped: bool = False) -> None:
        self.rms_dbfs, self.peak_dbfs, self.clipped = rms_dbfs, peak_dbfs, clipped
        now = time.monotonic()
        if peak_dbfs >= self._hold or now - self._hold_at > HOLD_S:
            self._hold, self._hold_at = peak_dbfs, now
        self.setAccessibleDescription(f"RMS {dbfs_text(rms_dbfs)}, peak {dbfs_text(peak_dbfs)}"
                                      + (", clipping" if clipped else ""))
        self.update()

    def reset(self) -> None:
        self._hold = -200.0
        self.set_levels(-200.0, -200.0, False)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(320, 2 * self.fontMetrics().height() + 14)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(180, self.sizeHint().height())

    @staticmethod
    def fraction(dbfs: float) -> float:
        return min(max((dbfs - FLOOR_DBFS) / -FLOOR_DBFS, 0.0), 1.0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        pal = self.palette()
        metrics = self.fontMetrics()
        label_w = metrics.horizontalAdvance("Peak") + 8
        value_w = metrics.horizontalAdvance("−60.0 dBFS") + 16
        row_h = metrics.height() + 4
        for row, (name, value) in enumerate((("RMS", self.rms_dbfs), ("Peak", self.peak_dbfs))):
            top = 3 + row * (row_h + 4)
            painter.setPen(pal.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(0, top, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, name)
            bar = QRectF(label_w, top + 2, max(10.0, self.width() - label_w - value_w), row_h - 4)
            painter.fillRect(bar, pal.color(QPalette.ColorRole.Base))
            painter.fillRect(QRectF(bar.left(), bar.top(), bar.width() * self.fraction(value), bar.height()),
                             self._gradient(bar))
            if row == 1 and self._hold > FLOOR_DBFS:
                x = bar.left() + bar.width() * self.fraction(self._hold)
                painter.fillRect(QRectF(x - 1, bar.top(), 2, bar.height()), pal.color(QPalette.ColorRole.WindowText))
            painter.setPen(pal.color(QPalette.ColorRole.Mid))
            painter.drawRect(bar)
            painter.setPen(QColor(200, 40, 40) if self.clipped and row == 1 else pal.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(bar.right() + 4, top, self.width() - bar.right() - 6, row_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, dbfs_text(value))
        painter.end()

    def _gradient(self, bar: QRectF) -> QLinearGradient:
        grad = QLinearGradient(bar.left(), 0, bar.right(), 0)
        grad.setColorAt(0.0, QColor(40, 170, 90))
        grad.setColorAt(self.fraction(-12), QColor(40, 170, 90))
        grad.setColorAt(self.fraction(-6), QColor(230, 190, 40))
        grad.setColorAt(1.0, QColor(210, 50, 40))
        return grad
