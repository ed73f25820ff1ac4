"""The GUI batch path on the hostile corpus: image, CSV and audio files dropped on the main window with one
good image; one row per file (or per CSV row), errors on the expected ones, the good image labelled."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.batch import BatchSummary
from desktop_app.core.results import ClassificationResult
from desktop_app.qt.files.qt_files_panel import QtFilesPanel
from tests.data.hostile.make_corpus import build, kind_of

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "resources" / "samples" / "cat-chelsea.jpg"
CAT_CLASSES = range(281, 286)


def test_hostile_files_dropped_together_each_get_their_row(main_window, qtbot, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "hostile"
    expected = {name: outcome for name, outcome in build(folder).items() if kind_of(name) != "model"}
    paths = [folder / name for name in expected]
    paths.insert(len(paths) // 2, GOOD)
    panel: QtFilesPanel = main_window.files_panel

    with qtbot.waitSignal(panel.batch_finished, timeout=120_000) as blocker:
        main_window.open_paths(paths)
    summary = blocker.args[0]
    assert isinstance(summary, BatchSummary) and not summary.cancelled

    rows: dict[str, list] = {}  # type: ignore[type-arg]
    for row in panel.model.rows:
        rows.setdefault(Path(row.result.source).name, []).append(row)
    names = {Path(name).name for name in expected} | {GOOD.name}
    assert set(rows) == names, "nothing lost, nothing invented"
    assert len(panel.model.rows) == summary.rows
    assert summary.failed == sum(o == "error" for o in expected.values())

    good = rows[GOOD.name]
    assert len(good) == 1 and good[0].result.ok and isinstance(good[0].result.payload, ClassificationResult)
    assert good[0].result.payload.best.index in CAT_CLASSES and good[0].label == good[0].result.payload.best.label

    for name, outcome in expected.items():
        got = rows[Path(name).name]
        if outcome == "ok":
            assert got and all(r.result.ok for r in got), (name, [r.result.error for r in got])
            if kind_of(name) == "table":
                assert [r.result.row for r in got] == list(range(1, len(got) + 1))
            else:
                assert len(got) == 1 and got[0].label
            continue
        assert len(got) == 1, name
        error = got[0].result.error
        assert not got[0].result.ok and error and "\n" not in error and "Traceback" not in error, error
        assert Path(name).name in error, error
    assert "failed" in panel.view.status_label.text()
