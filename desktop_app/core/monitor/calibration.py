"""Calibration with labels: accuracy, Brier score, ECE/MCE over equal-count bins, reliability data,
and optional temperature scaling read from `temperature.json` next to a model.

Brier variants (both means over labelled events):
- binary: (p_pos - [y == positive])^2 with p_pos the chosen positive class's score (0 when outside
  the top-k), the usual two-class Brier score;
- top-1: (top1 score - [top1 correct])^2, the "top-label" Brier score, defined for any number of
  classes from the top-1 alone (not the full multiclass sum over every class).

Equal-count bins: events sorted by top-1 score (stable), the event of rank r (0-based) of N goes to
bin floor(r * B / N). The engine keeps fine fixed-width histograms instead of every score; it groups
whole fine bins by the rank of their middle event, so its bins are equal-count up to that resolution.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop_app.core.errors import AppError

TEMPERATURE_FILE = "temperature.json"


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of the reliability diagram: its score range, mean score, accuracy and count."""

    low: float
    high: float
    mean_confidence: float
    accuracy: float
    count: int

    def to_dict(self) -> dict[str, float | int]:
        return {"low": self.low, "high": self.high, "mean_confidence": self.mean_confidence,
                "accuracy": self.accuracy, "count": self.count}


def equal_count_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """Exact equal-count reliability bins from per-event top-1 scores and 0/1 correctness."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    n = len(conf)
    if n == 0:
        return ()
    order = np.argsort(conf, kind="stable")
    which = (np.arange(n) * n_bins) // n
    out = []
    for b in range(n_bins):
        members = order[which == b]
        if len(members):
            c = conf[members]
            out.append(ReliabilityBin(float(c.min()), float(c.max()), float(c.mean()), float(hit[members].mean()),
                                      len(members)))
    return tuple(out)


def bins_from_histogram(count: np.ndarray, sum_conf: np.ndarray, sum_correct: np.ndarray,
                        n_bins: int = 10) -> tuple[ReliabilityBin, ...]:
    """Equal-count bins from fine fixed-width histograms (count, sum of scores, sum of correct) on [0, 1]."""
    count = np.asarray(count, dtype=np.float64)
    total = int(count.sum())
    if total == 0:
        return ()
    fine = len(count)
    before = np.cumsum(count) - count
    middle_rank = before + (count - 1) / 2
    which = np.minimum((np.floor(middle_rank) * n_bins) // total, n_bins - 1).astype(np.int64)
    which[count == 0] = -1
    out = []
    for b in range(n_bins):
        sel = which == b
        k = count[sel].sum()
        if k > 0:
            idx = np.nonzero(sel)[0]
            out.append(ReliabilityBin(float(idx[0] / fine), float((idx[-1] + 1) / fine),
                                      float(sum_conf[sel].sum() / k), float(sum_correct[sel].sum() / k), int(k)))
    return tuple(out)


def ece(bins: tuple[ReliabilityBin, ...]) -> float | None:
    """Expected calibration error: sum over bins of (n_b / N) * |accuracy_b - mean confidence_b|."""
    total = sum(b.count for b in bins)
    if not total:
        return None
    return float(sum(b.count * abs(b.accuracy - b.mean_confidence) for b in bins) / total)


def mce(bins: tuple[ReliabilityBin, ...]) -> float | None:
    """Maximum calibration error: the largest |accuracy_b - mean confidence_b| over non-empty bins."""
    return float(max(abs(b.accuracy - b.mean_confidence) for b in bins)) if bins else None


def brier_binary(p_positive: np.ndarray, is_positive: np.ndarray) -> float | None:
    """Two-class Brier score: mean (p_pos - y)^2."""
    p, y = np.asarray(p_positive, dtype=np.float64), np.asarray(is_positive, dtype=np.float64)
    return float(np.mean((p - y) ** 2)) if len(p) else None


def brier_top1(confidence: np.ndarray, correct: np.ndarray) -> float | None:
    """Top-label Brier score: mean (top-1 score - [top-1 correct])^2."""
    c, y = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    return float(np.mean((c - y) ** 2)) if len(c) else None


@dataclass(frozen=True)
class CalibrationSummary:
    """Calibration numbers of one set of labelled events (one window, or one group)."""

    n: int
    accuracy: float | None
    brier_top1: float | None
    brier_binary: float | None
    ece: float | None
    mce: float | None
    bins: tuple[ReliabilityBin, ...]

    def to_dict(self) -> dict[str, object]:
        return {"n": self.n, "accuracy": self.accuracy, "brier_top1": self.brier_top1,
                "brier_binary": self.brier_binary, "ece": self.ece, "mce": self.mce,
                "bins": [b.to_dict() for b in self.bins]}


def summarise(n: int, correct: float, brier_top1_sum: float, brier_binary_sum: float, brier_binary_n: int,
              bins: tuple[ReliabilityBin, ...]) -> CalibrationSummary:
    """A CalibrationSummary from running sums (what the engine keeps) and the reliability bins."""
    return CalibrationSummary(
        n=n,
        accuracy=correct / n if n else None,
        brier_top1=brier_top1_sum / n if n else None,
        brier_binary=brier_binary_sum / brier_binary_n if brier_binary_n else None,
        ece=ece(bins),
        mce=mce(bins),
        bins=bins,
    )


class TemperatureError(AppError):
    """A temperature.json that cannot be used."""


def load_temperature(model_dir: Path) -> float | None:
    """The temperature T of `<model folder>/temperature.json` ({"temperature": T}), None without one."""
    path = Path(model_dir) / TEMPERATURE_FILE
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))["temperature"]
        t = float(value)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TemperatureError(f"{path}: expected {{\"temperature\": <positive number>}} ({exc})") from exc
    if not math.isfinite(t) or t <= 0:
        raise TemperatureError(f"{path}: temperature must be a positive number, got {value!r}")
    return t


def apply_temperature(scores: tuple[float, ...], temperature: float, num_classes: int = 0) -> tuple[float, ...]:
    """Temperature-scaled probabilities from probabilities (logits are not kept).

    softmax(z / T) equals p^(1/T) renormalised, so with every class known this is exact. With only the
    top-k, the unseen mass 1 - sum(top-k) is spread evenly over the num_classes - k unseen classes and
    scaled the same way before renormalising (an approximation; exact when k == num_classes).
    """
    inv = 1.0 / temperature
    scaled = [max(p, 0.0) ** inv for p in scores]
    rest, unseen = 1.0 - sum(scores), num_classes - len(scores)
    extra = unseen * (rest / unseen) ** inv if rest > 1e-12 and unseen > 0 else 0.0
    total = sum(scaled) + extra
    return tuple(s / total for s in scaled) if total > 0 else tuple(scores)
