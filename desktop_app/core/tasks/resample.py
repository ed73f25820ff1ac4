"""Resampling an RGB uint8 image as the card's `[image] interpolation` says: OpenCV filters, or Pillow's
(`pil-*`), which resample with antialiasing as Hugging Face image processors and torchvision's PIL path do."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

_CV2_FLAGS = {"linear": cv2.INTER_LINEAR, "area": cv2.INTER_AREA, "cubic": cv2.INTER_CUBIC,
              "nearest": cv2.INTER_NEAREST}
_PIL_FILTERS = {"pil-bilinear": Image.Resampling.BILINEAR, "pil-bicubic": Image.Resampling.BICUBIC,
                "pil-nearest": Image.Resampling.NEAREST, "pil-lanczos": Image.Resampling.LANCZOS}


def _auto(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area when shrinking, linear when enlarging (sharp and alias-free both ways)."""
    shrinking = width * height < image.shape[0] * image.shape[1]
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _opencv(flag: int) -> Callable[[np.ndarray, int, int], np.ndarray]:
    def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
        return cv2.resize(image, (width, height), interpolation=flag)
    return resize


def _pillow(resample: Image.Resampling) -> Callable[[np.ndarray, int, int], np.ndarray]:
    def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
        squeeze = image.ndim == 3 and image.shape[2] == 1
        picture = Image.fromarray(np.ascontiguousarray(image[..., 0] if squeeze else image))
        out = np.asarray(picture.resize((width, height), resample=resample))
        return out[..., None] if squeeze else out
    return resize


#: Resize functions by interpolation name: (image, width, height) -> resized image.
RESAMPLERS: dict[str, Callable[[np.ndarray, int, int], np.ndarray]] = {
    "auto": _auto, **{name: _opencv(flag) for name, flag in _CV2_FLAGS.items()},
    **{name: _pillow(f) for name, f in _PIL_FILTERS.items()},
}


def resize_image(image: np.ndarray, width: int, height: int, interpolation: str = "auto") -> np.ndarray:
    """The image at (width, height); the same array when it already has that size."""
    if image.shape[1] == width and image.shape[0] == height:
        return image
    return RESAMPLERS[interpolation](image, width, height)
