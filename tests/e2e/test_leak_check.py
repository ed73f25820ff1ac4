"""The soak tests' leak judgement: a one-time step passes, steady growth and growing threads do not."""

from __future__ import annotations

import pytest

from tests.e2e.leak_check import LeakSample, steady_growth, steady_stretch


def _series(rss: list[float], threads: list[int]) -> list[LeakSample]:
    return [LeakSample(k / 12, r, t) for k, (r, t) in enumerate(zip(rss, threads, strict=True))]


def test_a_one_time_step_with_new_threads_is_not_a_leak() -> None:
    rss = [300.0, 301, 300, 371, 372, 371, 372, 371, 372, 371]  # +70 MB once, when two threads joined
    threads = [12, 12, 12, 14, 14, 14, 14, 14, 14, 14]
    growth = steady_growth(_series(rss, threads))
    assert growth.threads == 14 and growth.samples == 6  # the first sample after the change is dropped
    assert abs(growth.rss_slope_mb) < 2  # MB per minute


def test_steady_growth_shows_as_a_slope() -> None:
    rss = [300.0 + 2.5 * k for k in range(10)]  # 2.5 MB every 5 s: 30 MB/min
    growth = steady_growth(_series(rss, [12] * 10))
    assert growth.samples == 10 and growth.rss_slope_mb == pytest.approx(30.0)  # MB per minute


def test_threads_growing_all_the_time_leave_no_long_stretch() -> None:
    samples = _series([300.0] * 10, [12 + k for k in range(10)])
    assert len(steady_stretch(samples)) == 1
    assert steady_growth(samples).samples == 1
