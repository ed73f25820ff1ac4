"""The describe dialog's core: running a model as field values describe it (preview), and saving a description
over an installed card (describe)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.describe import card_data, merge_described, save_described
from desktop_app.core.models.preview import NO_PREVIEW, PreviewRunner, preview_card
from desktop_app.core.models.registry import ModelRegistry
from tests.builders import mean_colour_classifier

CLASSIFY = {"task": "classify", "image": {"size": [8, 8], "layout": "NCHW", "mean": 0, "std": 255},
            "labels": ["red", "green", "blue"]}


def _picture(path: Path, rgb: tuple[int, int, int]) -> Path:
    Image.fromarray(np.full((24, 32, 3), rgb, dtype=np.uint8)).save(path)
    return path


@pytest.fixture
def model(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    return mean_colour_classifier(folder / "colours.onnx")


def test_classify_preview_runs_the_described_card_on_a_picture(model: Path, tmp_path: Path) -> None:
    run = PreviewRunner().run(CLASSIFY, model, _picture(tmp_path / "green.png", (10, 240, 10)))
    assert run.result.ok, run.result.error
    assert run.result.payload.top[0].label == "green"
    assert run.line.startswith("green")
    assert run.image is not None and run.image.shape == (24, 32, 3)
    assert run.result.task == "classify" and run.result.provider is not None


def test_preview_labels_come_from_the_files_import_will_write(model: Path, tmp_path: Path) -> None:
    fields = {**{k: v for k, v in CLASSIFY.items() if k != "labels"}, "labels_file": "labels.txt"}
    run = PreviewRunner().run(fields, model, _picture(tmp_path / "blue.png", (0, 0, 250)),
                              {"labels.txt": b"rouge\nvert\nbleu\n"})
    assert run.result.ok, run.result.error
    assert run.result.payload.top[0].label == "bleu"


def test_a_wrong_field_is_the_preview_line_naming_it(model: Path, tmp_path: Path) -> None:
    fields = {**CLASSIFY, "image": {**CLASSIFY["image"], "layout": "CHWN"}}
    run = PreviewRunner().run(fields, model, _picture(tmp_path / "red.png", (250, 0, 0)))
    assert not run.result.ok
    assert "[image]" in run.line and "'layout' is 'CHWN'" in run.line
    with pytest.raises(ModelCardError, match="layout"):
        preview_card(fields, model)


def test_a_failing_run_is_one_line_not_an_exception(model: Path, tmp_path: Path) -> None:
    fields = {**CLASSIFY, "image": {**CLASSIFY["image"], "layout": "NHWC"}}  # the model takes NCHW
    run = PreviewRunner().run(fields, model, _picture(tmp_path / "red.png", (250, 0, 0)))
    assert not run.result.ok and run.line and "\n" not in run.line


def test_raw_models_are_not_previewed_on_pictures(model: Path, tmp_path: Path) -> None:
    run = PreviewRunner().run({"task": "raw"}, model, _picture(tmp_path / "red.png", (250, 0, 0)))
    assert not run.result.ok and run.line == NO_PREVIEW["raw"]


def test_sessions_are_reused_until_the_model_file_changes(model: Path) -> None:
    runner = PreviewRunner()
    first = runner.session(model)
    assert runner.session(model) is first
    mean_colour_classifier(model, size=4)  # rewritten: another size and mtime
    assert runner.session(model) is not first


def _installed(tmp_path: Path) -> ModelRegistry:
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    source = mean_colour_classifier(tmp_path / "colours.onnx")
    registry.import_model(source, model_id="colours", card_overrides={**CLASSIFY, "thresholds": {"low_confidence": 0.3}})
    return registry


def test_save_described_rewrites_only_the_described_fields(tmp_path: Path) -> None:
    registry = _installed(tmp_path)
    card = registry.get("colours")
    before = card_data(card)
    new = save_described(card, {"task": "classify", "name": "Colour picker",
                                 "image": {**CLASSIFY["image"], "color": "BGR"}, "labels_file": "names.txt",
                                 "thresholds": {"score": 0.4}}, {"names.txt": b"a\nb\nc\n"})
    assert new.name == "Colour picker" and new.image is not None and new.image.color == "BGR"
    assert new.labels() == ("a", "b", "c")
    written = tomllib.loads((card.folder / "model.toml").read_text(encoding="utf-8"))
    assert written["sha256"] == before["sha256"] and written["id"] == "colours"
    assert "labels" not in written  # the description replaced the typed labels by a file
    assert written["thresholds"] == {"low_confidence": 0.3, "score": 0.4}


def test_save_described_refuses_a_bad_description_and_leaves_the_card(tmp_path: Path) -> None:
    registry = _installed(tmp_path)
    card = registry.get("colours")
    text = (card.folder / "model.toml").read_text(encoding="utf-8")
    with pytest.raises(ModelCardError, match="dtype"):
        save_described(card, {"task": "classify", "image": {**CLASSIFY["image"], "dtype": "complex64"}})
    with pytest.raises(ModelCardError, match="not a file"):
        save_described(card, {"task": "classify", "image": CLASSIFY["image"]}, {"../evil.txt": b"x"})
    assert (card.folder / "model.toml").read_text(encoding="utf-8") == text


def test_merge_keeps_what_the_dialog_does_not_own() -> None:
    base = {"id": "m", "file": "m.onnx", "sha256": "0" * 64, "license": "MIT", "task": "raw", "detect": {"layout": "yolo"}}
    merged = merge_described(base, {"task": "classify", "id": "other", "classify": {"activation": "none"}})
    assert merged["id"] == "m" and merged["license"] == "MIT" and "detect" not in merged
    assert merged["classify"] == {"activation": "none"}
