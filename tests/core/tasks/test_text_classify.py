"""text-classify: .txt files and typed text through a tokenizer.json, fed to the model by input name."""

from __future__ import annotations

from pathlib import Path

import pytest
from onnx import TensorProto

from desktop_app.core.errors import MediaError
from desktop_app.core.media.text import load_text
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from tests.core.models.user_model_builders import optimum_text_folder, text_model


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "bundled", tmp_path / "user")


def test_imported_text_classifier_runs_on_files_and_typed_text(tmp_path: Path, registry: ModelRegistry) -> None:
    card = registry.import_model(optimum_text_folder(tmp_path / "sentiment"))
    assert card.task == "text-classify" and card.labels() == ("NEGATIVE", "POSITIVE")
    pipeline = Pipeline(registry)
    review = tmp_path / "review.txt"
    review.write_text("\ufeffA GOOD movie, good acting, bad ending", encoding="utf-8")
    (result,) = pipeline.run_path(review, card.id)
    assert result.ok, result.error
    assert result.payload.best.label == "POSITIVE" and result.payload.num_classes == 2
    typed = pipeline.run_data("bad bad movie", card.id, "typed text")
    assert typed.ok and typed.payload.best.label == "NEGATIVE"
    assert typed.payload.best.score == pytest.approx(1 / (1 + pow(2.718281828459045, -2)), abs=1e-6)


def test_truncation_to_max_length(tmp_path: Path, registry: ModelRegistry) -> None:
    card = registry.import_model(optimum_text_folder(tmp_path / "sentiment"))  # max_length 8
    pipeline = Pipeline(registry)
    text = "bad " * 8 + "good " * 20  # the goods come after the first 8 tokens and are cut
    result = pipeline.run_data(text, card.id, "typed")
    assert result.ok and result.payload.best.label == "NEGATIVE"


def test_int32_token_inputs_without_mask(tmp_path: Path, registry: ModelRegistry) -> None:
    folder = optimum_text_folder(tmp_path / "m")
    text_model(folder / "model.onnx", id_type=TensorProto.INT32, with_mask=False)
    card = registry.import_model(folder)
    result = Pipeline(registry).run_data("good", card.id, "typed")
    assert result.ok, result.error
    assert result.payload.best.label == "POSITIVE"


def test_bad_text_files_fail_in_one_line(tmp_path: Path, registry: ModelRegistry) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("café".encode("latin-1"))
    with pytest.raises(MediaError, match=r"latin1.txt: not UTF-8 text"):
        load_text(latin)
    big = tmp_path / "big.txt"
    big.write_text("a" * 2_000_000)
    with pytest.raises(MediaError, match="over the"):
        load_text(big)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    card = registry.import_model(optimum_text_folder(tmp_path / "m"))
    (result,) = Pipeline(registry).run_path(empty, card.id)
    assert not result.ok and result.error == "empty.txt: is empty; there is no text to classify"


def test_an_image_given_to_a_text_model_is_refused(tmp_path: Path, registry: ModelRegistry) -> None:
    card = registry.import_model(optimum_text_folder(tmp_path / "m"))
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (result,) = Pipeline(registry).run_path(photo, card.id)
    assert not result.ok and result.error == "photo.png: is a PNG image; a text model reads .txt files"
