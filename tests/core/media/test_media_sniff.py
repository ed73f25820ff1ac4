"""sniff: file kinds from magic bytes."""

from __future__ import annotations

import pytest
from PIL import Image

from desktop_app.core.media import AUDIO_KINDS, IMAGE_KINDS, TEXT_KINDS, describe, sniff
from desktop_app.core.media.sniff import _DESCRIPTIONS, _MAGIC


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("WEBP", "webp"), ("TIFF", "tiff"), ("BMP", "bmp"),
     ("ICO", "ico")],
)  # fmt: skip
def test_images(mf, fmt: str, kind: str) -> None:
    assert sniff(mf.image_bytes(Image.new("RGB", (16, 16)), fmt)) == kind


@pytest.mark.parametrize(("fmt", "kind"), [("WAV", "wav"), ("FLAC", "flac"), ("OGG", "ogg"), ("MP3", "mp3"),
                                           ("AIFF", "aiff"), ("AU", "au"), ("W64", "w64"), ("CAF", "caf")])  # fmt: skip
def test_audio(mf, fmt: str, kind: str) -> None:
    assert sniff(mf.audio_bytes(mf.tone(440, 8000, 0.1), 8000, fmt)) == kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"a,b\n1,2\n", "text"),
        ("naïve,café\n".encode("cp1252"), "text"),
        ("a\tb\n".encode("utf-16"), "text"),
        (b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        (b'<?xml version="1.0"?>\n<!-- x -->\n<svg>', "svg"),
        (b"<!DOCTYPE html><html>", "html"),
        (b"%PDF-1.7\n", "pdf"),
        (b"PK\x03\x04\x14\x00", "zip"),
        (b"\x08\x07\x12\x07pytorch", "onnx-ish"),
        (b"\x00\x00\x00\x1cftypisom", "mp4"),
        (b"\x00\x00\x00\x1cftypheic", "heic"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        (b"\x7fELF\x02\x01", "executable"),
        (b"\xff\xfb\x90\x64" + bytes(8), "mp3"),
        (bytes(range(256)), "unknown"),
        (b"\x89HDF\r\n\x1a\n\x00\x00", "hdf5"),
        (b"\x80\x04\x95\x10\x00", "pickle"),
        (b"\x80\x02}q\x00", "pickle"),
        (b"\x93NUMPY\x01\x00", "numpy"),
        (b"\x1c\x00\x00\x00TFL3\x00\x00", "tflite"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n", "git-lfs"),
        (b"MZ\x90\x00", "executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00", "executable"),
        (b"\xfe\xed\xfa\xce\x00", "executable"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
        (b"Rar!\x1a\x07\x01\x00", "rar"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b'  {"a": 1}', "json"),
        (b"[1, 2, 3]", "json"),
        (b'[{"a": 1}]', "json"),
        (b"[section]\nkey = 1\n", "text"),
        (b"[[tool.table]]\n", "text"),
        (b'<?xml version="1.0"?>\n<Error/>', "xml"),
        (b"BMW,Audi\n1,2\n", "text"),
    ],
)
def test_other_kinds(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_every_kind_is_described() -> None:
    kinds = {kind for _, _, kind in _MAGIC} | IMAGE_KINDS | AUDIO_KINDS | TEXT_KINDS | {"html", "svg", "onnx-ish", "empty"}
    assert kinds <= set(_DESCRIPTIONS)


def test_describe() -> None:
    assert describe("wav") == "WAV audio"
    assert describe("jpeg") == "a JPEG image"
    assert describe("text") == "plain text"
    assert describe("git-lfs") == "a Git LFS pointer (the real file was never downloaded)"
    assert describe("something-new") == "something-new"
