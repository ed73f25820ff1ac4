"""Tiny ONNX models and forged files for tests, made in code (nothing hand-edited is committed)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model: onnx.ModelProto, path: Path) -> Path:
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def mean_colour_classifier(path: Path, size: int = 8, layout: str = "NCHW") -> Path:
    """[N,3,size,size] (or NHWC) -> [N,3] logits = 10 * mean of each channel: the reddest image is class 0."""
    shape = ["batch", 3, size, size] if layout == "NCHW" else ["batch", size, size, 3]
    axes = [2, 3] if layout == "NCHW" else [1, 2]
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])
    ten = numpy_helper.from_array(np.array(10.0, dtype=np.float32), "ten")
    axes_t = numpy_helper.from_array(np.array(axes, dtype=np.int64), "axes")
    nodes = [helper.make_node("ReduceMean", ["image", "axes"], ["m"], keepdims=0),
             helper.make_node("Mul", ["m", "ten"], ["logits"])]
    graph = helper.make_graph(nodes, "mean_colour", [x], [y], initializer=[ten, axes_t])
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)


def add_one(path: Path, shape: list[int | str] | None = None) -> Path:
    """y = x + 1 on float32 of the given (possibly symbolic) shape."""
    shape = shape or ["batch", 4]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)
    one = numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one")
    graph = helper.make_graph([helper.make_node("Add", ["x", "one"], ["y"])], "add_one", [x], [y], initializer=[one])
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def external_data_proto(location: str) -> onnx.ModelProto:
    """A model whose weight claims to live in `location` (which may escape its folder), unsaved."""
    weight = numpy_helper.from_array(np.ones((4,), dtype=np.float32), "w")
    weight.data_location = TensorProto.EXTERNAL
    weight.ClearField("raw_data")
    for key, value in (("location", location), ("offset", "0"), ("length", "16")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "ext", [x], [y], initializer=[weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def external_data_model(folder: Path, location: str) -> Path:
    """external_data_proto saved as folder/model.onnx (the weight file is not written)."""
    folder.mkdir(parents=True, exist_ok=True)
    model = external_data_proto(location)
    path = folder / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (a decompression-bomb shape) with almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def wav_bytes(seconds: float = 0.5, rate: int = 16000) -> bytes:
    import io

    import soundfile as sf

    buffer = io.BytesIO()
    t = np.arange(int(seconds * rate)) / rate
    sf.write(buffer, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, format="WAV")
    return buffer.getvalue()


def sample_copies(folder: Path, n: int) -> list[Path]:
    """`n` copies of the bundled sample photos, round robin, with distinct names that keep their order."""
    samples = sorted((Path(__file__).resolve().parents[1] / "resources" / "samples").glob("*.jpg"))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        src = samples[i % len(samples)]
        out.append(folder / f"{i:04d}-{src.name}")
        out[-1].write_bytes(src.read_bytes())
    return out
