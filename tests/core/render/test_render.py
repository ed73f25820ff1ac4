"""core/render: shapes land where their coordinates say (scaled, mirrored), nothing is drawn outside the
picture or wraps around, the input is never changed, and an empty sketch draws nothing."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.payloads import ClassificationResult, ClassScore, Detection, DetectionResult, RawResult
from desktop_app.core.render import RenderOptions, Sketch, draw_payload, render

GREY = 100


def _picture(w: int = 200, h: int = 100) -> np.ndarray:
    return np.full((h, w, 3), GREY, np.uint8)


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=2)


def test_empty_sketch_draws_nothing_and_returns_a_copy() -> None:
    rgb = _picture()
    out = render(rgb, Sketch())
    assert np.array_equal(out, rgb) and out is not rgb


def test_box_is_drawn_on_its_edge_only_and_the_input_is_unchanged() -> None:
    rgb = _picture()
    sketch = Sketch(200, 100)
    sketch.add_box((50, 40, 150, 90), "", (255, 0, 0))
    out = render(rgb, sketch)
    assert (rgb == GREY).all()
    assert tuple(out[40, 100]) == (255, 0, 0)  # top edge
    assert tuple(out[65, 100]) == (GREY,) * 3  # inside
    assert not _changed(out, rgb)[:30].any()  # nothing above the box (no label text)


def test_label_stays_inside_the_picture_for_a_box_at_the_corner() -> None:
    rgb = _picture()
    sketch = Sketch(200, 100)
    sketch.add_box((180, 0, 260, 50), "a rather long label", (255, 0, 0))
    out = render(rgb, sketch)
    changed = _changed(out, rgb)
    assert changed[:, :120].any()  # the tag was pulled left into the picture
    assert out.shape == rgb.shape


def test_instance_mask_is_tinted_where_true_and_clipped_without_wrapping() -> None:
    rgb = _picture()
    sketch = Sketch(200, 100)
    mask = np.zeros((40, 60), bool)
    mask[10:30, 10:50] = True
    sketch.add_mask(mask, (-20, -5), (0, 0, 255))  # partly outside the top-left corner
    out = render(rgb, sketch)
    changed = _changed(out, rgb)
    assert out[15, 10, 2] > GREY  # (x=10, y=15) is mask (30, 20): tinted blue
    assert not changed[40:, :].any() and not changed[:, 45:].any()  # nothing past the mask, nothing wrapped


def test_mask_entirely_outside_draws_nothing() -> None:
    rgb = _picture()
    sketch = Sketch(200, 100)
    sketch.add_mask(np.ones((10, 10), bool), (500, 500), (0, 0, 255))
    assert np.array_equal(render(rgb, sketch), rgb)


def test_class_map_scales_to_a_smaller_preview() -> None:
    classes = np.zeros((100, 200), np.int32)
    classes[:, 100:] = 1  # right half is class 1
    sketch = Sketch(200, 100)
    sketch.set_class_map(classes, {1: (255, 0, 0)})
    preview = _picture(50, 25)
    out = render(preview, sketch)
    changed = _changed(out, preview)
    assert changed[:, 26:].all() and not changed[:, :24].any()


def test_skeleton_line_and_dots_follow_the_landmarks_toggle() -> None:
    rgb = _picture()
    sketch = Sketch(200, 100)
    sketch.add_line((20, 50), (180, 50), (0, 255, 0))
    sketch.add_dot((20, 50), (255, 255, 0))
    out = render(rgb, sketch)
    assert _changed(out, rgb)[50, 20:180].all()
    assert np.array_equal(render(rgb, sketch, RenderOptions(landmarks=False)), rgb)


def test_points_far_outside_or_not_finite_do_not_raise() -> None:
    rgb = _picture()
    sketch = Sketch(200, 100)
    sketch.add_line((-1e9, 50), (float("nan"), 1e12), (0, 255, 0))
    sketch.add_dot((float("inf"), -3), (255, 255, 0))
    assert render(rgb, sketch).shape == rgb.shape


def test_mirror_flips_the_picture_and_the_coordinates() -> None:
    rgb = _picture()
    rgb[:, :10] = 0  # a dark stripe on the left
    sketch = Sketch(200, 100)
    sketch.add_box((0, 10, 40, 60), "", (255, 0, 0))
    out = render(rgb, sketch, RenderOptions(mirror=True))
    assert (out[70:, 195] == 0).all() and (out[70:, 5] == GREY).all()  # the stripe is now on the right
    assert tuple(out[35, 160]) == (255, 0, 0)  # box's left edge x=40 now at 200-40
    assert tuple(out[35, 30]) == (GREY,) * 3


def test_detection_payload_draws_labelled_boxes_scaled_to_the_preview() -> None:
    payload = DetectionResult((Detection((100, 50, 300, 150), 0.9, "dog"),), width=400, height=200)
    preview = _picture(200, 100)
    out = draw_payload(preview, payload, RenderOptions(labels=False))
    changed = _changed(out, preview)
    assert changed[25, 50:150].any() and changed[75, 50] and not changed[50, 100]


def test_empty_detection_and_payload_without_a_drawing_draw_nothing() -> None:
    rgb = _picture()
    assert np.array_equal(draw_payload(rgb, DetectionResult((), 200, 100)), rgb)
    assert np.array_equal(draw_payload(rgb, RawResult((), ())), rgb)


def test_classification_writes_its_top_classes_in_the_corner() -> None:
    rgb = _picture(400, 300)
    payload = ClassificationResult((ClassScore(1, "cat", 0.8), ClassScore(2, "dog", 0.1)), num_classes=3)
    changed = _changed(draw_payload(rgb, payload), rgb)
    assert changed[:60, :150].any() and not changed[150:, 200:].any()


def test_render_refuses_a_non_rgb_picture() -> None:
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        render(np.zeros((10, 10), np.uint8), Sketch())


def test_labels_of_boxes_sharing_a_corner_are_stacked_not_drawn_over_each_other() -> None:
    red, blue, green = (230, 20, 20), (20, 20, 230), (20, 200, 20)
    sketch = Sketch(400, 300)
    for colour, text in ((red, "person 0.56"), (blue, "cat 0.46"), (green, "dog 0.41")):
        sketch.add_box((2, 1, 398, 298), text, colour)
    out = render(np.full((300, 400, 3), 128, np.uint8), sketch)
    tags = out[:, :60]  # the tags all start at the shared top-left corner
    rows = {name: np.flatnonzero(np.all(tags == colour, axis=2).sum(axis=1) > 20) for name, colour in
            (("red", red), ("blue", blue), ("green", green))}
    assert all(len(r) for r in rows.values()), "a tag was drawn over"
    assert rows["red"].max() < rows["blue"].min() and rows["blue"].max() < rows["green"].min()
