"""Inputs of the live models for the build's reference runs (Pillow only), and the reference keypoints and mask
mapped back to the sample's own pixels. The stored fixture is the uint8 image the network saw; the tests apply
the card's scaling to it, so the comparison with TensorFlow does not depend on the app's resizing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

NANODET_MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # BGR, NanoDet's own normalisation
NANODET_STD = np.array([57.375, 57.12, 58.395], np.float32)


def _rgb(path: Path) -> Image.Image:
    return Image.open(path).convert("RGB")


def square_pad(image: Image.Image) -> tuple[Image.Image, int, int]:
    """The image centred on a black square of its longer side; returns it and the left/top padding."""
    side = max(image.size)
    left, top = (side - image.width) // 2, (side - image.height) // 2
    canvas = Image.new("RGB", (side, side))
    canvas.paste(image, (left, top))
    return canvas, left, top


def prep_movenet(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """int32 [1,192,192,3] RGB 0..255 of the frame padded to a centred square."""
    square, _, _ = square_pad(_rgb(path))
    image = np.asarray(square.resize((192, 192), Image.BILINEAR), np.uint8)
    return image, image[None].astype(np.int32)


def prep_selfie(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """float32 [1,256,256,3] RGB 0..1 of the frame stretched to 256x256."""
    image = np.asarray(_rgb(path).resize((256, 256), Image.BILINEAR), np.uint8)
    return image, (image[None].astype(np.float32) / 255.0)


def nanodet_tensor(image: np.ndarray) -> np.ndarray:
    """RGB uint8 [416,416,3] -> float32 [1,3,416,416] BGR with NanoDet's mean and std."""
    bgr = image[..., ::-1].astype(np.float32)
    return np.ascontiguousarray(((bgr - NANODET_MEAN) / NANODET_STD).transpose(2, 0, 1)[None])


def prep_nanodet(path: Path) -> tuple[np.ndarray, np.ndarray]:
    image = np.asarray(_rgb(path).resize((416, 416), Image.BILINEAR), np.uint8)
    return image, nanodet_tensor(image)


PREPS: dict[str, Callable[[Path], tuple[np.ndarray, np.ndarray]]] = {
    "movenet-lightning": prep_movenet, "selfie-segmentation": prep_selfie, "nanodet": prep_nanodet}


def reference_keypoints(path: Path, keypoints: np.ndarray) -> list[list[float]]:
    """MoveNet's [1,1,17,3] (y, x, score relative to the padded square) -> [x, y, score] in the sample's pixels."""
    square, left, top = square_pad(_rgb(path))
    side = square.width
    points = keypoints.reshape(17, 3)
    return [[round(float(x) * side - left, 2), round(float(y) * side - top, 2), round(float(s), 4)]
            for y, x, s in points]


def reference_mask(path: Path, mask: np.ndarray) -> np.ndarray:
    """The selfie model's [1,256,256,1] person probability at the sample's size (bilinear), cut at 0.5."""
    size = _rgb(path).size
    probability = Image.fromarray(mask.reshape(256, 256).astype(np.float32), mode="F").resize(size, Image.BILINEAR)
    return np.asarray(probability) > 0.5
