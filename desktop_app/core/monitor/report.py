"""`desktop-app fairness`: run a model over a CSV, group the rows by CSV columns, report with the engine.

The command and the panel share `MonitorEngine`; this module only turns a CSV's Results and columns
into events and the report into a readable table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import AppError
from desktop_app.core.media.table import Table, read_csv
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from desktop_app.core.monitor.events import Event, event_from_result
from desktop_app.core.monitor.groups import groups_from_row
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import Result


class FairnessUsageError(AppError):
    """The fairness command cannot run as asked (unknown column, no positive class)."""


@dataclass(frozen=True)
class CsvRun:
    """The outcome of running a model over a CSV for the monitor: the engine, and the failed rows."""

    engine: MonitorEngine
    failed: tuple[str, ...]


def normalise_label(text: str) -> str:
    """A label cell as the tabular task reads it: stripped, without the Adult test split's trailing '.'."""
    return text.strip().rstrip(".")


def csv_events(results: Sequence[Result], table: Table, attributes: Sequence[str],
               label_column: str | None = None) -> tuple[list[Event], list[str]]:
    """Events of a CSV's Results (rows matched by `Result.row`), groups from columns (csv-column)."""
    for column in (*attributes, *([label_column] if label_column else [])):
        table.column(column)  # MediaError naming the CSV's columns when one is missing
    label_index = table.columns.index(label_column) if label_column else -1
    events, failed = [], []
    for result in results:
        if result.row is None or not result.ok:
            failed.append(f"{result.source} row {result.row}: {result.error}")
            continue
        i = result.row - 1
        truth = normalise_label(table.rows[i][label_index]) if label_index >= 0 else None
        event = event_from_result(result, groups_from_row(table, i, attributes), "file", true_label=truth)
        if event is None:
            failed.append(f"{result.source} row {result.row}: no class scores")
        else:
            events.append(event)
    return events, failed


def positive_for(pipeline: Pipeline, model_id: str, positive: str | None) -> str:
    """The positive class: as given (checked against the model's labels) or the model card's."""
    card = pipeline.card(model_id)
    labels = card.labels()
    if positive is None:
        positive = card.tabular.positive_label if card.tabular is not None else None
    if positive is None:
        raise FairnessUsageError(f"{model_id}: its card names no positive class; give one with --positive")
    if labels and positive not in labels:
        raise FairnessUsageError(f"{model_id}: no class {positive!r} (classes: {', '.join(labels[:10])})")
    return positive


def run_csv(pipeline: Pipeline, path: Path, model_id: str, attributes: Sequence[str], *,
            label_column: str | None = None, positive: str | None = None, min_n: int = 30,
            low_confidence: float = 0.6) -> CsvRun:
    """Run a model on every row of a CSV and feed the events into a fresh engine."""
    positive = positive_for(pipeline, model_id, positive)
    table = read_csv(path)
    k = max(2, len(pipeline.card(model_id).labels()))
    results = pipeline.run_path(path, model_id, top_k=k)
    if len(results) == 1 and results[0].row is None and not results[0].ok:
        raise FairnessUsageError(results[0].error or f"{path}: the model could not run")
    events, failed = csv_events(results, table, attributes, label_column)
    engine = MonitorEngine(MonitorConfig(positive_label=positive, min_n=min_n, low_confidence=low_confidence,
                                         log_size=max(1, len(events)), dedupe_bucket_s=None))
    engine.extend(events)
    return CsvRun(engine, tuple(failed))


def _pct(iv: dict[str, Any] | None) -> str:
    if not iv or iv["estimate"] is None:
        return "-"
    if iv["low"] is None:
        return f"{iv['estimate']:.3f}"
    return f"{iv['estimate']:.3f} [{iv['low']:.3f}, {iv['high']:.3f}]"


def format_text(report: dict[str, Any]) -> str:
    """The report as a readable table (the --json output carries every number in full)."""
    w, s = report["window"], report["settings"]
    models = ", ".join(f"{m['id']} (sha256 {m['sha256'][:12]})" for m in report["models"])
    lines = [f"{w['n']} predictions by {models} on {', '.join(report['providers'])}; positive class "
             f"{s['positive_label']!r}; intervals 95% (rates: Wilson, differences: Newcombe method 10)"]
    cal = report["calibration"]
    conf = report["confidence"]
    lines.append(f"mean confidence {conf['mean']:.3f}; low confidence (<{conf['low_threshold']}) "
                 f"{_pct(conf['low_rate'])}" if conf["mean"] is not None else "no predictions")
    if cal:
        lines.append(f"accuracy {cal['accuracy']:.4f}  Brier (binary) {cal['brier_binary']:.4f}  "
                     f"ECE {cal['ece']:.4f}  MCE {cal['mce']:.4f}  ({s['n_bins']} equal-count bins, n={cal['n']})")
    header = f"  {'group':<28}{'n':>7}  {'selection rate':<26}{'TPR':<26}{'FPR':<26}{'accuracy':<26}{'mean conf':>9}"
    for attr in report["fairness"]:
        lines += ["", f"{attr['attribute']} (source: {', '.join(sorted({g['provenance'] for g in attr['groups']}))})",
                  header]
        for g in attr["groups"]:
            mark = "" if g["reliable"] else f"  (n < {s['min_n']}: too few)"
            lines.append(f"  {g['value'][:27]:<28}{g['n']:>7}  {_pct(g['selection_rate']):<26}{_pct(g['tpr']):<26}"
                         f"{_pct(g['fpr']):<26}{_pct(g['accuracy']):<26}{g['mean_confidence']:>9.3f}{mark}")
        for d in attr["disparities"]:
            if d["name"] in ("tpr_difference", "tpr_ratio", "fpr_difference", "fpr_ratio"):
                continue
            iv = d["interval"]
            ci = f" [{iv['low']:.3f}, {iv['high']:.3f}]" if iv and iv["low"] is not None else ""
            value = "undefined" if d["value"] is None else f"{d['value']:.3f}{ci}"
            flag = "" if d["reliable"] else "  (too few to read)"
            lines.append(f"  {d['name']:<30} {value}{flag}")
    if report["evidence"]:
        lines += ["", "evidence (numbers, not verdicts):"] + [f"  - {note}" for note in report["evidence"]]
    return "\n".join(lines)
