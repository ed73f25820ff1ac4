"""Per-group rates and disparities across groups, with intervals and evidence-worded notes.

Definitions follow fairlearn (`MetricFrame`, `demographic_parity_*`, `equalized_odds_*`,
method="between_groups", agg="worst_case") so the numbers agree with it:
- selection rate = share of a group's events predicted as the positive class;
- TPR / FPR over the group's labelled events; a group without labelled positives (negatives) has
  TPR (FPR) 0 in the disparity numbers, as fairlearn's confusion-matrix rates give; the per-group row
  shows it as undefined (None) instead;
- difference = max - min over groups; ratio = min / max (None where max is 0, fairlearn's nan);
- equalized odds difference = max(TPR difference, FPR difference); ratio = min(TPR ratio, FPR ratio)
  over the defined ratios (fairlearn's builtin min over [tpr, fpr] returns nan when the TPR ratio is
  nan but the FPR ratio when only the FPR ratio is nan; we take the defined one in both cases).
Intervals: Wilson for a group's rate, Newcombe (method 10) for a difference, Katz log for a ratio,
each for the PAIR of groups that attains the max - min (it does not correct for choosing the extreme
pair out of many groups). `reliable` is False when a count behind a number is below `min_n`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop_app.core.monitor.accumulate import FINE_BINS, GroupTable
from desktop_app.core.monitor.calibration import bins_from_histogram, ece
from desktop_app.core.monitor.intervals import (
    Interval,
    katz_ratio,
    newcombe_difference,
    welch_mean_difference,
    wilson,
)

ONE_GROUP = "only one group so far: nothing to compare"


@dataclass(frozen=True)
class GroupRow:
    """One group's numbers (rates carry their Wilson intervals; None where undefined)."""

    attribute: str
    value: str
    provenance: str
    n: int
    selection_rate: Interval | None
    mean_confidence: float
    low_confidence_rate: Interval
    labelled: int
    accuracy: Interval | None
    tpr: Interval | None
    fpr: Interval | None
    ece: float | None
    reliable: bool

    def to_dict(self) -> dict[str, object]:
        def iv(x: Interval | None) -> object:
            return x.to_dict() if x else None

        return {"attribute": self.attribute, "value": self.value, "provenance": self.provenance, "n": self.n,
                "selection_rate": iv(self.selection_rate), "mean_confidence": self.mean_confidence,
                "low_confidence_rate": iv(self.low_confidence_rate), "labelled": self.labelled,
                "accuracy": iv(self.accuracy), "tpr": iv(self.tpr), "fpr": iv(self.fpr), "ece": self.ece,
                "reliable": self.reliable}


@dataclass(frozen=True)
class Disparity:
    """A disparity across groups: its value, the interval for the attaining pair, and the evidence note."""

    name: str
    value: float | None
    interval: Interval | None
    pair: tuple[str, str] | None  # (group with the higher value, group with the lower value)
    counts: tuple[int, int] | None  # denominators behind the pair's rates
    reliable: bool
    note: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "interval": self.interval.to_dict() if self.interval else None,
                "pair": list(self.pair) if self.pair else None, "counts": list(self.counts) if self.counts else None,
                "reliable": self.reliable, "note": self.note}


@dataclass(frozen=True)
class AttributeFairness:
    """Per-group rows and disparities for one attribute."""

    attribute: str
    rows: tuple[GroupRow, ...]
    disparities: tuple[Disparity, ...]
    missing: int

    def to_dict(self) -> dict[str, object]:
        return {"attribute": self.attribute, "missing": self.missing, "groups": [r.to_dict() for r in self.rows],
                "disparities": [d.to_dict() for d in self.disparities]}


def _rate(k: float, n: float) -> Interval | None:
    return wilson(int(round(k)), int(round(n))) if n > 0 else None


def group_rows(table: GroupTable, min_n: int, n_bins: int = 10) -> tuple[GroupRow, ...]:
    """One GroupRow per group of the table, in first-seen order."""
    s, f = table.scalars, table.fine
    rows = []
    for i, (value, provenance) in enumerate(table.keys):
        n, nl = int(s["n"][i]), int(s["labelled"][i])
        bins = bins_from_histogram(f["cal_count"][i], f["cal_conf"][i], f["cal_correct"][i], n_bins)
        rows.append(GroupRow(
            attribute=table.attribute, value=value, provenance=provenance, n=n,
            selection_rate=_rate(s["selected"][i], n) if table.positive is not None else None,
            mean_confidence=float(s["conf_sum"][i] / n) if n else 0.0,
            low_confidence_rate=wilson(int(s["low"][i]), n), labelled=nl,
            accuracy=_rate(s["correct"][i], nl),
            tpr=_rate(s["tp"][i], s["positives"][i]) if table.positive is not None else None,
            fpr=_rate(s["fp"][i], s["negatives"][i]) if table.positive is not None else None,
            ece=ece(bins), reliable=n >= min_n))
    return tuple(rows)


def _name(table: GroupTable, i: int) -> str:
    return f"{table.attribute}={table.keys[i][0]}"


def _spread(name: str, what: str, table: GroupTable, k: np.ndarray, d: np.ndarray, present: np.ndarray,
            min_n: int) -> tuple[Disparity, Disparity]:
    """Difference (max - min) and ratio (min / max) of the rates k/d over the present groups."""
    idx = np.nonzero(present)[0]
    if not len(idx):
        empty = Disparity(f"{name}_difference", None, None, None, None, False, f"no groups with {what} yet")
        return empty, Disparity(f"{name}_ratio", None, None, None, None, False, empty.note)
    rates = np.where(d[idx] > 0, k[idx] / np.maximum(d[idx], 1), 0.0)
    hi, lo = int(idx[int(np.argmax(rates))]), int(idx[int(np.argmin(rates))])
    r_hi, r_lo = float(rates.max()), float(rates.min())
    ki, kl, di, dl = (int(round(x)) for x in (k[hi], k[lo], d[hi], d[lo]))
    reliable = min(di, dl) >= min_n and hi != lo
    diff_iv = newcombe_difference(ki, di, kl, dl) if di and dl else None
    ratio_iv = katz_ratio(kl, dl, ki, di) if di and dl else None
    diff = r_hi - r_lo
    ratio = r_lo / r_hi if r_hi > 0 else None
    pair = (_name(table, hi), _name(table, lo))
    note = evidence(what, pair, r_hi, r_lo, diff_iv, di, dl, reliable, min_n) if hi != lo else ONE_GROUP
    if dl == 0 and hi != lo:
        note = f"{what} of {pair[1]} is undefined (n=0) and counted as 0, as fairlearn does: {note}"
    return (Disparity(f"{name}_difference", diff, diff_iv, pair, (di, dl), reliable, note),
            Disparity(f"{name}_ratio", ratio, ratio_iv, pair, (di, dl), reliable, note))


def evidence(what: str, pair: tuple[str, str], high: float, low: float, iv: Interval | None, n_high: int,
             n_low: int, reliable: bool, min_n: int) -> str:
    """A sentence stating the numbers as evidence (never a pass/fail verdict)."""
    text = f"{what} for {pair[1]} is {low:.2f} vs {high:.2f} for {pair[0]} (difference {high - low:.2f}"
    if iv is not None and iv.low is not None and iv.high is not None:
        text += f", 95% CI {iv.low:.2f}\u2013{iv.high:.2f}"
    text += f", n={n_low}/{n_high})"
    if not reliable:
        return text + f"; fewer than {min_n} behind one of these rates, too few to read as evidence"
    if iv is not None and iv.low is not None and iv.low > 0:
        return text + "; the interval excludes 0"
    return text + "; the interval includes 0, so this sample does not show a clear difference"


def disparities(table: GroupTable, min_n: int) -> tuple[Disparity, ...]:
    """Demographic parity and equalized odds (difference and ratio) plus the confidence gap."""
    s = table.scalars
    out: list[Disparity] = []
    if table.positive is not None:
        out.extend(_spread("demographic_parity", "selection rate", table, s["selected"], s["n"], s["n"] > 0, min_n))
        labelled = s["labelled"] > 0
        tpr_d, tpr_r = _spread("tpr", "true positive rate", table, s["tp"], s["positives"], labelled, min_n)
        fpr_d, fpr_r = _spread("fpr", "false positive rate", table, s["fp"], s["negatives"], labelled, min_n)
        if tpr_d.value is not None and fpr_d.value is not None:
            worst = tpr_d if tpr_d.value >= fpr_d.value else fpr_d
            out.append(Disparity("equalized_odds_difference", worst.value, worst.interval, worst.pair, worst.counts,
                                 worst.reliable, f"attained by the {worst.name.split('_')[0].upper()}: {worst.note}"))
            ratios = [r for r in (tpr_r, fpr_r) if r.value is not None]
            if ratios:
                w = min(ratios, key=lambda r: r.value if r.value is not None else 1.0)
                out.append(Disparity("equalized_odds_ratio", w.value, w.interval, w.pair, w.counts, w.reliable,
                                     f"attained by the {w.name.split('_')[0].upper()}: {w.note}"))
            else:
                out.append(Disparity("equalized_odds_ratio", None, None, None, None, False,
                                     "undefined: the largest TPR and FPR are both 0"))
        out.extend((tpr_d, tpr_r, fpr_d, fpr_r))
    out.append(_confidence_gap(table, min_n))
    return tuple(out)


def _confidence_gap(table: GroupTable, min_n: int) -> Disparity:
    s = table.scalars
    n = s["n"]
    idx = np.nonzero(n > 0)[0]
    if not len(idx):
        return Disparity("confidence_gap", None, None, None, None, False, "no events yet")
    means = s["conf_sum"][idx] / n[idx]
    hi, lo = int(idx[int(np.argmax(means))]), int(idx[int(np.argmin(means))])

    def var(i: int) -> float:
        return float((s["conf_sq"][i] - s["conf_sum"][i] ** 2 / n[i]) / (n[i] - 1)) if n[i] > 1 else 0.0

    m_hi, m_lo = float(s["conf_sum"][hi] / n[hi]), float(s["conf_sum"][lo] / n[lo])
    iv = welch_mean_difference(m_hi, var(hi), int(n[hi]), m_lo, var(lo), int(n[lo]))
    reliable = bool(min(n[hi], n[lo]) >= min_n and hi != lo)
    pair = (_name(table, hi), _name(table, lo))
    note = evidence("mean confidence", pair, m_hi, m_lo, iv, int(n[hi]), int(n[lo]), reliable, min_n) \
        if hi != lo else ONE_GROUP
    return Disparity("confidence_gap", m_hi - m_lo, iv, pair, (int(n[hi]), int(n[lo])), reliable, note)


@dataclass(frozen=True)
class WhatIfRow:
    """One group's rates if the positive class were predicted when its score >= threshold."""

    value: str
    provenance: str
    n: int
    selection_rate: Interval | None
    tpr: Interval | None
    fpr: Interval | None


def what_if(table: GroupTable, threshold: float) -> tuple[float, tuple[WhatIfRow, ...]]:
    """Per-group selection rate, TPR and FPR at a positive-score threshold, from the fine histograms.

    The threshold is moved up to the histogram grid (multiples of 1/FINE_BINS); returns it with the rows.
    O(groups x FINE_BINS), independent of the number of events.
    """
    start = int(np.clip(np.ceil(threshold * FINE_BINS - 1e-9), 0, FINE_BINS))
    f, s = table.fine, table.scalars
    above = {k: f[k][:, start:].sum(axis=1) for k in ("pos_all", "pos_yes", "pos_no")}
    rows = tuple(WhatIfRow(value, prov, int(s["n"][i]), _rate(above["pos_all"][i], s["n"][i]),
                           _rate(above["pos_yes"][i], s["positives"][i]), _rate(above["pos_no"][i], s["negatives"][i]))
                 for i, (value, prov) in enumerate(table.keys))
    return start / FINE_BINS, rows


def attribute_fairness(table: GroupTable, min_n: int, n_bins: int = 10) -> AttributeFairness:
    """Rows and disparities of one attribute."""
    return AttributeFairness(table.attribute, group_rows(table, min_n, n_bins), disparities(table, min_n),
                             table.missing)
