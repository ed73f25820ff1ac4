"""importer.import_model: folders with their sibling files, recognition unless described, overrides on top."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.errors import ModelCardError, ModelError
from desktop_app.core.models.card_edit import apply_settings, edit_card, parse_value
from desktop_app.core.models.importer import import_model
from desktop_app.core.models.registry import ModelRegistry
from tests.core.models.user_model_builders import const_model, optimum_image_folder, ultralytics_model


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "bundled", tmp_path / "user")


def test_folder_import_copies_the_sibling_files(tmp_path: Path, registry: ModelRegistry) -> None:
    done = import_model(registry, optimum_image_folder(tmp_path / "My ViT"))
    card = done.card
    assert card.id == "my-vit" and card.task == "classify" and card.labels() == ("cat", "dog", "bird")
    assert {p.name for p in card.folder.iterdir()} == {"model.onnx", "model.toml", "labels.txt", "config.json",
                                                      "preprocessor_config.json"}
    assert card.recognised == done.summary and "ViTForImageClassification" in card.recognised


def test_caller_fields_override_recognition(tmp_path: Path, registry: ModelRegistry) -> None:
    path = ultralytics_model(tmp_path / "det.onnx", "detect", {"output0": np.zeros((1, 7, 84))})
    done = import_model(registry, path, card_overrides={"image": {"size": [32, 32]}, "labels": ["a", "b", "c"],
                                                        "thresholds": {"score": 0.6}}, recognise=True)
    card = done.card
    assert card.image is not None and (card.image.width, card.image.resize, card.image.pad) == (32, "letterbox", 114)
    assert card.labels() == ("a", "b", "c") and card.labels_file is None and card.threshold("score", 0) == 0.6
    assert done.summary.endswith("given: image.size, labels, thresholds.score")


def test_a_named_task_skips_recognition(tmp_path: Path, registry: ModelRegistry) -> None:
    path = ultralytics_model(tmp_path / "det.onnx", "detect", {"output0": np.zeros((1, 7, 84))})
    card = registry.import_model(path, task="raw")
    assert card.task == "raw" and card.recognised == "" and not (card.folder / "labels.txt").exists()


def test_obb_is_refused_unless_described(tmp_path: Path, registry: ModelRegistry) -> None:
    path = ultralytics_model(tmp_path / "obb.onnx", "obb", {"output0": np.zeros((1, 8, 84))})
    with pytest.raises(ModelError, match="oriented-box"):
        registry.import_model(path)
    assert registry.list() == []


def test_edit_card_validates_before_writing(tmp_path: Path, registry: ModelRegistry) -> None:
    card = registry.import_model(const_model(tmp_path / "m.onnx", [1, 3, 8, 8], {"y": np.zeros((1, 3))}))
    seen = []
    registry.changed.subscribe(seen.append)
    edited = edit_card(registry, card.id, {"task": "classify", "image.size": "[8, 8]", "classify.activation": "none",
                                           "description": "2024-01-02 build"})
    assert edited.task == "classify" and edited.classify is not None and edited.classify.activation == "none"
    assert edited.description == "2024-01-02 build" and seen and seen[-1].card(card.id) == edited
    before = (card.folder / "model.toml").read_bytes()
    with pytest.raises(ModelCardError, match=r"\[classify\]: 'activation'"):
        edit_card(registry, card.id, {"classify.activation": "relu"})
    assert (card.folder / "model.toml").read_bytes() == before


def test_setting_values_and_keys() -> None:
    assert parse_value("0.5") == 0.5 and parse_value("[320, 320]") == [320, 320] and parse_value("rows") == "rows"
    assert parse_value('"x1"') == "x1" and parse_value("true") is True and parse_value("0-255") == "0-255"
    data = apply_settings({"a": {"b": 1}, "heads": [{"n": "x"}]}, {"a.c": "2", "heads.0.n": "y", "a.b": ""})
    assert data == {"a": {"c": 2}, "heads": [{"n": "y"}]}
    with pytest.raises(ModelCardError, match="'file' is set by import"):
        apply_settings({}, {"file": "other.onnx"})
    with pytest.raises(ModelCardError, match="is a value, not a table"):
        apply_settings({"task": "raw"}, {"task.x": "1"})
