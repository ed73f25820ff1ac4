"""`tabular`: CSV rows -> classes with probabilities; one ONNX input per CSV column, all rows in one run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.errors import AppError, TaskError
from desktop_app.core.media.table import Table, read_csv
from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import ClassificationResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, register
from desktop_app.core.tasks.classify import to_probabilities, top_k

_NUMERIC = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
            "tensor(int32)": np.int32}


class RowError(AppError):
    """One CSV row cannot be fed to the model (the other rows still are)."""


def _column_array(values: list[str], onnx_type: str) -> tuple[np.ndarray, list[int]]:
    """Column strings -> (N, 1) array of the input's type, and the row indices that failed to parse."""
    if onnx_type == "tensor(string)":
        return np.asarray(values, dtype=object).reshape(-1, 1), []
    dtype = _NUMERIC.get(onnx_type)
    if dtype is None:
        raise TaskError(f"unsupported tabular input type {onnx_type}")
    out = np.zeros((len(values), 1), dtype=dtype)
    bad = []
    for i, text in enumerate(values):
        try:
            out[i, 0] = float(text) if dtype in (np.float32, np.float64) else int(float(text))
        except ValueError:
            bad.append(i)
    return out, bad


@register
class TabularTask(Task):
    """CSV table -> one ClassificationResult per row (with the true label when the CSV has it)."""

    name = "tabular"
    input_kind = "table"
    payload_type = ClassificationResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        if card.tabular is None:
            raise TaskError(f"{card.id}: the model card has no [tabular] table")
        self.spec = card.tabular
        self.labels = card.labels()
        self.types = {i.name: i.type for i in session.inputs}
        probs = [o for o in session.outputs if o.type in ("tensor(float)", "tensor(double)") and len(o.shape) == 2]
        if not probs:
            raise TaskError(f"{card.id}: the model has no (rows, classes) probability output")
        self.output = probs[-1].name

    def decode(self, path: Path) -> Table:
        return read_csv(path)

    def run(self, data: Any, clock: StageClock, **options: Any) -> list[ClassificationResult | AppError]:
        table: Table = data
        missing = [name for name in self.types if name not in table.columns]
        if missing:
            raise TaskError(f"the CSV lacks the model's column(s): {', '.join(missing)}")
        k = int(options.get("top_k", 2))
        with clock.stage("preprocess"):
            feeds: dict[str, np.ndarray] = {}
            errors: dict[int, str] = {}
            for name, onnx_type in self.types.items():
                array, bad = _column_array(table.column(name), onnx_type)
                feeds[name] = array
                for row in bad:
                    errors.setdefault(row, f"row {row + 1}: column '{name}' is not a number: {table.rows[row][table.columns.index(name)]!r}")
            good = np.asarray([i for i in range(len(table.rows)) if i not in errors], dtype=np.int64)
            feeds = {name: array[good] for name, array in feeds.items()}
        probs = np.zeros((0, len(self.labels)))
        if len(good):
            (scores,), ms = self.session.run(feeds, [self.output])
            clock.add("inference", ms)
            probs = to_probabilities(np.asarray(scores))
        with clock.stage("postprocess"):
            truth = table.column(self.spec.label_column) if self.spec.label_column in table.columns else None
            by_row: dict[int, ClassificationResult | AppError] = {i: RowError(errors[i]) for i in errors}
            for j, row in enumerate(good.tolist()):
                label = truth[row].rstrip(".") if truth is not None else None
                by_row[row] = ClassificationResult(top_k(probs[j], self.labels, k), probs.shape[1], true_label=label)
            return [by_row[i] for i in range(len(table.rows))]
