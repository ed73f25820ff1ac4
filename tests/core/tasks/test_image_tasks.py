"""Image pre-processing, classification and CenterFace decoding on tiny models and synthetic tensors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.models.card import ImageInput, load_card
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import StageClock
from desktop_app.core.tasks.classify import ClassifyTask, to_probabilities, top_k
from desktop_app.core.tasks.detect_faces import decode_centerface, face_crops
from desktop_app.core.tasks.image_prep import ImagePreprocessor, resize_for
from tests.builders import mean_colour_classifier


def test_softmax_only_when_the_scores_are_not_probabilities_already() -> None:
    logits = np.array([[1.0, 2.0, 3.0]])
    probs = to_probabilities(logits)
    assert probs.sum() == pytest.approx(1.0) and probs.argmax() == 2
    ready = np.array([[0.2, 0.3, 0.5]])
    assert np.allclose(to_probabilities(ready), ready)


def test_top_k_is_sorted_and_breaks_ties_by_index() -> None:
    top = top_k(np.array([0.1, 0.4, 0.1, 0.4]), ("a", "b", "c", "d"), 3)
    assert [c.index for c in top] == [1, 3, 0]
    assert [c.label for c in top] == ["b", "d", "a"]
    assert len(top_k(np.array([0.5, 0.5]), (), 10)) == 2
    assert top_k(np.array([0.5, 0.5]), (), 1)[0].label == "class 0"


def test_center_crop_keeps_the_middle_and_maps_back() -> None:
    spec = ImageInput(resize="center-crop", width=224, height=224)
    image = np.zeros((300, 600, 3), np.uint8)
    out, geo = resize_for(spec, image, 224, 224)
    assert out.shape == (224, 224, 3)
    # shorter side 300 -> 256, so 600 -> 512; crop starts at (512-224)//2 = 144
    assert geo.crop_x == 144 and geo.crop_y == 16
    x, y = geo.to_original(np.array([0.0]), np.array([0.0]))
    assert x[0] == pytest.approx(144 * 600 / 512) and y[0] == pytest.approx(16 * 300 / 256)


def test_letterbox_pads_and_maps_back_exactly() -> None:
    spec = ImageInput(resize="letterbox", width=100, height=100)
    image = np.full((50, 200, 3), 200, np.uint8)
    out, geo = resize_for(spec, image, 100, 100)
    assert out.shape == (100, 100, 3) and geo.pad_y == 37 and geo.pad_x == 0
    assert out[0, 0, 0] == 114 and out[50, 50, 0] == 200
    xs, ys = geo.to_original(np.array([0.0, 100.0]), np.array([37.0, 62.0]))
    assert np.allclose(xs, [0, 200]) and np.allclose(ys, [0, 50])


def test_native_rounds_up_to_the_multiple() -> None:
    spec = ImageInput(resize="native", size_multiple=32)
    out, geo = resize_for(spec, np.zeros((300, 451, 3), np.uint8), None, None)
    assert out.shape == (320, 480, 3) and geo.scale_x == pytest.approx(480 / 451)


@pytest.mark.parametrize(("layout", "color", "shape", "first"), [
    ("NCHW", "RGB", (1, 3, 2, 2), (10 - 1) / 2),
    ("NHWC", "BGR", (1, 2, 2, 3), (30 - 1) / 2),  # mean/std apply to the model's channel order
    ("NCHW", "GRAY", (1, 1, 2, 2), None),
])
def test_normalisation_layout_and_colour_order(layout: str, color: str, shape: tuple[int, ...],
                                               first: float | None) -> None:
    n = 1 if color == "GRAY" else 3
    spec = ImageInput(layout=layout, color=color, resize="stretch", width=2, height=2,
                      mean=(1.0, 2.0, 3.0)[:n], std=(2.0,) * n)
    image = np.zeros((2, 2, 3), np.uint8)
    image[..., 0], image[..., 1], image[..., 2] = 10, 20, 30
    tensor, _ = ImagePreprocessor(spec, 2, 2)(image)
    assert tensor.shape == shape and tensor.dtype == np.float32 and tensor.flags.c_contiguous
    if first is not None:
        assert tensor.reshape(-1)[0] == pytest.approx(first)
    else:  # luma of (10, 20, 30) is about 18
        assert tensor.reshape(-1)[0] == pytest.approx((18 - 1) / 2, abs=0.6)


def _tiny_classifier(folder: Path, layout: str = "NCHW") -> ClassifyTask:
    folder.mkdir()
    mean_colour_classifier(folder / "m.onnx", layout=layout)
    (folder / "labels.txt").write_text("red\ngreen\nblue\n")
    (folder / "model.toml").write_text(
        'id = "tiny"\ntask = "classify"\nfile = "m.onnx"\nlabels_file = "labels.txt"\n'
        f'[image]\nlayout = "{layout}"\nresize = "stretch"\nstd = [255.0, 255.0, 255.0]\n'
    )
    card = load_card(folder)
    return ClassifyTask(card, ModelSession(card.path, "cpu"))


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_classify_a_pure_colour_image(tmp_path: Path, layout: str) -> None:
    task = _tiny_classifier(tmp_path / "tiny", layout)
    assert (task.prep.width, task.prep.height) == (8, 8)  # taken from the model's static shape
    image = np.zeros((30, 50, 3), np.uint8)
    image[..., 2] = 255
    clock = StageClock()
    result = task.run(image, clock, top_k=2)
    assert result.best.label == "blue" and result.num_classes == 3
    assert result.best.score == pytest.approx(np.exp(10) / (np.exp(10) + 2), rel=1e-4)
    assert {"preprocess", "inference", "postprocess"} <= set(clock.ms)
    batch = task.classify_batch([image, image[..., ::-1].copy()], StageClock())
    assert [r.best.label for r in batch] == ["blue", "red"]


def _centerface_outputs(h: int, w: int, cells: list[tuple[int, int, float]]) -> tuple[np.ndarray, ...]:
    heat = np.zeros((1, 1, h, w), np.float32)
    scale = np.zeros((1, 2, h, w), np.float32)
    offset = np.zeros((1, 2, h, w), np.float32)
    lms = np.zeros((1, 10, h, w), np.float32)
    for row, col, score in cells:
        heat[0, 0, row, col] = score
        scale[0, :, row, col] = np.log(40 / 4)  # 40x40 boxes
        lms[0, :, row, col] = 0.5  # every landmark at the box centre
    return heat, scale, offset, lms


def test_centerface_decode_places_boxes_and_landmarks() -> None:
    heat, scale, offset, lms = _centerface_outputs(20, 30, [(10, 15, 0.9)])
    boxes, scores, pts = decode_centerface(heat, scale, offset, lms, 120, 80, 0.5, 0.3)
    cx, cy = (15 + 0.5) * 4, (10 + 0.5) * 4
    assert boxes.shape == (1, 4) and scores[0] == pytest.approx(0.9)
    assert np.allclose(boxes[0], [cx - 20, cy - 20, cx + 20, cy + 20])
    assert np.allclose(pts[0], [[cx, cy]] * 5)


def test_centerface_nms_keeps_the_best_of_overlapping_boxes() -> None:
    heat, scale, offset, lms = _centerface_outputs(20, 30, [(10, 15, 0.9), (10, 16, 0.8), (2, 2, 0.7)])
    boxes, scores, _ = decode_centerface(heat, scale, offset, lms, 120, 80, 0.5, 0.3)
    assert scores.tolist() == pytest.approx([0.9, 0.7])
    none = decode_centerface(heat, scale, offset, lms, 120, 80, 0.95, 0.3)
    assert none[0].shape == (0, 4)


def test_face_crops_stay_inside_the_image() -> None:
    image = np.zeros((50, 60, 3), np.uint8)
    crops = face_crops(image, [(-5.0, -5.0, 20.0, 20.0), (55.0, 45.0, 60.0, 50.0), (10.0, 10.0, 10.0, 10.0)])
    assert all(c.size > 0 for c in crops)
    assert crops[0].shape[:2] == (23, 23)


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
@pytest.mark.parametrize("color", ["RGB", "BGR"])
@pytest.mark.parametrize(("mean", "std"), [((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)), ((123.7, 116.3, 103.5), (58.4, 57.1, 57.4))])
def test_normalisation_equals_the_plain_formula_for_batches(layout: str, color: str, mean: tuple[float, ...],
                                                            std: tuple[float, ...]) -> None:
    rng = np.random.default_rng(7)
    images = [rng.integers(0, 256, (5, 7, 3), dtype=np.uint8) for _ in range(2)]
    spec = ImageInput(layout=layout, color=color, resize="stretch", width=7, height=5, mean=mean, std=std)
    prep = ImagePreprocessor(spec, 7, 5)
    stacked = np.stack([im[..., ::-1] if color == "BGR" else im for im in images]).astype(np.float64)
    expected = (stacked - np.array(mean)) / np.array(std)
    if layout == "NCHW":
        expected = expected.transpose(0, 3, 1, 2)
    got = prep.batch(images)
    assert got.dtype == np.float32 and got.flags.c_contiguous and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    single, _ = prep(images[1])
    np.testing.assert_allclose(single[0], expected[1], rtol=1e-5, atol=1e-4)
