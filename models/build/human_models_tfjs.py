"""TensorFlow.js graph models in TensorFlow (build only, inside the TensorFlow venv): fill in the node attributes
that graphs written before TensorFlow 2.15 lack, and run the original graph in TensorFlow as the reference for the
ONNX conversions made by build_human_models.py.

The graphs' JSON `modelTopology` is a TensorFlow GraphDef written as JSON, its weights sit in `.bin` shards
described by `weightsManifest`. Two things stop TensorFlow 2.15 from importing them as they are:
- attributes added to ops after the files were written (`_FusedConv2D` lacks `TArgs`, `filter_format`,
  `num_host_args`, `leakyrelu_alpha`; `TopKV2` lacks `index_type`): every missing attribute is filled in from
  TensorFlow's op registry default; `TArgs`, which has no default, is the node's type `T` once per fused argument;
- `FusedDepthwiseConv2dNative` is an op of TensorFlow.js only: for the TensorFlow run it is expanded into
  `DepthwiseConv2dNative` + `BiasAdd` (+ the fused activation), the same computation TensorFlow.js performs.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import numpy as np

ACTIVATIONS = {"Relu": "Relu", "Relu6": "Relu6", "Elu": "Elu", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}


def _decode_s(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, list) else base64.b64decode(value).decode()


def _attr_json(attr_value: Any) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(attr_value)


def patch_attributes(model: dict[str, Any]) -> list[str]:
    """Fill in every attribute the op registry knows but a node lacks; return what was filled, for the log."""
    from tensorflow.python.framework import op_def_registry

    filled: set[str] = set()
    nodes = list(model["modelTopology"].get("node", []))
    for func in model["modelTopology"].get("library", {}).get("function", []):
        nodes += func.get("nodeDef", [])
    for node in nodes:
        op_def = op_def_registry.get(node["op"])
        if op_def is None:
            continue
        attrs = node.setdefault("attr", {})
        for attr in op_def.attr:
            if attr.name in attrs:
                continue
            if attr.HasField("default_value"):
                attrs[attr.name] = _attr_json(attr.default_value)
            elif attr.name == "TArgs":
                count = int(attrs.get("num_args", {}).get("i", "0"))
                attrs["TArgs"] = {"list": {"type": [attrs["T"]["type"]] * count}}
            else:
                raise ValueError(f"{node['name']} ({node['op']}): attribute {attr.name!r} is missing and has no default")
            filled.add(f"{node['op']}.{attr.name}")
    return sorted(filled)


def read_weights(model: dict[str, Any], folder: Path) -> dict[str, np.ndarray]:
    """The weight arrays by node name (quantised weights dequantised as TensorFlow.js does)."""
    from tf2onnx.tfjs_utils import read_tfjs_weight

    weights: dict[str, np.ndarray] = {}
    for group in model["weightsManifest"]:
        data = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for weight in group["weights"]:
            name, array, size = read_tfjs_weight(weight, data, offset)
            weights[name] = np.asarray(array)
            offset += size
        if offset != len(data):
            raise ValueError(f"weights: read {offset} of {len(data)} bytes")
    return weights


def _expand_fused_depthwise(node: dict[str, Any]) -> list[dict[str, Any]]:
    """TensorFlow.js' FusedDepthwiseConv2dNative -> DepthwiseConv2dNative + BiasAdd (+ activation)."""
    fused = [_decode_s(s) for s in node["attr"]["fused_ops"]["list"]["s"]]
    if not fused or fused[0] != "BiasAdd" or len(fused) > 2 or (len(fused) == 2 and fused[1] not in ACTIVATIONS):
        raise ValueError(f"{node['name']}: fused ops {fused} are not BiasAdd[+activation]")
    keep = ("T", "strides", "padding", "dilations", "data_format", "explicit_paddings")
    conv = {"name": node["name"] + "/conv", "op": "DepthwiseConv2dNative", "input": node["input"][:2],
            "attr": {k: v for k, v in node["attr"].items() if k in keep}}
    bias_name = node["name"] if len(fused) == 1 else node["name"] + "/bias"
    bias = {"name": bias_name, "op": "BiasAdd", "input": [conv["name"], node["input"][2]],
            "attr": {"T": node["attr"]["T"], "data_format": node["attr"]["data_format"]}}
    out = [conv, bias]
    if len(fused) == 2:
        out.append({"name": node["name"], "op": ACTIVATIONS[fused[1]], "input": [bias_name],
                    "attr": {"T": node["attr"]["T"]}})
    return out


def graph_def(model: dict[str, Any], weights: dict[str, np.ndarray]) -> Any:
    """The TensorFlow GraphDef of a patched graph model, weights in its constants."""
    import tensorflow as tf
    from google.protobuf.json_format import ParseDict
    from tf2onnx.tfjs_utils import fix_string_attr

    nodes: list[dict[str, Any]] = []
    for node in copy.deepcopy(model["modelTopology"]["node"]):
        fix_string_attr(node)
        nodes += _expand_fused_depthwise(node) if node["op"] == "FusedDepthwiseConv2dNative" else [node]
    graph = tf.compat.v1.GraphDef()
    ParseDict({"node": nodes, "versions": model["modelTopology"].get("versions", {})}, graph)
    for node in graph.node:
        if node.op == "Const" and node.name in weights:
            # TensorFlow.js stores int64 constants as int32: give each its node's declared type back
            dtype = tf.dtypes.as_dtype(node.attr["dtype"].type).as_numpy_dtype
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(weights[node.name].astype(dtype)))
    return graph


def run_tensorflow(model_json: Path, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run the graph model in TensorFlow: feeds and results keyed by the signature's tensor names."""
    import tensorflow as tf

    model = json.loads(model_json.read_text())
    patch_attributes(model)
    graph_proto = graph_def(model, read_weights(model, model_json.parent))
    outputs = [v["name"] for v in model["signature"]["outputs"].values()]
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_proto, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            values = session.run(outputs, feed_dict=feeds)
    return dict(zip(outputs, values, strict=True))
