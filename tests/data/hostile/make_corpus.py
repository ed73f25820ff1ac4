"""Build the hostile-input corpus in code: broken, odd and malicious images, audio, CSVs and ONNX models.

`build(folder)` writes every file and returns {relative path: "ok" | "error"}: "ok" files must be handled
correctly (a result), "error" files must give a one-line error naming the file. Nothing here is committed
but this script and the README; run `python -m tests.data.hostile.make_corpus` to look at the files.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import onnx
import soundfile as sf
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from tests.builders import external_data_proto

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".webp", ".bmp", ".svg"}
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3"}
TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}
MODEL_SUFFIXES = {".onnx"}
OUTSIDE = "_outside"  # folder of the file external data tries to reach; not itself a corpus input


def kind_of(name: str) -> str:
    """Which CLI path a corpus file goes through, by its extension: image, table, audio or model."""
    suffix = Path(name).suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return "table"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in MODEL_SUFFIXES:
        return "model"
    return "image"


# -- images ------------------------------------------------------------------------------------------


def _gradient(width: int = 64, height: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // (width - 1), y * 255 // (height - 1), np.full_like(x, 128)], -1).astype(np.uint8)


def _encode(im: Image.Image, fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **save)
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _bomb_png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _png_chunk(b"IEND", b""))


def _bomb_jpeg(width: int, height: int) -> bytes:
    data = bytearray(_encode(Image.fromarray(_gradient(16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _bomb_tiff(width: int, height: int) -> bytes:
    entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
               (273, 4, 8 + 2 + 12 * 9 + 4), (277, 3, 1), (278, 4, height), (279, 4, 16)]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, 1) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00" * 16


def _png16_rgb(width: int = 32, height: int = 24) -> bytes:
    """A 48-bit RGB PNG (Pillow reads it but cannot write it), written by hand."""
    pixels = (_gradient(width, height).astype(">u2") * 257).tobytes()
    stride = width * 6
    raw = b"".join(b"\x00" + pixels[r * stride:(r + 1) * stride] for r in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(raw))
            + _png_chunk(b"IEND", b""))


def _images() -> dict[str, tuple[bytes, str]]:
    rgb = Image.fromarray(_gradient())
    cat = (SAMPLES / "cat-chelsea.jpg").read_bytes()
    frames = [Image.fromarray(np.roll(_gradient(), 8 * i, axis=1)) for i in range(3)]
    alpha = rgb.convert("RGBA")
    alpha.putalpha(Image.fromarray(_gradient()[:, :, 0]))
    svg = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
           b'<rect width="64" height="48" fill="red"/></svg>\n')
    return {
        "empty.jpg": (b"", "error"),
        "empty.png": (b"", "error"),
        "truncated.jpg": (cat[: len(cat) // 3], "error"),
        "truncated.png": (_encode(rgb, "PNG")[:60], "error"),
        "wav-named.jpg": (_wav(_tone(16000, 0.5), 16000), "error"),
        "bomb.png": (_bomb_png(60000, 60000), "error"),
        "bomb.jpg": (_bomb_jpeg(65000, 65000), "error"),
        "bomb.tif": (_bomb_tiff(100000, 100000), "error"),
        "drawing.svg": (svg, "error"),
        "animated.gif": (_encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0),
                         "ok"),
        "multipage.tif": (_encode(frames[0], "TIFF", save_all=True, append_images=frames[1:]), "ok"),
        "picture.webp": (_encode(rgb, "WEBP", quality=80), "ok"),
        "gray16.png": (_encode(Image.fromarray(_gradient()[:, :, 0].astype(np.uint16) * 257), "PNG"), "ok"),
        "rgb16.png": (_png16_rgb(), "ok"),
        "cmyk.jpg": (_encode(rgb.convert("CMYK"), "JPEG"), "ok"),
        "palette.png": (_encode(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG"), "ok"),
        "alpha.png": (_encode(alpha, "PNG"), "ok"),
        "gray-alpha.png": (_encode(alpha.convert("LA"), "PNG"), "ok"),
    }


# -- audio -------------------------------------------------------------------------------------------


def _tone(rate: int, seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(max(1, round(rate * seconds))) / rate
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1)


def _wav(samples: np.ndarray, rate: int, subtype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def _zero_channel_wav(rate: int = 16000) -> bytes:
    """soundfile refuses to write 0 channels: forge the RIFF header (channels = 0, block align = 0)."""
    data = b"\x00" * 64
    fmt = struct.pack("<HHIIHH", 1, 0, rate, 0, 0, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _audio() -> dict[str, tuple[bytes, str]]:
    good = _wav(_tone(16000, 1.0), 16000)
    return {
        "empty.wav": (b"", "error"),
        "truncated.wav": (good[:30], "error"),
        "zero-channels.wav": (_zero_channel_wav(), "error"),
        "jpeg-named.wav": ((SAMPLES / "cat-chelsea.jpg").read_bytes(), "error"),
        "one-sample.wav": (_wav(_tone(16000, 0.0), 16000), "ok"),
        "pcm8.wav": (_wav(_tone(16000, 1.0), 16000, "PCM_U8"), "ok"),
        "six-channels-96k.wav": (_wav(_tone(96000, 1.0, channels=6), 96000, "PCM_24"), "ok"),
    }


# -- CSV ---------------------------------------------------------------------------------------------


def _tables() -> dict[str, tuple[bytes, str]]:
    lines = (SAMPLES / "adult-test-sample.csv").read_bytes().splitlines()
    header, rows = lines[0], lines[1:4]
    nul = header + b"\n" + rows[0] + b"\n" + rows[1].replace(b",", b",\x00", 1) + b"\n"
    # one row in UTF-8, one in cp1252: the app must read both (native-country with an accent)
    mixed = [header, rows[0], rows[1].replace(b"United-States", "Côte-d'Ivoire".encode()),
             rows[2].replace(b"United-States", "Curaçao".encode("cp1252"))]
    ragged = [header, rows[0], b",".join(rows[1].split(b",")[:5]), rows[2] + b",extra,fields"]
    wide_header = b",".join(header.split(b",") + [f"extra{i}".encode() for i in range(10000 - 15)])
    wide_row = b",".join(rows[0].split(b",") + [b"0"] * (10000 - 15))
    png = _encode(Image.fromarray(_gradient()), "PNG")
    return {
        "nul-bytes.csv": (nul, "error"),
        "mixed-encodings.csv": (b"\n".join(mixed) + b"\n", "ok"),
        "ragged-rows.csv": (b"\n".join(ragged) + b"\n", "error"),
        "wide-10000-columns.csv": (wide_header + b"\n" + wide_row + b"\n", "error"),
        "png-named.csv": (png, "error"),
        "empty.csv": (b"", "error"),
    }


# -- ONNX models -------------------------------------------------------------------------------------


def _model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto], outputs: list[onnx.ValueInfoProto],
           initializer: list[onnx.TensorProto] | None = None,
           opsets: list[onnx.OperatorSetIdProto] | None = None) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, initializer=initializer or [])
    model = helper.make_model(graph, opset_imports=opsets or [helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def _add_one(shape: list[int | str]) -> onnx.ModelProto:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)
    one = numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one")
    return _model([helper.make_node("Add", ["x", "one"], ["y"])], [x], [y], [one])


def _models(folder: Path) -> dict[str, tuple[bytes, str]]:
    secret = folder / OUTSIDE / "secret.bin"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(np.ones((4,), dtype=np.float32).tobytes())
    good = _add_one(["batch", 4]).SerializeToString()
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    custom = _model([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.hostile.ops")], [x], [y],
                    opsets=[helper.make_opsetid("", 13), helper.make_opsetid("com.hostile.ops", 1)])
    constant = numpy_helper.from_array(np.arange(4, dtype=np.float32), "value")
    no_inputs = _model([helper.make_node("Constant", [], ["y"], value=constant)], [],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    return {
        "empty.onnx": (b"", "error"),
        "not-onnx.onnx": (b"this is a text file, not a model\n" * 4, "error"),
        "jpeg-named.onnx": ((SAMPLES / "cat-chelsea.jpg").read_bytes(), "error"),
        "truncated.onnx": (good[: len(good) // 2], "error"),
        "ext-relative/model.onnx": (external_data_proto(f"../{OUTSIDE}/secret.bin").SerializeToString(), "error"),
        "ext-absolute/model.onnx": (external_data_proto(str(secret.resolve())).SerializeToString(), "error"),
        "custom-domain-op.onnx": (custom.SerializeToString(), "error"),
        "no-inputs.onnx": (no_inputs.SerializeToString(), "ok"),
        "absurd-shape.onnx": (_add_one([2**40, 2**40, 3]).SerializeToString(), "ok"),
        "negative-shape.onnx": (_add_one([-5, 4]).SerializeToString(), "ok"),
    }


def build(folder: Path) -> dict[str, str]:
    """Write the corpus under `folder`; return {path relative to folder: "ok" | "error"}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    for name, (data, outcome) in {**_images(), **_audio(), **_tables(), **_models(folder)}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expected[name] = outcome
    return expected


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    corpus = build(here)
    width = max(map(len, corpus))
    for file_name, outcome in sorted(corpus.items()):
        print(f"{file_name:<{width}}  {kind_of(file_name):<6} {outcome}")
    print(f"{len(corpus)} files in {here}", file=sys.stderr)
