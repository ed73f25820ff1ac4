"""YOLO and SSD decoders on tiny synthetic graphs whose outputs are constants in each layout, with known boxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from desktop_app.core.errors import TaskError
from desktop_app.core.models.card import parse_card
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import TASKS, StageClock
from desktop_app.core.tasks.detect_ssd import DetectSsdTask
from desktop_app.core.tasks.detect_yolo import YOLOV4_ANCHORS, DetectYoloTask


def constant_model(path: Path, input_shape: list[int], outputs: dict[str, np.ndarray]) -> Path:
    """A graph with one image input (unused) whose outputs are the given constant tensors."""
    nodes = [helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name + "_v"))
             for name, value in outputs.items()]
    graph = helper.make_graph(
        nodes, "constants",
        [helper.make_tensor_value_info("image", onnx.TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(v.dtype), list(v.shape))
         for n, v in outputs.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def card_for(folder: Path, task: str, image: dict[str, Any], thresholds: dict[str, float]) -> Any:
    (folder / "labels.txt").write_text("a\nb\n", encoding="utf-8")
    data = {"id": "det", "task": task, "file": "det.onnx", "labels_file": "labels.txt", "image": image,
            "thresholds": thresholds}
    return parse_card(data, folder)


def test_tasks_are_registered_by_name() -> None:
    assert TASKS["detect-yolo"] is DetectYoloTask and TASKS["detect-ssd"] is DetectSsdTask


def test_yolov4_grids_decode_to_original_pixels_with_nms(tmp_path: Path) -> None:
    fine = np.zeros((1, 8, 8, 3, 7), np.float32)  # 64x64 input: stride 8
    coarse = np.zeros((1, 4, 4, 3, 7), np.float32)  # stride 16
    fine[0, 4, 3, 0] = [0, 0, 0, 0, 0.9, 0.1, 0.8]  # anchor 12x16 at cell (x 3, y 4): centre (28, 36)
    s = np.log([12 / YOLOV4_ANCHORS[1, 0, 0], 16 / YOLOV4_ANCHORS[1, 0, 1]])
    coarse[0, 2, 1, 0] = [0, 0, s[0], s[1], 1.0, 0.0, 0.5]  # centre (24, 40), IoU 1/3: suppressed
    coarse[0, 0, 3, 2] = [0, 0, 0, 0, 0.2, 0.9, 0.0]  # score 0.18: below the threshold
    path = constant_model(tmp_path / "det.onnx", [1, 64, 64, 3], {"big": coarse, "small": fine})
    card = card_for(tmp_path, "detect-yolo", {"layout": "NHWC", "size": [64, 64], "resize": "letterbox",
                                              "std": 255.0}, {"score": 0.25, "nms_iou": 0.3})
    task = DetectYoloTask(card, ModelSession(path, "cpu"))
    image = np.zeros((64, 128, 3), np.uint8)  # letterboxed: scale 0.5, 16 px padding on top
    result = task.run(image, StageClock())
    assert (result.width, result.height) == (128, 64)
    [det] = result.detections
    assert det.label == "b" and det.score == pytest.approx(0.72)
    assert det.box == pytest.approx((44.0, 24.0, 68.0, 56.0), abs=1e-4)
    assert len(task.run(image, StageClock(), nms_iou=0.5).detections) == 2


def test_flat_yolo_rows_use_per_class_nms(tmp_path: Path) -> None:
    rows = np.array([[[32, 32, 20, 20, 0.9, 0.9, 0.1],
                      [33, 33, 20, 20, 0.8, 0.9, 0.1],  # same class, overlapping: suppressed
                      [33, 33, 20, 20, 0.8, 0.1, 0.9]]], np.float32)  # other class: kept
    path = constant_model(tmp_path / "det.onnx", [1, 3, 64, 64], {"rows": rows})
    card = card_for(tmp_path, "detect-yolo", {"size": [64, 64]}, {"score": 0.5, "nms_iou": 0.45})
    result = DetectYoloTask(card, ModelSession(path, "cpu")).run(np.zeros((64, 128, 3), np.uint8), StageClock())
    assert [(d.label, round(d.score, 4)) for d in result.detections] == [("a", 0.81), ("b", 0.72)]
    assert result.detections[0].box == pytest.approx((44.0, 22.0, 84.0, 42.0))  # x scaled by 2, y by 1


def test_ssd_boxes_labels_scores_map_back_with_the_label_offset(tmp_path: Path) -> None:
    outputs = {
        "bboxes": np.array([[[0.1, 0.2, 0.5, 0.6], [0.12, 0.2, 0.5, 0.6], [0.6, 0.6, 0.9, 0.9]]], np.float32),
        "labels": np.array([[1, 1, 2]], np.int64),
        "scores": np.array([[0.9, 0.8, 0.3]], np.float32),
    }
    path = constant_model(tmp_path / "det.onnx", [1, 3, 50, 50], outputs)
    card = card_for(tmp_path, "detect-ssd", {"size": [50, 50]}, {"score": 0.5, "nms_iou": 0.45, "label_offset": 1})
    result = DetectSsdTask(card, ModelSession(path, "cpu")).run(np.zeros((100, 200, 3), np.uint8), StageClock())
    [det] = result.detections
    assert det.label == "a" and det.score == pytest.approx(0.9)
    assert det.box == pytest.approx((20.0, 20.0, 100.0, 60.0), abs=1e-4)
    low = DetectSsdTask(card, ModelSession(path, "cpu")).run(np.zeros((100, 200, 3), np.uint8), StageClock(),
                                                             score_threshold=0.2)
    assert [d.label for d in low.detections] == ["a", "b"]


def test_outputs_in_another_layout_are_refused(tmp_path: Path) -> None:
    path = constant_model(tmp_path / "det.onnx", [1, 3, 8, 8], {"logits": np.zeros((1, 10), np.float32)})
    image = np.zeros((8, 8, 3), np.uint8)
    yolo = DetectYoloTask(card_for(tmp_path, "detect-yolo", {"size": [8, 8]}, {}), ModelSession(path, "cpu"))
    with pytest.raises(TaskError, match="not a YOLO layout"):
        yolo.run(image, StageClock())
    ssd = DetectSsdTask(card_for(tmp_path, "detect-ssd", {"size": [8, 8]}, {}), ModelSession(path, "cpu"))
    with pytest.raises(TaskError, match="not an SSD layout"):
        ssd.run(image, StageClock())
