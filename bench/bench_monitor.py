"""Benchmark of the monitor engine: events/s for add() and the cost of a snapshot.

Feeds 100,000 pre-built events (two group attributes, labels, binary scores) into MonitorEngine and
reports add() throughput (including the batched folds), the session snapshot cost after that, the
cost of a last-1000 window snapshot, and what-if cost. Goal: >= 100,000 events/s for add().

    .venv/bin/python bench/bench_monitor.py [--events N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine, Window  # noqa: E402
from desktop_app.core.monitor.events import Event, GroupValue  # noqa: E402


def make_events(n: int, seed: int = 0) -> list[Event]:
    rng = np.random.default_rng(seed)
    p = rng.random(n).tolist()
    y = (rng.random(n) < 0.3).tolist()
    sex = rng.choice(["Female", "Male"], n).tolist()
    race = rng.choice(["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"], n).tolist()
    now = time.time()
    out = []
    for i in range(n):
        top = ((">50K", p[i]), ("<=50K", 1 - p[i])) if p[i] >= 0.5 else (("<=50K", 1 - p[i]), (">50K", p[i]))
        out.append(Event(t=now + i * 1e-3, kind="file", model_id="adult-income", model_sha256="8a32797b", provider="CPU",
                         top=top, latency_ms=0.1, true_label=">50K" if y[i] else "<=50K", num_classes=2,
                         groups=(GroupValue("sex", sex[i], "csv-column"), GroupValue("race", race[i], "csv-column")),
                         source=f"adult.csv#row{i + 1}"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    events = make_events(args.events)
    engine = MonitorEngine(MonitorConfig(positive_label=">50K"))
    add = engine.add
    start = time.perf_counter()
    for e in events:
        add(e)
    add_s = time.perf_counter() - start
    start = time.perf_counter()
    engine.snapshot()  # folds the last partial batch too
    first_snapshot_ms = (time.perf_counter() - start) * 1e3
    timings = {}
    snap = engine.snapshot()
    for name, call in (("snapshot_session_ms", lambda: engine.snapshot()),
                       ("snapshot_last_1000_ms", lambda: engine.snapshot(Window.last_n(1000))),
                       ("report_session_ms", lambda: engine.report()),
                       ("what_if_ms", lambda: snap.what_if(0.4, "race"))):
        runs = []
        for _ in range(20):
            t0 = time.perf_counter()
            call()
            runs.append((time.perf_counter() - t0) * 1e3)
        timings[name] = round(float(np.median(runs)), 3)
    result = {"events": args.events, "add_events_per_s": round(args.events / add_s),
              "add_us_per_event": round(add_s / args.events * 1e6, 3),
              "first_snapshot_ms": round(first_snapshot_ms, 3), **timings,
              "goal_events_per_s": 100_000, "goal_met": args.events / add_s >= 100_000}
    print(json.dumps(result, indent=2))
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
