"""How many inputs go into one model run: chosen by timing real runs, once per (model, provider).

A model whose batch dimension is dynamic can run several equal-shaped inputs in one call, which is
cheaper per input up to a point that depends on the model, the provider and the machine. Nothing is
guessed: the first items of a batch run at each candidate size (twice, so a new shape's first, slower
call does not decide), and the smallest size within a few percent of the best time per input wins.
The probe runs real items, so it costs no extra work, and it starts at size 1, so the first result
is never delayed by a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

CANDIDATES: tuple[int, ...] = (1, 2, 4, 8)
TOLERANCE = 0.05  # a larger batch must beat the smaller one by more than this to be chosen


class BatchSizer:
    """The batch size for one (model, provider): probing while undecided, then the measured choice."""

    def __init__(self, candidates: tuple[int, ...] = CANDIDATES, repeats: int = 2,
                 tolerance: float = TOLERANCE) -> None:
        self.candidates = tuple(sorted(set(candidates)))
        self.repeats = max(1, repeats)
        self.tolerance = tolerance
        self._samples: dict[int, list[float]] = {size: [] for size in self.candidates}
        self._chosen: int | None = self.candidates[0] if len(self.candidates) == 1 else None
        self._lock = threading.Lock()

    @property
    def chosen(self) -> int | None:
        """The measured batch size, None while the probe runs."""
        return self._chosen

    @property
    def largest(self) -> int:
        return self.candidates[-1]

    def next_size(self, running: Mapping[int, int] | None = None) -> int | None:
        """The size the next run should use: the choice, or the next candidate the probe still needs
        counting the probe runs still `running` (size -> count); None while every needed one is running."""
        with self._lock:
            if self._chosen is not None:
                return self._chosen
            running = running or {}
            return next((s for s in self.candidates if len(self._samples[s]) + running.get(s, 0) < self.repeats),
                        None)

    def record(self, size: int, ms_per_item: float) -> None:
        """One timed run of `size` inputs; decides once every candidate has its samples."""
        with self._lock:
            if self._chosen is not None or size not in self._samples:
                return
            samples = self._samples[size]
            if len(samples) < self.repeats:
                samples.append(ms_per_item)
            if all(len(v) >= self.repeats for v in self._samples.values()):
                self._chosen = self._choose()

    def _choose(self) -> int:
        best = {size: min(v) for size, v in self._samples.items()}
        fastest = min(best.values())
        return next(size for size in self.candidates if best[size] <= fastest * (1.0 + self.tolerance))

    def timings(self) -> dict[int, float]:
        """Best milliseconds per input measured at each size so far (for benchmarks and logs)."""
        with self._lock:
            return {size: min(v) for size, v in self._samples.items() if v}


class BatchSizes:
    """The sizers of one pipeline, one per (model id, provider choice), so a measurement is made once."""

    def __init__(self) -> None:
        self._sizers: dict[tuple[str, str], BatchSizer] = {}
        self._lock = threading.Lock()

    def sizer(self, model_id: str, provider: str) -> BatchSizer:
        with self._lock:
            return self._sizers.setdefault((model_id, provider), BatchSizer())

    def forget(self, model_id: str) -> None:
        """Forget one model's measurements (its card or file changed)."""
        with self._lock:
            for key in [k for k in self._sizers if k[0] == model_id]:
                del self._sizers[key]

    def clear(self) -> None:
        """Forget every measurement (the next batch probes again)."""
        with self._lock:
            self._sizers.clear()
