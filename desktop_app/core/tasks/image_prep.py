"""Image pre-processing from a model card: resize mode, colour order, mean/std and layout, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.core.errors import TaskError
from desktop_app.core.models.card import ImageInput, ModelCard
from desktop_app.core.runtime.session import ModelSession

CROP_FRACTION = 0.875  # "center-crop": resize so the crop is 87.5 % of the shorter side (ImageNet convention)
LETTERBOX_FILL = 114


def one_opencv_thread() -> None:
    """Run OpenCV's own operations on the calling thread only (process-wide). The app already works on
    several threads (capture, decode pool, workers, UI) next to ONNX Runtime's thread pool; OpenCV's
    parallel_for on top of that oversubscribes a 2-core laptop and stalls the inference threads, for no
    gain on the small frames and images it handles here (measured by bench/bench_camera*.py)."""
    cv2.setNumThreads(1)


@dataclass(frozen=True)
class Geometry:
    """How model-input pixel coordinates map back to the original image: orig = (m - pad + crop) / scale."""

    scale_x: float
    scale_y: float
    pad_x: float = 0.0
    pad_y: float = 0.0
    crop_x: float = 0.0
    crop_y: float = 0.0
    input_width: int = 0
    input_height: int = 0

    def to_original(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (xs - self.pad_x + self.crop_x) / self.scale_x, (ys - self.pad_y + self.crop_y) / self.scale_y


def _interp(src_w: int, src_h: int, dst_w: int, dst_h: int) -> int:
    return cv2.INTER_AREA if dst_w * dst_h < src_w * src_h else cv2.INTER_LINEAR


def resize_for(spec: ImageInput, image: np.ndarray, width: int | None, height: int | None) -> tuple[np.ndarray, Geometry]:
    """Resize an HxWxC uint8 image as the card says; returns the resized image and its geometry."""
    h, w = image.shape[:2]
    if spec.resize == "native" or width is None or height is None:
        m = spec.size_multiple
        new_w, new_h = int(np.ceil(w / m) * m), int(np.ceil(h / m) * m)
        out = image if (new_w, new_h) == (w, h) else cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
        return out, Geometry(new_w / w, new_h / h, input_width=new_w, input_height=new_h)
    if spec.resize == "stretch":
        out = cv2.resize(image, (width, height), interpolation=_interp(w, h, width, height))
        return out, Geometry(width / w, height / h, input_width=width, input_height=height)
    if spec.resize == "center-crop":
        scale = max(width, height) / CROP_FRACTION / min(w, h)
        new_w, new_h = max(width, round(w * scale)), max(height, round(h * scale))
        resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        left, top = (new_w - width) // 2, (new_h - height) // 2
        out = resized[top : top + height, left : left + width]
        return out, Geometry(new_w / w, new_h / h, crop_x=left, crop_y=top, input_width=width, input_height=height)
    if spec.resize == "letterbox":
        scale = min(width / w, height / h)
        new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
        resized = cv2.resize(image, (new_w, new_h), interpolation=_interp(w, h, new_w, new_h))
        pad_x, pad_y = (width - new_w) // 2, (height - new_h) // 2
        shape = (height, width) + image.shape[2:]
        out = np.full(shape, LETTERBOX_FILL, dtype=image.dtype)
        out[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
        return out, Geometry(new_w / w, new_h / h, pad_x=pad_x, pad_y=pad_y, input_width=width, input_height=height)
    raise TaskError(f"unknown resize mode {spec.resize!r}")


class ImagePreprocessor:
    """Turns RGB uint8 images into the model's input tensor, with constants computed once."""

    def __init__(self, spec: ImageInput, width: int | None, height: int | None) -> None:
        self.spec = spec
        self.width = width
        self.height = height
        std = np.asarray(spec.std, dtype=np.float32)
        self._scale = (1.0 / std).astype(np.float32)
        self._shift = (-np.asarray(spec.mean, dtype=np.float32) / std).astype(np.float32)
        self._identity = bool(np.all(self._scale == 1.0) and np.all(self._shift == 0.0))  # e.g. CenterFace

    def convert_colour(self, rgb: np.ndarray) -> np.ndarray:
        if self.spec.color == "BGR":
            return rgb[..., ::-1]
        if self.spec.color == "GRAY":
            return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None]
        return rgb

    def normalise(self, pixels: np.ndarray) -> np.ndarray:
        """HxWxC (or NxHxWxC) uint8 -> float32 in the card's layout with a batch dimension.

        For NCHW the uint8 pixels are transposed first (a cheap byte copy), so the float arithmetic runs
        on contiguous planes: about 7x faster than converting first and transposing floats."""
        batch = pixels if pixels.ndim == 4 else pixels[None]
        if self.spec.layout == "NCHW":
            n, h, w, c = batch.shape
            x = np.empty((n, c, h, w), dtype=np.float32)
            for i in range(n):  # OpenCV splits the planes (about 2.5x faster than a numpy transpose copy)
                image = batch[i]
                planes = cv2.split(np.ascontiguousarray(image)) if c > 1 else (image[..., 0],)
                for channel, plane in enumerate(planes):
                    x[i, channel] = plane
            if not self._identity:
                x *= self._scale[:, None, None]
                x += self._shift[:, None, None]
            return x
        x = batch.astype(np.float32)
        if not self._identity:
            x *= self._scale
            x += self._shift
        return x

    def __call__(self, rgb: np.ndarray) -> tuple[np.ndarray, Geometry]:
        """One image -> (1, ...) tensor and its geometry."""
        resized, geometry = resize_for(self.spec, rgb, self.width, self.height)
        return self.normalise(self.convert_colour(resized)), geometry

    def batch(self, images: list[np.ndarray]) -> np.ndarray:
        """Several images (resized with 'stretch' to the fixed size) -> one (N, ...) tensor."""
        if self.width is None or self.height is None:
            raise TaskError("batching needs a fixed input size")
        stack = np.stack([
            self.convert_colour(cv2.resize(im, (self.width, self.height),
                                           interpolation=_interp(im.shape[1], im.shape[0], self.width, self.height)))
            for im in images
        ])
        return self.normalise(stack)


def input_size(spec: ImageInput, shape: list[int | str | None]) -> tuple[int | None, int | None]:
    """Width and height: from the card, else from the model's static input shape, else None (native)."""
    if spec.width and spec.height:
        return spec.width, spec.height
    if len(shape) == 4:
        h, w = (shape[2], shape[3]) if spec.layout == "NCHW" else (shape[1], shape[2])
        if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
            return w, h
    return None, None


def image_input(card: ModelCard, session: ModelSession) -> tuple[str, ImagePreprocessor]:
    """The image input's name and its pre-processor, from the card (checked against the model)."""
    if card.image is None:
        raise TaskError(f"{card.id}: the model card has no [image] table")
    name = card.image.name or session.input_names[0]
    if name not in session.input_names:
        raise TaskError(f"{card.id}: the model has no input named {name!r}")
    shape = next(i.shape for i in session.inputs if i.name == name)
    width, height = input_size(card.image, list(shape))
    return name, ImagePreprocessor(card.image, width, height)
