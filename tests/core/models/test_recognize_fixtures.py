"""Real exports (tests/data/user_models, made by models/build/build_user_exports.py): imported with no flags,
each is recognised with the right task, labels, size and layout, and gives what its own framework gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "data" / "user_models"
#: folder → (task, labels, [image] size and layout or None, resize)
EXPECTED: dict[str, tuple[str, tuple[str, ...], tuple[list[int], str] | None, str | None]] = {
    "hf-vit": ("classify", ("apple", "bicycle", "cloud", "dolphin", "envelope"), ([64, 64], "NCHW"), "stretch"),
    "hf-convnext": ("classify", ("circle", "square", "triangle", "background"), ([64, 64], "NCHW"), "center-crop"),
    "hf-text": ("text-classify", ("negative", "neutral", "positive"), None, None),
}


def reference(folder: str) -> dict[str, Any]:
    return json.loads((FIXTURES / folder / "reference.json").read_text(encoding="utf-8"))


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "bundled", tmp_path / "user")


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_recognised_with_no_flags(registry: ModelRegistry, folder: str) -> None:
    task, labels, image, resize = EXPECTED[folder]
    card = registry.import_model(FIXTURES / folder)
    assert card.task == task and card.labels() == labels
    assert card.recognised.startswith("Hugging Face (Optimum)")
    if image is None:
        assert card.image is None and card.text is not None and (card.folder / card.text.tokenizer).is_file()
    else:
        assert card.image is not None
        assert ([card.image.width, card.image.height], card.image.layout, card.image.resize) == (*image, resize)


def test_text_classifier_gives_what_its_framework_gives(registry: ModelRegistry) -> None:
    ref = reference("hf-text")
    card = registry.import_model(FIXTURES / "hf-text")
    pipeline = Pipeline(registry)
    for name, expected in ref["results"].items():
        (result,) = pipeline.run_path(FIXTURES / "samples" / name, card.id, top_k=3)
        assert result.ok, result.error
        got = {c.index: c.score for c in result.payload.top}
        assert [c.index for c in result.payload.top] == expected["top5"][:3]
        assert np.allclose([got[i] for i in range(3)], expected["probs"], atol=1e-4)
        typed = pipeline.run_data(expected["text"], card.id, "typed", top_k=1)  # the same text typed in
        assert typed.ok and typed.payload.best.index == expected["top5"][0]


def test_tokens_match_the_framework(registry: ModelRegistry) -> None:
    ref = reference("hf-text")
    card = registry.import_model(FIXTURES / "hf-text")
    task = Pipeline(registry).task(card.id)
    for expected in ref["results"].values():
        feeds = task.tensors(expected["text"])  # type: ignore[attr-defined]
        assert feeds["input_ids"][0].tolist() == expected["input_ids"]
        assert feeds["input_ids"].dtype == np.int64 and feeds["attention_mask"].sum() == len(expected["input_ids"])


@pytest.mark.parametrize("folder", ["hf-vit", "hf-convnext"])
def test_image_classifiers_give_what_their_framework_gives(registry: ModelRegistry, folder: str) -> None:
    ref = reference(folder)
    card = registry.import_model(FIXTURES / folder)
    pipeline = Pipeline(registry)
    for name, expected in ref["results"].items():
        (result,) = pipeline.run_path(ROOT / ref["sample_paths"][name], card.id, top_k=5)
        assert result.ok, result.error
        assert [c.index for c in result.payload.top] == expected["top5"][: len(result.payload.top)]
        got = {c.index: c.score for c in result.payload.top}
        assert np.allclose([got[i] for i in sorted(got)], [expected["probs"][i] for i in sorted(got)], atol=1e-4)


#: Ultralytics folders (default and end-to-end exports) → (task, class count, size, detect layout or None)
YOLO: dict[str, tuple[str, int, int, str | None]] = {
    "yolo-detect": ("detect", 3, 160, "yolo"), "yolo-detect-e2e": ("detect", 3, 160, "rows"),
    "yolo-seg": ("segment", 3, 160, "yolo"), "yolo-seg-e2e": ("segment", 3, 160, "rows"),
    "yolo-pose": ("pose", 1, 160, "yolo"), "yolo-pose-e2e": ("pose", 1, 160, "rows"),
    "yolo-cls": ("classify", 3, 64, None),
}


@pytest.mark.parametrize("folder", sorted(YOLO))
def test_ultralytics_exports_recognised_with_no_flags(registry: ModelRegistry, folder: str) -> None:
    if not (FIXTURES / folder).is_dir():
        pytest.skip(f"{folder} is not built yet (models/build/build_user_exports.py)")
    task, classes, size, layout = YOLO[folder]
    card = registry.import_model(FIXTURES / folder)
    assert card.task == task and len(card.labels()) == classes
    assert card.recognised.startswith(f"Ultralytics YOLO {task}")
    assert card.image is not None and (card.image.width, card.image.height, card.image.layout) == (size, size, "NCHW")
    if layout is None:
        assert card.classify is not None and card.classify.activation == "none"
    else:
        assert card.detect is not None and card.detect.layout == layout
        assert (card.image.resize, card.image.pad) == ("letterbox", 114)
