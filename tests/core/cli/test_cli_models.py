"""`models import` with flags, `models edit`, the new run commands and their one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from desktop_app.cli import main
from desktop_app.core.paths import UserDirs
from tests.builders import add_one
from tests.core.models.user_model_builders import (
    const_model,
    int_nhwc_classifier,
    optimum_text_folder,
    ultralytics_model,
)

ROWS = np.array([[[8, 8, 24, 24, 0.9, 1], [30, 30, 60, 60, 0.8, 2], [0, 0, 5, 5, 0.1, 0]]], dtype=np.float32)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = main([*argv, "--json"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, [json.loads(line) for line in lines]


def picture(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (128, 128)) -> Path:
    image = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    image[:] = rgb[::-1]  # OpenCV writes BGR
    cv2.imwrite(str(path), image)
    return path


def labels_file(path: Path, names: list[str]) -> Path:
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return path


ROWS_FLAGS = ("--set", "detect.layout=rows", "--set", 'detect.columns=["x1","y1","x2","y2","score","class"]',
              "--set", "detect.coords=pixels")


def import_rows_detector(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         *detect_flags: str) -> tuple[int, dict[str, Any]]:
    model = const_model(tmp_path / "detector.onnx", [1, 64, 64, 3], {"detections": ROWS}, input_dtype="uint8")
    labels = labels_file(tmp_path / "coco-labels.txt", ["cat", "dog", "bird"])
    code, (item,) = run_json(
        capsys, "models", "import", str(model), "--id", "coco-detector", "--task", "detect", "--size", "64x64",
        "--layout", "NHWC", "--dtype", "uint8", "--scale", "0-255", "--resize", "letterbox", "--labels", str(labels),
        "--set", "thresholds.score=0.4", *(detect_flags or ROWS_FLAGS))
    return code, item


def test_rows_detector_described_with_flags_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, item = import_rows_detector(tmp_path, capsys)
    assert code == 0 and item["ok"], item
    assert item["task"] == "detect" and "given: " in item["recognised"]
    code, (found,) = run_json(capsys, "detect", str(picture(tmp_path / "photo.png", (90, 90, 90))),
                              "--model", "coco-detector")
    assert code == 0 and found["ok"], found
    boxes = sorted(found["detections"], key=lambda d: d["score"], reverse=True)
    assert [d["label"] for d in boxes] == ["dog", "bird"]  # the 0.1 row is under the 0.4 threshold
    assert boxes[0]["box"] == pytest.approx([16, 16, 48, 48], abs=0.01)  # 64 → 128 pixels: twice as large
    assert boxes[1]["box"] == pytest.approx([60, 60, 120, 120], abs=0.01)


def test_nhwc_int32_classifier_described_with_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = int_nhwc_classifier(tmp_path / "colours.onnx")
    labels = labels_file(tmp_path / "labels.txt", ["red", "green", "blue"])
    code, (item,) = run_json(capsys, "models", "import", str(model), "--id", "colours", "--task", "classify",
                             "--size", "8x8", "--layout", "NHWC", "--dtype", "int32", "--scale", "0-255",
                             "--labels", str(labels), "--set", "classify.activation=softmax")
    assert code == 0 and item["ok"], item
    for colour, expected in (((230, 20, 20), "red"), ((20, 20, 230), "blue")):
        path = picture(tmp_path / f"{expected}.png", colour)
        code, (result,) = run_json(capsys, "classify", str(path), "--model", "colours", "--top-k", "1")
        assert code == 0 and result["top"][0]["label"] == expected, result


@pytest.mark.parametrize(("flags", "field"), [
    (["--dtype", "float32"], "dtype"),
    (["--labels", "two-labels.txt"], "label"),
    (["--set", "classify.output=missing"], "output"),
])
def test_wrong_descriptions_fail_in_one_line_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              flags: list[str], field: str) -> None:
    model = int_nhwc_classifier(tmp_path / "colours.onnx")
    labels_file(tmp_path / "two-labels.txt", ["red", "green"])
    flags = [str(tmp_path / f) if f.endswith(".txt") else f for f in flags]
    code, (item,) = run_json(capsys, "models", "import", str(model), "--id", "wrong", "--task", "classify",
                             "--size", "8x8", "--layout", "NHWC", "--dtype", "int32", *flags)
    assert code == 0, item
    code, (result,) = run_json(capsys, "classify", str(picture(tmp_path / "p.png", (1, 2, 3))), "--model", "wrong")
    assert code == 1 and not result["ok"]
    assert field in result["error"] and "\n" not in result["error"]


def test_wrong_detect_layout_fails_naming_the_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, item = import_rows_detector(tmp_path, capsys, "--set", "detect.layout=yolo")  # [1,3,6] is no yolo grid
    assert code == 0, item
    code, (result,) = run_json(capsys, "detect", str(picture(tmp_path / "p.png", (9, 9, 9))), "--model",
                               "coco-detector")
    assert code == 1 and "layout" in result["error"] and "\n" not in result["error"]


def test_recognised_import_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran.txt"
    model = ultralytics_model(tmp_path / "yolo.onnx", "detect", {"output0": np.zeros((1, 7, 84))},
                              args=f"{{'nms': __import__('os').system('touch {marker}')}}")
    assert main(["models", "import", str(model)]) == 0
    out = capsys.readouterr().out
    assert "imported as yolo (detect)" in out
    assert "Ultralytics YOLO detect, 3 classes from metadata, 64×64 letterbox" in out
    assert not marker.exists()


def test_import_refuses_oriented_boxes_unless_described(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = ultralytics_model(tmp_path / "obb.onnx", "obb", {"output0": np.zeros((1, 8, 84))})
    code, (item,) = run_json(capsys, "models", "import", str(model))
    assert code == 1 and "oriented-box (obb)" in item["error"]
    code, (item,) = run_json(capsys, "models", "import", str(model), "--task", "raw")
    assert code == 0 and item["task"] == "raw"


def test_models_edit_sets_fields_and_refuses_bad_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "models", "import", str(int_nhwc_classifier(tmp_path / "m.onnx")), "--id", "m")
    code, (item,) = run_json(capsys, "models", "edit", "m", "--set", "task=classify", "--set", "image.size=[8,8]",
                             "--set", "image.layout=NHWC", "--set", "image.dtype=int32", "--set",
                             "thresholds.score=0.5", "--set", 'labels=["r","g","b"]')
    assert code == 0 and item["ok"] and item["task"] == "classify", item
    card = (UserDirs.default().models / "m" / "model.toml").read_text(encoding="utf-8")
    assert "score = 0.5" in card and 'layout = "NHWC"' in card
    code, (item,) = run_json(capsys, "models", "edit", "m", "--set", "image.layout=sideways")
    assert code == 1 and "'layout' is 'sideways'" in item["error"]
    assert (UserDirs.default().models / "m" / "model.toml").read_text(encoding="utf-8") == card  # untouched
    code, (item,) = run_json(capsys, "models", "edit", "m", "--set", "sha256=00")
    assert code == 1 and "sha256" in item["error"]
    code, (item,) = run_json(capsys, "models", "edit", "efficientnet-lite0", "--set", "thresholds.score=0.5")
    assert code == 1 and "ships with the app" in item["error"]


def test_broken_card_reports_its_own_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "models", "import", str(add_one(tmp_path / "centernet.onnx")))
    toml = UserDirs.default().models / "centernet" / "model.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('task = "raw"', 'task = "detection"'), encoding="utf-8")
    code, (item,) = run_json(capsys, "detect", str(tmp_path / "x.jpg"), "--model", "centernet")
    assert code == 1 and "no model with id" not in item["error"]
    assert "'task' is 'detection'" in item["error"] and "centernet" in item["error"]
    code, (item,) = run_json(capsys, "models", "edit", "centernet", "--set", "task=raw")  # fixable from the CLI
    assert code == 0 and item["task"] == "raw"


def test_run_commands_refuse_a_model_of_another_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "segment", str(tmp_path / "x.jpg"), "--model", "efficientnet-lite0")
    assert code == 1 and "is a classify model" in item["error"] and "desktop-app classify" in item["error"]


def test_classify_a_text_file_with_a_text_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "models", "import", str(optimum_text_folder(tmp_path / "sentiment")))
    assert code == 0 and item["task"] == "text-classify" and "text classification" in item["recognised"]
    review = tmp_path / "review.txt"
    review.write_text("good good movie", encoding="utf-8")
    code, (result,) = run_json(capsys, "classify", str(review), "--model", "sentiment")
    assert code == 0 and result["top"][0]["label"] == "POSITIVE"


def test_onnx_runtime_errors_are_shown_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "models", "import", str(add_one(tmp_path / "fixed.onnx", [1, 4])))
    tensor = tmp_path / "wrong.npy"
    np.save(tensor, np.zeros((1, 8), dtype=np.float32))
    code, (item,) = run_json(capsys, "raw", "fixed", str(tensor))
    assert code == 1 and "Got: 8 Expected: 4" in item["error"] and "\n" not in item["error"]
