"""Segmentation results: the picture with its masks (or class map) over it, and the share of the picture
each class covers."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop_app.core.payloads import plural
from desktop_app.core.payloads.segmentation import SegmentationResult
from desktop_app.core.results import Result
from desktop_app.qt.results.qt_drawn_canvas import QtDrawnCanvas
from desktop_app.qt.results.qt_payload_view import QtPayloadView


def small_table(headers: list[str], name: str) -> QTableWidget:
    """A read-only, sortable-free table sized to its rows (used by the segmentation and pose pages)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()


class QtSegmentationView(QtPayloadView):
    """Instance or semantic segmentation: the overlay, a count line and the per-class area table."""

    page = "segmentation"
    payload_type = SegmentationResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = QtDrawnCanvas("Picture with masks")
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Objects found")
        self.areas = small_table(["Class", "Share of the picture"], "Area per class")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 100)
        layout.addWidget(self.count_label)
        layout.addWidget(self.areas, 1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        payload = result.payload
        assert isinstance(payload, SegmentationResult)
        self.canvas.show_payload(payload, image)
        if payload.semantic:
            n = len(payload.areas)
            self.count_label.setText(f"{n} {'class' if n == 1 else 'classes'} in the picture")
        else:
            found = ", ".join(f"{i.label} {i.score:.2f}" for i in payload.instances)
            self.count_label.setText(plural(len(payload.instances), "object") + (f": {found}" if found else ""))
        fill_table(self.areas, [(name, f"{fraction:.1%}") for name, fraction in payload.areas])
