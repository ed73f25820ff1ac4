"""Interval formulas against worked values from the literature (and hand arithmetic)."""

from __future__ import annotations

import math

import pytest

from desktop_app.core.monitor.intervals import katz_ratio, newcombe_difference, welch_mean_difference, wilson


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998a) Stat Med 17:857, Table I, Wilson score method (method 3) worked examples.
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998a(k: int, n: int, low: float, high: float) -> None:
    iv = wilson(k, n)
    assert iv.estimate == pytest.approx(k / n)
    assert (round(iv.low, 4), round(iv.high, 4)) == (low, high)


@pytest.mark.parametrize(("a", "m", "b", "n", "low", "high"), [
    # Newcombe (1998b) Stat Med 17:873, Table II, method 10 (hybrid score), examples (a)-(f).
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
])
def test_newcombe_method_10_matches_table_ii(a: int, m: int, b: int, n: int, low: float, high: float) -> None:
    iv = newcombe_difference(a, m, b, n)
    assert iv.estimate == pytest.approx(a / m - b / n)
    assert (round(iv.low, 4), round(iv.high, 4)) == (low, high)


def test_katz_log_ratio_by_hand() -> None:
    # 20/100 vs 10/100: RR 2, se = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13) = 0.360555,
    # exp(ln 2 -+ 1.959964 * 0.360555) = 2 * exp(-+0.706677) = 2 / 2.02722, 2 * 2.02722 = (0.98657, 4.05445).
    iv = katz_ratio(20, 100, 10, 100)
    assert iv.estimate == pytest.approx(2.0)
    assert iv.low == pytest.approx(2 * math.exp(-1.959963984540054 * math.sqrt(0.13)))
    assert (round(iv.low, 4), round(iv.high, 4)) == (0.9866, 4.0545)


def test_katz_is_undefined_with_zero_counts() -> None:
    assert katz_ratio(0, 10, 5, 10).estimate == 0.0 and katz_ratio(0, 10, 5, 10).low is None
    assert katz_ratio(3, 10, 0, 10).estimate is None


def test_empty_and_edge_counts() -> None:
    assert wilson(0, 0).estimate is None
    assert newcombe_difference(1, 2, 0, 0).low is None
    with pytest.raises(ValueError):
        wilson(3, 2)
    iv = welch_mean_difference(0.9, 0.01, 100, 0.8, 0.04, 100)
    assert iv.low == pytest.approx(0.1 - 1.959963984540054 * math.sqrt(0.0005))
