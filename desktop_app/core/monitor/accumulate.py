"""Running counts per group, updated in batches with numpy (no per-event recomputation from scratch).

`extract` turns events into arrays in one pass; `GroupTable.update` adds a batch to the per-group sums
and fine histograms of one attribute; `Aggregate` holds everything one window needs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from desktop_app.core.monitor.calibration import apply_temperature
from desktop_app.core.monitor.events import Event
from desktop_app.core.monitor.stats import (
    HIST_BINS,
    Flagged,
    LeastConfident,
    RollingMean,
    bin_index,
    margin,
    normalised_entropy,
)

FINE_BINS = 1000  # resolution of score histograms: what-if thresholds and calibration bins (1/1000)
OVERALL = "(all)"
GroupKey = tuple[str, str]  # (value, provenance)

_SCALARS = ("n", "selected", "conf_sum", "conf_sq", "low", "labelled", "correct", "positives", "negatives",
            "tp", "fp", "brier_top1", "brier_binary")
_FINE = ("cal_count", "cal_conf", "cal_correct", "pos_all", "pos_yes", "pos_no")


@dataclass(frozen=True)
class Batch:
    """Per-event numbers of a batch of events, as arrays (one entry per event)."""

    conf: np.ndarray
    margin: np.ndarray
    entropy: np.ndarray
    pos_score: np.ndarray
    pred_pos: np.ndarray
    labelled: np.ndarray
    correct: np.ndarray
    y_pos: np.ndarray
    low: np.ndarray
    latency: np.ndarray
    conf_scaled: np.ndarray | None
    events: list[Event] = field(repr=False)


def extract(events: list[Event], positive: str | None, low_threshold: float, temperature: float | None) -> Batch:
    """One pass over events -> Batch. The positive class's score is 0 when it is not among the top-k."""
    rows = []
    scaled = []
    for e in events:
        top = e.top
        pos = 0.0
        if positive is not None:
            for name, score in top:
                if name == positive:
                    pos = score
                    break
        truth = e.true_label
        rows.append((top[0][1], pos, top[0][0] == positive, truth is not None, truth == top[0][0], truth == positive,
                     e.latency_ms))
        if temperature is not None:
            scaled.append(apply_temperature(tuple(s for _, s in top), temperature, e.num_classes)[0])
    a = np.array(rows, dtype=np.float64).reshape(len(rows), 7)
    conf = a[:, 0]
    spread, entropy = _margin_entropy(events)
    return Batch(conf=conf, margin=spread, entropy=entropy, pos_score=a[:, 1], pred_pos=a[:, 2] > 0,
                 labelled=a[:, 3] > 0, correct=a[:, 4] > 0, y_pos=a[:, 5] > 0, low=conf < low_threshold,
                 latency=a[:, 6], conf_scaled=np.array(scaled) if temperature is not None else None, events=events)


def _margin_entropy(events: list[Event]) -> tuple[np.ndarray, np.ndarray]:
    """Margins and normalised entropies (stats.margin / stats.normalised_entropy), vectorised when every
    event has the same k and number of classes (one model), per event otherwise."""
    k, c = len(events[0].top), events[0].num_classes
    if k < 2 or any(len(e.top) != k or e.num_classes != c for e in events):
        return (np.array([margin(e.top) for e in events]),
                np.array([normalised_entropy(e.top, e.num_classes) for e in events]))
    p = np.array([[score for _, score in e.top] for e in events], dtype=np.float64)
    classes = max(c, k)
    spread = np.clip(p[:, 0] - p[:, 1], 0.0, 1.0)
    safe = np.where(p > 0, p, 1.0)
    h = -(np.where(p > 0, p, 0.0) * np.log(safe)).sum(axis=1)
    rest = 1.0 - np.where(p > 0, p, 0.0).sum(axis=1)
    unseen = classes - k
    if unseen > 0:
        ok = rest > 1e-12
        h = h - np.where(ok, rest * np.log(np.where(ok, rest, 1.0) / unseen), 0.0)
    return spread, np.clip(h / np.log(classes), 0.0, 1.0)


class GroupTable:
    """Sums per group of one attribute: counts, confusion counts, score sums and fine histograms."""

    def __init__(self, attribute: str, positive: str | None) -> None:
        self.attribute = attribute
        self.positive = positive
        self.keys: list[GroupKey] = []
        self.index: dict[GroupKey, int] = {}
        self.scalars = {name: np.zeros(0) for name in _SCALARS}
        self.fine = {name: np.zeros((0, FINE_BINS)) for name in _FINE}
        self.missing = 0  # events without a value for this attribute

    def key_index(self, key: GroupKey) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.scalars = {k: np.append(v, 0.0) for k, v in self.scalars.items()}
            self.fine = {k: np.vstack([v, np.zeros((1, FINE_BINS))]) for k, v in self.fine.items()}
        return i

    def update(self, gidx: np.ndarray, b: Batch, conf_bin: np.ndarray, pos_bin: np.ndarray) -> None:
        """Add a batch; gidx[i] is event i's group index here, -1 when it has no value for the attribute."""
        m = gidx >= 0
        self.missing += int((~m).sum())
        g = gidx[m]
        size = len(self.keys)
        if not len(g):
            return

        def add(name: str, weights: np.ndarray | None, where: np.ndarray | None = None) -> None:
            gg = g if where is None else g[where]
            w = None if weights is None else (weights[m] if where is None else weights[m][where])
            self.scalars[name] += np.bincount(gg, weights=w, minlength=size)[:size]

        lab = b.labelled[m]
        add("n", None)
        add("selected", b.pred_pos.astype(np.float64))
        add("conf_sum", b.conf)
        add("conf_sq", b.conf * b.conf)
        add("low", b.low.astype(np.float64))
        add("labelled", None, lab)
        add("correct", b.correct.astype(np.float64), lab)
        add("positives", b.y_pos.astype(np.float64), lab)
        add("negatives", (~b.y_pos).astype(np.float64), lab)
        add("tp", (b.y_pos & b.pred_pos).astype(np.float64), lab)
        add("fp", (~b.y_pos & b.pred_pos).astype(np.float64), lab)
        add("brier_top1", (b.conf - b.correct) ** 2, lab)
        add("brier_binary", (b.pos_score - b.y_pos) ** 2, lab)

        def add_fine(name: str, where: np.ndarray, bins: np.ndarray, weights: np.ndarray | None = None) -> None:
            flat = g[where] * FINE_BINS + bins[m][where]
            w = None if weights is None else weights[m][where]
            self.fine[name] += np.bincount(flat, weights=w, minlength=size * FINE_BINS).reshape(size, FINE_BINS)

        add_fine("cal_count", lab, conf_bin)
        add_fine("cal_conf", lab, conf_bin, b.conf)
        add_fine("cal_correct", lab, conf_bin, b.correct.astype(np.float64))
        everyone = np.ones(len(g), dtype=bool)
        add_fine("pos_all", everyone, pos_bin)
        y = b.y_pos[m]
        add_fine("pos_yes", lab & y, pos_bin)
        add_fine("pos_no", lab & ~y, pos_bin)

    def copy(self) -> GroupTable:
        out = GroupTable(self.attribute, self.positive)
        out.keys, out.index, out.missing = list(self.keys), dict(self.index), self.missing
        out.scalars = {k: v.copy() for k, v in self.scalars.items()}
        out.fine = {k: v.copy() for k, v in self.fine.items()}
        return out


class Aggregate:
    """Everything one window needs: overall and per-attribute tables, histograms, flagged items, trend."""

    def __init__(self, positive: str | None, low_threshold: float, temperature: float | None,
                 flagged: int = 20, rolling_n: int = 100) -> None:
        self.positive, self.low_threshold, self.temperature = positive, low_threshold, temperature
        self.overall = GroupTable(OVERALL, positive)
        self.overall.key_index((OVERALL, "computed"))
        self.tables: dict[str, GroupTable] = {}
        self.conf_hist = np.zeros(FINE_BINS)
        self.margin_hist = np.zeros(HIST_BINS)
        self.entropy_hist = np.zeros(HIST_BINS)
        self.latency_sum = 0.0
        self.scaled = {"cal_conf": np.zeros(FINE_BINS), "cal_count": np.zeros(FINE_BINS),
                       "cal_correct": np.zeros(FINE_BINS), "brier_top1": np.zeros(1)}
        self.flagged = LeastConfident(flagged)
        self.rolling = RollingMean(rolling_n)
        self.kinds: Counter[str] = Counter()
        self.models: Counter[tuple[str, str]] = Counter()
        self.providers: Counter[str] = Counter()

    @property
    def n(self) -> int:
        return int(self.overall.scalars["n"][0])

    def update(self, events: list[Event]) -> None:
        """Add a batch of events: O(len(events)) plus O(groups x fine bins) for the histogram sums."""
        if not events:
            return
        b = extract(events, self.positive, self.low_threshold, self.temperature)
        conf_bin, pos_bin = bin_index(b.conf, FINE_BINS), bin_index(b.pos_score, FINE_BINS)
        self.overall.update(np.zeros(len(events), dtype=np.int64), b, conf_bin, pos_bin)
        attributes = {g.attribute for e in events for g in e.groups} | set(self.tables)
        for attribute in sorted(attributes):
            table = self.tables.get(attribute)
            if table is None:
                table = self.tables[attribute] = GroupTable(attribute, self.positive)
            gidx = np.array([_group_index(table, e, attribute) for e in events], dtype=np.int64)
            table.update(gidx, b, conf_bin, pos_bin)
        self.conf_hist += np.bincount(conf_bin, minlength=FINE_BINS)
        self.margin_hist += np.bincount(bin_index(b.margin, HIST_BINS), minlength=HIST_BINS)
        self.entropy_hist += np.bincount(bin_index(b.entropy, HIST_BINS), minlength=HIST_BINS)
        self.latency_sum += float(b.latency.sum())
        if b.conf_scaled is not None:
            lab = b.labelled
            sbin = bin_index(b.conf_scaled[lab], FINE_BINS)
            self.scaled["cal_count"] += np.bincount(sbin, minlength=FINE_BINS)
            self.scaled["cal_conf"] += np.bincount(sbin, weights=b.conf_scaled[lab], minlength=FINE_BINS)
            self.scaled["cal_correct"] += np.bincount(sbin, weights=b.correct[lab].astype(float), minlength=FINE_BINS)
            self.scaled["brier_top1"] += float(((b.conf_scaled[lab] - b.correct[lab]) ** 2).sum())
        self._flag(b)
        self.rolling.extend(b.conf)
        self.kinds.update(e.kind for e in events)
        self.models.update((e.model_id, e.model_sha256) for e in events)
        self.providers.update(e.provider for e in events)

    def _flag(self, b: Batch) -> None:
        k = min(self.flagged.size, len(b.conf))
        for i in np.argpartition(b.conf, k - 1)[:k].tolist():
            e = b.events[i]
            self.flagged.push(Flagged(e.source, e.confidence, e.predicted, e.t))


def _group_index(table: GroupTable, event: Event, attribute: str) -> int:
    for g in event.groups:
        if g.attribute == attribute:
            return table.key_index((g.value, g.provenance))
    return -1
