"""A snapshot as a JSON-able report and as flat CSV rows: the panel's "export report" and the
`fairness` command write exactly these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.core.monitor.fairness import ONE_GROUP
from desktop_app.core.monitor.intervals import Z95

if TYPE_CHECKING:
    from desktop_app.core.monitor.engine import MonitorSnapshot

SCHEMA = "desktop-app.monitor-report/1"
INTERVAL_METHODS = {
    "rate": "wilson (Wilson 1927)",
    "difference": "newcombe-hybrid-score (Newcombe 1998, method 10), for the pair of groups attaining max-min",
    "ratio": "katz-log (Katz et al. 1978), for the pair of groups attaining min/max",
    "mean_difference": "welch-normal, for the pair of groups attaining the confidence gap",
}
CSV_COLUMNS = ("window", "window_n", "section", "attribute", "group", "provenance", "metric", "value",
               "ci_low", "ci_high", "method", "n", "reliable", "model_ids", "model_sha256", "providers")


def snapshot_report(snap: MonitorSnapshot) -> dict[str, Any]:
    """Every number the panel shows for the snapshot's window, with the window, n, methods, models, providers."""
    c, conf = snap.config, snap.confidence
    return {
        "schema": SCHEMA,
        "window": {"kind": snap.window.kind, "value": snap.window.value, "n": snap.n, "truncated": snap.truncated},
        "models": [{"id": m, "sha256": h} for m, h in snap.models],
        "providers": list(snap.providers),
        "sources": dict(snap.kinds),
        "settings": {"positive_label": c.positive_label, "low_confidence": c.low_confidence, "min_n": c.min_n,
                     "n_bins": c.n_bins, "calibration_bins": "equal-count", "temperature": c.temperature,
                     "confidence_level": 0.95, "z": Z95},
        "interval_methods": dict(INTERVAL_METHODS),
        "confidence": {
            "n": conf.n, "mean": conf.mean, "rolling_mean": conf.rolling_mean, "rolling_n": c.rolling_n,
            "low_threshold": conf.low_threshold, "low_rate": conf.low_rate.to_dict(),
            "mean_latency_ms": conf.mean_latency_ms,
            "score_histogram": conf.score_histogram.to_dict(), "margin_histogram": conf.margin_histogram.to_dict(),
            "entropy_histogram": conf.entropy_histogram.to_dict(),
            "flagged": [{"source": f.source, "score": f.score, "label": f.label} for f in conf.flagged],
        },
        "calibration": snap.calibration.to_dict() if snap.calibration else None,
        "temperature": ({"temperature": snap.temperature.temperature, "before": snap.temperature.before.to_dict(),
                         "after": snap.temperature.after.to_dict()} if snap.temperature else None),
        "fairness": [f.to_dict() for f in snap.fairness],
        "evidence": [d.note for f in snap.fairness for d in f.disparities
                     if d.name in ("demographic_parity_difference", "equalized_odds_difference", "confidence_gap")
                     and d.value is not None and d.note != ONE_GROUP],
    }


def _iv_row(base: dict[str, Any], metric: str, iv: dict[str, Any] | None, n: Any = None, **extra: Any) -> dict[str, Any]:
    iv = iv or {}
    return {**base, "metric": metric, "value": iv.get("estimate"), "ci_low": iv.get("low"), "ci_high": iv.get("high"),
            "method": iv.get("method"), "n": n, **extra}


def report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as flat rows (CSV_COLUMNS), one per number shown; histograms and bins stay in the JSON."""
    w = report["window"]
    common = {"window": w["kind"] if w["value"] is None else f"{w['kind']}={w['value']}", "window_n": w["n"],
              "model_ids": ";".join(m["id"] for m in report["models"]),
              "model_sha256": ";".join(m["sha256"] for m in report["models"]),
              "providers": ";".join(report["providers"]), "attribute": "", "group": "", "provenance": "",
              "reliable": ""}
    rows: list[dict[str, Any]] = []
    conf = report["confidence"]
    base = {**common, "section": "confidence"}
    rows.append({**base, "metric": "mean_confidence", "value": conf["mean"], "n": conf["n"]})
    rows.append({**base, "metric": "rolling_mean_confidence", "value": conf["rolling_mean"], "n": conf["rolling_n"]})
    rows.append(_iv_row(base, f"low_confidence_rate(<{conf['low_threshold']})", conf["low_rate"], conf["n"]))
    rows.append({**base, "metric": "mean_latency_ms", "value": conf["mean_latency_ms"], "n": conf["n"]})
    for name, cal in (("calibration", report["calibration"]),
                      *((f"temperature_{k}", (report["temperature"] or {}).get(k)) for k in ("before", "after"))):
        if cal:
            for metric in ("accuracy", "brier_top1", "brier_binary", "ece", "mce"):
                rows.append({**common, "section": name, "metric": metric, "value": cal[metric], "n": cal["n"]})
    for attr in report["fairness"]:
        for g in attr["groups"]:
            base = {**common, "section": "group", "attribute": g["attribute"], "group": g["value"],
                    "provenance": g["provenance"], "reliable": g["reliable"]}
            rows.append({**base, "metric": "mean_confidence", "value": g["mean_confidence"], "n": g["n"]})
            rows.append(_iv_row(base, "selection_rate", g["selection_rate"], g["n"]))
            rows.append(_iv_row(base, "low_confidence_rate", g["low_confidence_rate"], g["n"]))
            rows.append(_iv_row(base, "accuracy", g["accuracy"], g["labelled"]))
            rows.append(_iv_row(base, "tpr", g["tpr"], g["labelled"]))
            rows.append(_iv_row(base, "fpr", g["fpr"], g["labelled"]))
            rows.append({**base, "metric": "ece", "value": g["ece"], "n": g["labelled"]})
        for d in attr["disparities"]:
            iv = d["interval"] or {}
            rows.append({**common, "section": "disparity", "attribute": attr["attribute"],
                         "group": " vs ".join(d["pair"]) if d["pair"] else "", "metric": d["name"], "value": d["value"],
                         "ci_low": iv.get("low"), "ci_high": iv.get("high"), "method": iv.get("method"),
                         "n": "/".join(str(x) for x in d["counts"]) if d["counts"] else None,
                         "reliable": d["reliable"]})
    return [{k: row.get(k) for k in CSV_COLUMNS} for row in rows]
