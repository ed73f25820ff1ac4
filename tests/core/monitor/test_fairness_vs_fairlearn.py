"""The engine's per-group rates and disparities agree with fairlearn (the test oracle) to 1e-9."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from tests.core.monitor.helpers import POS, random_events

fl = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")

SIZES = {"single": 1, "nopos": 25, "small": 4}


def _engine(events: list) -> MonitorEngine:
    engine = MonitorEngine(MonitorConfig(positive_label=POS, batch=97))  # several folds, one partial
    engine.extend(events)
    return engine


def _fairlearn(y: np.ndarray, y_pred: np.ndarray, g: np.ndarray) -> tuple[object, dict[str, float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = fl.MetricFrame(metrics={"selection_rate": fl.selection_rate, "tpr": fl.true_positive_rate,
                                        "fpr": fl.false_positive_rate, "accuracy": skm.accuracy_score},
                               y_true=y, y_pred=y_pred, sensitive_features=g)
        kw = {"sensitive_features": g}
        scalars = {"demographic_parity_difference": fl.demographic_parity_difference(y, y_pred, **kw),
                   "demographic_parity_ratio": fl.demographic_parity_ratio(y, y_pred, **kw),
                   "equalized_odds_difference": fl.equalized_odds_difference(y, y_pred, **kw),
                   "equalized_odds_ratio": fl.equalized_odds_ratio(y, y_pred, **kw)}
    return frame, scalars


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_group_rates_match_metricframe(seed: int) -> None:
    events, y, y_pred, g = random_events(seed, 600, SIZES)
    frame, _ = _fairlearn(y, y_pred, g)
    fairness = _engine(events).snapshot().attribute("g")
    by_group = frame.by_group  # type: ignore[attr-defined]
    assert {r.value for r in fairness.rows} == set(by_group.index)
    for row in fairness.rows:
        want = by_group.loc[row.value]
        assert row.n == int((g == row.value).sum())
        assert row.selection_rate is not None and row.selection_rate.estimate == pytest.approx(want["selection_rate"], abs=1e-9)
        assert row.accuracy is not None and row.accuracy.estimate == pytest.approx(want["accuracy"], abs=1e-9)
        # fairlearn gives TPR 0 to a group without positives; our row says "undefined" (None) instead.
        tpr = row.tpr.estimate if row.tpr is not None and row.tpr.estimate is not None else 0.0
        fpr = row.fpr.estimate if row.fpr is not None and row.fpr.estimate is not None else 0.0
        assert tpr == pytest.approx(want["tpr"], abs=1e-9) and fpr == pytest.approx(want["fpr"], abs=1e-9)
    nopos = next(r for r in fairness.rows if r.value == "nopos")
    assert nopos.tpr is None and not nopos.reliable
    single = next(r for r in fairness.rows if r.value == "single")
    assert single.n == 1 and not single.reliable


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_disparities_match_fairlearn(seed: int) -> None:
    events, y, y_pred, g = random_events(seed, 500, SIZES)
    _, want = _fairlearn(y, y_pred, g)
    got = {d.name: d for d in _engine(events).snapshot().attribute("g").disparities}
    for name, value in want.items():
        if math.isnan(value):
            assert got[name].value is None, name
        else:
            assert got[name].value == pytest.approx(value, abs=1e-9), name


def test_no_positives_anywhere_gives_undefined_ratios_like_fairlearn_nan() -> None:
    events, y, y_pred, g = random_events(7, 200, {})
    y[:] = 0
    events = [type(e)(**{**e.__dict__, "true_label": "no"}) for e in events]
    _, want = _fairlearn(y, y_pred, g)
    got = {d.name: d for d in _engine(events).snapshot().attribute("g").disparities}
    assert got["tpr_ratio"].value is None  # 0/0: fairlearn gives nan
    # fairlearn's equalized_odds_ratio is min([tpr_ratio, fpr_ratio]) with Python's min: nan when the
    # TPR ratio is nan. We report the defined (FPR) ratio instead, and say so in the module docstring.
    assert math.isnan(want["equalized_odds_ratio"])
    assert got["equalized_odds_ratio"].value == pytest.approx(got["fpr_ratio"].value)
    assert got["equalized_odds_difference"].value == pytest.approx(want["equalized_odds_difference"], abs=1e-9)


def test_disparity_interval_is_for_the_attaining_pair() -> None:
    events, *_ = random_events(11, 3000, {})
    fairness = _engine(events).snapshot().attribute("g")
    dp = next(d for d in fairness.disparities if d.name == "demographic_parity_difference")
    rows = {f"g={r.value}": r for r in fairness.rows}
    hi, lo = dp.pair or ("", "")
    assert rows[hi].selection_rate.estimate - rows[lo].selection_rate.estimate == pytest.approx(dp.value)  # type: ignore[union-attr]
    assert dp.interval is not None and dp.interval.method == "newcombe-hybrid-score"
    assert dp.reliable and "95% CI" in dp.note and "n=" in dp.note
