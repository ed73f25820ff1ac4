"""inspect_model / check_model on tiny models: signatures, counts, external data safety, hostile files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from desktop_app.core.errors import ModelError
from desktop_app.core.models.inspect import TensorInfo, check_model, inspect_model
from tests.conftest import ROOT


def save_external(model: onnx.ModelProto, path: Path, location: str = "weights.bin") -> None:
    onnx.save_model(
        model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=location,
        size_threshold=0,
    )


def relocate(path: Path, location: str) -> None:
    """Rewrite every external tensor of the saved model at `path` to point at `location`."""
    model = onnx.load(str(path), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    path.write_bytes(model.SerializeToString())


def test_signature_dtypes_opset_producer_metadata(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "conv.onnx"
    onnx.save_model(conv_model(metadata={"author": "me", "classes": "2"}), str(path))
    info = inspect_model(path)
    assert info.inputs == (TensorInfo("image", "float32", ("batch", 3, 224, 224)),)
    assert info.outputs == (TensorInfo("features", "float32", ("batch", 2, None, 224)),)
    assert info.opsets == {"": 17}
    assert (info.producer, info.producer_version, info.ir_version) == ("tests", "1.2", 8)
    assert info.metadata == {"author": "me", "classes": "2"}
    assert info.doc == "a tiny conv"
    assert info.parameter_count == 2 * 3 * 3 * 3 + 2
    assert info.initializer_bytes == 56 * 4
    assert info.node_count == 1
    assert info.external_data == ()
    assert info.custom_domains == ()
    assert info.file_size == path.stat().st_size
    assert len(info.sha256) == 64
    signature = info.signature()
    assert signature["inputs"] == [{"name": "image", "dtype": "float32", "shape": ["batch", 3, 224, 224]}]
    json.dumps(info.to_dict())  # JSON-able
    assert json.loads(json.dumps(signature)) == signature
    check_model(path)


def test_inputs_exclude_initializers_and_other_dtypes(tmp_path: Path) -> None:
    weight = numpy_helper.from_array(np.arange(6, dtype=np.int64).reshape(2, 3), "w")
    nodes = [helper.make_node("Add", ["ids", "w"], ["sum"]), helper.make_node("Identity", ["names"], ["names_out"])]
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, [2, 3]),
            helper.make_tensor_value_info("names", TensorProto.STRING, None),
            helper.make_tensor_value_info("w", TensorProto.INT64, [2, 3]),  # old exporters list weights as inputs
        ],
        [
            helper.make_tensor_value_info("sum", TensorProto.INT64, [2, 3]),
            helper.make_tensor_value_info("names_out", TensorProto.STRING, None),
        ],
        [weight],
    )
    path = tmp_path / "mixed.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    info = inspect_model(path)
    assert [(t.name, t.dtype) for t in info.inputs] == [("ids", "int64"), ("names", "string")]
    assert info.inputs[1].rank_known is False
    assert info.inputs[1].to_dict()["shape"] is None
    assert info.parameter_count == 6


def test_model_with_no_inputs(tmp_path: Path) -> None:
    const = helper.make_node("Constant", [], ["y"], value=numpy_helper.from_array(np.ones(3, np.float32)))
    graph = helper.make_graph([const], "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    path = tmp_path / "const.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    info = inspect_model(path)
    assert info.inputs == ()
    assert info.outputs[0].shape == (3,)
    check_model(path)


def test_constant_nodes_count_as_parameters_in_subgraphs(tmp_path: Path) -> None:
    """Weights held by Constant nodes, here inside both branches of an If, count like initializers."""

    def branch(name: str, shape: tuple[int, ...]) -> onnx.GraphProto:
        value = numpy_helper.from_array(np.ones(shape, np.float32))
        const = helper.make_node("Constant", [], [f"{name}_out"], value=value)
        out = helper.make_tensor_value_info(f"{name}_out", TensorProto.FLOAT, list(shape))
        return helper.make_graph([const], name, [], [out])

    top = helper.make_node("Constant", [], ["bias"], value=numpy_helper.from_array(np.zeros(2, np.float16)))
    if_node = helper.make_node("If", ["cond"], ["picked"], then_branch=branch("then", (3, 4)), else_branch=branch("else", (4, 5)))
    add = helper.make_node("Add", ["picked", "w"], ["y"])
    weight = numpy_helper.from_array(np.ones(1, np.float32), "w")
    graph = helper.make_graph(
        [top, if_node, add],
        "g",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, None]),
         helper.make_tensor_value_info("bias", TensorProto.FLOAT16, [2])],
        [weight],
    )  # fmt: skip
    path = tmp_path / "branches.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    info = inspect_model(path)
    assert info.parameter_count == 1 + 2 + 12 + 20
    assert info.initializer_bytes == (1 + 12 + 20) * 4 + 2 * 2
    assert info.node_count == 5
    check_model(path)


def test_silero_vad_weights_in_constant_nodes_are_counted() -> None:
    path = ROOT / "models/silero-vad/silero-vad.onnx"
    info = inspect_model(path)
    assert info.parameter_count > 100_000  # all in Constant nodes inside If subgraphs; initializers alone give 0
    assert info.initializer_bytes >= info.parameter_count * 2
    assert info.initializer_bytes <= info.file_size


def test_absurd_declared_shapes_are_only_read(tmp_path: Path) -> None:
    huge = 2**40
    weight = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[huge, huge])  # declares 4 ZiB, holds nothing
    node = helper.make_node("Add", ["x", "w"], ["y"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [huge, huge])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [huge, huge])],
        [weight],
    )
    path = tmp_path / "huge.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    info = inspect_model(path)
    assert info.inputs[0].shape == (huge, huge)
    assert info.parameter_count == huge * huge
    assert info.initializer_bytes == huge * huge * 4


def test_absurd_external_tensor_is_refused_without_reading(tmp_path: Path) -> None:
    weight = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2**40], data_location=TensorProto.EXTERNAL)
    weight.external_data.add(key="location", value="w.bin")
    (tmp_path / "w.bin").write_bytes(bytes(16))
    graph = helper.make_graph(
        [helper.make_node("Identity", ["w"], ["y"])], "g", [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2**40])], [weight],
    )
    path = tmp_path / "claims.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(ModelError, match="'w.bin' is shorter than tensor 'w' needs"):
        inspect_model(path)


def test_custom_domain_is_inspected_and_reported(tmp_path: Path) -> None:
    node = helper.make_node("FancyOp", ["x"], ["y"], domain="com.foo")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.foo", 1)])
    path = tmp_path / "custom.onnx"
    onnx.save_model(model, str(path))
    info = inspect_model(path)
    assert info.custom_domains == ("com.foo",)
    assert info.opsets == {"": 17, "com.foo": 1}
    check_model(path)  # the checker does not judge unknown domains

    del model.opset_import[1]  # now the checker fails: no opset import for com.foo
    onnx.save_model(model, str(path))
    with pytest.raises(ModelError, match="custom domain 'com.foo' that ONNX Runtime may not support"):
        check_model(path)


def test_checker_failure_is_one_line_model_error(tmp_path: Path) -> None:
    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph([node], "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    path = tmp_path / "dangling.onnx"
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    inspect_model(path)
    with pytest.raises(ModelError, match="dangling.onnx failed the ONNX checker") as info:
        check_model(path)
    assert "\n" not in str(info.value)


# -- external data -------------------------------------------------------------------------------


def test_external_data_inside_folder(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path)
    info = inspect_model(path)
    assert info.external_data == (Path("weights.bin"),)
    assert info.parameter_count == 56
    check_model(path)


def test_external_data_in_subfolder(tmp_path: Path, conv_model) -> None:
    (tmp_path / "data").mkdir()
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path, location="data/weights.bin")
    assert inspect_model(path).external_data == (Path("data/weights.bin"),)


def test_external_dotdot_escaping_is_refused(tmp_path: Path, conv_model) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    path = folder / "ext.onnx"
    save_external(conv_model(), path)
    os.replace(folder / "weights.bin", tmp_path / "outside.bin")
    relocate(path, "../outside.bin")
    for call in (inspect_model, check_model):
        with pytest.raises(ModelError, match=r"'\.\./outside\.bin' points outside the model's folder"):
            call(path)


def test_external_dotdot_inside_folder_is_fine(tmp_path: Path, conv_model) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path)
    relocate(path, "sub/../weights.bin")
    assert inspect_model(path).external_data == (Path("weights.bin"),)


@pytest.mark.parametrize("absolute", ["/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share\\w.bin"])
def test_external_absolute_location_is_refused(tmp_path: Path, conv_model, absolute: str) -> None:
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path)
    relocate(path, absolute)
    with pytest.raises(ModelError, match="is an absolute path"):
        inspect_model(path)


def test_external_real_absolute_path_to_existing_file_is_refused(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path)
    relocate(path, str(tmp_path / "weights.bin"))  # exists, and even inside the folder
    with pytest.raises(ModelError, match="absolute path"):
        check_model(path)


def test_external_symlink_escaping_is_refused(tmp_path: Path, conv_model) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    path = folder / "ext.onnx"
    save_external(conv_model(), path)
    os.replace(folder / "weights.bin", tmp_path / "secret.bin")
    try:
        (folder / "weights.bin").symlink_to(tmp_path / "secret.bin")
    except OSError:
        pytest.skip("symbolic links are not available here")
    with pytest.raises(ModelError, match="points outside the model's folder"):
        inspect_model(path)


def test_external_symlink_inside_folder_is_fine(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path, location="real.bin")
    try:
        (tmp_path / "link.bin").symlink_to(tmp_path / "real.bin")
    except OSError:
        pytest.skip("symbolic links are not available here")
    relocate(path, "link.bin")
    assert inspect_model(path).external_data == (Path("link.bin"),)


def test_external_missing_file_is_refused(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path)
    (tmp_path / "weights.bin").unlink()
    with pytest.raises(ModelError, match="external data file 'weights.bin' is missing"):
        inspect_model(path)


def test_external_file_too_short_is_refused(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "ext.onnx"
    save_external(conv_model(), path)
    data = (tmp_path / "weights.bin").read_bytes()
    (tmp_path / "weights.bin").write_bytes(data[:10])
    with pytest.raises(ModelError, match="shorter than tensor"):
        inspect_model(path)


# -- files that are not (whole) ONNX models --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "a JPEG image"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "a PNG image"),
        (b"this is a plain text file\nwith two lines\n", "a text file"),
        (b"<!DOCTYPE html><html>404 Not Found</html>", "HTML"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n", "Git LFS pointer"),
        (b"PK\x03\x04" + bytes(50), "ZIP archive \\(a PyTorch checkpoint"),
        (b"\x89HDF\r\n\x1a\n" + bytes(50), "an HDF5 file \\(a Keras model\\?\\)"),
        (b"\x80\x02}q\x00(X" + bytes(50), "a Python pickle"),
        (b"\x93NUMPY\x01\x00v\x00{'descr'", "a NumPy array file"),
        (b"\x1c\x00\x00\x00TFL3" + bytes(50), "a TensorFlow Lite model"),
        (b"MZ\x90\x00\x03" + bytes(50), "a program"),
        (b"\x7fELF\x02\x01\x01" + bytes(50), "a program"),
        (b'{"model": "resnet"}\n', "a JSON file"),
        (b'<?xml version="1.0"?>\n<Error>AccessDenied</Error>', "an XML document"),
        (b"[model]\nname = 'x'\n", "a text file"),
        ("naïve text, not a model\n".encode(), "a text file"),
        (b"7z\xbc\xaf\x27\x1c" + bytes(50), "a 7-Zip archive"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(50), "WAV audio"),
    ],
)
def test_not_onnx_says_what_it_looks_like(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "x.onnx"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=f"x.onnx is not an ONNX model \\(it looks like .*{kind}"):
        inspect_model(path)


@pytest.mark.parametrize("head", [b"\x08\x07\x12\x07pytorch", b"\x08GIF89a", b"\x08this is text"])
def test_files_starting_like_onnx_are_parsed_not_sniffed(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "x.onnx"
    path.write_bytes(head)
    with pytest.raises(ModelError, match=r"^x\.onnx is truncated or corrupt$"):
        inspect_model(path)


def test_random_binary_is_not_onnx(tmp_path: Path) -> None:
    path = tmp_path / "noise.onnx"
    path.write_bytes(bytes([0xFF, 0xFF, 0xFF, 0x0F]) + bytes(range(256)))
    with pytest.raises(ModelError, match="noise.onnx is not an ONNX model"):
        inspect_model(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    with pytest.raises(ModelError, match="empty.onnx is empty"):
        inspect_model(path)


def test_truncated_model(tmp_path: Path, conv_model) -> None:
    data = conv_model().SerializeToString()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="cut.onnx is truncated or corrupt"):
        inspect_model(path)
    with pytest.raises(ModelError, match="truncated or corrupt"):
        check_model(path)


def test_too_large(tmp_path: Path, conv_model) -> None:
    path = tmp_path / "big.onnx"
    onnx.save_model(conv_model(), str(path))
    with pytest.raises(ModelError, match="big.onnx is too large"):
        inspect_model(path, max_bytes=100)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="nope.onnx: file not found"):
        inspect_model(tmp_path / "nope.onnx")
    with pytest.raises(ModelError, match="is a folder"):
        inspect_model(tmp_path)
