"""Property tests: arbitrary and mutated files only ever raise the project's AppError subclasses."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop_app.core.errors import AppError
from desktop_app.core.media import decode_audio_bytes, decode_image, parse_csv, read_csv

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MAGICS = [
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM", b"RIFF\x00\x00\x00\x00WEBP",
    b"RIFF\x00\x00\x00\x00WAVE", b"fLaC", b"OggS", b"ID3", b"\xff\xfb", b"\x00\x00\x01\x00", b"P6\n",
]  # fmt: skip


def _image_seeds(mf: SimpleNamespace) -> dict[str, bytes]:
    rgba = Image.fromarray(np.dstack([mf.gradient_rgb(12, 8), np.full((8, 12), 200, np.uint8)]), "RGBA")
    return {
        "png": mf.image_bytes(rgba, "PNG"),
        "jpeg": mf.image_bytes(Image.fromarray(mf.gradient_rgb(12, 8)), "JPEG"),
        "gif": mf.image_bytes(rgba.convert("P"), "GIF"),
        "tiff": mf.image_bytes(rgba, "TIFF"),
        "bmp": mf.image_bytes(rgba.convert("RGB"), "BMP"),
        "webp": mf.image_bytes(rgba, "WEBP"),
    }


def _audio_seeds(mf: SimpleNamespace) -> dict[str, bytes]:
    samples = mf.tone(440, 8000, 0.05, channels=2)
    return {
        "wav16": mf.audio_bytes(samples, 8000, subtype="PCM_16"),
        "wavf": mf.audio_bytes(samples, 8000, subtype="FLOAT"),
        "flac": mf.audio_bytes(samples, 8000, "FLAC"),
        "ogg": mf.audio_bytes(samples, 8000, "OGG"),
    }


def _mutate(data: st.DataObject, seed: bytes) -> bytes:
    """Flip, overwrite, insert, delete or truncate bytes, mostly near the header."""
    out = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        if not out:
            break
        near_header = data.draw(st.booleans(), label="near header")
        i = data.draw(st.integers(0, min(len(out), 64) - 1 if near_header else len(out) - 1), label="at")
        op = data.draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]), label="op")
        if op == "flip":
            out[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set":
            out[i] = data.draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, data.draw(st.integers(0, 255))]))
        elif op == "insert":
            out[i:i] = data.draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del out[i : i + data.draw(st.integers(1, 16))]
        else:
            del out[i:]
    return bytes(out)


def _only_app_errors(call) -> None:  # type: ignore[no-untyped-def]
    try:
        call()
    except AppError as exc:
        assert "\n" not in str(exc) and str(exc)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_decode_image_arbitrary_bytes(data: bytes) -> None:
    _only_app_errors(lambda: decode_image(data, name="fuzz.img"))


@FUZZ
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=2048))
def test_decode_image_magic_then_noise(magic: bytes, tail: bytes) -> None:
    _only_app_errors(lambda: decode_image(magic + tail, name="fuzz.img"))


@FUZZ
@given(data=st.data())
def test_decode_image_mutated_files(mf, data: st.DataObject) -> None:
    seeds = _image_seeds(mf)
    mutated = _mutate(data, seeds[data.draw(st.sampled_from(sorted(seeds)), label="seed")])
    _only_app_errors(lambda: decode_image(mutated, name="fuzz.img", max_pixels=1_000_000))


@FUZZ
@given(data=st.binary(max_size=4096))
def test_decode_audio_arbitrary_bytes(data: bytes) -> None:
    _only_app_errors(lambda: decode_audio_bytes(data, "fuzz.wav", 16000))


@FUZZ
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=2048))
def test_decode_audio_magic_then_noise(magic: bytes, tail: bytes) -> None:
    _only_app_errors(lambda: decode_audio_bytes(magic + tail, "fuzz.wav", 16000))


@FUZZ
@given(data=st.data())
def test_decode_audio_mutated_files(mf, data: st.DataObject) -> None:
    seeds = _audio_seeds(mf)
    mutated = _mutate(data, seeds[data.draw(st.sampled_from(sorted(seeds)), label="seed")])
    _only_app_errors(lambda: decode_audio_bytes(mutated, "fuzz.wav", 16000, max_duration_s=600))


@FUZZ
@given(data=st.binary(max_size=4096))
def test_parse_csv_arbitrary_bytes(data: bytes) -> None:
    _only_app_errors(lambda: parse_csv(data, name="fuzz.csv"))


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list('ab1,;\t"\r\n  é€\x00\ufeff')), max_size=300))
def test_parse_csv_arbitrary_text(text: str) -> None:
    for encoding in ("utf-8", "cp1252", "utf-16"):
        raw = text.encode(encoding, errors="replace")
        _only_app_errors(lambda raw=raw: parse_csv(raw, name="fuzz.csv"))


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("csv-fuzz")


@FUZZ
@given(data=st.binary(max_size=2048))
def test_read_csv_arbitrary_files(fuzz_dir: Path, data: bytes) -> None:
    path = fuzz_dir / "fuzz.csv"
    path.write_bytes(data)
    _only_app_errors(lambda: read_csv(path))


_CELL = st.text(alphabet=st.sampled_from(list('ab Z9,"\né€-')), max_size=8).map(str.strip)


@FUZZ
@given(
    width=st.integers(2, 6),
    data=st.data(),
)
def test_csv_round_trip(width: int, data: st.DataObject) -> None:
    header = [f"col{i}" for i in range(width)]
    rows = data.draw(st.lists(st.lists(_CELL, min_size=width, max_size=width), max_size=12), label="rows")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    table = parse_csv(buffer.getvalue().encode(), name="round.csv")
    assert table.columns == tuple(header)
    assert table.rows == tuple(tuple(row) for row in rows)
