"""The camera panel's stats strip, like a surveillance tool's: capture / processed / skipped FPS,
inference and end-to-end (capture -> display) latency percentiles, and the provider that ran."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QWidget

from desktop_app.core.sources.live import LiveFrame
from desktop_app.core.sources.live_stats import percentiles


@dataclass(frozen=True)
class CameraPanelStats:
    """One reading of the strip; rates per second, times in milliseconds, over the last few seconds.

    latency_ms_*: capture -> result ready (worker); display_ms_*: capture -> first painted (UI).
    ui_skipped: processed frames never shown because the UI was still busy with the previous one.
    """

    capture_fps: float
    processed_fps: float
    skipped_fps: float
    inference_ms_p50: float
    inference_ms_p95: float
    latency_ms_p50: float
    latency_ms_p95: float
    display_ms_p50: float
    display_ms_p95: float
    provider: str
    fallback: str | None
    captured: int
    processed: int
    dropped: int
    shown: int
    ui_skipped: int


class DisplayLatency:
    """Rolling capture -> display times over the last `window_s` seconds (UI thread)."""

    def __init__(self, window_s: float = 3.0) -> None:
        self.window_s = window_s
        self._lock = threading.Lock()
        self._values: deque[tuple[float, float]] = deque()
        self.shown = 0

    def record(self, t_capture: float, t_display: float | None = None) -> None:
        now = time.perf_counter() if t_display is None else t_display
        with self._lock:
            self.shown += 1
            self._values.append((now, (now - t_capture) * 1000.0))
            while len(self._values) > 1 and self._values[0][0] < now - self.window_s:
                self._values.popleft()

    def percentiles(self) -> tuple[float, float]:
        with self._lock:
            return percentiles(v for _, v in self._values)  # numpy's linear interpolation, without numpy's cost

    def reset(self) -> None:
        with self._lock:
            self._values.clear()
            self.shown = 0


def panel_stats(live: LiveFrame, display: DisplayLatency, ui_skipped: int) -> CameraPanelStats:
    """The strip's numbers from the newest frame's worker stats plus the UI's own display times."""
    s = live.stats
    report = live.result.provider
    d50, d95 = display.percentiles()
    return CameraPanelStats(
        capture_fps=s.capture_fps, processed_fps=s.processed_fps, skipped_fps=s.skipped_fps,
        inference_ms_p50=s.inference_ms_p50, inference_ms_p95=s.inference_ms_p95,
        latency_ms_p50=s.latency_ms_p50, latency_ms_p95=s.latency_ms_p95, display_ms_p50=d50, display_ms_p95=d95,
        provider=report.used_short if report is not None else "—",
        fallback=report.fallback_reason if report is not None else None,
        captured=s.captured, processed=s.processed, dropped=s.dropped, shown=display.shown, ui_skipped=ui_skipped)


FIELDS = (("capture", "Capture", "Frames per second read from the source"),
          ("processed", "Processed", "Frames per second the model ran on"),
          ("skipped", "Skipped", "Frames per second dropped because the model was still busy (newest frame wins)"),
          ("inference", "Inference p50/p95", "Model run time over the last seconds"),
          ("latency", "Latency p50/p95", "Capture to display: from the frame's capture to its first paint on screen"),
          ("provider", "Provider", "The execution provider that actually ran the model"))
TIPS = {key: tip for key, _caption, tip in FIELDS}


#: The widest value each readout may show: its width is kept for it, so arriving numbers never widen the panel.
WIDEST = {"capture": "888.8 fps", "processed": "888.8 fps", "skipped": "888.8 fps", "inference": "8888 / 8888 ms",
          "latency": "8888 / 8888 ms", "provider": "DirectML ⚠ fallback"}


class QtCameraStatsStrip(QFrame):
    """Small captioned readouts in two rows of three, or three rows of two where the panel is narrow (a laptop
    screen beside the Models dock); each keeps the width of its widest value; `set_stats(None)` shows dashes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Live statistics")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 4, 8, 4)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for key, caption, tip in FIELDS:
            label = QLabel()
            label.setAccessibleName(caption)
            label.setToolTip(tip)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setFixedWidth(label.fontMetrics().horizontalAdvance(f"{caption}: {WIDEST[key]}"))
            self.values[key] = label
        self.columns = 0
        self._arrange(3)
        self.set_stats(None)

    def _width(self, columns: int) -> int:
        """The strip's width with the readouts in `columns` columns."""
        labels = list(self.values.values())
        rows = [labels[i::columns] if columns == 3 else labels[i * 3:i * 3 + 3] for i in range(columns)]
        m = self.grid.contentsMargins()
        widest = sum(max(label.minimumWidth() for label in column) for column in rows)
        return widest + self.grid.horizontalSpacing() * (columns - 1) + m.left() + m.right() + 2 * self.frameWidth()

    def _arrange(self, columns: int) -> None:
        """Three columns: capture, processed, skipped over inference, latency, provider; two: rates beside times."""
        if columns == self.columns:
            return
        self.columns = columns
        for i, label in enumerate(self.values.values()):
            self.grid.removeWidget(label)
            row, column = (i // 3, i % 3) if columns == 3 else (i % 3, i // 3)
            self.grid.addWidget(label, row, column)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column == columns else 0)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self._width(2), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        columns = 3 if event.size().width() >= self._width(3) else 2
        if columns != self.columns:
            self._arrange(columns)
            self.grid.activate()  # placed now, not after this resize was painted with the old columns

    def set_stats(self, stats: CameraPanelStats | None) -> None:
        dash = "—"
        texts = {
            "capture": f"{stats.capture_fps:.1f} fps" if stats else dash,
            "processed": f"{stats.processed_fps:.1f} fps" if stats else dash,
            "skipped": f"{stats.skipped_fps:.1f} fps" if stats else dash,
            "inference": f"{stats.inference_ms_p50:.0f} / {stats.inference_ms_p95:.0f} ms" if stats else dash,
            "latency": f"{stats.display_ms_p50:.0f} / {stats.display_ms_p95:.0f} ms" if stats else dash,
            "provider": (stats.provider + (" ⚠ fallback" if stats.fallback else "")) if stats else dash,
        }
        for key, caption, _tip in FIELDS:
            label = self.values[key]
            label.setText(f"{caption}: {texts[key]}")
            label.setAccessibleDescription(texts[key])
        fallback = stats.fallback if stats is not None else None
        self.values["provider"].setToolTip(fallback or TIPS["provider"])  # the reason while a fallback lasts
