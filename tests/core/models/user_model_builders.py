"""Tiny stand-ins for the models people bring, made with onnx.helper: Ultralytics-shaped exports with their
metadata, Optimum folders (config, preprocessor, tokenizer), and models with no metadata at all."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from tests.builders import save

_ELEM = {"float32": TensorProto.FLOAT, "uint8": TensorProto.UINT8, "int32": TensorProto.INT32,
         "int64": TensorProto.INT64}


def const_model(path: Path, input_shape: list[int | str], outputs: Mapping[str, np.ndarray], *,
                input_name: str = "images", input_dtype: str = "float32",
                metadata: Mapping[str, str] | None = None) -> Path:
    """A model whose outputs are the given constants (plus 0 × the input's mean, so the input is used)."""
    x = helper.make_tensor_value_info(input_name, _ELEM[input_dtype], input_shape)
    nodes = [helper.make_node("Cast", [input_name], ["xf"], to=TensorProto.FLOAT),
             helper.make_node("ReduceMean", ["xf"], ["m"], keepdims=0),
             helper.make_node("Mul", ["m", "zero"], ["z"])]
    inits = [numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero")]
    outs = []
    for name, value in outputs.items():
        inits.append(numpy_helper.from_array(value.astype(np.float32), f"{name}_c"))
        nodes.append(helper.make_node("Add", [f"{name}_c", "z"], [name]))
        outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(value.shape)))
    graph = helper.make_graph(nodes, "const", [x], outs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    return save(model, path)


def ultralytics_meta(task: str, names: str = "{0: 'circle', 1: 'square', 2: 'triangle'}", imgsz: str = "[64, 64]",
                     **extra: str) -> dict[str, str]:
    """metadata_props as Ultralytics' exporter writes them (every value a str of a Python literal)."""
    meta = {"description": f"Ultralytics YOLO11n-{task} model", "author": "Ultralytics", "version": "8.3.0",
            "license": "AGPL-3.0 License", "stride": "32", "task": task, "batch": "1", "imgsz": imgsz,
            "names": names, "args": "{'batch': 1, 'half': False, 'nms': False}"}
    meta.update(extra)
    return meta


def ultralytics_model(path: Path, task: str, outputs: Mapping[str, np.ndarray], **meta: str) -> Path:
    return const_model(path, [1, 3, 64, 64], outputs, metadata=ultralytics_meta(task, **meta))


def int_nhwc_classifier(path: Path, size: int = 8) -> Path:
    """int32 [1,size,size,3] NHWC → [1,3] logits = 10 × the channel means / 255 (the reddest picture is class 0)."""
    x = helper.make_tensor_value_info("pixels", TensorProto.INT32, [1, size, size, 3])
    y = helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 3])
    k = numpy_helper.from_array(np.array(10.0 / 255.0, dtype=np.float32), "k")
    axes = numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes")
    nodes = [helper.make_node("Cast", ["pixels"], ["f"], to=TensorProto.FLOAT),
             helper.make_node("ReduceMean", ["f", "axes"], ["m"], keepdims=0),
             helper.make_node("Mul", ["m", "k"], ["scores"])]
    graph = helper.make_graph(nodes, "int_nhwc", [x], [y], initializer=[k, axes])
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def optimum_image_folder(folder: Path, *, size: int = 32) -> Path:
    """An Optimum-style image classifier folder: model.onnx (pixel_values → logits [1,3]) + configs."""
    folder.mkdir(parents=True, exist_ok=True)
    const_model(folder / "model.onnx", [1, 3, size, size], {"logits": np.array([[0.1, 2.0, 0.3]])},
                input_name="pixel_values")
    write_json(folder / "config.json", {"architectures": ["ViTForImageClassification"], "model_type": "vit",
                                         "id2label": {"0": "cat", "1": "dog", "2": "bird"}})
    write_json(folder / "preprocessor_config.json", {
        "do_resize": True, "size": {"height": size, "width": size}, "resample": 3, "do_rescale": True,
        "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]})
    return folder


def optimum_detr_folder(folder: Path) -> Path:
    """A DETR-style object detector folder: logits [1,4,3] (2 classes + no-object) and pred_boxes [1,4,4]."""
    folder.mkdir(parents=True, exist_ok=True)
    logits = np.full((1, 4, 3), -5.0)
    logits[0, 0] = [5.0, -5.0, -5.0]
    boxes = np.full((1, 4, 4), 0.25)
    const_model(folder / "model.onnx", [1, 3, 32, 32], {"logits": logits, "pred_boxes": boxes},
                input_name="pixel_values")
    write_json(folder / "config.json", {"architectures": ["DetrForObjectDetection"], "id2label": {"0": "a", "1": "b"}})
    write_json(folder / "preprocessor_config.json", {"size": {"shortest_edge": 32, "longest_edge": 64},
                                                      "image_mean": [0.485, 0.456, 0.406],
                                                      "image_std": [0.229, 0.224, 0.225]})
    return folder


VOCAB = {"[UNK]": 0, "good": 1, "bad": 2, "movie": 3}


def text_tokenizer_json() -> str:
    """A word-level tokenizer (whitespace split, lowercased) written by the tokenizers library."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    tokenizer = Tokenizer(WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return str(tokenizer.to_str())


def text_model(path: Path, *, id_type: int = TensorProto.INT64, with_mask: bool = True) -> Path:
    """input_ids (+ attention_mask) → logits [1,2] = per-class count of "good" (class 1) and "bad" (class 0)."""
    ids = helper.make_tensor_value_info("input_ids", id_type, [1, "seq"])
    inputs = [ids]
    table = np.zeros((len(VOCAB), 2), dtype=np.float32)
    table[VOCAB["good"], 1] = 1.0
    table[VOCAB["bad"], 0] = 1.0
    nodes = [helper.make_node("Gather", ["table", "input_ids"], ["emb"], axis=0),
             helper.make_node("ReduceSum", ["emb", "axis1"], ["sum"], keepdims=0)]
    if with_mask:
        inputs.append(helper.make_tensor_value_info("attention_mask", id_type, [1, "seq"]))
        nodes += [helper.make_node("Cast", ["attention_mask"], ["mf"], to=TensorProto.FLOAT),
                  helper.make_node("ReduceSum", ["mf"], ["n"], keepdims=0),
                  helper.make_node("Mul", ["n", "zero"], ["nz"]),
                  helper.make_node("Add", ["sum", "nz"], ["logits"])]
    else:
        nodes.append(helper.make_node("Identity", ["sum"], ["logits"]))
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2])
    inits = [numpy_helper.from_array(table, "table"), numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
             numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero")]
    graph = helper.make_graph(nodes, "text", inputs, [out], initializer=inits)
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)


def optimum_text_folder(folder: Path) -> Path:
    """An Optimum-style text classifier folder: model.onnx + config.json + tokenizer.json + tokenizer_config."""
    folder.mkdir(parents=True, exist_ok=True)
    text_model(folder / "model.onnx")
    write_json(folder / "config.json", {"architectures": ["DistilBertForSequenceClassification"],
                                         "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
                                         "max_position_embeddings": 512})
    (folder / "tokenizer.json").write_text(text_tokenizer_json(), encoding="utf-8")
    write_json(folder / "tokenizer_config.json", {"model_max_length": 8})
    return folder


def onnx_model_props(path: Path) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}
