"""Batch results as table cells and export files (CSV / JSON), Qt-free.

JSON is a list of `result_to_dict` objects (the CLI's `--json` shape); CSV flattens the same values
(the payload's `export_fields`), so the fields match the CLI's. Every cell comes from the payload."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from desktop_app.core.errors import AppError
from desktop_app.core.fileio import atomic_write_text, describe_write_error
from desktop_app.core.results import Result
from desktop_app.core.serialize import payload_export_fields, result_to_dict

CSV_COLUMNS = ("path", "row", "ok", "error", "model", "provider", "top1_label", "top1_score", "topk",
               "detections", "segments", "instances", "class_areas", "people", "heads", "total_ms")
EXPORT_SUFFIXES = (".csv", ".json")


def result_label(result: Result) -> str:
    """The table's label cell: top-1 class, "3 faces", "2 speech segments", "row 7: >50K"; "" on error."""
    if not result.ok:
        return ""
    text = result.payload.label(result.task) if result.payload is not None else "ok"
    return f"row {result.row}: {text}" if result.row is not None else text


def result_score(result: Result) -> float | None:
    """The score shown and filtered on: top-1 probability, best face, best speech segment; None if none."""
    return result.payload.score() if result.payload is not None else None


def result_tooltip(result: Result) -> str:
    """Top-k (or faces / segments) one per line, for the label cell's tooltip."""
    if not result.ok:
        return result.error or "failed"
    return result.payload.tooltip() if result.payload is not None else result_label(result)


def csv_row(result: Result) -> dict[str, Any]:
    """One Result -> the flattened CSV row (the same values `result_to_dict` gives); the payload fills
    the task's columns (`Payload.export_fields`, named from CSV_COLUMNS)."""
    row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, "")  # other tasks' columns stay blank
    row.update({
        "path": result.source,
        "row": result.row if result.row is not None else "",
        "ok": "true" if result.ok else "false",
        "error": result.error or "",
        "model": result.model_id or "",
        "provider": result.provider.used_short if result.provider else "",
        "total_ms": result.timings.to_dict()["total"],
    })
    row.update(payload_export_fields(result))
    return row


def results_json(results: Iterable[Result]) -> str:
    """A JSON list of `result_to_dict` objects."""
    return json.dumps([result_to_dict(r) for r in results], ensure_ascii=False, indent=1) + "\n"


def results_csv(results: Iterable[Result]) -> str:
    """The flattened CSV (header + one line per result)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        writer.writerow(csv_row(result))
    return buffer.getvalue()


def export_results(path: Path, results: Sequence[Result]) -> None:
    """Write every result to `path` (.csv or .json) atomically; raises AppError (bad name) or WriteError
    (disk full, read-only folder, no permission: nothing half-written is left)."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise AppError(f"{path.name}: export to a .csv or .json file")
    text = results_json(results) if suffix == ".json" else results_csv(results)
    atomic_write_text(path, text)


def export_error(path: Path, exc: BaseException) -> str:
    """A one-line reason an export failed."""
    if isinstance(exc, AppError):
        return str(exc)
    return describe_write_error(path, exc)
