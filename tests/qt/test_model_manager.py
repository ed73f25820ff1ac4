"""The model manager panel: list with integrity status, inspector, import/remove, use-for, providers, and
clean shutdown of its workers."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.core.runtime import providers as prov
from desktop_app.qt.models.qt_model_table import COLUMNS
from desktop_app.qt.models.qt_model_workers import VerifyState
from desktop_app.qt.qt_workers import join_all, running_threads
from tests.builders import add_one, external_data_model, mean_colour_classifier

BUNDLED = {"adult-income", "centerface", "efficientnet-lite0", "fer-emotion", "silero-vad", "movenet-lightning",
           "selfie-segmentation", "nanodet"}


def _cell(manager, model_id: str, column: str) -> str:  # type: ignore[no-untyped-def]
    model = manager.list_model
    return str(model.index(model.row_of(model_id), COLUMNS.index(column)).data())


def _manager_threads(manager) -> list[str]:  # type: ignore[no-untyped-def]
    """Running threads started by the model manager's controllers (the window runs others)."""
    names = {f"{c.name}-thread" for c in manager.controller.controls}
    return [t.objectName() for t in running_threads() if t.objectName() in names]


def _ids(manager) -> set[str]:  # type: ignore[no-untyped-def]
    return {row.card.id for row in manager.list_model.rows}


def _facts(manager) -> dict[str, str]:  # type: ignore[no-untyped-def]
    form = manager.inspector.facts_form
    return {form.itemAt(i, form.ItemRole.LabelRole).widget().text(): form.itemAt(i, form.ItemRole.FieldRole).widget().text()
            for i in range(form.rowCount())}


def _wait_inspected(qtbot, manager, model_id: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: manager.inspector.info is not None
                    and manager.inspector.card is not None and manager.inspector.card.id == model_id, timeout=20_000)


def _wait_idle(qtbot, manager) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not manager.controller.importing, timeout=30_000)


def test_lists_bundled_models_with_sizes_and_verifies_them(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    assert _ids(manager) == BUNDLED
    for model_id in BUNDLED:
        assert _cell(manager, model_id, "Size").endswith("MB")
        assert _cell(manager, model_id, "Origin") == "bundled"
    assert _cell(manager, "centerface", "Task") == "detect-faces"
    assert _cell(manager, "centerface", "License") == "MIT"
    assert _cell(manager, "efficientnet-lite0", "Used for") == "images"
    assert _cell(manager, "centerface", "Used for") == "face detection"
    qtbot.waitUntil(lambda: all(r.status.state is VerifyState.VERIFIED for r in manager.list_model.rows),
                    timeout=30_000)
    assert _cell(manager, "silero-vad", "Status") == "not run yet"  # intact, but it has not run in this session
    assert not manager.problems_line.isVisible()


def test_inspector_shows_centerface_signature_and_copies_it(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    assert manager.select_model("centerface")
    _wait_inspected(qtbot, manager, "centerface")
    table = manager.inspector.io_table
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert rows[0] == ["in", "input.1", "float32", "[batch, 3, height, width]"]
    assert [r[1] for r in rows[1:]] == ["537", "538", "539", "540"]
    assert all(r[0] == "out" and "height_div4" in r[3] for r in rows[1:])
    facts = _facts(manager)
    assert facts["Parameters"] == f"{manager.inspector.info.parameter_count:,}"
    assert "," in facts["Parameters"]
    assert facts["SHA-256"] == manager.inspector.info.sha256
    assert facts["Opsets"] == "ai.onnx 9" and facts["IR version"] == "4"
    assert facts["External data"] == "none"
    assert "Known limitations" in manager.inspector.card_view.toHtml()
    assert manager.inspector.card_view.toPlainText().count("\n") > 5

    with qtbot.waitSignal(manager.inspector.copied, timeout=5_000):
        manager.inspector.copy_button.click()
    data = json.loads(QGuiApplication.clipboard().text())
    assert [t["name"] for t in data["inputs"]] == ["input.1"]
    assert data["inputs"][0]["shape"] == ["batch", 3, "height", "width"]
    assert [t["name"] for t in data["outputs"]] == ["537", "538", "539", "540"]


def test_import_valid_and_bad_files_each_on_their_own(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    good = add_one(tmp_path / "tiny-add.onnx")
    bad = tmp_path / "notes.onnx"
    bad.write_text("this is not a model\n", encoding="utf-8")
    ext = external_data_model(tmp_path / "ext", "weights.bin")
    (tmp_path / "ext" / "weights.bin").write_bytes(b"\0" * 16)
    with qtbot.waitSignal(manager.models_changed, timeout=30_000):
        manager.import_paths([bad, good, ext])
    _wait_idle(qtbot, manager)
    # model.onnx takes its folder's name; the last import's announcement reaches the list on the UI thread
    qtbot.waitUntil(lambda: _ids(manager) == BUNDLED | {"tiny-add", "ext"}, timeout=10_000)
    assert _cell(manager, "tiny-add", "Origin") == "user"
    assert manager.error_strip.isVisible()
    assert "notes.onnx" in manager.error_strip.full_text and "\n" not in manager.error_strip.full_text
    # the button comes back when the import worker has ended, which is announced after its last outcome
    qtbot.waitUntil(main_window.model_manager.import_button.isEnabled, timeout=10_000)
    manager.select_model("tiny-add")
    _wait_inspected(qtbot, manager, "tiny-add")
    assert manager.inspector.io_table.item(0, 1).text() == "x"
    assert manager.inspector.io_table.item(0, 3).text() == "[batch, 4]"
    qtbot.waitUntil(lambda: manager.list_model.status_of("tiny-add").state is VerifyState.VERIFIED, timeout=20_000)
    # an intact file is not a working model: until it has produced a result the cell says it has not run yet,
    # and the tooltip says what the hash proves
    assert _cell(manager, "tiny-add", "Status") == "not run yet"
    assert "says nothing about whether the model works" in manager.list_model.status_of("tiny-add").detail
    row = manager.list_model.row_of("tiny-add")
    tip = manager.list_model.index(row, COLUMNS.index("Status")).data(Qt.ItemDataRole.ToolTipRole)
    assert "not produced a result yet" in tip
    manager.select_model("ext")
    _wait_inspected(qtbot, manager, "ext")
    assert _facts(manager)["External data"] == "weights.bin"


def test_import_of_only_a_bad_file_leaves_the_list_unchanged(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    bad = tmp_path / "photo.onnx"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    with qtbot.waitSignal(manager.message, timeout=20_000,
                          check_params_cb=lambda text: text.startswith("not imported")):
        manager.import_paths([bad])
    _wait_idle(qtbot, manager)
    assert _ids(manager) == BUNDLED
    assert manager.error_strip.isVisible() and "photo.onnx" in manager.error_strip.full_text
    manager.error_close.click()
    assert not manager.error_strip.isVisible()


def test_remove_user_model_and_bundled_cannot_be_removed(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    manager.select_model("centerface")
    assert not manager.remove_button.isEnabled()
    assert "cannot be removed" in manager.remove_button.toolTip()
    asked: list[str] = []
    manager.confirm = lambda text: asked.append(text) or True
    assert not manager.remove_selected()
    assert asked == [] and "centerface" in _ids(manager)

    with qtbot.waitSignal(manager.models_changed, timeout=30_000):
        manager.import_paths([add_one(tmp_path / "doomed.onnx")])
    _wait_idle(qtbot, manager)
    assert manager.selected_card().id == "doomed"
    assert manager.remove_button.isEnabled()
    manager.confirm = lambda text: False
    assert not manager.remove_selected() and "doomed" in _ids(manager)
    manager.confirm = lambda text: asked.append(text) or True
    with qtbot.waitSignal(manager.models_changed, timeout=5_000):
        qtbot.keyClick(manager.table, Qt.Key.Key_Delete)
    assert "doomed" not in _ids(manager) and len(asked) == 1
    assert not (main_window.services.dirs.models / "doomed").exists()


def test_provider_choice_persists_and_health_shows_cpu_healthy(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    box = manager.provider_box
    assert box.choice == main_window.services.settings.provider == "auto"
    with qtbot.waitSignal(manager.provider_changed, timeout=5_000) as blocker:
        box.combo.setCurrentIndex(box.combo.findData("cpu"))
    assert blocker.args == ["cpu"]
    assert main_window.services.settings.provider == "cpu"
    assert main_window.services.store.load().provider == "cpu"
    qtbot.waitUntil(lambda: "healthy" in box.verdicts[prov.CPU].text(), timeout=30_000)
    assert "CPU: healthy" in box.verdicts[prov.CPU].text()
    assert box.verdicts[prov.CUDA].toolTip()  # detail: why or how it ran
    assert box.recheck.isEnabled()
    box.recheck.click()
    qtbot.waitUntil(lambda: box.recheck.isEnabled() and "healthy" in box.verdicts[prov.CPU].text(), timeout=30_000)
    main_window.set_provider("strict-gpu")  # the Model menu's path keeps the combo in step
    assert box.choice == "strict-gpu"


def test_use_for_images_updates_settings(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    card = {"task": "classify", "image": {"size": [8, 8]}}
    with qtbot.waitSignal(manager.models_changed, timeout=30_000):
        manager.import_paths([mean_colour_classifier(tmp_path / "colours.onnx")], card)
    _wait_idle(qtbot, manager)
    manager.select_model("colours")
    assert manager.use_actions["image"].isEnabled()
    assert not manager.use_actions["table"].isEnabled() and not manager.use_actions["audio"].isEnabled()
    assert manager.use_actions["table"].toolTip() == "This model's task is classify; it does not take tables"
    with qtbot.waitSignal(manager.model_chosen, timeout=5_000) as blocker:
        manager.use_actions["image"].trigger()
    assert blocker.args == ["image", "colours"]
    assert main_window.services.settings.image_model == "colours"
    assert "colours" in main_window.model_label.text()
    assert _cell(manager, "colours", "Used for") == "images"
    manager.select_model("centerface")
    assert not manager.use_selected_for("table")


def test_choose_model_dialog_emits_the_picked_model(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    seen: list[list[str]] = []

    def pick(title: str, label: str, items: list[str]) -> str:
        seen.append(items)
        return next(i for i in items if "(centerface)" in i)

    manager.ask_item = pick
    with qtbot.waitSignal(manager.model_chosen, timeout=5_000) as blocker:
        manager.choose_model_dialog()
    assert blocker.args == ["detect", "centerface"]
    assert "(efficientnet-lite0)" in seen[0][0]  # the current image model comes first
    assert main_window.services.settings.detect_model == "centerface"


def test_shutdown_during_import_and_health_check_leaves_no_thread(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    paths = [add_one(tmp_path / f"m{i}.onnx") for i in range(6)]
    manager.recheck_providers()
    manager.import_paths(paths)
    assert manager.controller.import_control.busy or manager.controller.importing
    manager.shutdown()
    assert join_all() and _manager_threads(manager) == []
    assert not any(c.busy for c in manager.controller.controls)
    manager.import_paths(paths)  # after shutdown: ignored, nothing starts
    manager.recheck_providers()
    assert join_all() and _manager_threads(manager) == []


def test_the_model_list_never_scrolls_sideways_and_keeps_hidden_facts_in_the_tooltip(main_window, qtbot  # type: ignore[no-untyped-def]
                                                                                     ) -> None:
    manager = main_window.model_manager
    table = manager.table
    assert table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    hidden = {COLUMNS[i] for i in range(len(COLUMNS)) if table.isColumnHidden(i)}
    assert hidden == {"Size", "License", "Origin"}
    model = manager.list_model
    tip = model.index(model.row_of("centerface"), COLUMNS.index("Model")).data(Qt.ItemDataRole.ToolTipRole)
    assert "bundled" in tip and "license MIT" in tip and "MB" in tip
    assert manager.minimumSizeHint().width() <= 420  # fits beside the panels on a 1366-pixel screen
