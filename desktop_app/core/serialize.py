"""Results as plain JSON-able dicts: the CLI's `--json` lines and the app's exports use the same shape."""

from __future__ import annotations

from typing import Any

from desktop_app.core.results import (
    ClassificationResult,
    DetectionResult,
    RawResult,
    Result,
    VadResult,
)


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
    payload = result.payload
    if isinstance(payload, ClassificationResult):
        out["top"] = [c.to_dict() for c in payload.top]
        if payload.true_label is not None:
            out["true_label"] = payload.true_label
    elif isinstance(payload, DetectionResult):
        out["detections"] = [d.to_dict() for d in payload.detections]
        out["image_size"] = [payload.width, payload.height]
    elif isinstance(payload, VadResult):
        out["segments"] = [s.to_dict() for s in payload.segments]
        out["duration_s"] = round(payload.duration_s, 3)
    elif isinstance(payload, RawResult):
        out["inputs"] = [t.to_dict() for t in payload.inputs]
        out["outputs"] = [t.to_dict() for t in payload.outputs]
    elif result.task == "classify" or result.task == "tabular" or result.task == "emotion":
        out["top"] = []
    elif result.task == "detect-faces":
        out["detections"] = []
    elif result.task == "vad":
        out["segments"] = []
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
    payload = result.payload
    where = f"[{result.provider.used_short if result.provider else '?'}, {result.timings.total_ms:.1f} ms]"
    if isinstance(payload, ClassificationResult):
        body = ", ".join(f"{c.label} {c.score:.3f}" for c in payload.top)
        if payload.true_label is not None:
            body += f" (true: {payload.true_label})"
    elif isinstance(payload, DetectionResult):
        parts = []
        for d in payload.detections:
            x1, y1, x2, y2 = d.box
            emo = f" {d.emotion.label} {d.emotion.score:.2f}" if d.emotion else ""
            parts.append(f"{d.label} {d.score:.2f} at ({x1:.0f},{y1:.0f})-({x2:.0f},{y2:.0f}){emo}")
        body = f"{len(payload.detections)} found" + (": " + "; ".join(parts) if parts else "")
    elif isinstance(payload, VadResult):
        segs = ", ".join(f"{s.start_s:.2f}-{s.end_s:.2f}s" for s in payload.segments)
        body = f"{len(payload.segments)} speech segment(s) in {payload.duration_s:.2f} s" + (f": {segs}" if segs else "")
    elif isinstance(payload, RawResult):
        body = "; ".join(f"{t.name} {t.dtype}{list(t.shape)} mean={t.mean if t.mean is None else round(t.mean, 4)}"
                         for t in payload.outputs)
    else:
        body = "ok"
    return f"{name}: {body} {where}"
