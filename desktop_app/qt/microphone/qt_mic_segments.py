"""The detected speech segments: a table (start, end, duration, score) and their export as CSV or JSON,
written atomically."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from desktop_app.core.fileio import atomic_write_text
from desktop_app.core.results import SpeechSegment

CSV_FIELDS = ("index", "start_s", "end_s", "duration_s", "score")


def segments_csv(segments: Iterable[SpeechSegment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for i, seg in enumerate(segments, 1):
        writer.writerow([i, f"{seg.start_s:.3f}", f"{seg.end_s:.3f}", f"{seg.end_s - seg.start_s:.3f}",
                         f"{seg.score:.4f}"])
    return out.getvalue()


def segments_json(segments: Iterable[SpeechSegment], source: str, model_id: str | None) -> str:
    items = [{**seg.to_dict(), "duration_s": round(seg.end_s - seg.start_s, 3)} for seg in segments]
    return json.dumps({"source": source, "model": model_id, "segments": items}, indent=2) + "\n"


def write_segments(path: Path, segments: list[SpeechSegment], source: str, model_id: str | None) -> Path:
    """CSV for a .csv path, JSON otherwise; atomic (temporary file in the folder, then replace)."""
    path = Path(path)
    text = segments_csv(segments) if path.suffix.lower() == ".csv" else segments_json(segments, source, model_id)
    atomic_write_text(path, text)
    return path


class QtSegmentTable(QTableWidget):
    """One row per closed speech segment, newest at the bottom (followed while the view is at the end)."""

    COLUMNS = ("#", "Start", "End", "Duration", "Score")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.segments: list[SpeechSegment] = []
        self.setAccessibleName("Speech segments")
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setTabKeyNavigation(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    def add_segments(self, segments: Iterable[SpeechSegment]) -> None:
        bar = self.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 2
        for seg in segments:
            row = self.rowCount()
            self.insertRow(row)
            self.segments.append(seg)
            cells = (str(row + 1), f"{seg.start_s:.2f} s", f"{seg.end_s:.2f} s", f"{seg.end_s - seg.start_s:.2f} s",
                     f"{seg.score:.2f}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, item)
        if follow:
            self.scrollToBottom()

    def clear_segments(self) -> None:
        self.setRowCount(0)
        self.segments = []
