"""Raw results: every input and output tensor of a run with its dtype, shape and statistics."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.results import RawResult, Result, TensorSummary
from desktop_app.qt.results.qt_payload_view import QtPayloadView


def number(value: float | None) -> str:
    """A statistic in 4 significant digits; '—' when the tensor has none (strings, empty tensors)."""
    return "—" if value is None else f"{value:.4g}"


def tensor_cells(kind: str, t: TensorSummary) -> tuple[str, ...]:
    shape = "[" + ", ".join(str(d) for d in t.shape) + "]"
    head = ", ".join(f"{v:.4g}" for v in t.head)
    return (kind, t.name, t.dtype, shape, number(t.min), number(t.max), number(t.mean), number(t.std), head)


class QtRawView(QtPayloadView):
    """A table with one row per tensor: inputs first, then outputs."""

    page = "raw"
    payload_type = RawResult

    COLUMNS = ("", "Name", "Type", "Shape", "Min", "Max", "Mean", "Std", "First values")
    NUMERIC = range(4, 8)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_label = QLabel()
        self.summary_label.setAccessibleName("Tensor summary")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Input and output tensors")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        raw = result.payload
        assert isinstance(raw, RawResult)
        rows = [tensor_cells("input", t) for t in raw.inputs] + [tensor_cells("output", t) for t in raw.outputs]
        self.summary_label.setText(f"{len(raw.inputs)} input and {len(raw.outputs)} output tensors")
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c in self.NUMERIC:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
