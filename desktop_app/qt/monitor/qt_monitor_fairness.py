"""Groups and fairness: attribute and positive-class selectors, per-group table, disparity summary,
evidence notes and the threshold what-if slider."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.monitor.engine import MonitorSnapshot
from desktop_app.core.monitor.fairness import AttributeFairness, GroupRow
from desktop_app.qt.monitor import qt_monitor_format as fmt
from desktop_app.qt.monitor import qt_monitor_tables as tables
from desktop_app.qt.monitor.qt_monitor_charts import QtGroupRatePlot

NO_GROUPS = ("No group values yet. Groups come from (a) a column of a dropped CSV or a labels.csv next to "
             "dropped files, (b) the session tag above, (c) bands the app computes (brightness, resolution, "
             "loudness, input device).")
NO_POSITIVE = ("Pick a positive class (the answer to compare, e.g. '>50K') to see how often each group "
               "gets it.")
NONE = "(none)"
SLIDER_STEPS = 1000  # the engine's what-if resolution (1/1000)


def plain_sentence(row: GroupRow, positive: str | None, min_n: int) -> str:
    """What one group's main number means for this model, in a sentence a newcomer can read."""
    def pct(x: float | None) -> str:
        return "?" if x is None else f"{x:.0%}"

    rate = row.selection_rate if positive is not None else row.low_confidence_rate
    if rate is None or rate.estimate is None:
        return f"{row.n:,} predictions for {row.value}."
    count = round(rate.estimate * row.n)
    what = f"the model said {positive!r} for {count:,}" if positive is not None else \
        f"the model was unsure about {count:,}"
    caveat = f" Too few (under {min_n}) to compare." if row.n < min_n else ""
    return (f"Of {row.n:,} predictions for {row.value}, {what} ({pct(rate.estimate)}; 95% interval "
            f"{pct(rate.low)} to {pct(rate.high)}).{caveat}")


class QtFairnessSection(QWidget):
    """Per-group numbers for the chosen attribute; asks for recounts through `settings_changed`."""

    settings_changed = Signal(dict)  # engine settings to change (positive_label, min_n)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot: MonitorSnapshot | None = None
        self.attribute = QComboBox()
        self.attribute.setAccessibleName("Group attribute")
        self.attribute.setToolTip("Which group attribute to compare, and where its values came from")
        self.attribute.currentIndexChanged.connect(self._attribute_chosen)
        self.attribute.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # reads whole
        self.positive = QComboBox()
        self.positive.setAccessibleName("Positive class")
        self.positive.setToolTip("The answer whose share per group is compared (e.g. '>50K' or 'approved'): the "
                                 "selection rate is how often the model gave it; TPR/FPR treat it as 'yes'")
        self.positive.activated.connect(self._positive_chosen)
        self.min_n = QSpinBox()
        self.min_n.setRange(1, 100_000)
        self.min_n.setAccessibleName("Minimum n")
        self.min_n.setToolTip("Groups with fewer predictions than this are greyed out: their numbers could "
                              "change a lot with a few more predictions")
        self.min_n.editingFinished.connect(lambda: self.settings_changed.emit({"min_n": self.min_n.value()}))
        bar = QHBoxLayout()
        for text, widget in (("&Attribute:", self.attribute), ("&Positive class:", self.positive),
                             ("Minimum &n:", self.min_n)):
            label = QLabel(text)
            label.setBuddy(widget)
            label.setToolTip(widget.toolTip())
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addStretch(1)

        self.hint = QLabel(NO_GROUPS)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Fairness status")
        self.groups = tables.make_table("Per-group numbers", tables.GROUP_COLUMNS)
        self.disparities = tables.make_table("Disparities across groups", tables.DISPARITY_COLUMNS)
        self.evidence = QLabel()
        self.evidence.setWordWrap(True)
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence.setAccessibleName("Evidence notes")
        summary = QGroupBox("Disparities (95% intervals for the pair attaining each value)")
        box = QVBoxLayout(summary)
        box.addWidget(self.disparities)
        box.addWidget(self.evidence)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setValue(SLIDER_STEPS // 2)
        self.slider.setPageStep(50)
        self.slider.setAccessibleName("What-if threshold on the positive class score")
        self.slider.valueChanged.connect(self._what_if)
        self.threshold_label = QLabel()
        self.threshold_label.setMinimumWidth(260)
        self.what_if_table = tables.make_table("What-if per-group rates", tables.WHAT_IF_COLUMNS)
        what_if = QGroupBox("What if the positive class needed a score of at least\u2026")
        wbox = QVBoxLayout(what_if)
        srow = QHBoxLayout()
        srow.addWidget(self.slider, 1)
        srow.addWidget(self.threshold_label)
        wbox.addLayout(srow)
        wbox.addWidget(self.what_if_table)
        self.what_if_box = what_if
        summary.setToolTip(fmt.PART_TIPS["Disparities"])
        what_if.setToolTip(fmt.PART_TIPS["What if"])

        self.group_box = QWidget()  # no heading of its own: the attribute choice above names the groups
        self.group_box.setAccessibleName("Per group")
        self.rate_chart = QtGroupRatePlot()
        self.plain = QLabel()  # the selected group's rate in a sentence
        self.plain.setWordWrap(True)
        self.plain.setAccessibleName("What the numbers mean")
        group_column = QVBoxLayout(self.group_box)
        group_column.setContentsMargins(0, 0, 0, 0)
        group_column.addWidget(self.plain)
        group_column.addWidget(self.groups)
        self.groups.currentCellChanged.connect(lambda *_: self._explain())
        left = QVBoxLayout()  # choices, hint, sentence and table, with the chart beside them all
        left.addLayout(bar)
        left.addWidget(self.hint)
        left.addWidget(self.group_box)
        left.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(self.rate_chart, 1, Qt.AlignmentFlag.AlignTop)  # whole in a short dock, even beside many rows
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(summary)
        layout.addWidget(what_if)
        layout.addStretch(1)
        self.summary_box = summary
        self._attributes: tuple[str, ...] = ()

    # -- user input --------------------------------------------------------------------------

    @Slot(int)
    def _attribute_chosen(self, _index: int) -> None:
        self._show_attribute()

    @Slot(int)
    def _positive_chosen(self, _index: int) -> None:
        text = self.positive.currentText()
        label = None if text == NONE else text
        if self.snapshot is None or label != self.snapshot.config.positive_label:
            self.settings_changed.emit({"positive_label": label})

    def set_labels(self, labels: Iterable[str], current: str | None) -> None:
        """The classes seen so far (and the engine's positive class) as the positive-class choices."""
        wanted = [NONE, *sorted(set(labels) | ({current} if current else set()))]
        if [self.positive.itemText(i) for i in range(self.positive.count())] != wanted:
            self.positive.blockSignals(True)
            self.positive.clear()
            self.positive.addItems(wanted)
            self.positive.blockSignals(False)
        if not self.positive.view().isVisible():
            self.positive.setCurrentText(current or NONE)

    # -- snapshot ----------------------------------------------------------------------------

    def current(self) -> AttributeFairness | None:
        if self.snapshot is None or not self.snapshot.fairness:
            return None
        name = self.attribute.currentData()
        for f in self.snapshot.fairness:
            if f.attribute == name:
                return f
        return self.snapshot.fairness[0]

    def apply(self, snap: MonitorSnapshot) -> None:
        self.snapshot = snap
        if not self.min_n.hasFocus():
            self.min_n.setValue(snap.config.min_n)
        titles = tuple(fmt.attribute_title(f.attribute, (g.provenance for g in f.rows)) for f in snap.fairness)
        if titles != self._attributes:
            chosen = self.attribute.currentData()
            self.attribute.blockSignals(True)
            self.attribute.clear()
            for f, title in zip(snap.fairness, titles, strict=True):
                self.attribute.addItem(title, f.attribute)
            index = self.attribute.findData(chosen)
            self.attribute.setCurrentIndex(max(index, 0))
            self.attribute.blockSignals(False)
            self._attributes = titles
        self._show_attribute()

    def _show_attribute(self) -> None:
        snap, f = self.snapshot, self.current()
        has_positive = snap is not None and snap.config.positive_label is not None
        self.hint.setText(NO_GROUPS if f is None else "" if has_positive else NO_POSITIVE)
        self.hint.setVisible(f is None or not has_positive)
        for widget in (self.group_box, self.rate_chart, self.summary_box):
            widget.setVisible(f is not None)
        self.what_if_box.setVisible(f is not None and has_positive)
        if snap is None or f is None:
            return
        min_n = snap.config.min_n
        positive = snap.config.positive_label
        heading = self.groups.horizontalHeaderItem(tables.GROUP_COLUMNS.index("Said positive"))
        if heading is not None:  # names the answer: "Said >50K"
            heading.setText(f"Said {positive}" if positive is not None else "Said positive")
        tables.fill_groups(self.groups, f.rows, min_n)
        tables.hide_empty_columns(self.groups)
        self._chart(f, snap.config.positive_label, min_n)
        self._explain()
        tables.fill_disparities(self.disparities, f.disparities, min_n)
        notes = [d.note for d in f.disparities if d.name in ("demographic_parity_difference",
                                                              "equalized_odds_difference", "confidence_gap")
                 and d.value is not None]
        self.evidence.setText("Evidence (numbers, not verdicts):\n" + "\n".join(f"\u2022 {n}" for n in notes)
                              if notes else "")
        self._what_if()

    def _explain(self) -> None:
        """One sentence for the selected group (the first until one is picked), e.g. "Of 120 predictions for
        Female, the model said '>50K' for 31 (26 %; 95 % interval 19 % to 34 %)." """
        snap, f = self.snapshot, self.current()
        if snap is None or f is None or not f.rows:
            self.plain.setText("")
            return
        cell = self.groups.item(self.groups.currentRow(), 0) if self.groups.currentRow() >= 0 else None
        name = cell.text() if cell is not None else f.rows[0].value
        row = next((r for r in f.rows if r.value == name), f.rows[0])
        missing = f" {f.missing:,} predictions have no {f.attribute} value and are not counted here." \
            if f.missing else ""
        self.plain.setText(plain_sentence(row, snap.config.positive_label, snap.config.min_n) + missing)

    def _chart(self, f: AttributeFairness, positive: str | None, min_n: int) -> None:
        """The per-group rates beside the table: selection rate of the positive class, else the low-confidence
        share; each bar with its 95 % interval, faded below the minimum n."""
        rows = []
        for row in f.rows:
            rate = row.selection_rate if positive is not None else row.low_confidence_rate
            if rate is None or rate.estimate is None:
                continue
            low = rate.low if rate.low is not None else rate.estimate
            high = rate.high if rate.high is not None else rate.estimate
            rows.append((row.value, rate.estimate, low, high, row.n >= min_n))
        title = f"Said {positive!r}, per group" if positive is not None else "Share unsure, per group"
        self.rate_chart.set_rates(title, rows)

    @Slot()
    def _what_if(self) -> None:
        snap, f = self.snapshot, self.current()
        threshold = self.slider.value() / SLIDER_STEPS
        if snap is None or f is None or snap.config.positive_label is None:
            return
        used, rows = snap.what_if(threshold, f.attribute)
        self.threshold_label.setText(f"score({snap.config.positive_label}) \u2265 {used:.3f}")
        self.threshold_label.setAccessibleName(f"What-if threshold {used:.3f}")
        tables.fill_what_if(self.what_if_table, rows, f.rows, snap.config.min_n)
