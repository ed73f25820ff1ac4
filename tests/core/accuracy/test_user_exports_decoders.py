"""The generic decoders against the original frameworks' own predictions on the same ONNX files
(tests/data/user_models: Ultralytics and Optimum exports with reference.json). Cards are written here by hand,
so this checks the decoders and pre-processing, not import recognition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop_app.core.media.image import load_image
from desktop_app.core.models.card import parse_card
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import TASKS, StageClock

ROOT = Path(__file__).resolve().parents[3]
MODELS = ROOT / "tests" / "data" / "user_models"
ULTRALYTICS_IMAGE = {"size": [160, 160], "resize": "letterbox", "pad": 114, "color": "RGB", "mean": 0, "std": 255,
                     "interpolation": "linear"}
ULTRALYTICS_THRESHOLDS = {"score": 0.25, "nms_iou": 0.7}
E2E = {"layout": "rows", "columns": ["x1", "y1", "x2", "y2", "score", "class"]}

#: Folder -> the card written by hand for it.
CARDS: dict[str, dict[str, Any]] = {
    "yolo-detect": {"task": "detect", "detect": {"layout": "yolo"}},
    "yolo-detect-e2e": {"task": "detect", "detect": E2E},
    "yolo-seg": {"task": "segment", "detect": {"layout": "yolo", "output": "output0"},
                 "segment": {"kind": "instance", "protos": "output1"}},
    "yolo-seg-e2e": {"task": "segment", "detect": {**E2E, "output": "output0"},
                     "segment": {"kind": "instance", "protos": "output1"}},
    "yolo-pose": {"task": "pose", "detect": {"layout": "yolo"}, "pose": {"layout": "yolo", "keypoints": 17}},
    "yolo-pose-e2e": {"task": "pose", "detect": E2E, "pose": {"layout": "rows", "keypoints": 17}},
}


def reference(folder: str) -> dict[str, Any]:
    path = MODELS / folder / "reference.json"
    if not path.is_file():
        pytest.skip(f"{folder} fixture not present")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def labels_of(ref: dict[str, Any]) -> list[str]:
    names = ref.get("names") or ref.get("id2label")
    return [names[str(i)] for i in range(len(names))]


def build(folder: str, card: dict[str, Any], labels: list[str]) -> Any:
    data = {"id": folder, "file": "model.onnx", "labels": labels, **card}
    parsed = parse_card(data, MODELS / folder)
    return TASKS[parsed.task](parsed, ModelSession(parsed.path, "cpu"))


def image_of(ref: dict[str, Any], name: str) -> np.ndarray:
    return load_image(ROOT / ref["sample_paths"][name])


def iou(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def check_boxes(boxes: list[tuple[float, ...]], scores: list[float], labels: list[str], want: dict[str, Any]) -> None:
    assert len(boxes) == len(want["boxes_xyxy"])
    for box, score, label, ref_box, ref_score, ref_label in zip(
            boxes, scores, labels, want["boxes_xyxy"], want["scores"], want["labels"], strict=True):
        assert iou(np.asarray(box), np.asarray(ref_box)) >= 0.99, (box, ref_box)
        assert label == ref_label
        assert score == pytest.approx(ref_score, abs=1e-3)


@pytest.mark.parametrize("folder", ["yolo-detect", "yolo-detect-e2e"])
def test_ultralytics_detect_matches_its_predictor(folder: str) -> None:
    ref = reference(folder)
    task = build(folder, {**CARDS[folder], "image": ULTRALYTICS_IMAGE, "thresholds": ULTRALYTICS_THRESHOLDS},
                 labels_of(ref))
    for name, want in ref["results"].items():
        result = task.run(image_of(ref, name), StageClock())
        assert [result.height, result.width] == want["orig_shape"]
        dets = result.detections
        check_boxes([d.box for d in dets], [d.score for d in dets], [d.label for d in dets], want)


@pytest.mark.parametrize("folder", ["yolo-seg", "yolo-seg-e2e"])
def test_ultralytics_segment_matches_its_predictor(folder: str) -> None:
    ref = reference(folder)
    masks = np.load(MODELS / folder / ref["masks_file"])
    task = build(folder, {**CARDS[folder], "image": ULTRALYTICS_IMAGE, "thresholds": ULTRALYTICS_THRESHOLDS},
                 labels_of(ref))
    for name, want in ref["results"].items():
        result = task.run(image_of(ref, name), StageClock())
        found = result.instances
        check_boxes([i.box for i in found], [i.score for i in found], [i.label for i in found], want)
        for instance, ref_mask in zip(found, masks[name], strict=True):
            mine = instance.full_mask(result.width, result.height)
            theirs = ref_mask.astype(bool)
            union = np.count_nonzero(mine | theirs)
            assert union and np.count_nonzero(mine & theirs) / union >= 0.95


@pytest.mark.parametrize("folder", ["yolo-pose", "yolo-pose-e2e"])
def test_ultralytics_pose_matches_its_predictor(folder: str) -> None:
    ref = reference(folder)
    task = build(folder, {**CARDS[folder], "image": ULTRALYTICS_IMAGE, "thresholds": ULTRALYTICS_THRESHOLDS},
                 labels_of(ref))
    for name, want in ref["results"].items():
        result = task.run(image_of(ref, name), StageClock())
        people = result.people
        check_boxes([p.box for p in people], [p.score for p in people], [p.label for p in people], want)
        for person, xy, conf in zip(people, want["keypoints_xy"], want["keypoints_conf"], strict=True):
            got = np.array([[k.x, k.y] for k in person.keypoints])
            assert np.abs(got - np.asarray(xy)).max() <= 1.0
            assert np.abs(np.array([k.score for k in person.keypoints]) - np.asarray(conf)).max() <= 1e-3


CLASSIFIERS: dict[str, dict[str, Any]] = {
    "yolo-cls": {"size": [64, 64], "resize": "center-crop", "crop_fraction": 1.0, "interpolation": "pil-bilinear",
                 "mean": 0, "std": 255},
    "hf-vit": {"size": [64, 64], "resize": "stretch", "interpolation": "pil-bilinear", "mean": 127.5, "std": 127.5},
    "hf-convnext": {"size": [64, 64], "resize": "center-crop", "crop_fraction": 0.875,
                    "interpolation": "pil-bicubic", "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]},
}


@pytest.mark.parametrize("folder", sorted(CLASSIFIERS))
def test_classifiers_top5_match_their_framework(folder: str) -> None:
    ref = reference(folder)
    activation = "none" if folder == "yolo-cls" else "softmax"
    task = build(folder, {"task": "classify", "image": CLASSIFIERS[folder],
                          "classify": {"activation": activation}}, labels_of(ref))
    for name, want in ref["results"].items():
        result = task.run(image_of(ref, name), StageClock(), top_k=5)
        assert [c.index for c in result.top] == want["top5"][: len(result.top)]
        assert [c.score for c in result.top] == pytest.approx(want["top5_prob"], abs=1e-4)
