"""The generic detect, segment, pose and classify tasks on tiny graphs whose outputs are constants in each
layout (known boxes, masks and keypoints), and every wrong description refused with a line naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from desktop_app.core.errors import ModelCardError, TaskError
from desktop_app.core.models.card import parse_card
from desktop_app.core.results import MultiHeadResult
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import TASKS, StageClock

ELEMENT = {"float32": onnx.TensorProto.FLOAT, "uint8": onnx.TensorProto.UINT8, "int32": onnx.TensorProto.INT32}


def constant_model(path: Path, outputs: dict[str, np.ndarray], input_shape: list[int] | None = None,
                   input_type: str = "float32") -> Path:
    """One image input (unused) and constant outputs."""
    nodes = [helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name + "_v"))
             for name, value in outputs.items()]
    graph = helper.make_graph(
        nodes, "constants", [helper.make_tensor_value_info("image", ELEMENT[input_type], input_shape or [1, 3, 64, 64])],
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(v.dtype), list(v.shape))
         for n, v in outputs.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def build(tmp_path: Path, outputs: dict[str, np.ndarray], **card: Any) -> Any:
    input_shape = card.pop("input_shape", None)
    input_type = card.pop("input_type", "float32")
    constant_model(tmp_path / "m.onnx", outputs, input_shape, input_type)
    data = {"id": "m", "file": "m.onnx", "image": {"size": [64, 64]}, **card}
    parsed = parse_card(data, tmp_path)
    return TASKS[parsed.task](parsed, ModelSession(parsed.path, "cpu"))


def yolo_output(boxes: list[tuple[float, float, float, float, int, float]], classes: int, n: int = 8,
                extra: int = 0) -> np.ndarray:
    """[1, 4+C+extra, n] with the given (cx, cy, w, h, class, score) boxes first, the rest empty."""
    out = np.zeros((1, 4 + classes + extra, n), np.float32)
    for i, (cx, cy, w, h, cls, score) in enumerate(boxes):
        out[0, :4, i] = [cx, cy, w, h]
        out[0, 4 + cls, i] = score
    return out


def test_yolo_layout_decodes_with_class_aware_nms_and_letterbox_mapping(tmp_path: Path) -> None:
    out = yolo_output([(32, 32, 20, 20, 0, 0.9), (33, 33, 20, 20, 0, 0.8), (33, 33, 20, 20, 1, 0.7)], 2)
    task = build(tmp_path, {"output0": out}, task="detect", labels=["a", "b"], detect={"layout": "yolo"},
                 image={"size": [64, 64], "resize": "letterbox"}, thresholds={"score": 0.25, "nms_iou": 0.5})
    result = task.run(np.zeros((64, 128, 3), np.uint8), StageClock())  # scale 0.5, 16 px padding on top
    assert [(d.label, round(d.score, 3)) for d in result.detections] == [("a", 0.9), ("b", 0.7)]
    assert result.detections[0].box == pytest.approx((44.0, 12.0, 84.0, 52.0))
    assert result.class_names == ("a", "b") and len(result.monitor_predictions(7)) == 2


def test_rows_are_final_relative_coords_and_class_offset(tmp_path: Path) -> None:
    rows = np.array([[[0.25, 0.25, 0.75, 0.75, 0.9, 1], [0.3, 0.3, 0.75, 0.75, 0.8, 1], [0, 0, 1, 1, 0.1, 2]]],
                    np.float32)
    task = build(tmp_path, {"detections": rows}, task="detect", labels=["cat", "dog"],
                 detect={"layout": "rows", "coords": "relative", "class_offset": 1}, thresholds={"score": 0.4})
    result = task.run(np.zeros((64, 128, 3), np.uint8), StageClock())
    assert [(d.label, d.score) for d in result.detections] == [("cat", pytest.approx(0.9)), ("cat", pytest.approx(0.8))]
    assert result.detections[0].box == pytest.approx((32.0, 16.0, 96.0, 48.0))  # no NMS on final rows


def test_yolov5_and_detr_layouts(tmp_path: Path) -> None:
    v5 = np.zeros((1, 4, 7), np.float32)
    v5[0, 0] = [32, 32, 16, 16, 0.5, 0.2, 0.8]
    task = build(tmp_path, {"out": v5}, task="detect", labels=["a", "b"], detect={"layout": "yolov5"})
    [det] = task.run(np.zeros((64, 64, 3), np.uint8), StageClock()).detections
    assert (det.label, det.score) == ("b", pytest.approx(0.4))
    logits = np.array([[[0.0, 5.0, 0.0], [0.0, 0.0, 9.0]]], np.float32)  # query 2 is "no object"
    boxes = np.array([[[0.5, 0.5, 0.5, 0.5], [0.1, 0.1, 0.1, 0.1]]], np.float32)
    (tmp_path / "d").mkdir()
    task = build(tmp_path / "d", {"logits": logits, "pred_boxes": boxes}, task="detect", labels=["a", "b"],
                 detect={"layout": "detr"}, thresholds={"score": 0.5})
    [det] = task.run(np.zeros((64, 64, 3), np.uint8), StageClock()).detections
    assert det.label == "b" and det.box == pytest.approx((16.0, 16.0, 48.0, 48.0))


@pytest.mark.parametrize(("outputs", "card", "match"), [
    ({"output0": np.zeros((1, 84, 16), np.float32)}, {"labels": ["a", "b", "c"], "detect": {"layout": "yolo"}},
     r"\[detect\] labels: 3 labels for 80 classes in output 'output0' \[1,84,16\]"),
    ({"out": np.zeros((1, 40, 112), np.float32)}, {"labels": [f"c{i}" for i in range(80)], "detect": {"layout": "yolo"}},
     r"\[detect\] labels: 80 labels for 36 classes"),  # a NanoDet-like [1,N,112] is not [1,4+C,N]
    ({"out": np.zeros((1, 100, 6), np.float32)}, {"detect": {"layout": "yolo", "output": "nope"}},
     r"\[detect\] output 'nope' is not an output"),
    ({"out": np.zeros((1, 100, 5), np.float32)}, {"detect": {"layout": "rows"}},
     r"\[detect\] columns: 6 named columns"),
    ({"out": np.zeros((1, 100, 6), np.float32)}, {"task": "classify", "labels": ["a"]},
     r"\[classify\]: output 'out' \[1, 100, 6\] is not class scores"),
    ({"out": np.zeros((1, 1000), np.float32)}, {"task": "classify", "labels": ["a", "b"]},
     r"\[classify\] labels: 2 labels for 1000 classes"),
    ({"out": np.zeros((1, 2), np.float32)}, {"task": "classify", "input_type": "uint8"},
     r"\[image\] dtype is 'float32' but input 'image' takes uint8"),
    ({"out": np.zeros((1, 2), np.float32)}, {"task": "classify", "image": {"size": [64, 64], "layout": "NHWC"}},
     r"\[image\] layout NHWC"),
    ({"out": np.zeros((1, 2), np.float32)}, {"task": "classify", "image": {"size": [64, 64], "name": "x"}},
     r"\[image\] name 'x' is not an input"),
])
def test_wrong_descriptions_are_refused_naming_the_field(tmp_path: Path, outputs: dict[str, np.ndarray],
                                                         card: dict[str, Any], match: str) -> None:
    card = {"task": "detect", **card}
    with pytest.raises(ModelCardError, match=match) as info:
        build(tmp_path, outputs, **card)
    assert "\n" not in str(info.value)


def test_instance_masks_from_prototypes_are_cropped_to_the_box(tmp_path: Path) -> None:
    out = yolo_output([(32, 32, 32, 32, 0, 0.9)], 1, extra=1)
    out[0, 5, 0] = 1.0  # one mask coefficient
    protos = np.full((1, 1, 16, 16), 5.0, np.float32)  # mask logit 5 everywhere: the box crops it
    task = build(tmp_path, {"output0": out, "protos": protos}, task="segment", labels=["blob"],
                 detect={"layout": "yolo"}, segment={"kind": "instance", "protos": "protos"})
    result = task.run(np.zeros((64, 64, 3), np.uint8), StageClock())
    [inst] = result.instances
    assert inst.mask_origin == (16, 16) and inst.mask.shape == (32, 32) and inst.mask.all()
    assert result.areas == (("blob", pytest.approx(0.25)),)


def test_semantic_map_follows_the_original_size(tmp_path: Path) -> None:
    scores = np.zeros((1, 2, 8, 8), np.float32)
    scores[0, 1, :, 4:] = 1.0  # right half is class 1
    task = build(tmp_path, {"seg": scores}, task="segment", labels=["sky", "sea"],
                 segment={"kind": "semantic", "layout": "NCHW"})
    result = task.run(np.zeros((30, 100, 3), np.uint8), StageClock())
    assert result.class_map.shape == (30, 100)
    assert (result.class_map[:, :50] == 0).all() and (result.class_map[:, 50:] == 1).all()
    assert dict(result.areas) == {"sky": pytest.approx(0.5), "sea": pytest.approx(0.5)}


def test_single_person_keypoints_yx_relative_on_an_int32_nhwc_input(tmp_path: Path) -> None:
    points = np.zeros((1, 1, 17, 3), np.float32)
    points[0, 0, :, :] = [0.25, 0.5, 0.9]  # y, x, score
    task = build(tmp_path, {"kp": points}, task="pose", input_type="int32", input_shape=[1, 64, 64, 3],
                 image={"size": [64, 64], "layout": "NHWC", "dtype": "int32"},
                 pose={"layout": "keypoints", "order": "yx", "coords": "relative"})
    assert task.prep(np.full((10, 10, 3), 7, np.uint8))[0].dtype == np.int32
    result = task.run(np.zeros((40, 200, 3), np.uint8), StageClock())
    [person] = result.people
    assert person.box is None and len(result.skeleton) == 19
    assert (person.keypoints[0].x, person.keypoints[0].y) == pytest.approx((100.0, 10.0))


def test_multi_head_classifier_shows_every_head(tmp_path: Path) -> None:
    task = build(tmp_path, {"gender": np.array([[0.2, 0.8]], np.float32), "age": np.array([[0.0, 3.0, 0.0]], np.float32)},
                 task="classify", classify={"heads": [
                     {"name": "gender", "output": "gender", "activation": "none", "labels": ["f", "m"]},
                     {"name": "age", "output": "age", "labels": ["young", "mid", "old"]}]})
    result = task.run(np.zeros((64, 64, 3), np.uint8), StageClock())
    assert isinstance(result, MultiHeadResult)
    assert [(n, h.best.label) for n, h in result.heads] == [("gender", "m"), ("age", "mid")]
    assert result.heads[0][1].best.score == pytest.approx(0.8)


def test_a_raw_model_asks_to_be_described_for_images(tmp_path: Path) -> None:
    constant_model(tmp_path / "m.onnx", {"out": np.zeros((1, 2), np.float32)})
    card = parse_card({"id": "m", "file": "m.onnx"}, tmp_path)
    task = TASKS["raw"](card, ModelSession(card.path, "cpu"))
    with pytest.raises(TaskError, match="describe this model first: its task is raw"):
        task.decode(tmp_path / "photo.jpg")
