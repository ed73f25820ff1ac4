"""Confidence without labels: per-event margin and entropy, fixed-bin histograms, a rolling mean and
the bounded list of least confident items.

Only the top-k scores of a prediction may be known. Then:
- margin = top1 - top2; with k == 1, top2 <= 1 - top1, so max(0, 2*top1 - 1) is used (a lower bound).
- normalised entropy = H / ln(C) over C classes; the unknown mass r = 1 - sum(top-k) is spread evenly
  over the C - k unseen classes. Uniform spreading maximises the entropy of that remainder, so with
  k < C the value is an upper bound of the true entropy (exact when k == C or r == 0).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

HIST_BINS = 20


def margin(top: tuple[tuple[str, float], ...]) -> float:
    """top1 - top2 (lower bound 2*top1 - 1 when only the top-1 is known), clipped to [0, 1]."""
    first = top[0][1]
    second = top[1][1] if len(top) > 1 else 1.0 - first
    return min(1.0, max(0.0, first - second))


def normalised_entropy(top: tuple[tuple[str, float], ...], num_classes: int) -> float:
    """Shannon entropy / ln(C) in [0, 1] from the top-k (see the module note for k < C)."""
    c = max(num_classes, len(top))
    if c < 2:
        return 0.0
    h = 0.0
    known = 0.0
    for _, p in top:
        if p > 0.0:
            h -= p * math.log(p)
            known += p
    rest, unseen = 1.0 - known, c - len(top)
    if rest > 1e-12 and unseen > 0:
        h -= rest * math.log(rest / unseen)
    return min(1.0, max(0.0, h / math.log(c)))


@dataclass(frozen=True)
class Histogram:
    """Counts over fixed, equal-width bins on [low, high]."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def to_dict(self) -> dict[str, list[float] | list[int]]:
        return {"edges": list(self.edges), "counts": list(self.counts)}


def bin_index(values: np.ndarray, bins: int) -> np.ndarray:
    """Bin numbers of values in [0, 1] for `bins` equal bins (1.0 falls in the last bin)."""
    idx = (np.asarray(values, dtype=np.float64) * bins).astype(np.int64)
    return np.clip(idx, 0, bins - 1)


def coarsen(counts: np.ndarray, bins: int = HIST_BINS) -> Histogram:
    """A fine [0, 1] histogram (length a multiple of `bins`) summed down to `bins` display bins."""
    fine = np.asarray(counts)
    if len(fine) % bins:
        raise ValueError(f"{len(fine)} fine bins do not divide into {bins}")
    coarse = fine.reshape(bins, -1).sum(axis=1)
    edges = tuple(round(i / bins, 10) for i in range(bins + 1))
    return Histogram(edges, tuple(int(c) for c in coarse))


@dataclass(frozen=True)
class Flagged:
    """One of the least confident items: where it came from (a file path, row or frame) and its score."""

    source: str
    score: float
    label: str
    t: float


class LeastConfident:
    """The `size` lowest-scoring items seen so far (a bounded max-heap on score); O(log size) per push."""

    def __init__(self, size: int = 20) -> None:
        self.size = size
        self._heap: list[tuple[float, int, Flagged]] = []  # (-score, seq, item): root is the highest kept
        self._seq = 0
        self._lock = threading.Lock()

    def push(self, item: Flagged) -> None:
        with self._lock:
            self._seq += 1
            entry = (-item.score, self._seq, item)
            if len(self._heap) < self.size:
                heapq.heappush(self._heap, entry)
            elif item.score < -self._heap[0][0]:
                heapq.heapreplace(self._heap, entry)

    def items(self) -> tuple[Flagged, ...]:
        """Least confident first."""
        with self._lock:
            return tuple(e[2] for e in sorted(self._heap, key=lambda e: (-e[0], e[1])))

    def clear(self) -> None:
        with self._lock:
            self._heap.clear()


class RollingMean:
    """Mean of the last `n` values in O(1) per value (running sum over a bounded deque)."""

    def __init__(self, n: int = 100) -> None:
        self.n = n
        self._values: deque[float] = deque(maxlen=n)
        self._sum = 0.0

    def push(self, value: float) -> None:
        if len(self._values) == self.n:
            self._sum -= self._values[0]
        self._values.append(value)
        self._sum += value

    def extend(self, values: np.ndarray) -> None:
        for v in values[-self.n:].tolist():
            self.push(v)

    @property
    def value(self) -> float | None:
        return self._sum / len(self._values) if self._values else None

    def clear(self) -> None:
        self._values.clear()
        self._sum = 0.0
