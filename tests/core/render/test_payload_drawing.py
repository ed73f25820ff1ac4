"""The new payloads draw themselves: instance masks and class maps tinted where they cover, a skeleton
only between keypoints above the threshold, every head of a multi-head classifier noted; empty results
draw nothing."""

from __future__ import annotations

import numpy as np

from desktop_app.core.payloads import ClassificationResult, ClassScore
from desktop_app.core.payloads.classification import MultiHeadResult
from desktop_app.core.payloads.pose import Keypoint, PosedPerson, PoseResult
from desktop_app.core.payloads.segmentation import SegmentationResult, SegmentInstance
from desktop_app.core.render import RenderOptions, draw_payload

GREY = 90


def _picture(w: int = 200, h: int = 100) -> np.ndarray:
    return np.full((h, w, 3), GREY, np.uint8)


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=2)


def test_instance_mask_is_tinted_inside_and_nowhere_else() -> None:
    mask = np.zeros((40, 40), bool)
    mask[5:35, 5:35] = True
    inst = SegmentInstance((20, 20, 60, 60), 0.9, "disc", mask, (20, 20), 0)
    payload = SegmentationResult((inst,), None, ("disc",), (("disc", 0.045),), 200, 100)
    rgb = _picture()
    changed = _changed(draw_payload(rgb, payload, RenderOptions(labels=False)), rgb)
    assert changed[40, 40]  # mask centre
    assert not changed[:, 70:].any() and not changed[70:, :].any()


def test_semantic_map_tints_classes_but_not_background() -> None:
    classes = np.zeros((100, 200), np.int64)
    classes[:, 150:] = 1
    payload = SegmentationResult((), classes, ("background", "person"), (("person", 0.25),), 200, 100)
    rgb = _picture()
    changed = _changed(draw_payload(rgb, payload), rgb)
    assert changed[50:, 160:].all() and not changed[50:, :140].any()


def test_empty_segmentation_draws_nothing() -> None:
    rgb = _picture()
    assert np.array_equal(draw_payload(rgb, SegmentationResult((), None, (), (), 200, 100)), rgb)


def _pose(score_b: float) -> PoseResult:
    person = PosedPerson(None, 0.9, "person", (Keypoint(20, 50, 0.9), Keypoint(180, 50, score_b)))
    return PoseResult((person,), ((0, 1), (1, 7)), ("a", "b"), 0.5, 200, 100)


def test_skeleton_joins_visible_keypoints_only() -> None:
    rgb = _picture()
    drawn = _changed(draw_payload(rgb, _pose(0.8)), rgb)
    assert drawn[50, 40:160].all()  # the line between both keypoints (a bad pair index is skipped)
    hidden = _changed(draw_payload(rgb, _pose(0.1)), rgb)
    assert hidden[50, 20] and not hidden[50, 60:].any()  # b is below the threshold: no line, no dot


def test_multi_head_notes_every_head() -> None:
    heads = (("age", ClassificationResult((ClassScore(0, "adult", 0.7),), 3)),
             ("gender", ClassificationResult((ClassScore(1, "female", 0.6),), 2)))
    rgb = _picture(400, 300)
    changed = _changed(draw_payload(rgb, MultiHeadResult(heads)), rgb)
    rows = np.flatnonzero(changed.any(axis=1))
    assert rows.max() - rows.min() > 20  # two notes, one under the other
