"""Builders for media test files: every fixture file is made here in code, none is committed."""

from __future__ import annotations

import io
import struct
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
from PIL import Image


def image_bytes(im: Image.Image, fmt: str, **save: object) -> bytes:
    """Encode a Pillow image in memory."""
    buffer = io.BytesIO()
    im.save(buffer, fmt, **save)
    return buffer.getvalue()


def gradient_rgb(width: int = 64, height: int = 48) -> np.ndarray:
    """A smooth HxWx3 uint8 test picture (compresses well, survives JPEG)."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), np.full_like(x, 128)], -1).astype(
        np.uint8
    )


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk with a correct CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def forged_png(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height (8-bit RGB) over a tiny IDAT: a decompression bomb header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def forged_jpeg(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF marker is rewritten to claim width x height."""
    data = bytearray(image_bytes(Image.fromarray(gradient_rgb(16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def forged_tiff(width: int, height: int) -> bytes:
    """A minimal little-endian TIFF whose IFD claims width x height 8-bit grayscale with one tiny strip."""
    entries = [  # tag, type (3 SHORT, 4 LONG), count, value
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, 8 + 2 + 12 * 9 + 4),
        (277, 3, 1, 1),
        (278, 4, 1, height),
        (279, 4, 1, 16),
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00" * 16


def tone(freq: float, rate: int, seconds: float, channels: int = 1, amplitude: float = 0.5) -> np.ndarray:
    """A sine tone, frames x channels float32 (the same tone on every channel)."""
    t = np.arange(round(rate * seconds)) / rate
    mono = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1)


def audio_bytes(samples: np.ndarray, rate: int, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    """Encode samples with soundfile in memory."""
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    """Frequency of the strongest FFT bin."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


@pytest.fixture(scope="session")
def mf() -> SimpleNamespace:
    """The media-file builders of this folder, as one namespace."""
    return SimpleNamespace(
        image_bytes=image_bytes,
        gradient_rgb=gradient_rgb,
        png_chunk=png_chunk,
        forged_png=forged_png,
        forged_jpeg=forged_jpeg,
        forged_tiff=forged_tiff,
        tone=tone,
        audio_bytes=audio_bytes,
        peak_frequency=peak_frequency,
    )
