"""Confidence without labels: summary numbers, score / margin / entropy histograms, least-confident list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.monitor.engine import MonitorSnapshot
from desktop_app.qt.monitor import qt_monitor_format as fmt
from desktop_app.qt.monitor.qt_monitor_charts import QtHistogramPlot

SOURCE_ROLE = Qt.ItemDataRole.UserRole
NO_PREDICTIONS = "No predictions yet: run a model on files, the camera or the microphone."


def _value_label(name: str) -> QLabel:
    label = QLabel(fmt.DASH)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class QtConfidenceSection(QWidget):
    """The label-free view: how sure the model is, and which items it was least sure about."""

    threshold_changed = Signal(float)
    flagged_activated = Signal(str)  # the event's source

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.n_label = _value_label("Predictions in window")
        self.mean_label = _value_label("Mean top-1 score")
        self.rolling_label = _value_label("Rolling mean top-1 score")
        self.low_label = _value_label("Low-confidence rate")
        self.latency_label = _value_label("Mean latency")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.05, 0.99)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setValue(0.6)
        self.threshold.setAccessibleName("Low-confidence threshold")
        self.threshold.setToolTip("A prediction whose top-1 score is below this counts as low confidence "
                                  "(changing it recounts the kept events in the background)")
        self.threshold.editingFinished.connect(self._threshold_edited)

        numbers = QGroupBox("Confidence (no labels needed)")
        form = QFormLayout(numbers)
        for text, widget in (("Predictions", self.n_label), ("Mean top-1 score", self.mean_label),
                             ("Rolling mean", self.rolling_label), ("Low-confidence &threshold", self.threshold),
                             ("Low-confidence rate", self.low_label), ("Mean latency", self.latency_label)):
            label = QLabel(f"{text}:")
            label.setBuddy(widget)
            label.setToolTip(fmt.ROW_TIPS[text.replace("&", "")])  # what the number means, in plain words
            form.addRow(label, widget)

        self.flagged = QListWidget()
        self.flagged.setAccessibleName("Least confident items")
        self.flagged.setToolTip("The least confident predictions; click or press Enter on a file to show it")
        self.flagged.itemActivated.connect(self._activated)
        self.flagged.itemClicked.connect(self._activated)
        flagged_box = QGroupBox("Least confident")
        QVBoxLayout(flagged_box).addWidget(self.flagged)

        self.score_plot = QtHistogramPlot("Top-1 score", "top-1 score", tip=fmt.PART_TIPS["Top-1 score"])
        self.margin_plot = QtHistogramPlot("Margin (top-1 \u2212 top-2)", "margin", tip=fmt.PART_TIPS["Margin"])
        self.entropy_plot = QtHistogramPlot("Normalised entropy", "entropy / ln(classes)",
                                            tip=fmt.PART_TIPS["Normalised entropy"])
        numbers.setToolTip(fmt.PART_TIPS["Confidence numbers"])
        flagged_box.setToolTip(fmt.PART_TIPS["Least confident"])

        numbers.setMinimumWidth(numbers.sizeHint().width() + 140)  # room for intervals once numbers arrive
        flagged_box.setMinimumWidth(numbers.minimumWidth())
        self.plain = QLabel(NO_PREDICTIONS)  # what the numbers mean for this model, in one sentence
        self.plain.setWordWrap(True)
        self.plain.setAccessibleName("What the confidence numbers mean")
        grid = QGridLayout(self)
        grid.addWidget(self.plain, 0, 0, 1, 4)
        grid.addWidget(numbers, 1, 0)
        grid.addWidget(flagged_box, 2, 0)
        grid.addWidget(self.score_plot, 1, 1, 2, 1)
        grid.addWidget(self.margin_plot, 1, 2, 2, 1)
        grid.addWidget(self.entropy_plot, 1, 3, 2, 1)
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 1)
        self._flagged_key: tuple[tuple[str, float], ...] = ()

    @Slot()
    def _threshold_edited(self) -> None:
        self.threshold_changed.emit(round(self.threshold.value(), 2))

    @Slot(QListWidgetItem)
    def _activated(self, item: QListWidgetItem) -> None:
        source = item.data(SOURCE_ROLE)
        if isinstance(source, str) and fmt.file_of(source):
            self.flagged_activated.emit(source)

    def apply(self, snap: MonitorSnapshot) -> None:
        c = snap.confidence
        self.plain.setText(fmt.confidence_sentence(c.n, c.mean, c.low_rate, c.low_threshold, snap.models)
                           or NO_PREDICTIONS)
        self.n_label.setText(f"{snap.n:,}" + ("  (older events already dropped)" if snap.truncated else ""))
        self.mean_label.setText(fmt.number(c.mean))
        self.rolling_label.setText(f"{fmt.number(c.rolling_mean)}  (last {snap.config.rolling_n})")
        self.low_label.setText(fmt.interval(c.low_rate))
        self.low_label.setToolTip(fmt.interval_tip(c.low_rate, c.n))
        self.latency_label.setText(fmt.DASH if c.mean_latency_ms is None else f"{c.mean_latency_ms:.1f} ms")
        if not self.threshold.hasFocus():
            self.threshold.setValue(c.low_threshold)
        self.score_plot.set_histogram(c.score_histogram)
        self.score_plot.set_marker(c.low_threshold, f"low-confidence threshold {c.low_threshold:.2f}")
        self.margin_plot.set_histogram(c.margin_histogram)
        self.entropy_plot.set_histogram(c.entropy_histogram)
        key = tuple((f.source, f.score) for f in c.flagged)
        if key != self._flagged_key:
            self._flagged_key = key
            self._fill_flagged(snap)

    def _fill_flagged(self, snap: MonitorSnapshot) -> None:
        self.flagged.clear()
        for f in snap.confidence.flagged:
            item = QListWidgetItem(f"{f.score:.3f}  {f.label}  \u2014  {Path(f.source).name}")
            item.setData(SOURCE_ROLE, f.source)
            item.setToolTip(f"{f.source}\npredicted {f.label} with top-1 score {f.score:.4f}")
            self.flagged.addItem(item)
