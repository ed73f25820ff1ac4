"""Result views: one page per payload type, header with model/provider/timings, errors inline, the
detection slider filtering live, previews mapped to original coordinates, screenshots for review."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop_app.core.media.image import load_image
from desktop_app.core.results import (
    ClassificationResult,
    ClassScore,
    Detection,
    DetectionResult,
    RawResult,
    Result,
    SpeechSegment,
    TensorSummary,
    Timings,
    VadResult,
)
from desktop_app.core.runtime.session import ProviderReport
from desktop_app.core.tasks import TASKS
from desktop_app.qt.results.qt_classification_view import QtClassificationView, QtTabularView
from desktop_app.qt.results.qt_detection_view import QtDetectionView
from desktop_app.qt.results.qt_image import qimage_from_array
from desktop_app.qt.results.qt_payload_view import QtPayloadView
from desktop_app.qt.results.qt_raw_view import QtRawView
from desktop_app.qt.results.qt_result_view import PAGE_FOR_PAYLOAD, QtResultView, page_name
from desktop_app.qt.results.qt_vad_view import QtVadView

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
SHOTS = ROOT / "build" / "screenshots"
CPU = ProviderReport("auto", ("CPUExecutionProvider",), ("CPUExecutionProvider",), None)
TIMINGS = Timings(3.1, 2.0, 41.3, 0.2)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):  # type: ignore[no-untyped-def]
    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices

    return AppServices.create(UserDirs.under(tmp_path_factory.mktemp("home"))).pipeline


@pytest.fixture
def view(qtbot):  # type: ignore[no-untyped-def]
    widget = QtResultView()
    qtbot.addWidget(widget)
    widget.resize(560, 680)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _distinct_colours(image: QImage) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), 11) for y in range(0, image.height(), 7)})


def _face(score: float, box: tuple[float, float, float, float] = (100, 80, 200, 220)) -> Detection:
    x1, y1, x2, y2 = box
    marks = ((x1 + 30, y1 + 50), (x2 - 30, y1 + 50), ((x1 + x2) / 2, y1 + 80), (x1 + 35, y2 - 30), (x2 - 35, y2 - 30))
    return Detection(box=box, score=score, label="face", landmarks=marks, emotion=ClassScore(3, "happy", 0.98))


def _detections(*scores: float, width: int = 400, height: int = 300) -> Result:
    dets = tuple(_face(s, (20 + 120 * i, 40, 110 + 120 * i, 160)) for i, s in enumerate(scores))
    return Result("faces.jpg", True, "centerface", provider=CPU, timings=TIMINGS,
                  payload=DetectionResult(dets, width, height), task="detect-faces")


def test_classification_on_the_cat_shows_the_top_label(view, pipeline, qtbot) -> None:  # type: ignore[no-untyped-def]
    (result,) = pipeline.run_path(SAMPLES / "cat-chelsea.jpg", "efficientnet-lite0")
    assert result.ok, result.error
    view.show_result(result, load_image(SAMPLES / "cat-chelsea.jpg"))
    assert view.current_page == "classification"
    page = view.page_view(QtClassificationView)
    assert page.top_label.text().startswith(result.payload.best.label)
    assert [label for label, _ in page.bars.rows()] == [s.label for s in result.payload.top]
    assert page.canvas.isVisible() and page.canvas.has_image()
    assert "cat-chelsea.jpg" in view.header.source_label.text()
    assert "efficientnet-lite0" in view.header.model_label.text()
    assert view.header.timings_label.text().startswith("decode ") and "infer" in view.header.timings_label.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = view.grab()
    assert shot.save(str(SHOTS / "result-classification-cat.png"))
    assert _distinct_colours(shot.toImage()) > 20


def test_classification_by_hand_shows_bars_and_true_label(view) -> None:  # type: ignore[no-untyped-def]
    top = (ClassScore(1, "dog", 0.7), ClassScore(0, "cat", 0.3))
    result = Result("pet.png", True, "m", timings=TIMINGS, payload=ClassificationResult(top, 2, true_label="cat"))
    view.show_result(result, np.zeros((40, 60, 3), np.uint8))
    page = view.page_view(QtClassificationView)
    assert page.top_label.text() == "dog — 70.0%"
    assert page.bars.rows() == [("dog", "70.0%"), ("cat", "30.0%")]
    assert "cat" in page.truth_label.text() and "✗" in page.truth_label.text()
    assert view.header.timings_label.text() == "decode 3.1 · pre 2.0 · infer 41.3 · post 0.2 ms"


def test_tabular_row_shows_prediction_true_label_and_row(view, pipeline) -> None:  # type: ignore[no-untyped-def]
    results = pipeline.run_path(SAMPLES / "adult-test-sample.csv", "adult-income")
    result = results[0]
    view.show_result(result, None)
    assert view.current_page == "tabular"
    assert view.page_view(QtTabularView).predicted_label.text().startswith(f"Predicted: {result.payload.best.label}")
    assert result.payload.true_label in view.page_view(QtTabularView).truth_label.text()
    assert "✓" in view.page_view(QtTabularView).truth_label.text() or "✗" in view.page_view(QtTabularView).truth_label.text()
    assert view.header.source_label.text() == "adult-test-sample.csv · row 1"
    assert len(view.page_view(QtTabularView).bars.rows()) == 2


def test_detection_slider_filters_the_astronaut_face(view, pipeline, qtbot) -> None:  # type: ignore[no-untyped-def]
    (result,) = pipeline.run_path(SAMPLES / "portrait-astronaut.jpg", "centerface", emotion=True)
    assert result.ok, result.error
    (face,) = result.payload.detections
    assert face.score == pytest.approx(0.93, abs=0.01) and face.emotion is not None
    view.show_result(result, load_image(SAMPLES / "portrait-astronaut.jpg"))
    page = view.page_view(QtDetectionView)
    assert view.current_page == "detection"
    assert page.threshold == 0.5 and page.count_label.text() == "1 of 1 face above 0.50"
    page.set_threshold(0.95)
    assert page.canvas.visible_detections() == []
    assert page.count_label.text() == "0 of 1 face above 0.95"
    page.set_threshold(0.5)
    assert page.canvas.visible_detections() == [face]
    assert page.count_label.text() == "1 of 1 face above 0.50"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = view.grab()
    assert shot.save(str(SHOTS / "result-detection-portrait.png"))
    assert _distinct_colours(shot.toImage()) > 20


def test_detection_count_and_keyboard_slider(view, qtbot) -> None:  # type: ignore[no-untyped-def]
    view.show_result(_detections(0.93, 0.6, 0.3), np.full((300, 400, 3), 120, np.uint8))
    page = view.page_view(QtDetectionView)
    page.set_threshold(0.5)
    assert page.count_label.text() == "2 of 3 faces above 0.50"
    page.slider.setFocus()
    qtbot.keyClick(page.slider, Qt.Key.Key_PageUp)  # +0.05
    qtbot.keyClick(page.slider, Qt.Key.Key_Right)  # +0.01
    assert page.threshold == pytest.approx(0.56)
    assert page.count_label.text() == "2 of 3 faces above 0.56"
    for _ in range(5):
        qtbot.keyClick(page.slider, Qt.Key.Key_PageUp)
    assert page.count_label.text() == "1 of 3 faces above 0.81"
    qtbot.keyClick(page.slider, Qt.Key.Key_End)
    assert page.threshold == 1.0 and page.count_label.text() == "0 of 3 faces above 1.00"
    qtbot.keyClick(page.slider, Qt.Key.Key_Home)
    assert page.threshold == 0.05 and page.count_label.text() == "3 of 3 faces above 0.05"
    assert page.slider.accessibleName()


def test_detection_toggles_switch_layers(view) -> None:  # type: ignore[no-untyped-def]
    view.show_result(_detections(0.9), np.full((300, 400, 3), 200, np.uint8))
    page = view.page_view(QtDetectionView)
    page.landmarks_check.setChecked(False)
    page.labels_check.setChecked(False)
    assert page.canvas.show_boxes and not page.canvas.show_landmarks and not page.canvas.show_labels
    boxes_only = page.canvas.grab().toImage()
    page.boxes_check.setChecked(False)
    assert page.canvas.grab().toImage() != boxes_only  # the box is gone from the picture


def test_downscaled_preview_maps_boxes_like_the_original(view) -> None:  # type: ignore[no-untyped-def]
    result = _detections(0.9, width=800, height=600)
    canvas = view.page_view(QtDetectionView).canvas
    view.show_result(result, np.zeros((600, 800, 3), np.uint8))
    full_rect = canvas.box_rect(result.payload.detections[0])
    view.show_result(result, np.zeros((150, 200, 3), np.uint8))  # a quarter-size preview
    preview_rect = canvas.box_rect(result.payload.detections[0])
    assert preview_rect == full_rect
    image_rect = canvas.image_rect()
    x1, y1, x2, y2 = result.payload.detections[0].box
    scale = image_rect.width() / 800
    assert image_rect.height() / 600 == pytest.approx(scale)
    assert preview_rect.left() == pytest.approx(image_rect.left() + x1 * scale)
    assert preview_rect.top() == pytest.approx(image_rect.top() + y1 * scale)
    assert preview_rect.width() == pytest.approx((x2 - x1) * scale)
    canvas_width = canvas.width()
    view.resize(view.width() + 200, view.height())  # boxes follow the window
    view.layout().activate()
    if canvas.width() != canvas_width:
        assert canvas.box_rect(result.payload.detections[0]) != preview_rect


def test_error_result_shows_its_message_inline(view) -> None:  # type: ignore[no-untyped-def]
    result = Result("broken.jpg", False, "efficientnet-lite0", error="broken.jpg is not an image this app can read")
    view.show_result(result, None)
    assert view.current_page == "error"
    assert view.error_label.text() == "broken.jpg is not an image this app can read"
    assert view.error_label.wordWrap()
    assert view.error_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert "broken.jpg" in view.header.source_label.text()
    leaked = Result("x.wav", False, error='Traceback (most recent call last):\n  File "x"\nValueError: bad rate')
    view.show_result(leaked, None)
    assert view.error_label.text() == "ValueError: bad rate"


def test_provider_fallback_is_shown_with_its_reason(view) -> None:  # type: ignore[no-untyped-def]
    report = ProviderReport("cuda", ("CUDAExecutionProvider", "CPUExecutionProvider"), ("CPUExecutionProvider",),
                            "CUDA was requested but the session runs on CPU: no GPU")
    payload = ClassificationResult((ClassScore(0, "a", 1.0),), 1)
    view.show_result(Result("a.png", True, "m", provider=report, timings=TIMINGS, payload=payload), None)
    assert "⚠" in view.header.model_label.text() and "CPU" in view.header.model_label.text()
    assert view.header.fallback_label.isVisible()
    assert "no GPU" in view.header.fallback_label.text()
    assert not view.page_view(QtClassificationView).canvas.isVisible()  # no picture -> no empty picture box


def test_vad_result_lists_its_segments(view) -> None:  # type: ignore[no-untyped-def]
    segments = (SpeechSegment(0.99, 4.09, 0.91), SpeechSegment(5.5, 7.5, 0.9), SpeechSegment(7.6, 9.1, 0.87))
    probs = tuple(0.95 if any(s.start_s <= i * 0.032 <= s.end_s for s in segments) else 0.02 for i in range(320))
    result = Result("speech.wav", True, "silero-vad", provider=CPU, timings=TIMINGS,
                    payload=VadResult(segments, probs, 0.032, 10.24), task="vad")
    view.show_result(result, None)
    page = view.page_view(QtVadView)
    assert view.current_page == "vad"
    assert page.table.rowCount() == 3
    assert [page.table.item(r, 1).text() for r in range(3)] == ["0.99 s", "5.50 s", "7.60 s"]
    assert page.table.item(0, 2).text() == "4.09 s"
    assert page.summary_label.text().startswith("3 speech segments")
    assert _distinct_colours(page.timeline.grab().toImage()) > 3


def test_raw_result_shows_the_tensor_rows(view) -> None:  # type: ignore[no-untyped-def]
    inputs = (TensorSummary("input", "float32", (1, 3, 224, 224), -1.0, 1.0, 0.01, 0.5, (0.1, 0.2)),)
    outputs = (TensorSummary("logits", "float32", (1, 1000), -5.5, 12.25, 0.0, 2.0, (1.5, -2.0, 3.25)),
               TensorSummary("label", "string", (1,), None, None, None, None))
    view.show_result(Result("x.png", True, "raw-model", payload=RawResult(inputs, outputs), task="raw"), None)
    table = view.page_view(QtRawView).table
    assert view.current_page == "raw"
    assert table.rowCount() == 3
    assert [table.item(r, 1).text() for r in range(3)] == ["input", "logits", "label"]
    assert [table.item(r, 0).text() for r in range(3)] == ["input", "output", "output"]
    assert table.item(1, 3).text() == "[1, 1000]"
    assert table.item(1, 5).text() == "12.25"
    assert table.item(1, 8).text() == "1.5, -2, 3.25"
    assert table.item(2, 4).text() == "—"


@pytest.mark.parametrize("kind", ["classification", "detection", "vad", "raw", "error"])
def test_every_page_grabs_as_a_real_picture(view, kind: str) -> None:  # type: ignore[no-untyped-def]
    image = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    results = {
        "classification": Result("a.png", True, "m", payload=ClassificationResult((ClassScore(0, "a", 0.6),), 3)),
        "detection": _detections(0.9, width=160, height=120),
        "vad": Result("a.wav", True, "v", payload=VadResult((SpeechSegment(0.2, 0.6, 0.9),), (0.1, 0.9, 0.8, 0.1),
                                                             0.25, 1.0)),
        "raw": Result("a.png", True, "r", payload=RawResult((), (TensorSummary("y", "float32", (2,), 0, 1, 0.5, 0.5),))),
        "error": Result("a.png", False, "m", error="the file is empty"),
    }
    view.show_result(results[kind], image)
    assert view.current_page == kind
    assert _distinct_colours(view.grab().toImage()) > 3


def test_every_registered_payload_type_has_a_page(view) -> None:  # type: ignore[no-untyped-def]
    payload_types = {cls.payload_type for cls in TASKS.values()}
    assert payload_types <= set(PAGE_FOR_PAYLOAD), "a new payload class needs a view in PAYLOAD_VIEWS"
    for name, page in view.views.items():
        assert isinstance(page, QtPayloadView) and page.page == name
        assert view.pages[name] is page


def test_csv_rows_go_to_the_row_page_and_files_to_the_payload_page() -> None:
    payload = ClassificationResult((ClassScore(1, ">50K", 0.7),), 2, true_label=">50K")
    assert page_name(Result("adult.csv", True, "m", payload=payload, row=3, task="tabular")) == "tabular"
    assert page_name(Result("cat.png", True, "m", payload=payload, task="classify")) == "classification"
    assert page_name(Result("cat.png", True, "m", payload=None, task="classify")) == "empty"


def test_numpy_pixels_are_copied_into_the_qimage() -> None:
    pixels = np.zeros((4, 5, 3), np.uint8)
    pixels[0, 0] = (255, 0, 0)
    image = qimage_from_array(pixels[:, :, :])
    pixels[:] = 7
    del pixels
    assert (image.width(), image.height()) == (5, 4)
    assert image.pixelColor(0, 0).red() == 255 and image.pixelColor(1, 0).red() == 0
    with pytest.raises(ValueError):
        qimage_from_array(np.zeros((4, 5, 3), np.float32))


# -- segmentation, pose, multi-head ------------------------------------------------------------------

def _grey(width: int = 400, height: int = 300) -> np.ndarray:
    return np.full((height, width, 3), 120, np.uint8)


def test_segmentation_page_shows_masks_over_the_picture_and_the_area_table(view) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.payloads.segmentation import SegmentationResult, SegmentInstance
    from desktop_app.qt.results.qt_segmentation_view import QtSegmentationView

    mask = np.ones((100, 100), bool)
    payload = SegmentationResult((SegmentInstance((50, 50, 150, 150), 0.9, "blob", mask, (50, 50), 1),), None,
                                 ("bg", "blob"), (("blob", 1 / 12),), 400, 300)
    view.show_result(Result("blob.png", True, "seg", provider=CPU, timings=TIMINGS, payload=payload, task="segment"),
                     _grey(200, 150))  # a half-size preview
    assert view.current_page == "segmentation"
    page = view.page_view(QtSegmentationView)
    assert page.count_label.text() == "1 object: blob 0.90"
    assert page.areas.rowCount() == 1 and page.areas.item(0, 0).text() == "blob"
    assert page.areas.item(0, 1).text() == "8.3%"
    assert page.canvas.isVisible() and _distinct_colours(page.canvas.grab().toImage()) > 2  # grey + mask + edge


def test_semantic_segmentation_lists_class_shares_without_a_picture(view) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.payloads.segmentation import SegmentationResult
    from desktop_app.qt.results.qt_segmentation_view import QtSegmentationView

    classes = np.zeros((30, 40), np.int64)
    payload = SegmentationResult((), classes, ("sky", "road"), (("sky", 0.7), ("road", 0.3)), 40, 30)
    view.show_result(Result("road.png", True, "seg", provider=CPU, timings=TIMINGS, payload=payload, task="segment"))
    page = view.page_view(QtSegmentationView)
    assert page.count_label.text() == "2 classes in the picture" and not page.canvas.isVisible()
    assert [page.areas.item(r, 1).text() for r in range(2)] == ["70.0%", "30.0%"]


def test_pose_page_lists_every_keypoint_and_marks_hidden_ones(view) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.payloads.pose import Keypoint, PosedPerson, PoseResult
    from desktop_app.qt.results.qt_pose_view import QtPoseView

    person = PosedPerson((100, 50, 300, 280), 0.8, "person", (Keypoint(200, 80, 0.9), Keypoint(150, 200, 0.2)))
    payload = PoseResult((person,), ((0, 1),), ("nose", "left hip"), 0.5, 400, 300)
    view.show_result(Result("p.png", True, "pose", provider=CPU, timings=TIMINGS, payload=payload, task="pose"), _grey())
    assert view.current_page == "pose"
    page = view.page_view(QtPoseView)
    table = page.keypoints
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in range(5)] == ["person 1", "nose", "200", "80", "0.90"]
    assert table.item(1, 4).text() == "0.20 (hidden)"
    assert page.count_label.text().startswith("1 person")


def test_multi_head_page_shows_every_head(view) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.payloads.classification import MultiHeadResult
    from desktop_app.qt.results.qt_multihead_view import QtMultiHeadView

    heads = (("age", ClassificationResult((ClassScore(2, "adult", 0.7), ClassScore(1, "teen", 0.2)), 4)),
             ("gender", ClassificationResult((ClassScore(0, "female", 0.6),), 2)))
    result = Result("f.png", True, "attrs", provider=CPU, timings=TIMINGS, payload=MultiHeadResult(heads),
                    task="classify")
    view.show_result(result, _grey())
    assert view.current_page == "multihead"
    page = view.page_view(QtMultiHeadView)
    assert [label.text() for label, _ in page.head_widgets] == ["age: adult — 70.0%", "gender: female — 60.0%"]
    assert [len(bars.rows()) for _, bars in page.head_widgets] == [2, 1]
    view.show_result(result, _grey())  # shown again: the heads are rebuilt, not added twice
    assert len(page.head_widgets) == 2


def test_object_detections_show_their_class_labels(view) -> None:  # type: ignore[no-untyped-def]
    dets = (Detection((20, 20, 120, 120), 0.9, "car"), Detection((200, 100, 300, 200), 0.8, "bus"))
    view.show_result(Result("street.png", True, "det", provider=CPU, timings=TIMINGS,
                            payload=DetectionResult(dets, 400, 300), task="detect"), _grey())
    page = view.page_view(QtDetectionView)
    assert page.canvas.accessibleDescription() == "car 0.90; bus 0.80"
    assert page.count_label.text() == "2 of 2 detections above 0.50"
