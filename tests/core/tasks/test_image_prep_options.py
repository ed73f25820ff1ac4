"""[image] dtype, pad, crop_fraction and interpolation: integer inputs rounded and clipped, Pillow's resampling
reproduced exactly, and letterbox / centre-crop geometry mapping model-input pixels back to the original."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop_app.core.models.card import ImageInput
from desktop_app.core.tasks.image_prep import ImagePreprocessor, resize_for


def picture(h: int = 37, w: int = 53) -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize(("name", "filt"), [("pil-bilinear", Image.Resampling.BILINEAR),
                                            ("pil-bicubic", Image.Resampling.BICUBIC),
                                            ("pil-lanczos", Image.Resampling.LANCZOS)])
def test_pil_interpolation_equals_pillow(name: str, filt: Image.Resampling) -> None:
    image = picture()
    out, _ = resize_for(ImageInput(interpolation=name), image, 24, 20)
    assert np.array_equal(out, np.asarray(Image.fromarray(image).resize((24, 20), resample=filt)))


def test_integer_inputs_are_rounded_and_clipped_and_uint8_passes_through() -> None:
    image = np.array([[[0, 100, 255]]], np.uint8)
    doubled = ImagePreprocessor(ImageInput(layout="NHWC", dtype="uint8", std=(0.5,) * 3), 1, 1)(image)[0]
    assert doubled.dtype == np.uint8 and doubled.ravel().tolist() == [0, 200, 255]
    as_is = ImagePreprocessor(ImageInput(layout="NCHW", dtype="uint8"), 1, 1)(image)[0]
    assert as_is.shape == (1, 3, 1, 1) and as_is.ravel().tolist() == [0, 100, 255]
    shifted = ImagePreprocessor(ImageInput(layout="NHWC", dtype="int32", mean=(0.4,) * 3), 1, 1)(image)[0]
    assert shifted.dtype == np.int32 and shifted.ravel().tolist() == [0, 100, 255]  # -0.4 rounds to 0
    half = ImagePreprocessor(ImageInput(layout="NHWC", dtype="float16", std=(255.0,) * 3), 1, 1)(image)[0]
    assert half.dtype == np.float16


def test_letterbox_pads_with_the_card_value_and_maps_back() -> None:
    out, geo = resize_for(ImageInput(resize="letterbox", pad=0, interpolation="linear"), picture(30, 61), 64, 64)
    assert out.shape == (64, 64, 3) and geo.pad_y == 16 and (out[:16] == 0).all() and (out[47:] == 0).all()
    x, y = geo.to_original(np.array([geo.pad_x, 64.0]), np.array([geo.pad_y, geo.pad_y + 31.0]))
    assert x == pytest.approx([0.0, 61.0]) and y == pytest.approx([0.0, 30.0])


def test_centre_crop_takes_the_crop_fraction_of_the_shorter_side() -> None:
    out, geo = resize_for(ImageInput(resize="center-crop", crop_fraction=0.5), picture(40, 80), 20, 20)
    assert out.shape == (20, 20, 3)
    assert (geo.input_width, geo.crop_x, geo.crop_y) == (20, 30, 10)  # resized to 80x40, middle 20x20
    x, _ = geo.to_original(np.array([0.0]), np.array([0.0]))
    assert x == pytest.approx([30.0])
