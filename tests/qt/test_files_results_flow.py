"""Results where the eye is, in the real window with the bundled models: the newest result shows in the result
pane as it arrives until the user picks a row; each row names the model that produced it; changing the image
model offers to run the loaded pictures again, and doing so adds rows of the new model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.qt.files.qt_results_table import COLUMNS, MODEL
from tests.qt.test_files_panel import drop_and_wait

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
CAT, COFFEE, PORTRAIT = SAMPLES / "cat-chelsea.jpg", SAMPLES / "coffee-cup.jpg", SAMPLES / "portrait-astronaut.jpg"


def _shown_source(window) -> str:  # type: ignore[no-untyped-def]
    row = window.files_panel.current_row()
    return Path(row.result.source).name if row is not None else ""


def test_newest_result_is_shown_until_the_user_picks_a_row(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = main_window.files_panel
    drop_and_wait(qtbot, main_window, [CAT, COFFEE])
    qtbot.waitUntil(lambda: _shown_source(main_window) == COFFEE.name)  # the newest, without a click
    qtbot.waitUntil(lambda: main_window.result_view.current_page not in ("empty", "error"))  # drawn, not the hint
    # The user picks the first row: a later result no longer takes the pane.
    table = panel.table
    first = table.model().index(0, 1)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(first).center())
    picked = _shown_source(main_window)
    assert picked in (CAT.name, COFFEE.name) and not panel.follow_newest
    with qtbot.waitSignal(panel.batch_finished, timeout=120_000):
        panel.controller.run_paths([PORTRAIT])
    assert _shown_source(main_window) == picked
    panel.clear()
    assert panel.follow_newest  # Clear starts over


def test_rows_name_their_model_and_a_model_change_offers_a_rerun(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = main_window.files_panel
    view = panel.view
    drop_and_wait(qtbot, main_window, [CAT, COFFEE])
    model = panel.model
    assert {model.index(r, MODEL).data() for r in range(model.rowCount())} == {"efficientnet-lite0"}
    header = model.headerData(MODEL, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert header and "model" in header.lower()
    assert all(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) for c in range(len(COLUMNS)))
    assert not view.rerun_bar.isVisible()
    combo = view.task_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) == "model:nanodet"))
    qtbot.waitUntil(view.rerun_bar.isVisible)
    assert "nanodet" in view.rerun_label.text() and "2 loaded pictures" in view.rerun_label.text()
    assert "nanodet" in view.model_note.text()  # the active model is named next to the task choice
    with qtbot.waitSignal(panel.batch_finished, timeout=120_000):
        qtbot.mouseClick(view.rerun_button, Qt.MouseButton.LeftButton)
    assert not view.rerun_bar.isVisible()
    models = [model.index(r, MODEL).data() for r in range(model.rowCount())]
    assert models.count("efficientnet-lite0") == 2 and models.count("nanodet") >= 2
    assert not view.table.horizontalScrollBar().isVisible()  # the table fits its panel: no sideways scrolling
    table, metrics = view.table, view.table.horizontalHeader().fontMetrics()
    for c in range(len(COLUMNS)):  # every heading reads whole ("ms", "Ran on"), none cut to "atency m"
        if not table.isColumnHidden(c):
            assert metrics.horizontalAdvance(COLUMNS[c]) < table.columnWidth(c), COLUMNS[c]


def test_the_monitor_counts_one_model_at_a_time(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    monitor = main_window.monitor_panel

    def counted(model: str) -> bool:
        snap = monitor.snapshot
        return snap is not None and snap.n > 0 and [m for m, _ in snap.models] == [model]

    drop_and_wait(qtbot, main_window, [CAT])
    qtbot.waitUntil(lambda: counted("efficientnet-lite0"))
    combo = main_window.files_panel.view.task_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) == "model:nanodet"))
    drop_and_wait(qtbot, main_window, [COFFEE])
    qtbot.waitUntil(lambda: counted("nanodet"))  # follows the newest prediction's model, not a mix of both
    assert "nanodet" in monitor.view.status.text() and "efficientnet" not in monitor.view.status.text()
    models = monitor.view.model_combo
    qtbot.waitUntil(lambda: models.count() == 3)  # "Newest model", nanodet, efficientnet-lite0
    models.setCurrentIndex(models.findData("efficientnet-lite0"))
    models.activated.emit(models.currentIndex())
    qtbot.waitUntil(lambda: counted("efficientnet-lite0"))
    drop_and_wait(qtbot, main_window, [PORTRAIT])  # nanodet again: the user's choice stays
    qtbot.waitUntil(lambda: not monitor.controller.dirty and not monitor.controller.busy)
    assert counted("efficientnet-lite0")


def test_models_list_says_which_models_have_run(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.qt.models.qt_model_table import COLUMNS

    table = main_window.model_manager.list_model
    status = COLUMNS.index("Status")

    def cell(model_id: str) -> str:
        return str(table.index(table.row_of(model_id), status).data())

    qtbot.waitUntil(lambda: cell("efficientnet-lite0") == "not run yet", timeout=30_000)  # once verified
    drop_and_wait(qtbot, main_window, [CAT])
    qtbot.waitUntil(lambda: cell("efficientnet-lite0") == "ran ✓")
    assert cell("nanodet") == "not run yet"


def test_dropped_photos_run_through_the_live_models(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.results import DetectionResult, PoseResult, SegmentationResult

    combo = main_window.files_panel.view.task_combo
    expected = {"nanodet": ("detection", DetectionResult), "movenet-lightning": ("pose", PoseResult),
                "selfie-segmentation": ("segmentation", SegmentationResult)}
    for model_id, (page, payload) in expected.items():
        combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) == f"model:{model_id}"))
        drop_and_wait(qtbot, main_window, [PORTRAIT])
        row = main_window.files_panel.current_row()
        qtbot.waitUntil(lambda m=model_id: (r := main_window.files_panel.current_row()) is not None
                        and r.result.model_id == m)
        row = main_window.files_panel.current_row()
        assert row is not None and row.result.ok and isinstance(row.result.payload, payload)
        qtbot.waitUntil(lambda p=page: main_window.result_view.current_page == p)


def test_a_dismissed_rerun_offer_runs_nothing(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = main_window.files_panel
    view = panel.view
    drop_and_wait(qtbot, main_window, [PORTRAIT])
    rows = panel.model.rowCount()
    combo = view.task_combo
    combo.setCurrentIndex(combo.findData("detect-faces"))
    qtbot.waitUntil(view.rerun_bar.isVisible)
    assert "centerface" in view.rerun_label.text() and "the loaded picture" in view.rerun_label.text()
    qtbot.mouseClick(view.dismiss_button, Qt.MouseButton.LeftButton)
    assert not view.rerun_bar.isVisible() and not panel.controller.busy and panel.model.rowCount() == rows
    with qtbot.waitSignal(panel.batch_finished, timeout=120_000):
        panel.rerun_loaded()  # what the Re-run button does: the same picture, now through CenterFace
    models = [panel.model.index(r, MODEL).data() for r in range(panel.model.rowCount())]
    assert models[:rows] == ["efficientnet-lite0"] * rows and set(models[rows:]) == {"centerface"}


def test_a_text_model_change_offers_to_rerun_the_loaded_text_files(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.qt.test_files_panel import USER_MODELS, drop

    panel, services = main_window.files_panel, main_window.services
    view = panel.view
    for model_id in ("sentiment", "sentiment-b"):  # two text classifiers (the same export under two names)
        services.registry.import_model(USER_MODELS / "hf-text", model_id=model_id)
    qtbot.waitUntil(lambda: view.text_combo.count() == 2, timeout=10_000)
    assert services.settings.text_model == "sentiment"
    happy = USER_MODELS / "samples" / "text-happy.txt"
    with qtbot.waitSignal(panel.batch_finished, timeout=120_000):
        drop(main_window, [happy, CAT])
    view.rerun_bar.hide()  # an offer from the first model's arrival, if any, is not what this test looks at
    view.text_combo.setCurrentIndex(view.text_combo.findData("sentiment-b"))
    qtbot.waitUntil(view.rerun_bar.isVisible)
    assert view.rerun_label.text() == "Text files now go to sentiment-b. Run the loaded text file again with it?"
    rows = panel.model.rowCount()
    with qtbot.waitSignal(panel.batch_finished, timeout=120_000):
        qtbot.mouseClick(view.rerun_button, Qt.MouseButton.LeftButton)
    added = [r.result for r in panel.model.rows[rows:]]  # only the text file ran again, not the picture
    assert [(Path(r.source).name, r.model_id) for r in added] == [(happy.name, "sentiment-b")]
    assert added[0].ok, added[0].error
