"""Batches without Qt: folder expansion, routing to models, progress maths, table cells and exports."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.core.batch import (
    BATCH_FACE_THRESHOLD,
    BatchProgress,
    BatchSummary,
    RateMeter,
    downscale,
    expand,
    format_duration,
    kind_for_path,
    plan_batch,
    rate_unit,
    route,
)
from desktop_app.core.batch_export import (
    CSV_COLUMNS,
    csv_row,
    export_error,
    export_results,
    result_label,
    result_score,
    result_tooltip,
    results_csv,
    results_json,
)
from desktop_app.core.errors import AppError
from desktop_app.core.results import (
    ClassificationResult,
    ClassScore,
    Detection,
    DetectionResult,
    Result,
    SpeechSegment,
    Timings,
    VadResult,
)
from desktop_app.core.serialize import result_to_dict
from desktop_app.core.settings import Settings
from tests.conftest import SAMPLES


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folders_expand_recursively_sorted_without_hidden_and_report_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "in"
    b = touch(root / "b.jpg")
    a = touch(root / "a.PNG")
    deep = touch(root / "sub" / "c.wav")
    touch(root / ".hidden.jpg")
    touch(root / ".cache" / "d.jpg")
    doc = touch(root / "notes.docx")
    loose = touch(tmp_path / "loose.docx")
    files, skipped = expand([root, loose])
    assert files == [a, b, deep, loose]  # a file dropped on its own is kept, supported or not
    assert skipped == [doc]


def test_routing_by_extension_and_image_task() -> None:
    settings = Settings()
    assert kind_for_path(Path("x.JPG")) == "image" and kind_for_path(Path("x.flac")) == "audio"
    assert kind_for_path(Path("x.csv")) == "table" and kind_for_path(Path("x.docx")) is None
    job = route(Path("/nowhere/x.docx"), settings, 3)
    assert job.index == 3 and job.error == "x.docx: not an image, audio or CSV file"
    assert job.error_result().error == job.error and not job.error_result().ok
    assert route(Path("/nowhere/x.jpg"), settings).error == "x.jpg: no such file"


def test_plan_uses_the_models_and_options_from_settings(tmp_path: Path) -> None:
    img, wav, table = touch(tmp_path / "a.jpg"), touch(tmp_path / "b.wav"), touch(tmp_path / "c.csv")
    plan = plan_batch([img, wav, table], Settings(top_k=3), first_index=10)
    assert [(j.index, j.kind, j.model_id) for j in plan.jobs] == [
        (10, "image", "efficientnet-lite0"), (11, "audio", "silero-vad"), (12, "table", "adult-income")]
    assert plan.jobs[0].options == {"top_k": 3}
    faces = plan_batch([img], replace(Settings(), image_task="detect-faces", emotion=False)).jobs[0]
    assert (faces.kind, faces.model_id) == ("detect", "centerface")
    assert faces.options == {"emotion": False, "score_threshold": BATCH_FACE_THRESHOLD}
    assert rate_unit(plan.jobs[:1]) == "img/s" and rate_unit(plan.jobs) == "files/s"


def test_rate_and_eta_and_progress_text() -> None:
    meter = RateMeter(500, window_s=5.0, start=0.0)
    assert meter.update(0, 0.5) == (None, None)
    rate, eta = meter.update(37, 0.9)
    assert rate == pytest.approx(41.11, abs=0.01) and eta == pytest.approx(463 / rate)
    text = meter.progress(37, "img/s", 0.9).text()
    assert text == "37 / 500 · 41.1 img/s · 0:11 left"
    # the window forgets old samples: a slowdown shows within a few seconds
    for t in range(1, 20):
        meter.update(37 + t, 0.9 + t)
    assert meter.update(56, 19.9)[0] == pytest.approx(1.0, abs=0.05)
    assert BatchProgress(500, 500, 40.0, 0.0, "img/s").text() == "500 / 500 · 40.0 img/s"
    assert BatchProgress(0, 10, None, None).text() == "0 / 10"
    assert format_duration(7.4) == "0:07" and format_duration(750) == "12:30" and format_duration(3723) == "1:02:03"


def test_summary_text() -> None:
    assert BatchSummary(12, 12, 12, 5, False, 3.2).text() == "Done: 12 files, 12 rows, 5 failed · 0:03"
    assert BatchSummary(200, 87, 87, 0, True, 2).text().startswith("Cancelled after 87 / 200 files")


def test_downscale_keeps_aspect_and_copies() -> None:
    image = np.zeros((300, 600, 3), np.uint8)
    small = downscale(image, 96)
    assert small.shape == (48, 96, 3) and small.dtype == np.uint8 and small.flags.c_contiguous
    same = downscale(image[:50, :80], 96)
    assert same.shape == (50, 80, 3) and not np.shares_memory(same, image)


def _results() -> list[Result]:
    top = (ClassScore(281, "tabby", 0.6), ClassScore(282, "tiger cat", 0.3))
    return [
        Result("a.jpg", True, "efficientnet-lite0", task="classify", timings=Timings(1.0, 2.0, 3.0, 4.5),
               payload=ClassificationResult(top, 1000)),
        Result("p.jpg", True, "centerface", task="detect-faces", payload=DetectionResult(
            (Detection((0, 0, 1, 1), 0.9, "face"), Detection((2, 2, 3, 3), 0.4, "face")), 10, 10)),
        Result("s.wav", True, "silero-vad", task="vad", payload=VadResult(
            (SpeechSegment(0.5, 1.5, 0.8),), (0.1, 0.9), 0.032, 2.0)),
        Result("t.csv", True, "adult-income", task="tabular", row=7, payload=ClassificationResult(
            (ClassScore(1, ">50K", 0.7), ClassScore(0, "<=50K", 0.3)), 2, true_label=">50K")),
        Result("x.docx", False, error="x.docx: not an image, audio or CSV file"),
    ]


def test_labels_scores_and_tooltips() -> None:
    results = _results()
    assert [result_label(r) for r in results] == ["tabby", "2 faces", "1 speech segment", "row 7: >50K", ""]
    assert [result_score(r) for r in results] == [0.6, 0.9, 0.8, 0.7, None]
    assert result_tooltip(results[0]) == "tabby: 0.600\ntiger cat: 0.300"
    assert "true label: >50K" in result_tooltip(results[3])
    assert result_tooltip(results[4]) == "x.docx: not an image, audio or CSV file"


def test_csv_and_json_exports_match_the_cli_shape(tmp_path: Path) -> None:
    results = _results()
    data = json.loads(results_json(results))
    assert data == [result_to_dict(r) for r in results]
    rows = list(csv.DictReader(io.StringIO(results_csv(results))))
    assert list(rows[0]) == list(CSV_COLUMNS) and len(rows) == len(results)
    assert rows[0]["top1_label"] == "tabby" and json.loads(rows[0]["topk"])[1]["label"] == "tiger cat"
    assert rows[0]["total_ms"] == "10.5" and rows[1]["detections"] == "2" and rows[2]["segments"] == "1"
    assert rows[3]["row"] == "7" and rows[4]["ok"] == "false" and rows[4]["error"].endswith("CSV file")
    assert csv_row(results[4])["top1_label"] == ""

    export_results(tmp_path / "out.json", results)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == data
    with pytest.raises(AppError, match="csv or .json"):
        export_results(tmp_path / "out.xlsx", results)
    blocker = touch(tmp_path / "file")
    with pytest.raises(OSError) as info:
        export_results(blocker / "out.csv", results)
    message = export_error(blocker / "out.csv", info.value)
    assert message.startswith("could not write") and "\n" not in message


def test_a_large_reduction_looks_like_a_plain_area_average() -> None:
    from desktop_app.core.media import load_image

    photo = load_image(SAMPLES / "coffee-cup.jpg")  # 600 x 400: more than 4x the thumbnail
    small = downscale(photo, 96)
    plain = cv2.resize(photo, (96, 64), interpolation=cv2.INTER_AREA)
    assert small.shape == plain.shape == (64, 96, 3) and small.flags.c_contiguous
    assert float(np.abs(small.astype(int) - plain.astype(int)).mean()) < 3.0


def test_text_files_go_to_the_chosen_text_model_else_are_read_as_csv(tmp_path: Path) -> None:
    note = touch(tmp_path / "review.txt")
    assert kind_for_path(note) == "text"
    job = route(note, Settings())
    assert job.kind == "table" and job.model_id == Settings().table_model and job.error is None
    job = route(note, Settings(text_model="my-bert"))
    assert job.kind == "text" and job.model_id == "my-bert" and job.error is None


def test_images_go_to_a_detect_segment_or_pose_image_model(tmp_path: Path) -> None:
    photo = touch(tmp_path / "street.jpg")
    for task in ("detect", "segment", "pose"):
        settings = Settings(image_task=task, image_model="my-model").validated()
        assert settings.image_task == task
        job = route(photo, settings)
        assert job.kind == "image" and job.model_id == "my-model" and job.error is None
    assert Settings(image_task="nonsense").validated().image_task == "classify"
