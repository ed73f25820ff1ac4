"""Decode image files into HxWx3 uint8 RGB arrays, refusing hostile or broken files with one-line errors."""

from __future__ import annotations

import functools
import io
import re
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from desktop_app.core.errors import AppError, MediaError, MediaTooLargeError, UnsupportedFormatError
from desktop_app.core.media._files import display_name, read_limited
from desktop_app.core.media.sniff import IMAGE_KINDS, TEXT_KINDS, describe, sniff

DEFAULT_MAX_PIXELS = 64_000_000
MAX_IMAGE_BYTES = 200_000_000

IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".webp", ".tif", ".tiff",
    ".bmp", ".dib", ".ppm", ".pgm", ".pbm", ".pnm", ".ico", ".avif",
)  # fmt: skip

# Formats Pillow may try; others (EPS runs Ghostscript, WMF, FITS, ...) are never attempted.
_ALLOWED_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "WEBP", "TIFF", "BMP", "DIB", "PPM", "ICO", "AVIF")
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})
_WHITE = 255

# warnings.catch_warnings() swaps process-wide state; serialise the Pillow part so that
# two decoding threads cannot restore each other's filters in the wrong order.
_PILLOW_LOCK = threading.Lock()


@functools.cache
def _formats() -> tuple[str, ...]:
    """The allowed formats this Pillow build has plugins for."""
    Image.init()
    return tuple(fmt for fmt in _ALLOWED_FORMATS if fmt in Image.OPEN)


def _pixels_text(pixels: float) -> str:
    """3.6 gigapixels / 12.3 megapixels."""
    if pixels >= 1e9:
        return f"{pixels / 1e9:.1f} gigapixels"
    return f"{pixels / 1e6:.1f} megapixels"


def _too_large(name: str, width: int, height: int, max_pixels: int) -> MediaTooLargeError:
    return MediaTooLargeError(
        f"{name}: image is {width}×{height} = {_pixels_text(width * height)}, "
        f"over the {max_pixels / 1e6:g}-megapixel limit"
    )


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the header alone, by the plugin Image.open would pick, skipping its bomb check."""
    for fmt in _formats():
        factory, accept = Image.OPEN[fmt]
        try:
            if accept is None or accept(data[:16]):
                with factory(io.BytesIO(data), "") as im:
                    return im.size
        except Exception:  # noqa: BLE001 - this plugin does not take the file; try the next one
            continue
    return None


def _bomb_error(name: str, data: bytes, exc: Exception, max_pixels: int) -> MediaTooLargeError:
    """Pillow's own decompression-bomb refusal, reworded with the declared size."""
    size = _declared_size(data)
    if size is not None and size[0] * size[1] > max_pixels:
        return _too_large(name, size[0], size[1], max_pixels)
    match = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = _pixels_text(int(match.group(1))) if match else "too many pixels"
    limit = min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels))
    return MediaTooLargeError(f"{name}: image has {pixels}, over the {limit / 1e6:g}-megapixel limit")


def _check_kind(data: bytes, name: str) -> None:
    """Refuse empty files and files that are clearly something other than a raster image."""
    kind = sniff(data)
    if kind == "empty":
        raise MediaError(f"{name}: file is empty")
    if kind == "svg":
        raise UnsupportedFormatError(f"{name}: SVG drawings are not supported; export it to PNG first")
    if kind == "heic":
        raise UnsupportedFormatError(f"{name}: HEIC images are not supported; export it to JPEG or PNG first")
    if kind not in IMAGE_KINDS and kind not in TEXT_KINDS and kind != "unknown":
        raise UnsupportedFormatError(f"{name} is not an image: it looks like {describe(kind)}")


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Blend an HxWx4 uint8 RGBA array over a white background (rounded)."""
    rgb = rgba[..., :3].astype(np.uint32)
    alpha = rgba[..., 3:4].astype(np.uint32)
    blended = (rgb * alpha + _WHITE * (255 - alpha) + 127) // 255
    return blended.astype(np.uint8)


def _wide_gray_to_rgb(im: Image.Image) -> np.ndarray:
    """16-bit, 32-bit or float grayscale to 8-bit RGB, scaled by the bit range (never clipped)."""
    values = np.asarray(im)
    if im.mode in _SIXTEEN_BIT_MODES:
        low, high = 0.0, 65535.0
    elif im.mode == "I" and values.size and values.min() >= 0 and values.max() <= 65535:
        low, high = 0.0, 255.0 if values.max() <= 255 else 65535.0
    elif im.mode == "F" and values.size and np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1:
        low, high = 0.0, 1.0
    else:  # signed or unusual ranges: stretch the actual minimum..maximum
        finite = values[np.isfinite(values)] if values.size else values
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
    span = high - low if high > low else 1.0
    scaled = (np.nan_to_num(values.astype(np.float64), nan=low) - low) * (255.0 / span)
    gray = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def _to_rgb_array(im: Image.Image) -> np.ndarray:
    """Any Pillow mode to HxWx3 uint8 RGB; transparency is composited over white."""
    if im.mode in _SIXTEEN_BIT_MODES or im.mode in ("I", "F"):
        return _wide_gray_to_rgb(im)
    has_alpha = "A" in im.getbands() or im.mode in ("RGBa", "La", "PA") or "transparency" in im.info
    if has_alpha:
        return _composite_on_white(np.asarray(im.convert("RGBA")))
    if im.mode == "1":
        im = im.convert("L")
    return np.asarray(im.convert("RGB"))


def _apply_orientation(im: Image.Image) -> Image.Image:
    """Rotate/flip by the EXIF orientation; a corrupt EXIF block is ignored, not fatal."""
    try:
        return ImageOps.exif_transpose(im)
    except Exception:  # noqa: BLE001 - broken EXIF metadata must not lose a readable image
        return im


def _decode_with_pillow(data: bytes, name: str, max_pixels: int) -> np.ndarray:
    """Open lazily, check the declared size, then decode the first frame."""
    with Image.open(io.BytesIO(data), formats=_formats()) as im:
        width, height = im.size
        if width <= 0 or height <= 0:
            raise MediaError(f"{name}: image has no pixels ({width}×{height})")
        if width * height > max_pixels:
            raise _too_large(name, width, height, max_pixels)
        im.load()
        return _to_rgb_array(_apply_orientation(im))


def decode_image(data: bytes, *, name: str = "image", max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode image bytes to a C-contiguous HxWx3 uint8 RGB array (first frame, EXIF-rotated)."""
    _check_kind(data, name)
    # Over Pillow's warning threshold, refuse as an error unless the caller allows more pixels.
    bombs_are_errors = max_pixels <= (Image.MAX_IMAGE_PIXELS or 0)
    try:
        with _PILLOW_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on corrupt metadata (EXIF, TIFF tags)
            warnings.simplefilter("error" if bombs_are_errors else "ignore", Image.DecompressionBombWarning)
            array = _decode_with_pillow(data, name, max_pixels)
    except AppError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        with _PILLOW_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            error = _bomb_error(name, data, exc, max_pixels)
        raise error from exc
    except UnidentifiedImageError as exc:
        kind = sniff(data)
        raise UnsupportedFormatError(f"{name}: not a recognised image format (it looks like {describe(kind)})") from exc
    except MemoryError as exc:
        raise MediaTooLargeError(f"{name}: not enough memory to decode this image") from exc
    except Exception as exc:  # noqa: BLE001 - hostile input can make any decoder raise anything
        raise MediaError(f"{name}: truncated or corrupt image ({type(exc).__name__}: {exc})") from exc
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise MediaError(f"{name}: decoded to an unexpected shape {array.shape} {array.dtype}")
    return np.ascontiguousarray(array) if array.flags.writeable else array.copy()


def load_image(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_bytes: int = MAX_IMAGE_BYTES) -> np.ndarray:
    """Read an image file (size limit checked first) and decode it with `decode_image`."""
    data = read_limited(path, max_bytes=max_bytes, what="images")
    return decode_image(data, name=display_name(path), max_pixels=max_pixels)
