"""Leak judgement for the soak tests that holds on a loaded machine and still fails on steady growth.

A loaded machine makes the live path scale to two frames in flight once, after the warm-up: a pool starts
(threads) and its sessions and buffers are allocated (a one-time step in resident memory, 70 MB was seen).
A leak grows all the time instead. So memory is judged by its slope over the longest stretch of samples
with one thread count (a step sits between stretches), and the overall growth only by a generous ceiling.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LeakSample:
    """One sample of the measured process: when (`at`, in the caller's unit: minutes, thousands of frames),
    resident memory (MB), OS threads."""

    at: float
    rss_mb: float
    threads: int


@dataclass(frozen=True)
class SteadyGrowth:
    """Resident-memory slope (MB per unit of `LeakSample.at`) over the longest stretch of samples with a
    constant thread count."""

    samples: int
    span: float
    threads: int
    rss_slope_mb: float

    def describe(self, unit: str) -> str:
        return (f"{self.rss_slope_mb:+.1f} MB per {unit} over {self.samples} samples at {self.threads} threads "
                f"(span {self.span:.2f})")


def steady_stretch(samples: Sequence[LeakSample]) -> list[LeakSample]:
    """The longest run of consecutive samples with one thread count; a run that follows a change drops its
    first sample (memory allocated with the new threads may still be arriving)."""
    runs: list[list[LeakSample]] = []
    for sample in samples:
        if runs and runs[-1][0].threads == sample.threads:
            runs[-1].append(sample)
        else:
            runs.append([sample])
    settled = [run if k == 0 else run[1:] for k, run in enumerate(runs)]
    return max(settled, key=len, default=[])


def steady_growth(samples: Sequence[LeakSample]) -> SteadyGrowth:
    """Least-squares slope of resident memory (MB per unit of `at`) over `steady_stretch(samples)`."""
    run = steady_stretch(samples)
    if len(run) < 3:
        return SteadyGrowth(len(run), 0.0, run[0].threads if run else 0, 0.0)
    slope = statistics.linear_regression([s.at for s in run], [s.rss_mb for s in run]).slope
    return SteadyGrowth(len(run), run[-1].at - run[0].at, run[0].threads, slope)
