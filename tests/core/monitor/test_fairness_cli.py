"""`desktop-app fairness` on the Adult test split: per-sex and per-race rows with intervals, and the
command's JSON equals the engine's report for the same predictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.core.media.table import read_csv
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from desktop_app.core.monitor.report import csv_events
from desktop_app.core.pipeline import Pipeline
from tests.conftest import ROOT, SAMPLES

ADULT_TEST = ROOT / "tests" / "data" / "adult" / "adult-test.csv"


@pytest.fixture(scope="module")
def adult_report() -> dict[str, Any]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["fairness", str(ADULT_TEST), "--model", "adult-income", "--group", "sex", "--group", "race",
                     "--json"])
    assert code == 0
    return json.loads(out.getvalue())


def test_adult_per_sex_and_race_rows_with_intervals(adult_report: dict[str, Any]) -> None:
    assert adult_report["window"]["n"] == 16281
    assert adult_report["models"][0]["id"] == "adult-income" and adult_report["providers"]
    by_attr = {a["attribute"]: {g["value"]: g for g in a["groups"]} for a in adult_report["fairness"]}
    assert set(by_attr) == {"sex", "race"}
    assert {k: v["n"] for k, v in by_attr["sex"].items()} == {"Female": 5421, "Male": 10860}
    assert set(by_attr["race"]) == {"White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"}
    for groups in by_attr.values():
        for g in groups.values():
            assert g["provenance"] == "csv-column" and g["reliable"]
            sr = g["selection_rate"]
            assert sr["method"] == "wilson" and sr["low"] <= sr["estimate"] <= sr["high"]
    female, male = by_attr["sex"]["Female"], by_attr["sex"]["Male"]
    assert female["selection_rate"]["estimate"] < male["selection_rate"]["estimate"]
    sex = next(a for a in adult_report["fairness"] if a["attribute"] == "sex")
    dp = next(d for d in sex["disparities"] if d["name"] == "demographic_parity_difference")
    assert dp["pair"] == ["sex=Male", "sex=Female"] and dp["reliable"]
    assert dp["interval"]["method"] == "newcombe-hybrid-score" and dp["interval"]["low"] > 0
    assert adult_report["calibration"]["accuracy"] == pytest.approx(0.877, abs=0.002)
    assert any(note.startswith("selection rate for sex=Female is") for note in adult_report["evidence"])


def test_cli_json_equals_engine_report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    csv = SAMPLES / "adult-test-sample.csv"
    from desktop_app.core.models.registry import ModelRegistry

    results = Pipeline(ModelRegistry.default()).run_path(csv, "adult-income", top_k=2)
    monkeypatch.setattr(Pipeline, "run_path", lambda self, path, model_id, **kw: results)
    assert main(["fairness", str(csv), "--group", "sex", "--group", "race", "--min-n", "20", "--json"]) == 0
    cli_report = json.loads(capsys.readouterr().out)

    events, failed = csv_events(results, read_csv(csv), ["sex", "race"])
    engine = MonitorEngine(MonitorConfig(positive_label=">50K", min_n=20))
    engine.extend(events)
    assert not failed and cli_report == engine.report()


def test_cli_text_table_and_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv = SAMPLES / "adult-test-sample.csv"
    assert main(["fairness", str(csv), "--group", "sex"]) == 0
    text = capsys.readouterr().out
    assert "Female" in text and "demographic_parity_difference" in text and "evidence" in text
    assert main(["fairness", str(csv), "--group", "gender"]) == 1
    assert "no column named 'gender'" in capsys.readouterr().out
    assert main(["fairness", str(csv), "--group", "sex", "--positive", "rich"]) == 1
    assert "no class 'rich'" in capsys.readouterr().out


def test_adult_disparities_equal_fairlearn(adult_report: dict[str, Any]) -> None:
    import warnings

    import numpy as np

    fl = pytest.importorskip("fairlearn.metrics")
    from desktop_app.core.models.registry import ModelRegistry

    results = Pipeline(ModelRegistry.default()).run_path(ADULT_TEST, "adult-income", top_k=2)
    y = np.array([r.payload.true_label == ">50K" for r in results], dtype=int)  # type: ignore[union-attr]
    y_pred = np.array([r.payload.top[0].label == ">50K" for r in results], dtype=int)  # type: ignore[union-attr]
    table = read_csv(ADULT_TEST)
    for attr in adult_report["fairness"]:
        got = {d["name"]: d["value"] for d in attr["disparities"]}
        features = np.array(table.column(attr["attribute"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
                         "equalized_odds_ratio"):
                want = getattr(fl, name)(y, y_pred, sensitive_features=features)
                assert got[name] == pytest.approx(want, abs=1e-9), (attr["attribute"], name)
