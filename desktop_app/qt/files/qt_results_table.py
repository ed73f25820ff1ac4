"""The batch results table: one row per Result (a CSV file gives one per CSV row), appended as items
arrive, plus the proxy that sorts and filters it (text, errors only, score below threshold)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QApplication

from desktop_app.core.batch_export import result_label, result_score, result_tooltip
from desktop_app.core.results import Result
from desktop_app.qt.files.qt_batch_worker import BatchItem

COLUMNS = ("", "File", "Label", "Score", "Model", "ms", "Ran on", "Error")  # short: the pane is narrow
THUMB, FILE, LABEL, SCORE, MODEL, LATENCY, PROVIDER, ERROR = range(len(COLUMNS))
#: What each column means, in plain words (the header's tooltip).
COLUMN_TIPS = ("A small picture of the input", "The file (and the row, for CSV tables)",
               "What the model found: the top class, the boxes or people found, or the error",
               "How sure the model is of its top answer (0 to 1)", "The model that produced this row",
               "Latency: milliseconds from reading the file to the finished result",
               "The hardware that really ran the model (its execution provider: CPU, CUDA or DirectML)",
               "Why the file failed, if it did")
SORT_ROLE = Qt.ItemDataRole.UserRole
FILTER_MODES = ("all", "errors only", "score below threshold")
_Index = QModelIndex | QPersistentModelIndex


THUMB_PX = 40  # drawn size in the table (the worker's thumbnails are up to 96 px)


def rgb_pixmap(image: np.ndarray, max_side: int | None = None) -> QPixmap:
    """An RGB uint8 array -> QPixmap, optionally scaled to fit `max_side` (the buffer is copied)."""
    data = np.ascontiguousarray(image)
    h, w = data.shape[:2]
    qimage = QImage(data.data, w, h, int(data.strides[0]), QImage.Format.Format_RGB888).copy()
    if max_side is not None and max(w, h) > max_side:
        qimage = qimage.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
    return QPixmap.fromImage(qimage)


def error_colour() -> QColor:
    app = QApplication.instance()
    dark = bool(app.property("dark_theme")) if app is not None else False
    return QColor(255, 120, 100) if dark else QColor(198, 40, 40)


@dataclass
class BatchRow:
    """One table row: the item it came from, its Result and the cells worked out once. The thumbnail
    becomes a pixmap when the view first draws it: only the rows scrolled into view pay for that."""

    item_index: int
    result: Result
    image: np.ndarray | None
    name: str
    label: str
    score: float | None
    tooltip: str
    _pixmap: QPixmap | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def thumbnail(self) -> QPixmap | None:
        if self._pixmap is None and self.image is not None:
            self._pixmap = rgb_pixmap(self.image, THUMB_PX)
        return self._pixmap


class QtBatchTableModel(QAbstractTableModel):
    """Rows in arrival order; never re-sorted or dropped (the proxy sorts a view of them)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BatchRow] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.AccessibleTextRole:
            return COLUMNS[section] or "Thumbnail"
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section]
        return None

    def append_items(self, items: list[BatchItem]) -> int:
        """Append the rows of finished items in one insert; returns the first new row."""
        new = [self._row(item, result) for item in items for result in item.results]
        first = len(self.rows)
        if new:
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self.rows.extend(new)
            self.endInsertRows()
        return first

    @staticmethod
    def _row(item: BatchItem, result: Result) -> BatchRow:
        thumb = item.thumbnail if result.row is None else None
        return BatchRow(item.index, result, thumb, Path(result.source).name, result_label(result),
                        result_score(result), result_tooltip(result))

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self.endResetModel()

    def row_at(self, row: int) -> BatchRow:
        return self.rows[row]

    def results(self) -> list[Result]:
        return [r.result for r in self.rows]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._sort_key(row, col)
        if role == Qt.ItemDataRole.DecorationRole and col == THUMB:
            return row.thumbnail
        if role == Qt.ItemDataRole.ToolTipRole:
            return {LABEL: row.tooltip, FILE: row.result.source, ERROR: row.result.error,
                    MODEL: row.result.model_id}.get(col)
        if role == Qt.ItemDataRole.ForegroundRole and not row.ok:
            return error_colour()
        if role == Qt.ItemDataRole.AccessibleTextRole and col == THUMB:
            return f"thumbnail of {row.name}" if row.image is not None else "no thumbnail"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (SCORE, LATENCY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: BatchRow, col: int) -> str | None:
        result = row.result
        if col == FILE:
            return row.name if result.row is None else f"{row.name} #{result.row}"
        if col == LABEL:  # a failed row says why here too, the error column is often scrolled away
            return row.label if result.ok else f"failed: {result.error}"
        if col == SCORE:
            return "" if row.score is None else f"{row.score:.3f}"
        if col == MODEL:
            return result.model_id or ""
        if col == LATENCY:
            return f"{result.timings.total_ms:.1f}" if result.ok or result.timings.total_ms else ""
        if col == PROVIDER:
            return result.provider.used_short if result.provider else ""
        if col == ERROR:
            return result.error or ""
        return None

    @staticmethod
    def _sort_key(row: BatchRow, col: int) -> Any:
        if col == THUMB:
            return row.item_index
        if col == FILE:
            return f"{row.result.source}\0{row.result.row or 0:09d}"
        if col == SCORE:
            return -1.0 if row.score is None else row.score
        if col == LATENCY:
            return row.result.timings.total_ms
        return QtBatchTableModel._display(row, col) or ""


class QtBatchFilterProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE; filters by a text (file, label, error) and a mode from FILTER_MODES."""

    def __init__(self, threshold: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = threshold
        self.mode = FILTER_MODES[0]
        self.text = ""
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_filter(self, text: str | None = None, mode: str | None = None, threshold: float | None = None) -> None:
        self.beginFilterChange()
        if text is not None:
            self.text = text.strip().lower()
        if mode is not None:
            self.mode = mode
        if threshold is not None:
            self.threshold = threshold
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802 (Qt API)
        model = self.sourceModel()
        assert isinstance(model, QtBatchTableModel)
        row = model.row_at(source_row)
        if self.mode == "errors only" and row.ok:
            return False
        if self.mode == "score below threshold" and (not row.ok or row.score is None or row.score >= self.threshold):
            return False
        if self.text:
            hay = f"{row.result.source} {row.label} {row.result.model_id or ''} {row.result.error or ''}".lower()
            return self.text in hay
        return True
