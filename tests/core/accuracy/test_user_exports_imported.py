"""The real Ultralytics exports imported with NO flags (recognition writes the whole card) and run through the
pipeline give what Ultralytics' own predictor gives on the same ONNX file: boxes (same count, IoU >= 0.99, same
class, score within 1e-3), masks (IoU >= 0.95), keypoints (within 1 px), classifier top-5 (within 1e-4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from tests.core.accuracy.test_user_exports_decoders import MODELS, ROOT, check_boxes, reference

FOLDERS = ["yolo-detect", "yolo-detect-e2e", "yolo-seg", "yolo-seg-e2e", "yolo-pose", "yolo-pose-e2e", "yolo-cls"]


def _check_detect(result: Any, want: dict[str, Any], ref: dict[str, Any], name: str, folder: str) -> None:
    dets = result.detections
    check_boxes([d.box for d in dets], [d.score for d in dets], [d.label for d in dets], want)


def _check_segment(result: Any, want: dict[str, Any], ref: dict[str, Any], name: str, folder: str) -> None:
    found = result.instances
    check_boxes([i.box for i in found], [i.score for i in found], [i.label for i in found], want)
    masks = np.load(MODELS / folder / ref["masks_file"])[name]
    for instance, ref_mask in zip(found, masks, strict=True):
        mine, theirs = instance.full_mask(result.width, result.height), ref_mask.astype(bool)
        assert np.count_nonzero(mine & theirs) / np.count_nonzero(mine | theirs) >= 0.95


def _check_pose(result: Any, want: dict[str, Any], ref: dict[str, Any], name: str, folder: str) -> None:
    people = result.people
    check_boxes([p.box for p in people], [p.score for p in people], [p.label for p in people], want)
    for person, xy in zip(people, want["keypoints_xy"], strict=True):
        got = np.array([[k.x, k.y] for k in person.keypoints])
        assert np.abs(got - np.asarray(xy)).max() <= 1.0


def _check_classify(result: Any, want: dict[str, Any], ref: dict[str, Any], name: str, folder: str) -> None:
    assert [c.index for c in result.top] == want["top5"][: len(result.top)]
    assert [c.score for c in result.top] == pytest.approx(want["top5_prob"][: len(result.top)], abs=1e-4)


CHECKS = {"detect": _check_detect, "segment": _check_segment, "pose": _check_pose, "classify": _check_classify}


@pytest.mark.parametrize("folder", FOLDERS)
def test_imported_with_no_flags_gives_what_ultralytics_gives(tmp_path: Path, folder: str) -> None:
    ref = reference(folder)
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    card = registry.import_model(MODELS / folder)  # no task, no flags: recognition decides everything
    assert card.task == ref["task"] and card.recognised.startswith("Ultralytics YOLO")
    pipeline = Pipeline(registry)
    for name, want in ref["results"].items():
        (result,) = pipeline.run_path(ROOT / ref["sample_paths"][name], card.id, top_k=5)
        assert result.ok, result.error
        CHECKS[card.task](result.payload, want, ref, name, folder)
