"""The monitor panel's widgets: a one-line summary with a Details toggle (folded at start, so the inputs get
the height); opened, the same line carries the model and window choices, session tag, reset/export, and the
three tabbed sections show below it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.monitor.engine import SESSION, MonitorSnapshot, Window
from desktop_app.qt.monitor import qt_monitor_format as fmt
from desktop_app.qt.monitor.qt_monitor_calibration import QtCalibrationSection
from desktop_app.qt.monitor.qt_monitor_confidence import QtConfidenceSection
from desktop_app.qt.monitor.qt_monitor_fairness import QtFairnessSection

EMPTY = ("No predictions yet. Run a model on files, the camera or the microphone: the monitor then shows how "
         "sure it is, whether its confidence can be trusted, and how it treats groups.")
WINDOWS = (("Whole session", "session"), ("Last N events", "last_n"), ("Last T seconds", "last_s"))
DEFAULT_VALUE = {"last_n": 1000, "last_s": 60}


def _scrolled(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setAccessibleName(name)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class QtMonitorView(QWidget):
    """Pure view: emits what the user asked for, shows snapshots it is given."""

    window_changed = Signal(object)  # Window
    session_tag_changed = Signal(str)
    reset_requested = Signal()
    export_requested = Signal()
    folded_changed = Signal(bool)  # True: only the summary line shows
    model_chosen = Signal(object)  # model id, or None: follow the newest prediction's model

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details_button = QToolButton()
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setText("&Details")
        self.details_button.setAccessibleName("Monitor details")
        self.details_button.setToolTip("Show or hide the monitor's numbers and charts (the summary line stays)")
        self.details_button.toggled.connect(self.set_folded_from_button)
        self.window_kind = QComboBox()
        self.window_kind.setAccessibleName("Window")
        for text, kind in WINDOWS:
            self.window_kind.addItem(text, kind)
        self.window_value = QSpinBox()
        self.window_value.setRange(1, 10_000_000)
        self.window_value.setAccessibleName("Window size")
        self.window_value.setValue(DEFAULT_VALUE["last_n"])
        self.window_value.setVisible(False)
        self.window_kind.setToolTip("Which predictions the numbers below count: the whole session, the last n, "
                                    "or the last so many seconds")
        self.window_value.setToolTip("How many predictions (or seconds) the window holds")
        self.window_kind.currentIndexChanged.connect(self._kind_changed)
        self.window_value.editingFinished.connect(self._emit_window)
        self.model_combo = QComboBox()
        self.model_combo.setAccessibleName("Model counted")
        self.model_combo.setToolTip("The monitor counts one model at a time: the one that made the newest "
                                    "prediction, or the one you pick here")
        self.model_combo.addItem("Newest model", None)
        self.model_combo.activated.connect(lambda i: self.model_chosen.emit(self.model_combo.itemData(i)))
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("e.g. B, or lighting=dim")
        self.tag.setAccessibleName("Session group tag")
        self.tag.setToolTip("Every following prediction is counted in this group (provenance: session tag). "
                            "'B' means session=B; 'attribute=value' names the attribute.")
        self.tag.setClearButtonEnabled(True)
        self.tag.editingFinished.connect(lambda: self.session_tag_changed.emit(self.tag.text()))
        self.reset_button = QPushButton("&Reset")
        self.reset_button.setAccessibleName("Reset monitor")
        self.reset_button.setToolTip("Forget every prediction counted so far")
        self.reset_button.clicked.connect(self.reset_requested)
        self.export_button = QPushButton("E&xport report\u2026")
        self.export_button.setAccessibleName("Export monitor report")
        self.export_button.setToolTip("Save this window's numbers as JSON and CSV")
        self.export_button.clicked.connect(self.export_requested)
        self.status = QLabel(EMPTY)
        self.status.setAccessibleName("Monitor status")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        self.status.setToolTip(EMPTY)

        self.controls = QWidget()  # beside the summary line, shown with the details: one row for both
        bar = QHBoxLayout(self.controls)
        bar.setContentsMargins(0, 0, 0, 0)
        window_label = QLabel("&Window:")
        window_label.setBuddy(self.window_kind)
        tag_label = QLabel("This session is &group:")
        tag_label.setBuddy(self.tag)
        model_label = QLabel("Mod&el:")
        model_label.setBuddy(self.model_combo)
        for label in (window_label, tag_label, model_label):
            label.setToolTip(label.buddy().toolTip())  # the label says what its control does, like the control
        for w in (model_label, self.model_combo, window_label, self.window_kind, self.window_value, tag_label):
            bar.addWidget(w)
        self.tag.setMinimumWidth(120)
        self.tag.setMaximumWidth(220)
        bar.addWidget(self.tag, 1)
        bar.addWidget(self.reset_button)
        bar.addWidget(self.export_button)

        self.confidence = QtConfidenceSection()
        self.calibration = QtCalibrationSection()
        self.fairness = QtFairnessSection()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Monitor sections")
        self.tabs.addTab(_scrolled(self.fairness, "Fairness section"), "&Fairness")
        self.tabs.addTab(_scrolled(self.confidence, "Confidence section"), "C&onfidence")
        self.tabs.addTab(_scrolled(self.calibration, "Calibration section"), "C&alibration")
        for index, name in enumerate(("Fairness", "Confidence", "Calibration")):
            self.tabs.setTabToolTip(index, fmt.PART_TIPS[name])
        self.tabs.currentChanged.connect(self._tab_changed)
        self.snapshot: MonitorSnapshot | None = None
        summary = QHBoxLayout()
        summary.addWidget(self.details_button)
        summary.addWidget(self.status, 1)
        summary.addWidget(self.controls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(summary)
        layout.addWidget(self.tabs, 1)
        self.tabs.setVisible(False)  # folded until asked
        self.controls.setVisible(False)
        self.setTabOrder(self.details_button, self.model_combo)
        self.setTabOrder(self.model_combo, self.window_kind)
        self.setTabOrder(self.window_kind, self.window_value)
        self.setTabOrder(self.window_value, self.tag)
        self.setTabOrder(self.tag, self.reset_button)
        self.setTabOrder(self.reset_button, self.export_button)
        self.setTabOrder(self.export_button, self.tabs)

    @property
    def folded(self) -> bool:
        return not self.details_button.isChecked()

    def set_folded(self, folded: bool) -> None:
        """Show only the summary line (True) or the whole monitor."""
        self.details_button.setChecked(not folded)

    @Slot(bool)
    def set_folded_from_button(self, opened: bool) -> None:
        self.tabs.setVisible(opened)
        self.controls.setVisible(opened)
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
        self.folded_changed.emit(not opened)

    def set_models(self, seen: list[str]) -> None:
        """The models seen this session (newest first) as choices after "Newest model"."""
        current = [self.model_combo.itemData(i) for i in range(1, self.model_combo.count())]
        if current == seen:
            return
        chosen = self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        while self.model_combo.count() > 1:
            self.model_combo.removeItem(1)
        for model_id in seen:
            self.model_combo.addItem(model_id, model_id)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(chosen)) if chosen else 0)
        self.model_combo.blockSignals(False)

    def chosen_window(self) -> Window:
        kind = self.window_kind.currentData()
        if kind == "last_n":
            return Window.last_n(self.window_value.value())
        if kind == "last_s":
            return Window.last_s(float(self.window_value.value()))
        return SESSION

    @Slot(int)
    def _kind_changed(self, _index: int) -> None:
        kind = self.window_kind.currentData()
        self.window_value.setVisible(kind != "session")
        self.window_value.setSuffix({"last_n": " events", "last_s": " s"}.get(kind, ""))
        if kind in DEFAULT_VALUE:
            self.window_value.setValue(DEFAULT_VALUE[kind])
        self._emit_window()

    @Slot()
    def _emit_window(self) -> None:
        self.window_changed.emit(self.chosen_window())

    def apply(self, snap: MonitorSnapshot) -> None:
        models = ", ".join(m for m, _ in snap.models) or "\u2014"
        hashes = "; ".join(f"{m}: file sha256 {h[:12]}\u2026" for m, h in snap.models if h)
        w = snap.window
        window = ("whole session" if w.kind == "session" else f"last {int(w.value or 0):,} events"
                  if w.kind == "last_n" else f"last {float(w.value or 0):g} s")
        providers = ", ".join(snap.providers) or "\u2014"
        text = f"{snap.n:,} prediction{'' if snap.n == 1 else 's'} ({window}) by {models} on {providers}"
        if snap.truncated:
            text += "; older events were already dropped from memory, so this window is shorter than asked"
        if not snap.n:
            text = EMPTY
        self.status.setText(text)
        self.status.setToolTip(text + (f"\n{hashes}" if hashes and snap.n else ""))
        self.snapshot = snap
        self._apply_current()

    def _apply_current(self) -> None:
        """Only the visible section is drawn (a third of the work); the others catch up when shown."""
        if self.snapshot is None:
            return
        section = (self.fairness, self.confidence, self.calibration)[max(self.tabs.currentIndex(), 0)]
        section.apply(self.snapshot)

    @Slot(int)
    def _tab_changed(self, _index: int) -> None:
        self._apply_current()
