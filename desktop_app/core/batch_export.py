"""Batch results as table cells and export files (CSV / JSON), Qt-free.

JSON is a list of `result_to_dict` objects (the CLI's `--json` shape); CSV flattens the same dicts,
so the fields and their values match the CLI's."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from desktop_app.core.errors import AppError
from desktop_app.core.fileio import atomic_write_text, describe_write_error
from desktop_app.core.results import ClassificationResult, DetectionResult, RawResult, Result, VadResult
from desktop_app.core.serialize import result_to_dict

CSV_COLUMNS = ("path", "row", "ok", "error", "model", "provider", "top1_label", "top1_score", "topk",
               "detections", "segments", "total_ms")
EXPORT_SUFFIXES = (".csv", ".json")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def result_label(result: Result) -> str:
    """The table's label cell: top-1 class, "3 faces", "2 speech segments", "row 7: >50K"; "" on error."""
    if not result.ok:
        return ""
    payload = result.payload
    if isinstance(payload, ClassificationResult):
        text = payload.best.label if payload.top else "no classes"
    elif isinstance(payload, DetectionResult):
        text = _plural(len(payload.detections), "face" if result.task == "detect-faces" else "detection")
    elif isinstance(payload, VadResult):
        text = _plural(len(payload.segments), "speech segment")
    elif isinstance(payload, RawResult):
        text = _plural(len(payload.outputs), "output")
    else:
        text = "ok"
    return f"row {result.row}: {text}" if result.row is not None else text


def result_score(result: Result) -> float | None:
    """The score shown and filtered on: top-1 probability, best face, mean speech score; None if none."""
    payload = result.payload
    if isinstance(payload, ClassificationResult) and payload.top:
        return float(payload.best.score)
    if isinstance(payload, DetectionResult) and payload.detections:
        return max(float(d.score) for d in payload.detections)
    if isinstance(payload, VadResult) and payload.segments:
        return max(float(s.score) for s in payload.segments)
    return None


def result_tooltip(result: Result) -> str:
    """Top-k (or faces / segments) one per line, for the label cell's tooltip."""
    if not result.ok:
        return result.error or "failed"
    payload = result.payload
    if isinstance(payload, ClassificationResult):
        lines = [f"{c.label}: {c.score:.3f}" for c in payload.top]
        if payload.true_label is not None:
            lines.append(f"true label: {payload.true_label}")
        return "\n".join(lines)
    if isinstance(payload, DetectionResult):
        return "\n".join(f"{d.label} {d.score:.2f}" + (f" · {d.emotion.label} {d.emotion.score:.2f}" if d.emotion else "")
                         for d in payload.detections) or "no faces above the batch threshold"
    if isinstance(payload, VadResult):
        return "\n".join(f"{s.start_s:.2f}–{s.end_s:.2f} s ({s.score:.2f})" for s in payload.segments) or "no speech"
    return result_label(result)


def csv_row(result: Result) -> dict[str, Any]:
    """One Result -> the flattened CSV row (the same values `result_to_dict` gives)."""
    d = result_to_dict(result)
    top = d.get("top") or []
    return {
        "path": d["path"],
        "row": d.get("row", ""),
        "ok": "true" if d["ok"] else "false",
        "error": d["error"] or "",
        "model": d["model"] or "",
        "provider": d["provider"] or "",
        "top1_label": top[0]["label"] if top else "",
        "top1_score": top[0]["score"] if top else "",
        "topk": json.dumps(top, ensure_ascii=False) if "top" in d else "",
        "detections": len(d["detections"]) if "detections" in d else "",
        "segments": len(d["segments"]) if "segments" in d else "",
        "total_ms": d["timings_ms"]["total"],
    }


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
