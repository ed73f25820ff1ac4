"""ECE/MCE with equal-count bins, Brier variants and temperature scaling on hand-made data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.monitor.accumulate import FINE_BINS
from desktop_app.core.monitor.calibration import (
    TemperatureError,
    apply_temperature,
    bins_from_histogram,
    brier_binary,
    brier_top1,
    ece,
    equal_count_bins,
    load_temperature,
    mce,
)
from desktop_app.core.monitor.stats import bin_index


def test_equal_count_ece_by_hand() -> None:
    # 6 events, 2 bins of 3: low bin scores 0.5, 0.6, 0.7 (1 correct), high bin 0.8, 0.9, 1.0 (3 correct).
    conf = np.array([0.9, 0.5, 0.8, 0.6, 1.0, 0.7])
    correct = np.array([1, 0, 1, 1, 1, 0])
    bins = equal_count_bins(conf, correct, n_bins=2)
    assert [b.count for b in bins] == [3, 3]
    assert bins[0].mean_confidence == pytest.approx(0.6) and bins[0].accuracy == pytest.approx(1 / 3)
    assert bins[1].mean_confidence == pytest.approx(0.9) and bins[1].accuracy == pytest.approx(1.0)
    # ECE = 3/6 * |1/3 - 0.6| + 3/6 * |1 - 0.9| = 0.5 * 0.266667 + 0.5 * 0.1 = 0.183333
    assert ece(bins) == pytest.approx(0.5 * (0.6 - 1 / 3) + 0.5 * 0.1)
    assert mce(bins) == pytest.approx(0.6 - 1 / 3)


def test_equal_count_bins_uneven_split() -> None:
    conf = np.linspace(0.5, 0.99, 25)
    bins = equal_count_bins(conf, np.ones(25), n_bins=10)
    assert sum(b.count for b in bins) == 25 and {b.count for b in bins} == {2, 3}


def test_histogram_bins_equal_exact_bins_when_scores_are_apart() -> None:
    rng = np.random.default_rng(1)
    conf = (rng.choice(FINE_BINS, 300, replace=False) + 0.5) / FINE_BINS  # one event per fine bin
    correct = (rng.random(300) < conf).astype(float)
    fine = bin_index(conf, FINE_BINS)
    hist = [np.bincount(fine, weights=w, minlength=FINE_BINS) for w in (None, conf, correct)]
    approx = bins_from_histogram(*hist, n_bins=10)
    exact = equal_count_bins(conf, correct, 10)
    assert [b.count for b in approx] == [b.count for b in exact]
    assert ece(approx) == pytest.approx(ece(exact), abs=1e-12)


def test_brier_variants() -> None:
    assert brier_binary(np.array([0.8, 0.3]), np.array([1, 1])) == pytest.approx((0.04 + 0.49) / 2)
    assert brier_top1(np.array([0.8, 0.7]), np.array([1, 0])) == pytest.approx((0.04 + 0.49) / 2)


def test_temperature_scaling_matches_softmax_when_all_classes_known() -> None:
    logits = np.array([2.0, 0.5, -1.0])
    p = np.exp(logits) / np.exp(logits).sum()
    t = 2.5
    want = np.exp(logits / t) / np.exp(logits / t).sum()
    assert apply_temperature(tuple(p), t, 3) == pytest.approx(tuple(want))
    partial = apply_temperature(tuple(p[:1]), t, 3)  # top-1 only: remainder spread over 2 classes
    assert 0 < partial[0] < p[0]


def test_load_temperature(tmp_path: Path) -> None:
    assert load_temperature(tmp_path) is None
    (tmp_path / "temperature.json").write_text(json.dumps({"temperature": 1.7}))
    assert load_temperature(tmp_path) == 1.7
    (tmp_path / "temperature.json").write_text(json.dumps({"temperature": -1}))
    with pytest.raises(TemperatureError):
        load_temperature(tmp_path)
