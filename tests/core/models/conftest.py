"""Tiny ONNX models built with onnx.helper for the models-layer tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

ModelFactory = Callable[..., onnx.ModelProto]


def make_conv_model(
    *,
    input_shape: list[Any] | None = None,
    producer: str = "tests",
    metadata: dict[str, str] | None = None,
    opset: int = 17,
) -> onnx.ModelProto:
    """Conv(3->2, 3x3) + bias on a ('batch', 3, 224, 224) float input; 56 parameters."""
    shape = input_shape if input_shape is not None else ["batch", 3, 224, 224]
    weight = numpy_helper.from_array(np.ones((2, 3, 3, 3), np.float32), "weight")
    bias = numpy_helper.from_array(np.zeros(2, np.float32), "bias")
    conv = helper.make_node("Conv", ["image", "weight", "bias"], ["features"], pads=[1, 1, 1, 1])
    graph = helper.make_graph(
        [conv],
        "conv",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 2, None, 224])],
        [weight, bias],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name=producer, producer_version="1.2"
    )
    model.ir_version = 8
    model.doc_string = "a tiny conv"
    if metadata:
        helper.set_model_props(model, metadata)
    return model


def save_external(model: onnx.ModelProto, path: Path, location: str = "weights.bin") -> None:
    onnx.save_model(
        model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=location,
        size_threshold=0,
    )


def set_location(model: onnx.ModelProto, location: str) -> onnx.ModelProto:
    """Point every external tensor of `model` at `location`."""
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    return model


@pytest.fixture
def conv_model() -> ModelFactory:
    return make_conv_model


@pytest.fixture
def saved_model(tmp_path: Path) -> Path:
    """A valid model file (weights inside) in its own folder."""
    folder = tmp_path / "src"
    folder.mkdir()
    path = folder / "tiny.onnx"
    onnx.save_model(make_conv_model(), str(path))
    return path


@pytest.fixture
def external_model(tmp_path: Path) -> Path:
    """A valid model whose weights live in weights.bin next to it."""
    folder = tmp_path / "ext"
    folder.mkdir()
    path = folder / "ext.onnx"
    save_external(make_conv_model(), path)
    return path
