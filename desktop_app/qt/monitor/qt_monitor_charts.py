"""pyqtgraph charts of the monitor: a histogram (bar graph) and the reliability diagram.

Both follow the widget palette (light or dark), take no keyboard focus (the numbers next to them are
the accessible form) and are updated in place, never rebuilt, so a redraw stays cheap.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from desktop_app.core.monitor.calibration import ReliabilityBin
from desktop_app.core.monitor.stats import Histogram
from desktop_app.qt.monitor import qt_monitor_format as fmt

BAR = QColor(53, 116, 240, 210)
BEFORE = QColor(232, 125, 30)
AFTER = QColor(40, 170, 95)


class _ThemedPlot(pg.PlotWidget):
    """A PlotWidget whose background, axes and title follow the Qt palette."""

    def __init__(self, title: str, x_label: str, y_label: str, parent: QWidget | None = None,
                 tip: str = "") -> None:
        super().__init__(parent)
        self._title = title
        self.tip = tip  # what the chart shows, in plain words
        self.setToolTip(tip)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumSize(200, 120)
        self.setAccessibleName(title)
        item = self.getPlotItem()
        item.setLabel("bottom", x_label)
        item.setLabel("left", y_label)
        item.setXRange(0, 1, padding=0.02)
        self.apply_palette()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Low and wide: a folded-open monitor on a laptop screen is short; extra room is taken when there."""
        return QSize(320, 140)

    def apply_palette(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        item = self.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        item.setTitle(self._title, color=text.name(), size="10pt")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "plotItem", None) is not None:
            self.apply_palette()
        super().changeEvent(event)


class QtHistogramPlot(_ThemedPlot):
    """Counts over equal bins on [0, 1], with an optional vertical marker (the low-confidence threshold)."""

    def __init__(self, title: str, x_label: str, parent: QWidget | None = None, tip: str = "") -> None:
        super().__init__(title, x_label, "predictions", parent, tip)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.05, brush=BAR, pen=pg.mkPen(None))
        self.addItem(self._bars)
        self._marker: pg.InfiniteLine | None = None
        self.counts: tuple[int, ...] = ()

    def set_histogram(self, hist: Histogram) -> None:
        edges = np.asarray(hist.edges)
        if hist.counts == self.counts:
            return
        self.counts = hist.counts
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 0.05
        self._bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=np.asarray(hist.counts, dtype=float),
                           width=width * 0.9)
        self.getPlotItem().setYRange(0, max(1, max(hist.counts, default=0)) * 1.05, padding=0)

    def set_marker(self, x: float | None, tip: str = "") -> None:
        if x is None:
            if self._marker is not None:
                self._marker.hide()
            return
        if self._marker is None:
            self._marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(BEFORE, width=2,
                                                                                   style=Qt.PenStyle.DashLine))
            self.addItem(self._marker)
        self._marker.setValue(x)
        self._marker.show()
        self.setToolTip(f"{self.tip}\n{tip}".strip())


class QtReliabilityPlot(_ThemedPlot):
    """Reliability diagram: accuracy per equal-count bin against its mean confidence, with the diagonal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Reliability (equal-count bins)", "how sure it said it was", "how often right", parent,
                         fmt.PART_TIPS["Reliability"])
        self.setMinimumSize(240, 140)
        item = self.getPlotItem()
        item.setYRange(0, 1, padding=0.02)
        item.setAspectLocked(False)
        self._diagonal = item.plot([0, 1], [0, 1])
        self._before = item.plot([], [], pen=pg.mkPen(BEFORE, width=2), symbol="o", symbolSize=7,
                                 symbolBrush=BEFORE, symbolPen=None, name="model")
        self._after = item.plot([], [], pen=pg.mkPen(AFTER, width=2), symbol="s", symbolSize=6,
                                symbolBrush=AFTER, symbolPen=None, name="after temperature")
        self.points: tuple[tuple[float, float], ...] = ()
        self.apply_palette()

    def apply_palette(self) -> None:
        super().apply_palette()
        if hasattr(self, "_diagonal"):
            text = self.palette().color(QPalette.ColorRole.WindowText)
            self._diagonal.setPen(pg.mkPen(text, width=1, style=Qt.PenStyle.DashLine))

    def set_bins(self, before: tuple[ReliabilityBin, ...], after: tuple[ReliabilityBin, ...] = ()) -> None:
        self.points = tuple((b.mean_confidence, b.accuracy) for b in before)
        self._before.setData([b.mean_confidence for b in before], [b.accuracy for b in before])
        self._after.setData([b.mean_confidence for b in after], [b.accuracy for b in after])


class QtGroupRatePlot(_ThemedPlot):
    """One bar per group with its 95 % interval as an error bar: the selection rate of the positive class when
    one is chosen, else the share of low-confidence predictions. Groups resting on fewer events than the
    minimum n are drawn faded (their numbers say too little)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Per group", "", "% of group", parent, fmt.PART_TIPS["Group rates"])
        self.setMinimumSize(220, 120)
        item = self.getPlotItem()
        item.getAxis("left").enableAutoSIPrefix(False)  # percent, never 'x0.001'
        item.setYRange(0, 100, padding=0.02)
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.6, brushes=[], pen=pg.mkPen(None))
        self._errors = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), top=np.zeros(0), bottom=np.zeros(0), beam=0.2)
        self.addItem(self._bars)
        self.addItem(self._errors)
        self.groups: tuple[tuple[str, float, float, float], ...] = ()  # (group, rate, low, high) as drawn
        self.apply_palette()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """A little lower than the others: it shares its row with the attribute choice and the table."""
        return QSize(320, 128)

    def apply_palette(self) -> None:
        super().apply_palette()
        if hasattr(self, "_errors"):
            self._errors.setData(pen=pg.mkPen(self.palette().color(QPalette.ColorRole.WindowText), width=1.5))

    def set_rates(self, title: str, rows: list[tuple[str, float, float, float, bool]]) -> None:
        """(group, rate, low, high, reliable) per group, drawn in the given order under `title`."""
        self._title = title
        self.apply_palette()
        drawn = tuple((g, r, lo, hi) for g, r, lo, hi, _ in rows)
        if drawn == self.groups:
            return
        self.groups = drawn
        x = np.arange(len(rows), dtype=float)
        rates = np.array([r[1] for r in rows], dtype=float) * 100  # drawn in percent, as the table reads
        faded = QColor(BAR)
        faded.setAlpha(70)
        self._bars.setOpts(x=x, height=rates, width=0.6, brushes=[BAR if r[4] else faded for r in rows])
        self._errors.setData(x=x, y=rates, top=np.array([r[3] for r in rows]) * 100 - rates,
                             bottom=rates - np.array([r[2] for r in rows]) * 100)
        axis = self.getPlotItem().getAxis("bottom")
        axis.setTicks([[(float(i), r[0] if len(r[0]) <= 12 else r[0][:11] + "…") for i, r in enumerate(rows)]])
        self.getPlotItem().setXRange(-0.6, max(0.6, len(rows) - 0.4), padding=0)
        top = max((r[3] for r in rows), default=1.0)  # small rates stay readable: the axis ends above the tallest
        self.getPlotItem().setYRange(0, 100 * min(1.0, max(0.1, top * 1.15)), padding=0)
        self.setToolTip("\n".join([self.tip, *(f"{g}: {r:.1%} (95% interval {lo:.1%} to {hi:.1%})"
                                             for g, r, lo, hi in drawn)]))
