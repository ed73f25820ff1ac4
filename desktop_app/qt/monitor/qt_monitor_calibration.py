"""Calibration with labels: accuracy, Brier, ECE, MCE with n, the reliability diagram, temperature effect."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.core.monitor.calibration import CalibrationSummary
from desktop_app.core.monitor.engine import MonitorSnapshot
from desktop_app.qt.monitor import qt_monitor_format as fmt
from desktop_app.qt.monitor.qt_monitor_charts import QtReliabilityPlot

NO_LABELS = ("No labelled predictions in this window yet. Calibration needs true labels: a label column "
             "in the dropped CSV, or a labels.csv (file,label,...) next to dropped files.")
_ROWS = (("accuracy", "Accuracy"), ("brier_top1", "Brier (top-1)"), ("brier_binary", "Brier (positive class)"),
         ("ece", "ECE"), ("mce", "MCE"))


class _Numbers(QGroupBox):
    """One CalibrationSummary as a form."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        form = QFormLayout(self)
        self.labels: dict[str, QLabel] = {}
        for key, text in (("n", "Labelled n"), *_ROWS):
            label = QLabel(fmt.DASH)
            label.setAccessibleName(f"{title}: {text}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setToolTip(fmt.ROW_TIPS[text])
            row_label = QLabel(f"{text}:")
            row_label.setToolTip(fmt.ROW_TIPS[text])  # what the number means, in plain words
            form.addRow(row_label, label)
            self.labels[key] = label

    def show_summary(self, cal: CalibrationSummary, bins: int) -> None:
        self.labels["n"].setText(f"{cal.n:,}  ({bins} equal-count bins)")
        for key, _ in _ROWS:
            self.labels[key].setText(fmt.number(getattr(cal, key), 4))


class QtCalibrationSection(QWidget):
    """Shown numbers equal the report's `calibration` (and `temperature`) entries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QLabel(NO_LABELS)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("Calibration status")
        self.model_numbers = _Numbers("Model scores")
        self.after_numbers = _Numbers("After temperature scaling")
        self.model_numbers.setToolTip("The model's scores checked against the true answers")
        self.after_numbers.setToolTip("The same numbers once the scores are softened or sharpened by the "
                                      "model's temperature.json (temperature scaling)")
        self.temperature_note = QLabel()
        self.temperature_note.setWordWrap(True)
        self.temperature_note.setAccessibleName("Temperature scaling")
        self.plot = QtReliabilityPlot()
        self.plain = QLabel()  # what the numbers mean for this model, in one sentence
        self.plain.setWordWrap(True)
        self.plain.setAccessibleName("What the calibration numbers mean")
        left = QVBoxLayout()
        left.addWidget(self.empty)
        left.addWidget(self.model_numbers)
        left.addWidget(self.after_numbers)
        left.addWidget(self.temperature_note)
        left.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(self.plain)
        row = QHBoxLayout()
        outer.addLayout(row, 1)
        row.addLayout(left, 0)
        row.addWidget(self.plot, 1)
        self.apply(None)

    def apply(self, snap: MonitorSnapshot | None) -> None:
        cal = snap.calibration if snap is not None else None
        self.empty.setVisible(cal is None)
        self.model_numbers.setVisible(cal is not None)
        self.plot.setVisible(cal is not None)
        temp = snap.temperature if snap is not None else None
        self.after_numbers.setVisible(temp is not None)
        self.plain.setVisible(cal is not None)
        if snap is None or cal is None:
            self.temperature_note.setText("")
            return
        self.plain.setText(fmt.calibration_sentence(cal, snap.models))
        self.model_numbers.show_summary(cal, snap.config.n_bins)
        if temp is not None:
            self.after_numbers.show_summary(temp.after, snap.config.n_bins)
            self.after_numbers.setTitle(f"After temperature scaling (T = {temp.temperature:.3g})")
            self.temperature_note.setText("Temperature read from the model's temperature.json; the green curve "
                                          "is the diagram after scaling.")
        else:
            self.temperature_note.setText("No temperature.json for this model: scores are shown as the model "
                                          "gives them.")
        self.plot.set_bins(cal.bins, temp.after.bins if temp is not None else ())
