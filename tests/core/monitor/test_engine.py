"""MonitorEngine: incremental counts, windows, what-if, calibration, temperature, threads, speed."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.monitor.calibration import ece, equal_count_bins
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine, Window
from tests.conftest import ROOT
from tests.core.monitor.helpers import NEG, POS, binary_event, random_events


def _engine(**kw: object) -> MonitorEngine:
    return MonitorEngine(MonitorConfig(positive_label=POS, **kw))  # type: ignore[arg-type]


def test_confidence_stats_and_flagged_list() -> None:
    engine = _engine(low_confidence=0.7, flagged=3)
    for i, p in enumerate([0.95, 0.55, 0.2, 0.65, 0.99, 0.45]):
        engine.add(binary_event(p, None, {}, source=f"f{i}.png"))
    snap = engine.snapshot()
    conf = snap.confidence
    assert conf.n == 6 and snap.calibration is None
    assert conf.mean == pytest.approx(np.mean([0.95, 0.55, 0.8, 0.65, 0.99, 0.55]))
    assert conf.low_rate.estimate == pytest.approx(3 / 6)  # 0.55, 0.65, 0.55 are below 0.7
    assert [f.source for f in conf.flagged] == ["f1.png", "f5.png", "f3.png"]
    assert conf.score_histogram.total == conf.margin_histogram.total == conf.entropy_histogram.total == 6


def test_engine_calibration_equals_exact_equal_count_bins() -> None:
    rng = np.random.default_rng(5)
    p = (rng.choice(np.arange(500, 1000), 200, replace=False) + 0.5) / 1000  # distinct fine bins, p >= 0.5
    truth = rng.random(200) < p
    engine = _engine(n_bins=10)
    engine.extend([binary_event(float(x), POS if t else NEG, {}) for x, t in zip(p, truth, strict=True)])
    cal = engine.snapshot().calibration
    assert cal is not None and cal.n == 200
    assert cal.ece == pytest.approx(ece(equal_count_bins(p, truth, 10)), abs=1e-12)
    assert cal.accuracy == pytest.approx(truth.mean())
    assert cal.brier_binary == pytest.approx(np.mean((p - truth) ** 2))


def test_temperature_before_after() -> None:
    events, *_ = random_events(3, 400, {})
    engine = _engine(temperature=2.0)
    engine.extend(events)
    effect = engine.snapshot().temperature
    assert effect is not None and effect.before.n == effect.after.n == 400
    assert effect.before.accuracy == effect.after.accuracy  # scaling never changes the top-1
    assert effect.after.ece != effect.before.ece


def test_what_if_threshold_moves_selection_rate() -> None:
    events, y, y_pred, g = random_events(4, 2000, {})
    engine = _engine()
    engine.extend(events)
    snap = engine.snapshot()
    p = np.array([e.score_of(POS) for e in events])
    for threshold in (0.5, 0.3, 0.8):
        used, rows = snap.what_if(threshold, "g")
        assert used == pytest.approx(threshold)
        for row in rows:
            members = g == row.value
            assert row.selection_rate is not None
            assert row.selection_rate.estimate == pytest.approx((p[members] >= threshold).mean())
            assert row.tpr is not None
            assert row.tpr.estimate == pytest.approx((p[members & (y == 1)] >= threshold).mean())
    # at 0.5 the what-if equals the model's own predictions
    _, rows = snap.what_if(0.5, "g")
    rates = {r.value: r.selection_rate.estimate for r in rows if r.selection_rate}
    assert rates == {v: pytest.approx(y_pred[g == v].mean()) for v in rates}


def test_windows_last_n_and_last_seconds() -> None:
    engine = _engine(log_size=50)
    now = time.time()
    for i in range(80):
        engine.add(binary_event(0.9 if i < 70 else 0.6, None, {"g": "a"}, t=now - 80 + i))
    assert engine.snapshot().n == 80
    last = engine.snapshot(Window.last_n(20))
    assert last.n == 20 and last.confidence.mean == pytest.approx(0.75)
    assert engine.snapshot(Window.last_n(60)).truncated  # the log keeps 50
    recent = engine.snapshot(Window.last_s(5.5))
    assert recent.n == 5 and recent.confidence.mean == pytest.approx(0.6)


def test_dedupe_keeps_one_event_per_face_per_bucket() -> None:
    engine = _engine(dedupe_bucket_s=1.0)
    base = binary_event(0.9, None, {})
    for i in range(30):  # 30 frames over 1.5 s of two faces
        for face in (1, 2):
            engine.add(type(base)(**{**base.__dict__, "t": 100.0 + i * 0.05, "track_id": face}))
    assert engine.snapshot().n == 4  # buckets [100, 101) and [101, 102) for each face
    assert engine.deduper is not None and engine.deduper.skipped == 56


def test_reset_and_aggregates_only() -> None:
    engine = _engine()
    engine.extend(random_events(1, 100, {})[0])
    agg = engine.log_aggregates()
    assert agg["total"] == 100 and agg["by_provider"] == {"CPU": 100} and agg["labelled"] == 100
    engine.reset()
    assert engine.snapshot().n == 0 and len(engine.log) == 0


def test_threads_add_while_snapshotting() -> None:
    engine = _engine(batch=64)
    events = random_events(2, 4000, {})[0]

    def feed(part: list) -> None:
        for e in part:
            engine.add(e)

    threads = [threading.Thread(target=feed, args=(events[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        engine.snapshot()
    for t in threads:
        t.join()
    snap = engine.snapshot()
    assert snap.n == 4000 and sum(r.n for r in snap.attribute("g").rows) == 4000


def test_adding_100k_events_is_linear_and_fast() -> None:
    events = random_events(0, 100_000, {})[0]
    engine = _engine()
    start = time.perf_counter()
    engine.extend(events)
    engine.snapshot()
    elapsed = time.perf_counter() - start
    assert engine.snapshot().n == 100_000
    assert elapsed < 20.0  # generous for CI; the bench (bench/bench_monitor.py) checks >= 100k events/s


def test_report_is_json_and_csv_rows_cover_groups() -> None:
    import json

    engine = _engine()
    engine.extend(random_events(9, 300, {"single": 1})[0])
    report = engine.report()
    assert json.loads(json.dumps(report, allow_nan=False)) == report
    rows = engine.report_csv_rows()
    assert {r["group"] for r in rows if r["section"] == "group"} == {"a", "b", "c", "single"}
    assert all(r["model_sha256"] == "abc" and r["providers"] == "CPU" for r in rows)


def test_monitor_package_never_imports_qt_or_fairlearn() -> None:
    for path in (ROOT / "desktop_app").rglob("*.py"):
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any(m.split(".")[0] == "fairlearn" for m in names), path
        if path.is_relative_to(ROOT / "desktop_app" / "core" / "monitor"):  # qt/monitor is the Qt panel
            assert not any(m.split(".")[0] in ("PySide6", "shiboken6") for m in names), path


def test_vectorised_margin_and_entropy_equal_the_per_event_functions() -> None:
    from desktop_app.core.monitor.accumulate import _margin_entropy
    from desktop_app.core.monitor.events import Event
    from desktop_app.core.monitor.stats import margin, normalised_entropy

    rng = np.random.default_rng(0)
    events = []
    for _ in range(50):
        p = np.sort(rng.dirichlet(np.ones(10)))[::-1][:3]
        events.append(Event(t=0, kind="file", model_id="m", model_sha256="h", provider="CPU",
                            top=tuple((str(i), float(x)) for i, x in enumerate(p)), num_classes=10))
    spread, entropy = _margin_entropy(events)
    assert spread == pytest.approx([margin(e.top) for e in events], abs=1e-12)
    assert entropy == pytest.approx([normalised_entropy(e.top, 10) for e in events], abs=1e-12)
