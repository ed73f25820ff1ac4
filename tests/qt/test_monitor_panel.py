"""The monitor panel: the Adult sample through the real pipeline fills per-sex and per-race rows with
intervals; the export equals the engine's report and the `fairness` command's JSON; what-if, greying,
settings recounts, session tag, flagged clicks, reset; a redraw stays far below a frame at 100 events/s."""

from __future__ import annotations

import csv
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from desktop_app.core.media.table import Table, read_csv
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine, Window
from desktop_app.core.monitor.groups import groups_from_row
from desktop_app.core.results import Result
from desktop_app.qt.monitor import QtMonitorPanel
from desktop_app.qt.monitor.qt_monitor_tables import RELIABLE_ROLE

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "adult-test-sample.csv"
ADULT_TEST = ROOT / "tests" / "data" / "adult" / "adult-test.csv"
SHOTS = ROOT / "build" / "screenshots"
ATTRIBUTES = ("sex", "race")


def _run(path: Path, tmp: Path) -> tuple[list[Result], Table]:
    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices

    results = AppServices.create(UserDirs.under(tmp)).pipeline.run_path(path, "adult-income")
    assert results and all(r.ok for r in results)
    return results, read_csv(path)


@pytest.fixture(scope="module")
def adult_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Result], Table]:
    return _run(SAMPLE, tmp_path_factory.mktemp("home"))


@pytest.fixture
def panel(qtbot):  # type: ignore[no-untyped-def]
    widget = QtMonitorPanel(MonitorEngine(MonitorConfig(positive_label=">50K")))
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    assert widget.view.folded  # the monitor starts as its summary line; these tests look at the details
    widget.view.set_folded(False)
    yield widget
    widget.shutdown()


def feed(panel: QtMonitorPanel, results: list[Result], table: Table) -> None:
    for r in results:
        assert r.row is not None
        panel.add_result(r, groups_from_row(table, r.row - 1, ATTRIBUTES), "file")


def shown(qtbot, panel: QtMonitorPanel, n: int, **config: Any) -> None:  # type: ignore[no-untyped-def]
    """Show the panel and wait for a drawn snapshot of n predictions (and the given engine settings)."""
    panel.show()
    qtbot.waitExposed(panel)

    def ready() -> bool:
        s = panel.snapshot
        return s is not None and s.n == n and all(getattr(s.config, k) == v for k, v in config.items()) \
            and not panel.controller.dirty and not panel.controller.busy

    qtbot.waitUntil(ready, timeout=10_000)


def choose_attribute(panel: QtMonitorPanel, name: str) -> None:
    combo = panel.view.fairness.attribute
    combo.setCurrentIndex(combo.findData(name))


def column(table: QTableWidget, c: int) -> list[str]:
    return [table.item(r, c).text() for r in range(table.rowCount())]


def test_adult_sample_fills_per_group_rows_with_intervals(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    fairness = panel.view.fairness
    titles = [fairness.attribute.itemText(i) for i in range(fairness.attribute.count())]
    assert titles == ["race \u2014 CSV column", "sex \u2014 CSV column"]
    choose_attribute(panel, "sex")
    assert sorted(column(fairness.groups, 0)) == ["Female", "Male"]
    snap = panel.snapshot
    assert snap is not None
    for r, row in enumerate(snap.attribute("sex").rows):
        sr = row.selection_rate
        assert sr is not None and sr.low is not None and sr.high is not None
        # As people read a rate: '25% [20–32%]', the estimate and its 95% interval.
        assert fairness.groups.item(r, 2).text() == f"{sr.estimate:.0%} [{sr.low * 100:.0f}–{sr.high:.0%}]"
        assert "[" in fairness.groups.item(r, 6).text()  # TPR with its interval
    heading = fairness.groups.horizontalHeaderItem(2)
    assert heading.text() == "Said >50K" and "Selection rate" in heading.toolTip()
    assert not fairness.groups.horizontalScrollBar().isVisible()  # fits beside the chart: no sideways scrolling
    names = column(fairness.disparities, 0)
    assert names[:2] == ["Demographic parity difference", "Demographic parity ratio"]
    assert "Confidence gap (mean top-1 score)" in names
    dp = snap.attribute("sex").disparities[0]
    assert dp.name == "demographic_parity_difference" and dp.interval is not None
    assert column(fairness.disparities, 2)[0] == f"[{dp.interval.low:.3f}, {dp.interval.high:.3f}]"
    assert "newcombe-hybrid-score" in column(fairness.disparities, 3)
    assert fairness.evidence.text().startswith("Evidence (numbers, not verdicts)")
    assert "passed" not in fairness.evidence.text().lower()
    choose_attribute(panel, "race")
    assert {"White", "Black"} <= set(column(fairness.groups, 0))
    panel.view.tabs.setCurrentIndex(2)  # only the visible section is drawn; a tab catches up when shown
    assert panel.view.calibration.model_numbers.labels["accuracy"].text() == f"{snap.calibration.accuracy:.4f}"  # type: ignore[union-attr]
    assert len(panel.view.calibration.plot.points) == snap.config.n_bins


def test_export_equals_engine_report_and_fairness_command(qtbot, panel, adult_sample, tmp_path,  # type: ignore[no-untyped-def]
                                                          capsys) -> None:
    feed(panel, *adult_sample)  # hidden: the engine folds the 200 events in one batch, as the command does
    written = panel.export_report(tmp_path / "report.json", tmp_path / "report.csv")
    exported = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert exported == written == json.loads(json.dumps(panel.engine.report()))
    with (tmp_path / "report.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(panel.engine.report_csv_rows())
    sex_rates = {r["group"]: r for r in rows if r["attribute"] == "sex" and r["metric"] == "selection_rate"}
    assert set(sex_rates) == {"Female", "Male"} and sex_rates["Female"]["method"] == "wilson"

    from desktop_app.cli import main

    capsys.readouterr()
    assert main(["fairness", str(SAMPLE), "--group", "sex", "--group", "race", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    # Only latency legitimately differs: two separate runs of the model (the report keeps no times).
    for report in (cli, exported):
        assert report["confidence"].pop("mean_latency_ms") > 0
    assert exported == cli


def test_what_if_slider_moves_the_selection_rates(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    choose_attribute(panel, "sex")
    fairness = panel.view.fairness
    fairness.slider.setValue(500)
    at_half = column(fairness.what_if_table, 2)
    fairness.slider.setValue(900)
    strict = column(fairness.what_if_table, 2)
    assert at_half != strict
    _, rows = panel.snapshot.what_if(0.9, "sex")  # type: ignore[union-attr]
    assert [r.value for r in rows] == column(fairness.what_if_table, 0)
    assert strict == [f"{r.selection_rate.estimate:.0%} [{r.selection_rate.low * 100:.0f}–{r.selection_rate.high:.0%}]"  # type: ignore[union-attr]
                      for r in rows]
    assert all(float(d) <= 0 for d in column(fairness.what_if_table, 3))  # a stricter threshold selects fewer
    assert fairness.threshold_label.text().endswith("0.900")


def test_unreliable_groups_are_greyed_with_a_reason(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    choose_attribute(panel, "race")
    table = panel.view.fairness.groups
    rows = {r.value: r for r in panel.snapshot.attribute("race").rows}  # type: ignore[union-attr]
    assert any(not r.reliable for r in rows.values()) and any(r.reliable for r in rows.values())
    for i in range(table.rowCount()):
        row = rows[table.item(i, 0).text()]
        item = table.item(i, 2)
        assert item.data(RELIABLE_ROLE) == int(row.reliable)
        assert bool(item.flags() & Qt.ItemFlag.ItemIsEnabled) is row.reliable
        assert ("below the minimum of 30" in item.toolTip()) is (not row.reliable)
    disparities = panel.view.fairness.disparities
    assert disparities.item(0, 1).data(RELIABLE_ROLE) == 0  # race DP rests on a tiny group
    assert "too few" in disparities.item(0, 1).toolTip()


def test_settings_recount_positive_class_threshold_min_n_and_window(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    fairness = panel.view.fairness
    assert [fairness.positive.itemText(i) for i in range(fairness.positive.count())] == ["(none)", "<=50K", ">50K"]
    fairness.positive.setCurrentText("<=50K")
    fairness.positive.activated.emit(fairness.positive.currentIndex())
    panel.view.tabs.setCurrentIndex(1)
    panel.view.confidence.threshold.setValue(0.8)
    panel.view.confidence.threshold.editingFinished.emit()
    fairness.min_n.setValue(5)
    fairness.min_n.editingFinished.emit()
    shown(qtbot, panel, 200, positive_label="<=50K", low_confidence=0.8, min_n=5)
    want = MonitorEngine(MonitorConfig(positive_label="<=50K", low_confidence=0.8, min_n=5))
    want.extend(panel.engine.log.last_n(200)[0])
    assert panel.engine.report() == want.report()
    assert panel.view.confidence.low_label.text().startswith(f"{panel.snapshot.confidence.low_rate.estimate:.3f}")  # type: ignore[union-attr]
    panel.view.window_kind.setCurrentIndex(panel.view.window_kind.findData("last_n"))
    panel.view.window_value.setValue(50)
    panel.view.window_value.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.window == Window.last_n(50))
    assert panel.snapshot.n == 50 and "last 50 events" in panel.view.status.text()  # type: ignore[union-attr]


def test_session_tag_groups_and_flagged_click(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    results, table = adult_sample
    panel.set_session_tag("lighting=dim")
    feed(panel, results[:100], table)
    panel.set_session_tag("B")
    feed(panel, results[100:], table)
    shown(qtbot, panel, 200)
    snap = panel.snapshot
    assert {r.value: r.n for r in snap.attribute("lighting").rows} == {"dim": 100}  # type: ignore[union-attr]
    assert {r.value: r.n for r in snap.attribute("session").rows} == {"B": 100}  # type: ignore[union-attr]
    combo = panel.view.fairness.attribute
    assert "session \u2014 session tag" in [combo.itemText(i) for i in range(combo.count())]
    flagged = panel.view.confidence.flagged
    panel.view.tabs.setCurrentIndex(1)
    assert flagged.count() == 20
    item = flagged.item(0)
    assert item.text().startswith(f"{snap.confidence.flagged[0].score:.3f}")  # type: ignore[union-attr]
    with qtbot.waitSignal(panel.flagged_selected) as blocker:
        qtbot.mouseClick(flagged.viewport(), Qt.MouseButton.LeftButton, pos=flagged.visualItemRect(item).center())
    assert blocker.args == [snap.confidence.flagged[0].source]  # type: ignore[union-attr]
    assert blocker.args[0].startswith(str(SAMPLE)) and "#row" in blocker.args[0]


def test_reset_clears_counts_and_view(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    with qtbot.waitSignal(panel.message) as blocker:
        panel.reset()
    assert "reset" in blocker.args[0]
    shown(qtbot, panel, 0)
    assert panel.engine.snapshot().n == 0 and panel.engine.log.total == 0
    assert panel.view.fairness.hint.isVisible() and not panel.view.fairness.group_box.isVisible()
    panel.view.tabs.setCurrentIndex(1)
    assert panel.view.confidence.flagged.count() == 0
    panel.view.tabs.setCurrentIndex(2)
    assert panel.view.calibration.empty.isVisible()
    assert panel.view.status.text().startswith("No predictions yet")


def test_redraw_cost_at_100_events_per_second(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    """1,000 results arrive as 40 ticks of 25 (100 events/s at 4 Hz); each tick's redraw is timed."""
    results, table = adult_sample
    shown(qtbot, panel, 0)
    panel.redraw_ms.clear()
    add_ms: list[float] = []
    for batch in range(40):
        before = panel.redraws
        start = time.perf_counter()
        for k in range(25):
            r = results[(batch * 25 + k) % len(results)]
            panel.add_result(r, groups_from_row(table, r.row - 1, ATTRIBUTES))  # type: ignore[operator]
        add_ms.append((time.perf_counter() - start) * 1e3 / 25)
        panel.controller.tick()  # what the 4 Hz timer does; the snapshot is counted in the worker
        qtbot.waitUntil(lambda before=before: panel.redraws > before, timeout=5_000)
    costs = list(panel.redraw_ms)
    assert panel.snapshot is not None and panel.snapshot.n == 1000 and len(costs) >= 40
    print(f"\nredraw ms at 100 events/s: mean {statistics.mean(costs):.2f}, median {statistics.median(costs):.2f}, "
          f"max {max(costs):.2f} over {len(costs)} redraws; add_result {statistics.mean(add_ms) * 1e3:.1f} us")
    # A sanity bound (10x the 16 ms goal) that holds on a loaded 2-core machine; the goal is checked by
    # bench/bench_monitor_panel.py.
    assert statistics.mean(costs) < 160


def test_screenshot_full_adult_test_split(qtbot, panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    results, table = _run(ADULT_TEST, tmp_path)
    feed(panel, results, table)
    shown(qtbot, panel, 16281)
    choose_attribute(panel, "sex")
    panel.view.fairness.slider.setValue(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for index, name in ((0, "monitor-adult"), (1, "monitor-adult-confidence"), (2, "monitor-adult-calibration")):
        panel.view.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert panel.grab().save(str(SHOTS / f"{name}.png"))
    from desktop_app.qt.qt_theme import _dark_palette

    panel.setPalette(_dark_palette())  # the panel alone: the app's palette stays for the other tests
    panel.view.tabs.setCurrentIndex(0)
    QApplication.processEvents()
    assert panel.grab().save(str(SHOTS / "monitor-adult-dark.png"))
    panel.view.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    assert panel.grab().save(str(SHOTS / "monitor-adult-confidence-dark.png"))
    assert (SHOTS / "monitor-adult.png").stat().st_size > 10_000


def test_monitor_starts_folded_to_a_summary_line_that_says_what_to_do(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QtMonitorPanel(MonitorEngine(MonitorConfig()))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.view
    assert view.folded and not view.tabs.isVisible() and view.status.isVisible()
    assert "Run a model" in view.status.text()  # the empty state says what to do next
    folded_height = widget.minimumSizeHint().height()
    assert folded_height < 60
    with qtbot.waitSignal(view.folded_changed) as opened:
        qtbot.mouseClick(view.details_button, Qt.MouseButton.LeftButton)
    assert opened.args == [False] and view.tabs.isVisible() and widget.minimumSizeHint().height() > folded_height
    # Opened, the model/window/tag/reset/export choices share the summary's line: one row, not two.
    assert view.controls.isVisible() and abs(view.controls.geometry().center().y()
                                             - view.status.geometry().center().y()) < 8
    view.set_folded(True)
    assert not view.tabs.isVisible() and not view.controls.isVisible()
    widget.shutdown()


def test_group_rates_are_charted_with_their_intervals_beside_the_table(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    choose_attribute(panel, "sex")
    chart = panel.view.fairness.rate_chart
    rows = panel.snapshot.attribute("sex").rows  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(chart.groups) == len(rows))
    assert chart.isVisible() and "'>50K'" in chart._title
    for (group, rate, low, high), row in zip(chart.groups, rows, strict=True):
        assert group == row.value and rate == row.selection_rate.estimate  # type: ignore[union-attr]
        assert low <= rate <= high and high - low > 0  # an interval, not a bare number
    assert "95% interval" in chart.toolTip()
    top = chart.getPlotItem().viewRange()[1][1]  # drawn in percent, the axis ending just above the tallest bar
    highest = max(high for _, _, _, high in chart.groups) * 100
    assert highest <= top <= min(100.0, max(10.0, highest * 1.15)) + 1e-6


def test_every_monitor_column_and_control_says_what_it_means(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QTableWidget

    fairness = panel.view.fairness
    tables_ = panel.findChildren(QTableWidget)
    assert len(tables_) >= 3
    for table in tables_:
        for c in range(table.columnCount()):
            tip = table.horizontalHeaderItem(c).toolTip()
            assert len(tip) > 20, (table.accessibleName(), table.horizontalHeaderItem(c).text())
    for control in (fairness.attribute, fairness.positive, fairness.min_n):
        assert control.toolTip()
    from PySide6.QtWidgets import QLabel

    labels = [lab for lab in panel.view.findChildren(QLabel) if lab.text().endswith(":")]
    named = {lab.text().replace("&", "") for lab in labels}
    for wanted in ("Positive class:", "Minimum n:", "ECE:", "Mean top-1 score:", "Low-confidence rate:", "Model:"):
        assert wanted in named
    for lab in labels:  # every control/number label explains itself
        assert len(lab.toolTip()) > 20, lab.text()
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    choose_attribute(panel, "sex")
    qtbot.waitUntil(lambda: fairness.plain.text().startswith("Of "))
    row = panel.snapshot.attribute("sex").rows[0]  # type: ignore[union-attr]
    text = fairness.plain.text()
    assert f"Of {row.n:,} predictions for {row.value}" in text and "'>50K'" in text and "95% interval" in text


def test_each_section_says_what_its_numbers_mean_for_this_model(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    snap = panel.snapshot
    assert snap is not None and snap.calibration is not None
    status = panel.view.status
    sha = snap.models[0][1]
    assert "adult-income" in status.text() and sha[:12] not in status.text()  # the hash is for the tooltip
    assert sha[:12] in status.toolTip()
    panel.view.tabs.setCurrentIndex(1)
    c = snap.confidence
    unsure = round(c.low_rate.estimate * c.n)  # type: ignore[operator]
    text = panel.view.confidence.plain.text()
    assert text.startswith("Of 200 predictions by adult-income, ") and f", {unsure:,} (" in text
    assert f"below {c.low_threshold:.2f}" in text and f"scored {c.mean:.2f}" in text
    panel.view.tabs.setCurrentIndex(2)
    cal = snap.calibration
    text = panel.view.calibration.plain.text()
    assert panel.view.calibration.plain.isVisible()
    assert f"Of {cal.n:,} predictions with a known true answer, adult-income got {cal.accuracy:.0%} right" in text
    assert f"(ECE {cal.ece:.3f})" in text


def test_columns_without_numbers_hide_so_the_table_fits_beside_its_chart(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.qt.monitor.qt_monitor_tables import GROUP_COLUMNS

    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    choose_attribute(panel, "sex")
    fairness = panel.view.fairness
    said = GROUP_COLUMNS.index("Said positive")
    assert not fairness.groups.isColumnHidden(said)
    fairness.positive.setCurrentText("(none)")  # no positive class: no selection rate to show
    fairness.positive.activated.emit(fairness.positive.currentIndex())
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.config.positive_label is None
                    and fairness.groups.isColumnHidden(said))
    assert not fairness.groups.isColumnHidden(GROUP_COLUMNS.index("Accuracy"))  # true labels are there
    assert fairness.rate_chart._title == "Share unsure, per group"
    assert fairness.groups.horizontalHeaderItem(said).text() == "Said positive"
    assert not fairness.groups.horizontalScrollBar().isVisible()


def test_every_chart_box_and_tab_of_the_monitor_says_what_it_shows(qtbot, panel, adult_sample) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QGroupBox

    from desktop_app.qt.monitor.qt_monitor_charts import _ThemedPlot

    feed(panel, *adult_sample)
    shown(qtbot, panel, 200)
    view = panel.view
    plots = view.findChildren(_ThemedPlot)
    boxes = view.findChildren(QGroupBox)
    assert len(plots) == 5 and len(boxes) >= 5  # three histograms, the reliability diagram, the group rates
    for part in (*plots, *boxes):
        assert len(part.toolTip()) > 30, part.accessibleName() or part.title()  # type: ignore[union-attr]
    for index in range(view.tabs.count()):
        assert len(view.tabs.tabToolTip(index)) > 30, view.tabs.tabText(index)
    view.tabs.setCurrentIndex(1)
    score = view.confidence.score_plot.toolTip()
    assert "sure" in score and "low-confidence threshold" in score  # the plain words and the marker's value
