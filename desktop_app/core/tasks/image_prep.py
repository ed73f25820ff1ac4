"""Image pre-processing from a model card: resize mode, colour order, mean/std and layout, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.core.errors import ModelCardError, TaskError
from desktop_app.core.models.card import ImageInput, ModelCard
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks.resample import resize_image

#: Input element types a card may declare, with the range integers are clipped to.
NUMPY_DTYPES = {"float32": np.float32, "float16": np.float16, "uint8": np.uint8, "int32": np.int32, "int64": np.int64}
#: The ONNX element type names ONNX Runtime reports for each card dtype.
ONNX_TYPES = {"float32": "tensor(float)", "float16": "tensor(float16)", "uint8": "tensor(uint8)",
              "int32": "tensor(int32)", "int64": "tensor(int64)"}


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


def resize_for(spec: ImageInput, image: np.ndarray, width: int | None, height: int | None) -> tuple[np.ndarray, Geometry]:
    """Resize an HxWxC uint8 image as the card says; returns the resized image and its geometry."""
    h, w = image.shape[:2]
    how = spec.interpolation
    if spec.resize == "native" or width is None or height is None:
        m = spec.size_multiple
        new_w, new_h = int(np.ceil(w / m) * m), int(np.ceil(h / m) * m)
        out = resize_image(image, new_w, new_h, "linear" if how == "auto" else how)
        return out, Geometry(new_w / w, new_h / h, input_width=new_w, input_height=new_h)
    if spec.resize == "stretch":
        out = resize_image(image, width, height, how)
        return out, Geometry(width / w, height / h, input_width=width, input_height=height)
    if spec.resize == "center-crop":
        new_w, new_h = crop_resize_size(w, h, max(width, height) / spec.crop_fraction, how.startswith("pil-"))
        new_w, new_h = max(width, new_w), max(height, new_h)
        resized = resize_image(image, new_w, new_h, how)
        left, top = (new_w - width) // 2, (new_h - height) // 2
        out = resized[top : top + height, left : left + width]
        return out, Geometry(new_w / w, new_h / h, crop_x=left, crop_y=top, input_width=width, input_height=height)
    if spec.resize == "letterbox":
        return letterbox(image, width, height, how, spec.pad)
    raise TaskError(f"unknown resize mode {spec.resize!r}")


def crop_resize_size(w: int, h: int, short_side: float, truncate: bool) -> tuple[int, int]:
    """The size an image is resized to before a centre crop, its shorter side becoming `short_side`.
    `truncate` (the pil-* resamplers): the shorter side is int(short_side) and the longer keeps the aspect,
    truncated, as torchvision's Resize(int) and Hugging Face's shortest_edge resize do; otherwise both sides
    are rounded (the app's own OpenCV recipe, which the bundled models' references use)."""
    if truncate:
        short = max(1, int(short_side + 1e-6))
        return (short, int(short * h / w)) if w <= h else (int(short * w / h), short)
    scale = short_side / min(w, h)
    return round(w * scale), round(h * scale)


def letterbox(image: np.ndarray, width: int, height: int, how: str, pad: float) -> tuple[np.ndarray, Geometry]:
    """Keep the aspect, centre the resized image and fill the rest with `pad`. The sides are rounded and the
    padding split with the smaller half first (top, left), as Ultralytics' LetterBox does; it maps back
    with the rounded sides' own ratios, as its scale_boxes does."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = resize_image(image, new_w, new_h, how)
    pad_x, pad_y = round((width - new_w) / 2 - 0.1), round((height - new_h) / 2 - 0.1)
    out = np.full((height, width) + image.shape[2:], int(round(pad)), dtype=image.dtype)
    out[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    return out, Geometry(new_w / w, new_h / h, pad_x=pad_x, pad_y=pad_y, input_width=width, input_height=height)


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
        self._dtype = np.dtype(NUMPY_DTYPES[spec.dtype])

    def cast(self, x: np.ndarray) -> np.ndarray:
        """float32 values -> the input's element type (integers rounded and clipped to the type's range)."""
        if self._dtype == np.float32:
            return x
        if self._dtype.kind == "f":
            return x.astype(self._dtype)
        info = np.iinfo(self._dtype.type)
        return np.clip(np.rint(x), info.min, info.max).astype(self._dtype)

    def pixels_as_is(self, batch: np.ndarray) -> np.ndarray | None:
        """uint8 pixels fed unchanged (uint8 input, no scaling): only the layout changes; else None."""
        if not (self._identity and self._dtype == np.uint8):
            return None
        return np.ascontiguousarray(batch.transpose(0, 3, 1, 2) if self.spec.layout == "NCHW" else batch)

    def convert_colour(self, rgb: np.ndarray) -> np.ndarray:
        if self.spec.color == "BGR":
            return rgb[..., ::-1]
        if self.spec.color == "GRAY":
            return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None]
        return rgb

    def normalise(self, pixels: np.ndarray) -> np.ndarray:
        """HxWxC (or NxHxWxC) uint8 -> the input's element type in the card's layout with a batch dimension.

        For NCHW the uint8 pixels are transposed first (a cheap byte copy), so the float arithmetic runs
        on contiguous planes: about 7x faster than converting first and transposing floats."""
        batch = pixels if pixels.ndim == 4 else pixels[None]
        same = self.pixels_as_is(batch)
        if same is not None:
            return same
        return self.cast(self._to_float(batch))

    def _to_float(self, batch: np.ndarray) -> np.ndarray:
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
        stack = np.stack([self.convert_colour(resize_image(im, self.width, self.height, self.spec.interpolation))
                          for im in images])
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


def _element_name(onnx_type: str) -> str:
    """'tensor(uint8)' -> 'uint8' (the card's spelling where there is one)."""
    names = {onnx: card for card, onnx in ONNX_TYPES.items()}
    return names.get(onnx_type, onnx_type.removeprefix("tensor(").removesuffix(")"))


def check_input(card: ModelCard, spec: ImageInput, name: str, onnx_type: str, shape: list[int | str | None]) -> None:
    """The card's [image] dtype, layout and colour against the model input; one line naming the field."""
    if ONNX_TYPES[spec.dtype] != onnx_type:
        raise ModelCardError(f"{card.id}: [image] dtype is {spec.dtype!r} but input {name!r} takes "
                             f"{_element_name(onnx_type)}; set [image] dtype to match")
    if len(shape) != 4:
        raise ModelCardError(f"{card.id}: [image] input {name!r} has shape {list(shape)}; an image input is "
                             f"4-D ({spec.layout}); set [image] name to the image input")
    channels = shape[1] if spec.layout == "NCHW" else shape[3]
    if isinstance(channels, int) and channels > 0 and channels != spec.channels:
        other = "NHWC" if spec.layout == "NCHW" else "NCHW"
        raise ModelCardError(f"{card.id}: [image] layout {spec.layout} with color {spec.color} gives {spec.channels} "
                             f"channel(s) but input {name!r} {list(shape)} has {channels} there; check [image] "
                             f"layout ({other}?) and color")


def image_input(card: ModelCard, session: ModelSession) -> tuple[str, ImagePreprocessor]:
    """The image input's name and its pre-processor, from the card (checked against the model)."""
    if card.image is None:
        raise TaskError(f"{card.id}: the model card has no [image] table")
    name = card.image.name or session.input_names[0]
    if name not in session.input_names:
        raise ModelCardError(f"{card.id}: [image] name {name!r} is not an input of the model; its inputs are "
                             f"{', '.join(session.input_names)}")
    node = next(i for i in session.inputs if i.name == name)
    check_input(card, card.image, name, str(node.type), list(node.shape))
    width, height = input_size(card.image, list(node.shape))
    return name, ImagePreprocessor(card.image, width, height)
