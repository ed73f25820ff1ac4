"""Recognition on import: each family on tiny models with the right metadata or sibling files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.errors import ModelError
from desktop_app.core.models.recognize import model_file, recognise
from desktop_app.core.models.safe_literal import LiteralRefused, parse_literal
from tests.builders import add_one, mean_colour_classifier
from tests.core.models.user_model_builders import (
    const_model,
    optimum_detr_folder,
    optimum_image_folder,
    optimum_text_folder,
    ultralytics_model,
)

N = 84  # anchors of a 64×64 input (8² + 4² + 2²)


def test_ultralytics_detect(tmp_path: Path) -> None:
    path = ultralytics_model(tmp_path / "det.onnx", "detect", {"output0": np.zeros((1, 7, N))})
    found = recognise(path)
    assert found.family == "Ultralytics YOLO" and found.recognised and found.refused is None
    assert found.card["task"] == "detect"
    assert found.card["detect"] == {"output": "output0", "layout": "yolo"}
    image = found.card["image"]
    assert (image["size"], image["resize"], image["pad"], image["layout"]) == ([64, 64], "letterbox", 114, "NCHW")
    assert (image["mean"], image["std"], image["color"]) == (0, 255, "RGB")
    assert found.extra_files["labels.txt"].decode().split("\n")[:3] == ["circle", "square", "triangle"]
    assert found.summary == "Ultralytics YOLO detect, 3 classes from metadata, 64×64 letterbox"


def test_ultralytics_imgsz_is_height_then_width(tmp_path: Path) -> None:
    path = ultralytics_model(tmp_path / "det.onnx", "detect", {"output0": np.zeros((1, 7, N))}, imgsz="[32, 64]")
    assert recognise(path).card["image"]["size"] == [64, 32]


def test_ultralytics_end_to_end_rows(tmp_path: Path) -> None:
    path = ultralytics_model(tmp_path / "e2e.onnx", "detect", {"output0": np.zeros((1, 300, 6))})
    detect = recognise(path).card["detect"]
    assert detect["layout"] == "rows"
    assert detect["columns"] == ["x1", "y1", "x2", "y2", "score", "class"] and detect["coords"] == "pixels"


def test_ultralytics_segment_and_pose(tmp_path: Path) -> None:
    seg = ultralytics_model(tmp_path / "seg.onnx", "segment",
                            {"output0": np.zeros((1, 4 + 3 + 32, N)), "output1": np.zeros((1, 32, 16, 16))})
    card = recognise(seg).card
    assert card["task"] == "segment" and card["detect"]["layout"] == "yolo"
    assert card["segment"] == {"kind": "instance", "protos": "output1"}
    pose = ultralytics_model(tmp_path / "pose.onnx", "pose", {"output0": np.zeros((1, 4 + 1 + 17 * 3, N))},
                             names="{0: 'person'}", kpt_shape="[17, 3]")
    card = recognise(pose).card
    assert card["task"] == "pose" and card["detect"]["layout"] == "yolo"
    assert card["pose"] == {"layout": "yolo", "keypoints": 17, "dims": 3}


def test_ultralytics_classify_and_v5(tmp_path: Path) -> None:
    cls = ultralytics_model(tmp_path / "cls.onnx", "classify", {"output0": np.zeros((1, 3))}, imgsz="[32, 32]")
    card = recognise(cls).card
    assert card["task"] == "classify" and card["classify"]["activation"] == "none"
    assert (card["image"]["resize"], card["image"]["interpolation"]) == ("center-crop", "pil-bilinear")
    v5 = const_model(tmp_path / "v5.onnx", [1, 3, 64, 64], {"output": np.zeros((1, 252, 8))},
                     metadata={"stride": "32", "names": "{0: 'a', 1: 'b', 2: 'c'}"})
    assert recognise(v5).card["detect"]["layout"] == "yolov5"


def test_oriented_boxes_are_refused_with_a_reason(tmp_path: Path) -> None:
    path = ultralytics_model(tmp_path / "obb.onnx", "obb", {"output0": np.zeros((1, 8, N))})
    found = recognise(path)
    assert found.refused is not None and "oriented" in found.refused


def test_code_in_metadata_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    code = f"__import__('os').system('touch {marker}')"
    path = ultralytics_model(tmp_path / "evil.onnx", "detect", {"output0": np.zeros((1, 7, N))},
                             names=code, args=f"{{'nms': {code}}}", imgsz=code)
    found = recognise(path)
    assert not marker.exists()
    assert found.card["task"] == "detect" and "labels.txt" not in found.extra_files
    assert "refused" in found.summary and "names" in found.summary


@pytest.mark.parametrize("text", ["__import__('os')", "open('x')", "a.b", "{**x}", "[1, 2][0]", "lambda: 1",
                                  "f'{1}'", "1 + 2", "x" * 2_000_001])
def test_literal_parser_refuses_anything_but_literals(text: str) -> None:
    with pytest.raises(LiteralRefused):
        parse_literal(text)


def test_literal_parser_reads_plain_data() -> None:
    assert parse_literal("{0: 'a', 1: \"b\"}") == {0: "a", 1: "b"}
    assert parse_literal("[640, -1.5, True, None, (1, 2)]") == [640, -1.5, True, None, (1, 2)]


def test_optimum_image_classifier_folder(tmp_path: Path) -> None:
    folder = optimum_image_folder(tmp_path / "vit")
    found = recognise(folder)
    card = found.card
    assert card["task"] == "classify" and card["classify"] == {"output": "logits", "activation": "softmax"}
    image = card["image"]
    assert (image["size"], image["resize"], image["interpolation"]) == ([32, 32], "stretch", "pil-bicubic")
    assert image["mean"] == [127.5] * 3 and image["std"] == [127.5] * 3
    assert found.extra_files["labels.txt"] == b"cat\ndog\nbird\n"
    assert {"config.json", "preprocessor_config.json"} <= set(found.extra_files)
    assert "ViTForImageClassification" in found.summary


def test_optimum_crop_settings(tmp_path: Path) -> None:
    folder = optimum_image_folder(tmp_path / "resnet")
    (folder / "preprocessor_config.json").write_text(
        '{"size": {"shortest_edge": 36}, "do_center_crop": true, "crop_size": {"height": 32, "width": 32},'
        ' "resample": 2}', encoding="utf-8")
    image = recognise(folder).card["image"]
    assert (image["resize"], image["size"], image["crop_fraction"]) == ("center-crop", [32, 32], round(32 / 36, 6))
    assert image["interpolation"] == "pil-bilinear"


def test_optimum_detr_and_text(tmp_path: Path) -> None:
    detr = recognise(optimum_detr_folder(tmp_path / "detr")).card
    assert detr["task"] == "detect" and detr["detect"] == {"layout": "detr", "logits": "logits", "boxes": "pred_boxes"}
    found = recognise(optimum_text_folder(tmp_path / "text"))
    assert found.card["task"] == "text-classify"
    assert found.card["text"] == {"tokenizer": "tokenizer.json", "max_length": 8}
    assert "tokenizer.json" in found.extra_files and found.extra_files["labels.txt"] == b"NEGATIVE\nPOSITIVE\n"


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("config.json", "{not json", "config.json: malformed JSON"),
    ("config.json", "[1, 2]", "config.json: expected a JSON object"),
    ("preprocessor_config.json", '{"image_mean": "x"}', "preprocessor_config.json: 'image_mean'"),
    ("tokenizer.json", '{"model": 1}', "tokenizer.json: not a tokenizer file"),
])
def test_malformed_sibling_files_fail_in_one_line(tmp_path: Path, name: str, content: str, expected: str) -> None:
    folder = optimum_text_folder(tmp_path / "m") if name == "tokenizer.json" else optimum_image_folder(tmp_path / "m")
    (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        recognise(folder)
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)


def test_oversized_config_is_refused_before_reading(tmp_path: Path) -> None:
    folder = optimum_image_folder(tmp_path / "big")
    (folder / "config.json").write_text('{"a": "' + "x" * 1_100_000 + '"}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"^config.json: .* over the 1000000 byte limit"):
        recognise(folder)


def test_imagenet_classifiers(tmp_path: Path) -> None:
    nchw = const_model(tmp_path / "tv.onnx", [1, 3, 224, 224], {"logits": np.zeros((1, 1000))}, input_name="x")
    found = recognise(nchw)
    assert found.card["task"] == "classify" and found.family == "imagenet"
    assert found.card["image"]["layout"] == "NCHW" and found.card["image"]["mean"] == [123.675, 116.28, 103.53]
    labels = found.extra_files["labels.txt"].decode().splitlines()
    assert len(labels) == 1000 and labels[0] == "tench, Tinca tinca"
    nhwc = const_model(tmp_path / "keras.onnx", [1, 299, 299, 3], {"probs": np.zeros((1, 1001))}, input_name="x")
    found = recognise(nhwc)
    assert found.card["image"]["layout"] == "NHWC" and found.card["image"]["size"] == [299, 299]
    labels = found.extra_files["labels.txt"].decode().splitlines()
    assert len(labels) == 1001 and labels[:2] == ["background", "tench, Tinca tinca"]


def test_anything_else_is_raw_with_the_signature_prefilled(tmp_path: Path) -> None:
    found = recognise(const_model(tmp_path / "det.onnx", [1, 320, 320, 3], {"detections": np.zeros((1, 100, 6))},
                                  input_dtype="uint8"))
    assert not found.recognised and found.card["task"] == "raw"
    assert found.card["image"] == {"name": "images", "layout": "NHWC", "dtype": "uint8", "size": [320, 320]}
    assert "320×320 NHWC uint8" in found.summary and "describe" in found.summary
    plain = recognise(add_one(tmp_path / "plus.onnx"))
    assert plain.card == {"task": "raw"} and "no image input" in plain.summary
    small = recognise(mean_colour_classifier(tmp_path / "mean.onnx"))
    assert small.card["task"] == "raw" and small.card["image"]["size"] == [8, 8]


def test_folder_with_several_models_names_them(tmp_path: Path) -> None:
    add_one(tmp_path / "a.onnx")
    add_one(tmp_path / "b.onnx")
    with pytest.raises(ModelError, match="several .onnx files"):
        model_file(tmp_path)
    add_one(tmp_path / "model.onnx")
    assert model_file(tmp_path).name == "model.onnx"
