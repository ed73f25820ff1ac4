"""Scrolling waveform (min/max envelope) with the speech probability drawn over it on a right-hand 0..1 axis,
and the closed speech segments shaded; pyqtgraph, redrawn by a timer at a bounded rate."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from desktop_app.core.results import SpeechSegment
from desktop_app.qt.microphone.qt_mic_updates import MicUpdate

REDRAW_HZ = 20
SEGMENT_COLOUR = QColor(40, 170, 90)
PROBABILITY_COLOUR = QColor(40, 110, 220)


class QtMicPlot(pg.PlotWidget):
    """Live: the last `window_s` seconds scroll by; a file: the whole length once it is analysed."""

    def __init__(self, window_s: float = 10.0, history_s: float = 60.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_s = window_s
        self.history_s: float | None = history_s
        self.live = True
        self._style()
        item = self.getPlotItem()
        wave_colour = QColor(self._text)
        wave_colour.setAlpha(150)
        self.wave = pg.PlotDataItem(pen=pg.mkPen(wave_colour), connect="pairs", antialias=False)
        item.addItem(self.wave)
        self.prob_box = pg.ViewBox(enableMouse=False, enableMenu=False)
        item.scene().addItem(self.prob_box)
        item.getAxis("right").linkToView(self.prob_box)
        self.prob_box.setXLink(item)
        self.prob_box.setYRange(0, 1, padding=0.02)
        fill = QColor(PROBABILITY_COLOUR)
        fill.setAlpha(45)
        self.prob = pg.PlotCurveItem(fillLevel=0.0, brush=fill,
                                     pen=pg.mkPen(PROBABILITY_COLOUR, width=1.5))
        self.prob_box.addItem(self.prob)
        self.onset_line = pg.InfiniteLine(0.5, angle=0, pen=pg.mkPen(PROBABILITY_COLOUR, style=Qt.PenStyle.DashLine))
        self.prob_box.addItem(self.onset_line)
        item.getViewBox().sigResized.connect(self._sync_boxes)
        self._regions: list[tuple[SpeechSegment, pg.LinearRegionItem]] = []
        self.reset()
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / REDRAW_HZ))
        self._timer.timeout.connect(self.redraw)
        self._timer.start()
        self.setAccessibleName("Waveform and speech probability")
        self.setToolTip("Grey: the input waveform; blue: speech probability (right axis, dashed line = onset); "
                        "green: detected speech segments")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _style(self) -> None:
        pal = self.palette()
        base, self._text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.WindowText)
        self.setBackground(base)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showAxis("right")
        item.setYRange(-1, 1, padding=0.02)
        item.setLabel("bottom", "time", units="s")
        item.setLabel("left", "amplitude")
        item.setLabel("right", "speech probability")
        for name in ("left", "bottom", "right"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(pal.color(QPalette.ColorRole.Mid)))
            axis.setTextPen(pg.mkPen(self._text))
        item.getAxis("left").setTicks([[(-1, "−1"), (0, "0"), (1, "1")]])
        item.getAxis("right").setTicks([[(0, "0"), (0.5, "0.5"), (1, "1")]])

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(560, 220)

    def _sync_boxes(self) -> None:
        self.prob_box.setGeometry(self.getPlotItem().getViewBox().sceneBoundingRect())
        self.prob_box.linkedViewChanged(self.getPlotItem().getViewBox(), self.prob_box.XAxis)

    def reset(self, live: bool = True, onset: float | None = None) -> None:
        """Forget everything shown (a new capture or file)."""
        self.live = live
        self.history_s = 60.0 if live else None
        self._env = np.zeros((0, 2), np.float32)
        self._env_first = 0  # index of the first kept bucket
        self._bucket_s = 0.01
        self._probs = np.zeros(0, np.float32)
        self._prob_first = 0
        self._chunk_s = 0.032
        self.position_s = 0.0
        for _, region in self._regions:
            self.getPlotItem().removeItem(region)
        self._regions = []
        if onset is not None:
            self.onset_line.setValue(onset)
        self._dirty = True

    @property
    def segment_count(self) -> int:
        return len(self._regions)

    def add(self, update: MicUpdate) -> None:
        """Append what an update brought; drawn at the next timer tick."""
        self._bucket_s, self._chunk_s = update.bucket_s, update.chunk_s
        self._env = np.concatenate([self._env, update.envelope]) if len(update.envelope) else self._env
        if update.probabilities:
            self._probs = np.concatenate([self._probs, np.asarray(update.probabilities, np.float32)])
        self.position_s = update.position_s
        for seg in update.segments:
            region = pg.LinearRegionItem((seg.start_s, seg.end_s), movable=False, brush=self._segment_brush(),
                                         pen=pg.mkPen(SEGMENT_COLOUR))
            region.setZValue(-10)
            self.getPlotItem().addItem(region)
            self._regions.append((seg, region))
        self._trim()
        self._dirty = True

    def _segment_brush(self) -> QColor:
        shade = QColor(SEGMENT_COLOUR)
        shade.setAlpha(60)
        return shade

    def _trim(self) -> None:
        if self.history_s is None:
            return
        keep_env = int(self.history_s / self._bucket_s)
        if len(self._env) > keep_env:
            self._env_first += len(self._env) - keep_env
            self._env = self._env[-keep_env:]
        keep_probs = int(self.history_s / self._chunk_s)
        if len(self._probs) > keep_probs:
            self._prob_first += len(self._probs) - keep_probs
            self._probs = self._probs[-keep_probs:]
        horizon = self.position_s - self.history_s
        while self._regions and self._regions[0][0].end_s < horizon:
            self.getPlotItem().removeItem(self._regions.pop(0)[1])

    def redraw(self) -> None:
        """Push the buffers to the plot items (timer-driven; cheap when nothing changed)."""
        if not self._dirty or not self.isVisible():
            return
        self._dirty = False
        n = len(self._env)
        centres = (self._env_first + np.arange(n) + 0.5) * self._bucket_s
        self.wave.setData(np.repeat(centres, 2), self._env.reshape(-1))
        edges = (self._prob_first + np.arange(len(self._probs) + 1)) * self._chunk_s
        if len(self._probs):
            self.prob.setData(edges, self._probs, stepMode="center")
        else:
            self.prob.setData([], [], stepMode=None)
        if self.live:
            end = max(self.position_s, self.window_s)
            self.getPlotItem().setXRange(end - self.window_s, end, padding=0)
        else:
            self.getPlotItem().setXRange(0, max(self.position_s, 0.1), padding=0.01)
