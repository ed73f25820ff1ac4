"""The live models on the command line, on the bundled sample photos: NanoDet boxes, MoveNet keypoints and
the selfie mask, JSON output, exit codes, and one clear line for a bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLES
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


def test_segment_with_the_selfie_model_masks_the_person(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "segment", str(PORTRAIT), "--model", "selfie-segmentation")
    assert code == 0 and item["ok"] and 0.3 < item["areas"]["person"] < 0.8
    code, (cup,) = run_json(capsys, "segment", str(COFFEE), "--model", "selfie-segmentation")
    assert code == 0 and cup["areas"].get("person", 0.0) < item["areas"]["person"] / 2


def test_a_bad_picture_gives_one_line_and_a_nonzero_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not a jpeg")
    code, items = run_json(capsys, "detect", str(broken), str(COFFEE), "--model", "nanodet")
    assert code != 0
    bad, good = items
    assert not bad["ok"] and bad["error"] and "\n" not in bad["error"]
    assert good["ok"] and good["detections"]  # the other file of the batch still finished
