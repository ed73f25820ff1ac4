"""decode_image / load_image: modes, orientation, frames, broken and hostile files."""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop_app.core.errors import MediaError, MediaTooLargeError, UnsupportedFormatError
from desktop_app.core.media import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, decode_image, load_image
from desktop_app.core.paths import resource_path


def _check_rgb(array: np.ndarray, height: int, width: int) -> None:
    assert array.shape == (height, width, 3)
    assert array.dtype == np.uint8
    assert array.flags.c_contiguous
    assert array.flags.writeable


def test_rgb_jpeg_roundtrip(mf, tmp_path: Path) -> None:
    picture = mf.gradient_rgb(64, 48)
    path = tmp_path / "photo.jpg"
    path.write_bytes(mf.image_bytes(Image.fromarray(picture), "JPEG", quality=95))
    array = load_image(path)
    _check_rgb(array, 48, 64)
    assert np.abs(array.astype(int) - picture).mean() < 3


def test_png_alpha_is_composited_over_white(mf) -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200  # red 200, green 0, blue 0
    rgba[..., 3] = 128  # half transparent
    rgba[0, 0, 3] = 0  # fully transparent -> white
    rgba[0, 1, 3] = 255  # opaque -> unchanged
    array = decode_image(mf.image_bytes(Image.fromarray(rgba, "RGBA"), "PNG"), name="alpha.png")
    _check_rgb(array, 4, 4)
    expected = [round((200 * 128 + 255 * 127) / 255), round(255 * 127 / 255), round(255 * 127 / 255)]
    assert array[1, 1].tolist() == expected
    assert array[0, 0].tolist() == [255, 255, 255]
    assert array[0, 1].tolist() == [200, 0, 0]


def test_palette_with_transparency(mf) -> None:
    im = Image.new("P", (3, 1))
    im.putpalette([0, 0, 255] + [10, 20, 30] + [0, 0, 0] * 254)
    im.putdata([0, 1, 0])
    array = decode_image(mf.image_bytes(im, "PNG", transparency=0), name="pal.png")
    assert array[0].tolist() == [[255, 255, 255], [10, 20, 30], [255, 255, 255]]


def test_la_and_grayscale_transparency(mf) -> None:
    la = Image.merge("LA", [Image.new("L", (2, 2), 0), Image.new("L", (2, 2), 0)])
    assert decode_image(mf.image_bytes(la, "PNG"))[0, 0].tolist() == [255, 255, 255]
    gray = Image.new("L", (2, 2), 7)
    assert decode_image(mf.image_bytes(gray, "PNG", transparency=7))[0, 0].tolist() == [255, 255, 255]


def test_16bit_grayscale_png_is_scaled_not_clipped(mf) -> None:
    values = np.array([[0, 257, 32768, 65535]], dtype=np.uint16)
    data = mf.image_bytes(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    array = decode_image(data, name="deep.png")
    assert array[0, :, 0].tolist() == [0, 1, 128, 255]
    assert (array[..., 0] == array[..., 2]).all()


def test_cmyk_jpeg(mf) -> None:
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red in CMYK
    array = decode_image(mf.image_bytes(cmyk, "JPEG", quality=95), name="print.jpg")
    _check_rgb(array, 8, 8)
    red, green, blue = array[4, 4].tolist()
    assert red > 220 and green < 40 and blue < 40


def test_exif_orientation_6_rotates(mf) -> None:
    picture = np.zeros((20, 40, 3), np.uint8)  # 40 wide, 20 high
    picture[:, :20] = (255, 0, 0)  # left half red
    picture[:, 20:] = (0, 0, 255)  # right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = mf.image_bytes(Image.fromarray(picture), "JPEG", quality=95, exif=exif.tobytes())
    array = decode_image(data, name="phone.jpg")
    _check_rgb(array, 40, 20)
    top, bottom = array[5, 10], array[35, 10]  # the left (red) half is now on top
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_animated_gif_first_frame(mf) -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    data = mf.image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    array = decode_image(data, name="anim.gif")
    _check_rgb(array, 10, 10)
    assert array[5, 5].tolist() == [255, 0, 0]


def test_multipage_tiff_first_page(mf) -> None:
    pages = [Image.new("RGB", (12, 6), (0, 200, 0)), Image.new("RGB", (30, 30), (200, 0, 0))]
    array = decode_image(mf.image_bytes(pages[0], "TIFF", save_all=True, append_images=pages[1:]), name="scan.tif")
    _check_rgb(array, 6, 12)
    assert array[3, 3].tolist() == [0, 200, 0]


def test_webp(mf) -> None:
    array = decode_image(mf.image_bytes(Image.fromarray(mf.gradient_rgb(32, 16)), "WEBP", lossless=True))
    _check_rgb(array, 16, 32)
    assert np.array_equal(array, mf.gradient_rgb(32, 16))


def test_one_bit_bmp(mf) -> None:
    im = Image.new("1", (9, 5), 0)
    im.putpixel((4, 2), 1)
    array = decode_image(mf.image_bytes(im, "BMP"), name="mono.bmp")
    _check_rgb(array, 5, 9)
    assert array[2, 4].tolist() == [255, 255, 255]
    assert array[0, 0].tolist() == [0, 0, 0]


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match=r"^empty\.png: file is empty$"):
        load_image(path)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.95])
def test_truncated_files_fail_fast(mf, fmt: str, fraction: float) -> None:
    noise = (np.random.default_rng(0).random((200, 200, 3)) * 255).astype(np.uint8)
    data = mf.image_bytes(Image.fromarray(noise), fmt)
    start = time.perf_counter()
    with pytest.raises(MediaError, match=r"^cat\.img: (truncated or corrupt image|not a recognised)"):
        decode_image(data[: int(len(data) * fraction)], name="cat.img")
    assert time.perf_counter() - start < 5  # a sanity bound (a 200x200 decode takes milliseconds): no hang


def test_wav_named_jpg_says_audio(mf, tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(mf.audio_bytes(mf.tone(440, 8000, 0.1), 8000))
    with pytest.raises(UnsupportedFormatError, match=r"^x\.jpg is not an image: it looks like WAV audio$"):
        load_image(path)


def test_svg_is_unsupported() -> None:
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    with pytest.raises(UnsupportedFormatError, match=r"^logo\.svg: SVG"):
        decode_image(svg, name="logo.svg")


def test_text_is_not_an_image() -> None:
    with pytest.raises(UnsupportedFormatError, match="not a recognised image format"):
        decode_image(b"hello, world\n", name="notes.png")


@pytest.mark.parametrize("forge", ["forged_png", "forged_jpeg", "forged_tiff"])
def test_forged_huge_headers_are_refused_fast(mf, forge: str) -> None:
    data = getattr(mf, forge)(60000, 60000)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak as a warning either
        with pytest.raises(MediaTooLargeError) as caught:
            decode_image(data, name="bomb.img")
    assert time.perf_counter() - start < 5  # refused from the header: decoding 3.6 gigapixels would take minutes
    assert str(caught.value) == "bomb.img: image is 60000×60000 = 3.6 gigapixels, over the 64-megapixel limit"


def test_limit_below_pillow_threshold_and_per_call(mf) -> None:
    data = mf.forged_png(9000, 8000)  # 72 MP: under Pillow's warning level, over our default
    with pytest.raises(MediaTooLargeError, match=r"9000×8000 = 72\.0 megapixels, over the 64-megapixel"):
        decode_image(data, name="big.png")
    small = mf.image_bytes(Image.new("RGB", (100, 100)), "PNG")
    with pytest.raises(MediaTooLargeError, match="over the 0.005-megapixel limit"):
        decode_image(small, max_pixels=5000)
    assert decode_image(small, max_pixels=10_000).shape == (100, 100, 3)
    assert DEFAULT_MAX_PIXELS == 64_000_000


def test_warning_filters_are_restored(mf) -> None:
    before = list(warnings.filters)
    with pytest.raises(MediaTooLargeError):
        decode_image(mf.forged_png(10000, 10000))
    assert warnings.filters == before


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"^missing\.png: file not found$"):
        load_image(tmp_path / "missing.png")
    folder = tmp_path / "folder.png"
    folder.mkdir()
    with pytest.raises(MediaError, match=r"^folder\.png: is a folder, not a file$"):
        load_image(folder)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    real_open = open

    def refuse(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(path):  # root ignores chmod 0, so the refusal is simulated at open()
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(MediaError, match="permission denied"):
        load_image(path)


def test_file_size_limit_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with open(path, "wb") as handle:
        handle.truncate(300_000_000)  # sparse: costs no disk
    with pytest.raises(MediaTooLargeError, match=r"^huge\.png: file is 300 MB, over the 200 MB limit"):
        load_image(path)


def test_extensions() -> None:
    assert ".jpg" in IMAGE_EXTENSIONS and ".png" in IMAGE_EXTENSIONS and ".svg" not in IMAGE_EXTENSIONS
    assert all(ext == ext.lower() and ext.startswith(".") for ext in IMAGE_EXTENSIONS)


def test_real_sample_cat() -> None:
    array = load_image(resource_path("samples", "cat-chelsea.jpg"))
    _check_rgb(array, 300, 451)
