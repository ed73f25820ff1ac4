"""The model list as a table model: one row per bundled or user model, with size, origin, integrity and use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop_app.core.models.card import ModelCard
from desktop_app.qt.models.qt_model_format import KIND_LABELS
from desktop_app.qt.models.qt_model_workers import VerifyState, VerifyStatus

COLUMNS = ("Model", "Task", "Status", "Used for", "Size", "License", "Origin")  # most telling first: docks are narrow
_STATE_COLOURS = {VerifyState.VERIFIED: QColor(46, 160, 67), VerifyState.MISMATCH: QColor(218, 54, 51),
                  VerifyState.MISSING: QColor(218, 54, 51), VerifyState.UNREADABLE: QColor(218, 54, 51)}
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ModelRow:
    """What the list shows for one model (size read from the file system, not from hashing)."""

    card: ModelCard
    size_bytes: int | None
    uses: tuple[str, ...]  # input kinds ("image", "detect", ...) that use this model now
    status: VerifyStatus


def file_size(card: ModelCard) -> int | None:
    """The model file's size from the file system (None when it is missing or unreadable)."""
    try:
        return card.path.stat().st_size
    except OSError:
        return None


def format_mb(size: int | None) -> str:
    if size is None:
        return "—"
    return f"{size / 1_000_000:,.1f} MB" if size >= 100_000 else f"{size / 1_000_000:.2f} MB"


class QtModelTableModel(QAbstractTableModel):
    """Rows of ModelRow; verification verdicts and uses update in place."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ModelRow] = []
        self.ran: set[str] = set()  # models that produced a result this session

    def mark_ran(self, model_id: str) -> None:
        """The model produced a result: its intact file now reads "ran ✓" instead of "not run yet"."""
        if model_id in self.ran:
            return
        self.ran.add(model_id)
        row = self.row_of(model_id)
        if row >= 0:
            column = COLUMNS.index("Status")
            self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def set_rows(self, rows: list[ModelRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, model_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.card.id == model_id), -1)

    def card_at(self, row: int) -> ModelCard | None:
        return self.rows[row].card if 0 <= row < len(self.rows) else None

    def status_of(self, model_id: str) -> VerifyStatus | None:
        row = self.row_of(model_id)
        return self.rows[row].status if row >= 0 else None

    def set_status(self, status: VerifyStatus) -> None:
        row = self.row_of(status.model_id)
        if row < 0:
            return
        old = self.rows[row]
        self.rows[row] = ModelRow(old.card, old.size_bytes, old.uses, status)
        column = COLUMNS.index("Status")
        self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def set_uses(self, uses: dict[str, tuple[str, ...]]) -> None:
        for row, old in enumerate(self.rows):
            self.rows[row] = ModelRow(old.card, old.size_bytes, uses.get(old.card.id, ()), old.status)
        if self.rows:
            column = COLUMNS.index("Used for")
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    # -- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, row.card.id in self.ran)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "Status":
            if row.status.state is VerifyState.VERIFIED and row.card.id not in self.ran:
                return None  # intact but not run yet: plain text, not the green of "ran"
            colour = _STATE_COLOURS.get(row.status.state)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "Size":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.card.id
        return None

    @staticmethod
    def _status_text(row: ModelRow, ran: bool) -> str:
        """A file that is intact says whether the model has run yet (an intact file does not mean it works)."""
        if row.status.state is VerifyState.VERIFIED:
            return "ran ✓" if ran else "not run yet"
        return row.status.state.value

    @staticmethod
    def _text(row: ModelRow, column: str, ran: bool = False) -> str:
        card = row.card
        values = {
            "Model": card.id,
            "Task": card.task,
            "Size": format_mb(row.size_bytes),
            "License": card.license,
            "Origin": "bundled" if card.bundled else "user",
            "Status": QtModelTableModel._status_text(row, ran),
            "Used for": ", ".join(KIND_LABELS[k] for k in row.uses) or "—",
        }
        return values[column]

    def _tooltip(self, row: ModelRow, column: str) -> str | None:
        if column == "Model":
            origin = "bundled" if row.card.bundled else "user model"
            return (f"{row.card.name}\n{origin} · {format_mb(row.size_bytes)} · license {row.card.license}\n"
                    f"{row.card.path}")
        if column == "Status":
            state = row.status.state
            if state is VerifyState.VERIFIED:
                return ("Produced a result in this session. " if row.card.id in self.ran else
                        "Has not produced a result yet in this session. ") + (row.status.detail or "")
            return row.status.detail or None
        if column == "Size" and row.size_bytes is not None:
            return f"{row.size_bytes:,} bytes"
        return None
