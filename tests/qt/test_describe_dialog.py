"""Describe this model: import in the Models dock (recognised, described with a live preview, imported), an
invalid description refused inline, Edit… + Save seen by the open window, open folder, reload, a raw model's
actions refused with the reason, and an .onnx dropped on the window."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QUrl

from desktop_app.qt.models.qt_describe_dialog import QtDescribeDialog
from tests.builders import add_one, mean_colour_classifier

USER_MODELS = Path(__file__).parents[1] / "data" / "user_models"
CLASSIFY = {"task": "classify", "image": {"size": [8, 8], "mean": 0, "std": 255}, "labels": ["red", "green", "blue"]}


def _picture(path: Path, rgb: tuple[int, int, int]) -> Path:
    Image.fromarray(np.full((30, 40, 3), rgb, dtype=np.uint8)).save(path)
    return path


def _open_dialog(qtbot, manager, paths: list[Path]) -> QtDescribeDialog:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(manager.describe.opened, timeout=60_000) as blocker:
        manager.describe_paths(paths)
    dialog = blocker.args[0]
    assert isinstance(dialog, QtDescribeDialog) and dialog.isVisible()
    return dialog


def _wait_preview(qtbot, dialog: QtDescribeDialog, check) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dialog.preview.busy and dialog.preview.last is not None
                    and check(dialog.preview.last), timeout=30_000)


def _import_described(qtbot, manager, path: Path, card: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    with qtbot.waitSignal(manager.controller.imports_done, timeout=60_000):
        manager.import_paths([path], card)


def test_import_describe_with_live_preview_then_import(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    model = mean_colour_classifier(tmp_path / "colours.onnx")
    dialog = _open_dialog(qtbot, manager, [model])
    assert dialog.recognised_line.text() == "Not recognised: describe the model"
    assert dialog.signature.rowCount() == 2 and dialog.signature.item(1, 1).text() == "logits"
    form = dialog.form
    assert form.task == "raw" and not dialog.preview.isHidden()
    _wait_preview(qtbot, dialog, lambda run: "Choose a task" in run.line)
    assert not any(box.isVisible() for _section, box in form.boxes)  # a raw model has nothing to describe
    form.task_combo.setCurrentText("classify")
    assert form.fields["image.layout"].widget.isVisible() and not form.fields["detect.layout"].widget.isVisible()
    form.fields["image.size"].set_value([8, 8])
    form.fields["image.scale"].set_value("0-255")
    assert form.fields["image.std"].value() == 1  # the preset filled mean and std
    form.labels_source.setCurrentText("typed")
    form.labels_text.setPlainText("red\ngreen\nblue")
    dialog.preview.add_input(_picture(tmp_path / "green.png", (0, 200, 0)))
    _wait_preview(qtbot, dialog, lambda run: run.result.ok and run.result.payload.top[0].label == "green")
    assert dialog.preview.result_view.current_page != "error" and dialog.preview.line.text().startswith("green")
    with qtbot.waitSignal(manager.controller.imports_done, timeout=60_000):
        dialog.accept_button.click()
    card = main_window.services.registry.get("colours")
    assert card.task == "classify" and card.labels() == ("red", "green", "blue")
    assert card.image is not None and (card.image.width, card.image.std) == (8, (1.0, 1.0, 1.0))
    assert manager.selected_card() is not None and manager.selected_card().id == "colours"
    assert manager.use_actions["image"].isEnabled()


def test_an_invalid_description_is_one_line_and_import_is_disabled(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    dialog = _open_dialog(qtbot, manager, [mean_colour_classifier(tmp_path / "colours.onnx")])
    dialog.form.task_combo.setCurrentText("classify")
    dialog.form.fields["image.std"].set_value(0)
    dialog.form.fields["image.std"].changed.emit()
    assert not dialog.accept_button.isEnabled()
    assert "'std' must not contain zero" in dialog.error_line.text() and dialog.error_line.isVisible()
    qtbot.waitUntil(lambda: "'std'" in dialog.preview.line.text(), timeout=5_000)
    dialog.form.fields["image.mean"].widget.setText("abc")
    assert "image.mean" in dialog.error_line.text() and not dialog.accept_button.isEnabled()
    dialog.form.fields["image.scale"].set_value("0-1")
    dialog.form.fields["image.scale"].changed.emit()
    assert dialog.accept_button.isEnabled() and not dialog.error_line.isVisible()
    dialog.reject()
    assert "colours" not in main_window.services.registry.snapshot().ids()


def test_edit_save_changes_the_card_and_the_window_sees_it(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    _import_described(qtbot, manager, mean_colour_classifier(tmp_path / "colours.onnx"), CLASSIFY)
    assert manager.select_model("colours") and manager.edit_button.isEnabled()
    with qtbot.waitSignal(manager.describe.opened, timeout=30_000) as blocker:
        assert manager.edit_selected()
    dialog = blocker.args[0]
    assert dialog.accept_button.text() == "&Save" and dialog.recognised_line.text().startswith("Editing colours")
    assert dialog.form.labels_text.toPlainText() == "red\ngreen\nblue"
    dialog.form.name_edit.setText("Colour picker")
    dialog.form.labels_text.setPlainText("rouge\nvert\nbleu")
    with qtbot.waitSignal(manager.describe.saved, timeout=30_000):
        dialog.accept_button.click()
    card = main_window.services.registry.snapshot().card("colours")
    assert card is not None and card.name == "Colour picker" and card.labels() == ("rouge", "vert", "bleu")
    assert manager.selected_card() == card and manager.inspector.card == card
    result = main_window.services.pipeline.run_path(_picture(tmp_path / "red.png", (220, 0, 0)), "colours")[0]
    assert result.ok and result.payload.top[0].label == "rouge"  # the open window runs the saved card


def test_open_folder_asks_for_the_models_folder_and_reload_reads_cards(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    _import_described(qtbot, manager, mean_colour_classifier(tmp_path / "colours.onnx"), CLASSIFY)
    asked: list[QUrl] = []
    manager.open_url = asked.append
    manager.select_model("colours")
    card = manager.selected_card()
    assert manager.model_actions.open_folder.isEnabled()
    manager.model_actions.open_folder.trigger()
    assert asked == [QUrl.fromLocalFile(str(card.folder))]
    toml = card.folder / "model.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('name = "colours"', 'name = "Edited by hand"'),
                    encoding="utf-8")
    os.utime(toml, ns=(toml.stat().st_atime_ns, toml.stat().st_mtime_ns + 1_000_000_000))
    manager.model_actions.reload.trigger()
    assert manager.selected_card() is not None and manager.selected_card().name == "Edited by hand"


def test_raw_model_actions_are_disabled_with_the_reason(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    _import_described(qtbot, manager, add_one(tmp_path / "raw-one.onnx"), {})
    assert manager.select_model("raw-one") and manager.selected_card().task == "raw"
    for action in manager.use_actions.values():
        assert not action.isEnabled()
        assert action.toolTip().startswith("Describe this model first: its task is raw")
    assert not manager.use_button.isEnabled()
    assert "Describe this model first" in manager.use_button.toolTip()
    assert not manager.use_selected_for("image")
    assert manager.edit_button.isEnabled()


@pytest.mark.parametrize("as_folder", [False, True])
def test_a_dropped_model_opens_the_describe_dialog(main_window, qtbot, tmp_path: Path, as_folder: bool) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    folder = tmp_path / "export"
    folder.mkdir()
    model = mean_colour_classifier(folder / ("model.onnx" if as_folder else "colours.onnx"))
    with qtbot.waitSignal(manager.describe.opened, timeout=60_000) as blocker:
        main_window.open_paths([folder if as_folder else model])
    dialog = blocker.args[0]
    assert dialog.request.model_file == model and main_window.models_dock.isVisible()
    assert dialog.request.source == (folder if as_folder else model)
    dialog.reject()
    qtbot.waitUntil(lambda: manager.describe.dialog is None, timeout=5_000)
    assert not any(card.folder.parent == main_window.services.registry.user_dir
                   for card in main_window.services.registry.snapshot().cards)


def test_a_recognised_folder_is_prefilled_and_previewed(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    dialog = _open_dialog(qtbot, manager, [USER_MODELS / "hf-vit"])
    assert dialog.recognised_line.text().startswith("Recognised: Hugging Face")
    assert dialog.form.task == "classify" and dialog.form.fields["image.interpolation"].value() == "pil-bilinear"
    _wait_preview(qtbot, dialog, lambda run: run.result.ok)
    assert len(dialog.preview.last.result.payload.top) == 5
    assert dialog.preview.result_view.current_page not in ("error", "empty")
    dialog.reject()
