"""The fairness tables: per-group rows, the disparity summary and the what-if rows.

Cells of numbers that rest on fewer than the minimum n are disabled (drawn greyed by the palette, light
or dark) and carry a tooltip saying why; `RELIABLE_ROLE` holds 1 or 0 for tests and assistive tools (an
int: PySide6 6.12 on CPython 3.11 loses references to True/False passed through item data).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from desktop_app.core.monitor.fairness import Disparity, GroupRow, WhatIfRow
from desktop_app.core.monitor.intervals import Interval
from desktop_app.qt.monitor import qt_monitor_format as fmt

RELIABLE_ROLE = Qt.ItemDataRole.UserRole + 1
#: Plain headings; each cell's rate reads '25% [20–32%]': the estimate and its 95% interval in brackets.
GROUP_COLUMNS = ("Group", "n", "Said positive", "Mean score", "Unsure", "Accuracy", "Hits (TPR)",
                 "False alarms (FPR)", "ECE")
DISPARITY_COLUMNS = ("Measure", "Value", "95% CI", "Method", "Pair (higher vs lower)", "n")
WHAT_IF_COLUMNS = ("Group", "n", "Said positive", "\u0394 vs model", "Hits (TPR)", "\u0394 vs model")
SHOWN_DISPARITIES = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
                     "equalized_odds_ratio", "confidence_gap")
_BRACKETS = " The brackets: the 95% interval the true rate is likely to lie in."
#: Every column heading in plain words (the header's tooltip); "positive class" is the answer chosen above.
COLUMN_TIPS = {
    "Group": "The group's value (e.g. Female), from a CSV column, a labels.csv, the session tag or the app",
    "n": "How many predictions this row counts; below the minimum n the numbers are greyed (too few to trust)",
    "Said positive": "Selection rate: of the predictions in this group, the share where the model gave the "
                     "positive class chosen above; 26% means 26 of every 100." + _BRACKETS,
    "Mean score": "Mean confidence: on average, how sure the model was of its top answer in this group (0 to 1)",
    "Unsure": "Low-confidence rate: the share of this group's predictions where the model was unsure (top "
              "score below the low-confidence threshold)." + _BRACKETS,
    "Accuracy": "Where the true answer is known (a CSV column or labels.csv): the share the model got right."
                + _BRACKETS,
    "Hits (TPR)": "True-positive rate: of the cases that really are the positive class, the share the model "
                  "found (needs true answers)." + _BRACKETS,
    "False alarms (FPR)": "False-positive rate: of the cases that are not the positive class, the share the "
                          "model wrongly called positive (needs true answers)." + _BRACKETS,
    "ECE": "Expected calibration error: how far the model's stated confidence is from how often it is right "
           "(0 = confidence can be taken at its word; needs true answers)",
    "Measure": "Which gap between groups this row measures",
    "Value": "The size of the gap (a difference: 0 = no gap; a ratio: 1 = no gap)",
    "95% CI": "The 95% interval: the range the gap is likely to lie in, given how many predictions each group has",
    "Method": "How the interval was worked out",
    "Pair (higher vs lower)": "The two groups furthest apart on this measure",
    "\u0394 vs model": "How much this rate would change with the what-if threshold instead of the model's own "
                       "answers",
}
Cell = tuple[str, str]  # (text, tooltip)
_ENABLED = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
_DISABLED = Qt.ItemFlag.ItemIsSelectable
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def make_table(name: str, columns: Sequence[str], parent: QWidget | None = None) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(list(columns))
    for index, column in enumerate(columns):
        header_item = table.horizontalHeaderItem(index)
        if header_item is not None:
            header_item.setToolTip(COLUMN_TIPS.get(column, ""))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    # Interactive, sized once per fill: ResizeToContents re-measures a whole column on every cell change.
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)  # a stretched last column pushes its numbers far from the rest
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return table


def fit_height(table: QTableWidget, max_rows: int = 12) -> None:
    """Make the table tall enough for its rows (up to max_rows) so the scroll area scrolls, not the table."""
    rows = min(table.rowCount(), max_rows)
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(rows)) if rows else table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(height + 2)


def hide_empty_columns(table: QTableWidget) -> None:
    """Hide the columns with no number in any row (accuracy, TPR, FPR, ECE before true labels arrive; the
    selection rate before a positive class is chosen), so the table fits beside its chart."""
    for c in range(1, table.columnCount()):
        cells = [table.item(r, c) for r in range(table.rowCount())]
        empty = bool(cells) and all(item is None or item.text() == fmt.DASH for item in cells)
        if table.isColumnHidden(c) != empty:
            table.setColumnHidden(c, empty)


def _fill(table: QTableWidget, rows: Sequence[tuple[Sequence[Cell], bool, str]]) -> None:
    """rows: (cells, reliable, why-not-reliable)."""
    changed = table.rowCount() != len(rows)
    table.setRowCount(len(rows))
    for r, (cells, reliable, why) in enumerate(rows):
        flags = _ENABLED if reliable else _DISABLED
        for c, (text, tip) in enumerate(cells):
            item = table.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                if c:
                    item.setTextAlignment(_RIGHT)
                table.setItem(r, c, item)
            elif item.text() == text and item.flags() == flags:
                continue  # unchanged: no dataChanged, no repaint
            changed = True
            item.setText(text)
            item.setToolTip(tip if reliable else f"{why}\n{tip}".strip())
            item.setData(RELIABLE_ROLE, int(reliable))
            item.setFlags(flags)
    if changed:
        table.resizeColumnsToContents()
        fit_height(table)


def _iv(iv: Interval | None, n: int | None = None) -> Cell:
    return fmt.rate(iv), fmt.interval_tip(iv, n)


def fill_groups(table: QTableWidget, rows: Sequence[GroupRow], min_n: int) -> None:
    out = []
    for g in rows:
        source = fmt.PROVENANCE_TEXT.get(g.provenance, g.provenance)
        cells: list[Cell] = [
            (g.value, f"{g.attribute}={g.value} (from {source})"),
            (f"{g.n:,}", f"{g.n} predictions, {g.labelled} with a true label"),
            _iv(g.selection_rate, g.n), (f"{g.mean_confidence:.3f}", "mean top-1 score"),
            _iv(g.low_confidence_rate, g.n), _iv(g.accuracy, g.labelled),
            _iv(g.tpr), _iv(g.fpr), (fmt.number(g.ece), "expected calibration error, equal-count bins")]
        out.append((cells, g.reliable, fmt.too_few(g.n, min_n)))
    _fill(table, out)


def fill_disparities(table: QTableWidget, disparities: Sequence[Disparity], min_n: int) -> None:
    out = []
    for d in disparities:
        if d.name not in SHOWN_DISPARITIES:
            continue
        iv = d.interval
        ci = fmt.DASH if iv is None or iv.low is None or iv.high is None else f"[{iv.low:.3f}, {iv.high:.3f}]"
        cells: list[Cell] = [
            (fmt.METRIC_TEXT.get(d.name, d.name), d.note), (fmt.number(d.value), d.note), (ci, d.note),
            (iv.method if iv else fmt.DASH, "interval for the pair of groups that attains the value"),
            (" vs ".join(d.pair) if d.pair else fmt.DASH, d.note),
            ("/".join(f"{x:,}" for x in d.counts) if d.counts else fmt.DASH, "denominators behind the pair's rates")]
        why = f"fewer than {min_n} behind one of the rates: too few to read as evidence"
        out.append((cells, d.reliable, why))
    _fill(table, out)


def _delta(now: Interval | None, before: Interval | None) -> Cell:
    if now is None or before is None or now.estimate is None or before.estimate is None:
        return fmt.DASH, ""
    return f"{now.estimate - before.estimate:+.3f}", "change against the model's own decisions (top-1 class)"


def fill_what_if(table: QTableWidget, rows: Sequence[WhatIfRow], current: Sequence[GroupRow], min_n: int) -> None:
    by_key = {(g.value, g.provenance): g for g in current}
    out = []
    for w in rows:
        g = by_key.get((w.value, w.provenance))
        cells: list[Cell] = [(w.value, f"from {fmt.PROVENANCE_TEXT.get(w.provenance, w.provenance)}"),
                             (f"{w.n:,}", ""), _iv(w.selection_rate, w.n),
                             _delta(w.selection_rate, g.selection_rate if g else None), _iv(w.tpr),
                             _delta(w.tpr, g.tpr if g else None)]
        out.append((cells, w.n >= min_n, fmt.too_few(w.n, min_n)))
    _fill(table, out)
