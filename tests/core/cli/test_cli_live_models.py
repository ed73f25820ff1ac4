"""The live models on the command line, on the bundled sample photos: NanoDet boxes, MoveNet keypoints and
the selfie mask (the keypoints and the mask's area checked against the TensorFlow originals), JSON output, exit
codes, and one clear line for a bad input (a bad file, a model of another task, an unknown model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from desktop_app.cli import main
from tests.conftest import REFERENCE, SAMPLES
from tests.core.cli.test_cli import run_json

PORTRAIT, COFFEE, CAT = SAMPLES / "portrait-astronaut.jpg", SAMPLES / "coffee-cup.jpg", SAMPLES / "cat-chelsea.jpg"


def test_detect_with_nanodet_finds_person_cup_and_cat(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = run_json(capsys, "detect", str(PORTRAIT), str(COFFEE), str(CAT), "--model", "nanodet")
    assert code == 0 and [i["model"] for i in items] == ["nanodet"] * 3 and all(i["ok"] for i in items)
    labels = [[d["label"] for d in sorted(i["detections"], key=lambda d: -d["score"])] for i in items]
    assert labels[0][0] == "person"
    assert "cup" in labels[1]
    assert "cat" in labels[2][:3]
    person = items[0]["detections"][0]
    x1, y1, x2, y2 = person["box"]
    assert 0 <= x1 < x2 <= 512 and 0 <= y1 < y2 <= 512 and (x2 - x1) * (y2 - y1) > 0.3 * 512 * 512


def test_pose_with_movenet_places_the_face_keypoints(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "pose", str(PORTRAIT), "--model", "movenet-lightning")
    assert code == 0 and item["ok"]
    names = item["keypoint_names"]
    (person,) = item["people"]
    points = dict(zip(names, person["keypoints"], strict=True))
    for name in ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder"):
        assert points[name][2] >= 0.5, name
    assert points["left_eye"][1] < points["nose"][1] < points["left_shoulder"][1]  # eyes above nose above shoulders
    want = json.loads((REFERENCE / "human-models.json").read_text())["keypoints"]["portrait-astronaut"]
    off = {name: float(np.hypot(points[name][0] - want[i][0], points[name][1] - want[i][1]))
           for i, name in enumerate(names) if name in ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder")}
    print("movenet on the CLI, px from the TensorFlow keypoints:", {k: round(v, 2) for k, v in off.items()})
    assert len(off) == 5 and max(off.values()) <= 10.0


def test_segment_with_the_selfie_model_masks_the_person(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "segment", str(PORTRAIT), "--model", "selfie-segmentation")
    assert code == 0 and item["ok"] and 0.3 < item["areas"]["person"] < 0.8
    packed = np.load(REFERENCE / "human-models.npz")["selfie-segmentation/portrait-astronaut/reference_mask"]
    width, height = item["image_size"]
    reference = float(np.unpackbits(packed)[: width * height].mean())  # the TensorFlow mask's share of the portrait
    assert abs(item["areas"]["person"] - reference) < 0.03
    code, (cup,) = run_json(capsys, "segment", str(COFFEE), "--model", "selfie-segmentation")
    assert code == 0 and cup["areas"].get("person", 0.0) < item["areas"]["person"] / 2
    print(f"selfie mask on the CLI: person {item['areas']['person']:.3f} of the portrait, TensorFlow's {reference:.3f}")


def test_a_bad_picture_gives_one_line_and_a_nonzero_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not a jpeg")
    code, items = run_json(capsys, "detect", str(broken), str(COFFEE), "--model", "nanodet")
    assert code != 0
    bad, good = items
    assert not bad["ok"] and bad["error"] and "\n" not in bad["error"]
    assert good["ok"] and good["detections"]  # the other file of the batch still finished


@pytest.mark.parametrize("argv", [["pose", str(COFFEE), "--model", "nanodet"],  # a model of another task
                                  ["segment", str(COFFEE), "--model", "no-such-model"],
                                  ["detect", "missing-photo.jpg", "--model", "nanodet"]])
def test_bad_input_in_plain_text_is_one_line_and_a_nonzero_exit(capsys: pytest.CaptureFixture[str],
                                                                 argv: list[str]) -> None:
    code = main(argv)
    captured = capsys.readouterr()
    lines = [line for line in (captured.out + captured.err).splitlines() if line.strip()]
    print(f"exit {code}: {lines}")
    assert code != 0 and len(lines) == 1 and "Traceback" not in lines[0]
    assert any(word in lines[0] for word in ("nanodet", "no-such-model", "missing-photo.jpg"))


def test_a_model_of_another_task_fails_in_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "detect", str(PORTRAIT), "--model", "movenet-lightning")
    assert code != 0 and not item["ok"] and "movenet-lightning" in item["error"] and "pose" in item["error"]
