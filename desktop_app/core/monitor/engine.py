"""MonitorEngine: one engine for the live panel and the `fairness` command.

`add` is O(1) amortised and thread-safe: an event goes to a pending buffer, and every `batch` events
(or at the next snapshot) the buffer is appended to the bounded log and folded into the session's
running sums with numpy. `snapshot`
(called by the panel at a bounded rate, or once by the CLI) folds what is pending and returns a frozen
`MonitorSnapshot`; the session window is read from the running sums in O(groups x bins), the
last-N / last-T windows are summed afresh from the bounded log (O(window), never per event).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, Literal

from desktop_app.core.monitor.accumulate import Aggregate, GroupTable
from desktop_app.core.monitor.calibration import CalibrationSummary, bins_from_histogram, summarise
from desktop_app.core.monitor.events import Deduper, Event, EventLog
from desktop_app.core.monitor.export import report_rows, snapshot_report
from desktop_app.core.monitor.fairness import AttributeFairness, WhatIfRow, attribute_fairness, what_if
from desktop_app.core.monitor.intervals import Interval, wilson
from desktop_app.core.monitor.stats import Flagged, Histogram, coarsen


@dataclass(frozen=True)
class Window:
    """Which events a snapshot covers: the whole session, the last `value` events or seconds."""

    kind: Literal["session", "last_n", "last_s"] = "session"
    value: float | None = None

    @classmethod
    def last_n(cls, n: int) -> Window:
        return cls("last_n", n)

    @classmethod
    def last_s(cls, seconds: float) -> Window:
        return cls("last_s", seconds)


SESSION = Window()


@dataclass(frozen=True)
class MonitorConfig:
    """Engine settings: positive class, low-confidence threshold, minimum n, bins, live dedup, sizes, and the
    one model counted (the log keeps every model's events, so switching recounts from it)."""

    positive_label: str | None = None
    low_confidence: float = 0.6
    min_n: int = 30
    n_bins: int = 10
    temperature: float | None = None
    dedupe_bucket_s: float | None = 1.0
    log_size: int = 20_000
    flagged: int = 20
    rolling_n: int = 100
    batch: int = 2048
    model: str | None = None  # count only this model's predictions (None: every model's)


@dataclass(frozen=True)
class ConfidenceStats:
    """Label-free confidence numbers of a window."""

    n: int
    mean: float | None
    rolling_mean: float | None
    low_threshold: float
    low_rate: Interval
    score_histogram: Histogram
    margin_histogram: Histogram
    entropy_histogram: Histogram
    flagged: tuple[Flagged, ...]
    mean_latency_ms: float | None


@dataclass(frozen=True)
class TemperatureEffect:
    """Calibration before and after temperature scaling with T."""

    temperature: float
    before: CalibrationSummary
    after: CalibrationSummary


@dataclass(frozen=True)
class MonitorSnapshot:
    """Everything the panel shows for one window, frozen; `what_if` answers the threshold slider."""

    window: Window
    n: int
    truncated: bool
    models: tuple[tuple[str, str], ...]
    providers: tuple[str, ...]
    kinds: tuple[tuple[str, int], ...]
    config: MonitorConfig
    confidence: ConfidenceStats
    calibration: CalibrationSummary | None
    temperature: TemperatureEffect | None
    fairness: tuple[AttributeFairness, ...]
    tables: tuple[GroupTable, ...]

    def attribute(self, name: str) -> AttributeFairness:
        for f in self.fairness:
            if f.attribute == name:
                return f
        raise KeyError(name)

    def what_if(self, threshold: float, attribute: str) -> tuple[float, tuple[WhatIfRow, ...]]:
        """Per-group selection rate / TPR / FPR if the positive class needed score >= threshold."""
        for table in self.tables:
            if table.attribute == attribute:
                return what_if(table, threshold)
        raise KeyError(attribute)


class MonitorEngine:
    """Accumulates events (from any thread) and answers snapshots and reports."""

    def __init__(self, config: MonitorConfig | None = None) -> None:
        self.config = config or MonitorConfig()
        self.log = EventLog(self.config.log_size)
        self.deduper = Deduper(self.config.dedupe_bucket_s) if self.config.dedupe_bucket_s else None
        self._lock = threading.Lock()
        self._pending: list[Event] = []
        self._session = self._aggregate()
        self._session_truncated = False  # after a reconfigure that could only re-read the bounded log
        self.models_seen: dict[str, int] = {}  # model id -> predictions seen, newest model last

    def _aggregate(self, config: MonitorConfig | None = None) -> Aggregate:
        c = config or self.config
        return Aggregate(c.positive_label, c.low_confidence, c.temperature, c.flagged, c.rolling_n)

    def add(self, event: Event) -> bool:
        """Count one event; False when live dedup dropped it (same tracked face, same time bucket)."""
        if event.track_id is not None and self.deduper is not None and not self.deduper.admit(event):
            return False
        with self._lock:
            self._pending.append(event)
            self.models_seen[event.model_id] = self.models_seen.pop(event.model_id, 0) + 1  # newest last
            if len(self._pending) >= self.config.batch:
                self._fold()
        return True

    def extend(self, events: list[Event]) -> int:
        """Add many events; returns how many were counted."""
        return sum(self.add(e) for e in events)

    def _counted(self, events: list[Event], config: MonitorConfig | None = None) -> list[Event]:
        model = (config or self.config).model
        return events if model is None else [e for e in events if e.model_id == model]

    def _fold(self) -> None:
        pending, self._pending = self._pending, []
        self.log.extend(pending)
        self._session.update(self._counted(pending))

    def seen_models(self) -> list[str]:
        """Every model with predictions this session, newest first (O(models): no counting on the caller's thread)."""
        with self._lock:
            return list(reversed(self.models_seen))

    def newest_model(self) -> str | None:
        """The model of the most recent prediction."""
        with self._lock:
            return next(reversed(self.models_seen), None)

    def log_aggregates(self) -> dict[str, Any]:
        """The event log's counts (`EventLog.to_aggregates`), pending events included."""
        with self._lock:
            self._fold()
        return self.log.to_aggregates()

    def reset(self) -> None:
        """Forget every event and count (the panel's reset button)."""
        with self._lock:
            self._pending = []
            self._session = self._aggregate()
            self._session_truncated = False
            self.log.clear()
            self.models_seen = {}

    def reconfigure(self, **changes: Any) -> MonitorConfig:
        """Change positive class, low-confidence threshold, min n, bins or temperature, and recount.

        The session sums are rebuilt from the bounded log (O(log size), meant for a worker thread):
        when the log has dropped events, the session then covers the kept ones only and its
        snapshots say `truncated`. Events added meanwhile (any thread) are counted exactly once.
        """
        fixed = {"log_size", "batch", "dedupe_bucket_s"} & set(changes)
        if fixed:
            raise ValueError(f"cannot change {', '.join(sorted(fixed))} of a running engine")
        config = replace(self.config, **changes)
        with self._lock:
            self._fold()
            events, _ = self.log.last_n(len(self.log))
            seen, truncated = self.log.total, self.log.dropped > 0 or self._session_truncated
        fresh = self._aggregate(config)
        fresh.update(self._counted(events, config))  # the slow part, outside the lock
        with self._lock:
            self._fold()
            late = self.log.total - seen
            if late:
                fresh.update(self._counted(self.log.last_n(late)[0], config))
            self.config, self._session, self._session_truncated = config, fresh, truncated
        return config

    def snapshot(self, window: Window = SESSION) -> MonitorSnapshot:
        """A frozen summary of a window (the session's from running sums, others from the log)."""
        with self._lock:
            self._fold()
            if window.kind == "session":
                return self._snapshot(window, self._session, self._session_truncated)
        if window.kind == "last_n":
            events, truncated = self.log.last_n(int(window.value or 0))
        else:
            events, truncated = self.log.last_seconds(float(window.value or 0.0))
        agg = self._aggregate()
        agg.update(self._counted(events))
        return self._snapshot(window, agg, truncated)

    def _snapshot(self, window: Window, agg: Aggregate, truncated: bool) -> MonitorSnapshot:
        c = self.config
        o = agg.overall.scalars
        n = agg.n
        confidence = ConfidenceStats(
            n=n, mean=float(o["conf_sum"][0] / n) if n else None, rolling_mean=agg.rolling.value,
            low_threshold=c.low_confidence, low_rate=wilson(int(o["low"][0]), n),
            score_histogram=coarsen(agg.conf_hist), margin_histogram=coarsen(agg.margin_hist),
            entropy_histogram=coarsen(agg.entropy_hist), flagged=agg.flagged.items(),
            mean_latency_ms=agg.latency_sum / n if n else None)
        calibration = _calibration(agg.overall, c) if o["labelled"][0] else None
        temperature = None
        if c.temperature is not None and calibration is not None:
            s = agg.scaled
            bins = bins_from_histogram(s["cal_count"], s["cal_conf"], s["cal_correct"], c.n_bins)
            after = summarise(calibration.n, float(o["correct"][0]), float(s["brier_top1"][0]), 0.0, 0, bins)
            temperature = TemperatureEffect(c.temperature, calibration, after)
        tables = tuple(agg.tables[k].copy() for k in sorted(agg.tables))
        return MonitorSnapshot(
            window=window, n=n, truncated=truncated, models=tuple(sorted(agg.models)),
            providers=tuple(sorted(agg.providers)), kinds=tuple(sorted(agg.kinds.items())), config=c,
            confidence=confidence, calibration=calibration, temperature=temperature,
            fairness=tuple(attribute_fairness(t, c.min_n, c.n_bins) for t in tables), tables=tables)

    def report(self, window: Window = SESSION) -> dict[str, Any]:
        """The JSON-able report of a window (what "export report" and `desktop-app fairness --json` write)."""
        return snapshot_report(self.snapshot(window))

    def report_csv_rows(self, window: Window = SESSION) -> list[dict[str, Any]]:
        """The same numbers as flat rows for the CSV export (one row per number)."""
        return report_rows(self.report(window))


def _calibration(table: GroupTable, c: MonitorConfig) -> CalibrationSummary:
    s, f = table.scalars, table.fine
    bins = bins_from_histogram(f["cal_count"][0], f["cal_conf"][0], f["cal_correct"][0], c.n_bins)
    nl = int(s["labelled"][0])
    binary = c.positive_label is not None
    return summarise(nl, float(s["correct"][0]), float(s["brier_top1"][0]),
                     float(s["brier_binary"][0]) if binary else 0.0, nl if binary else 0, bins)
