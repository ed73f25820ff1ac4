"""Results as plain JSON-able dicts: the CLI's `--json` lines and the app's exports use the same shape.

The task's own fields come from the payload (`Payload.json_fields`); a failed item gets the empty fields
of the payload type its task registers, so every line of one task has the same keys."""

from __future__ import annotations

from typing import Any

from desktop_app.core.payloads import ExportValue
from desktop_app.core.results import Result
from desktop_app.core.tasks.base import payload_type_for


def payload_json_fields(result: Result) -> dict[str, Any]:
    """The task's fields of a Result: its payload's, or the task's empty ones when there is no payload."""
    if result.payload is not None:
        return result.payload.json_fields()
    payload_type = payload_type_for(result.task)
    return payload_type.empty_json_fields() if payload_type is not None else {}


def payload_export_fields(result: Result) -> dict[str, ExportValue]:
    """The CSV columns a Result's task fills: its payload's, or the task's empty ones."""
    if result.payload is not None:
        return result.payload.export_fields()
    payload_type = payload_type_for(result.task)
    return payload_type.empty_export_fields() if payload_type is not None else {}


def result_to_dict(result: Result) -> dict[str, Any]:
    """One Result -> {"path", "ok", "error", "model", "provider", <task fields>, "timings_ms"}."""
    out: dict[str, Any] = {
        "path": result.source,
        "ok": result.ok,
        "error": result.error,
        "model": result.model_id,
        "provider": result.provider.used_short if result.provider else None,
    }
    if result.row is not None:
        out["row"] = result.row
    out.update(payload_json_fields(result))
    if result.attributes:
        out["groups"] = [{"attribute": a, "value": v, "provenance": p} for a, v, p in result.attributes]
    if result.provider and result.provider.fallback_reason:
        out["provider_note"] = result.provider.fallback_reason
    out["timings_ms"] = result.timings.to_dict()
    return out


def result_summary(result: Result) -> str:
    """One human-readable line for a Result."""
    name = result.source if result.row is None else f"{result.source} row {result.row}"
    if not result.ok:
        return f"{name}: FAILED: {result.error}"
    where = f"[{result.provider.used_short if result.provider else '?'}, {result.timings.total_ms:.1f} ms]"
    body = result.payload.summary() if result.payload is not None else "ok"
    return f"{name}: {body} {where}"
