"""The live models on photos dropped on the Files panel, in the real window: each is chosen the way a person
does (Models dock, "Use for images"), the astronaut portrait is dropped, and the result pane draws NanoDet's
person box, MoveNet's skeleton and the selfie mask where the model put them; the boxes' classes and scores
and the "people in frame" group reach the monitor, from dropped photos and from the camera alike."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtGui import QImage

from desktop_app.core.render.sketch import colour_for
from desktop_app.core.results import DetectionResult, PoseResult, Result, SegmentationResult
from desktop_app.qt.results.qt_detection_view import QtDetectionView
from desktop_app.qt.results.qt_image import QtImageCanvas
from desktop_app.qt.results.qt_pose_view import QtPoseView
from desktop_app.qt.results.qt_segmentation_view import QtSegmentationView
from tests.qt.test_files_panel import drop_and_wait

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
PORTRAIT, COFFEE = SAMPLES / "portrait-astronaut.jpg", SAMPLES / "coffee-cup.jpg"
WAIT_MS = 60_000
FACE_AND_SHOULDERS = ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder")
PHOTO = cv2.cvtColor(cv2.imread(str(PORTRAIT)), cv2.COLOR_BGR2RGB)


def _use_for_images(window, model_id: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the model in the Models dock and trigger "Use for images"; the Files panel's list follows."""
    manager = window.model_manager
    assert manager.select_model(model_id)
    action = manager.use_actions["image"]
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    assert window.files_panel.view.task_combo.currentData() == f"model:{model_id}"
    assert model_id in window.files_panel.view.model_note.text()


def _run(qtbot, window, model_id: str, path: Path = PORTRAIT) -> Result:  # type: ignore[no-untyped-def]
    """Drop one photo and wait until the result pane shows its result from `model_id`."""
    drop_and_wait(qtbot, window, [path])

    def shown() -> bool:
        row = window.files_panel.current_row()
        return row is not None and row.result.model_id == model_id and Path(row.result.source) == path

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    row = window.files_panel.current_row()
    assert row is not None and row.result.ok, row.result.error if row else None
    return row.result


def _pixel(canvas: QtImageCanvas, grab: QImage, x: float, y: float, width: int, height: int) -> np.ndarray:
    """The colour the canvas shows at the photo's pixel (x, y) of a width x height photo (3x3 mean)."""
    rect = canvas.image_rect()
    cx, cy = rect.x() + x / width * rect.width(), rect.y() + y / height * rect.height()
    ratio = grab.devicePixelRatio()
    px, py = round(cx * ratio), round(cy * ratio)
    colours = [grab.pixelColor(min(max(px + dx, 0), grab.width() - 1), min(max(py + dy, 0), grab.height() - 1))
               for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return np.array([[c.red(), c.green(), c.blue()] for c in colours], float).mean(axis=0)


def _photo(x: float, y: float) -> np.ndarray:
    """The photo's own colour around (x, y) (5x5 mean: the canvas shows it scaled)."""
    xi, yi = int(round(x)), int(round(y))
    return PHOTO[max(0, yi - 2):yi + 3, max(0, xi - 2):xi + 3].reshape(-1, 3).astype(float).mean(axis=0)


def _closer(shown: np.ndarray, to: np.ndarray, than: np.ndarray) -> bool:
    return bool(np.linalg.norm(shown - to) < np.linalg.norm(shown - than))


def test_nanodet_boxes_the_astronaut_and_the_monitor_counts_the_box(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    combo = main_window.files_panel.view.task_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemText(i) == "Detect faces"))
    assert main_window.services.settings.image_task == "detect-faces"
    _use_for_images(main_window, "nanodet")  # images now go to NanoDet, not to the face detector
    result = _run(qtbot, main_window, "nanodet")
    payload = result.payload
    assert isinstance(payload, DetectionResult)
    qtbot.waitUntil(lambda: main_window.result_view.current_page == "detection", timeout=WAIT_MS)
    view = main_window.result_view.page_view(QtDetectionView)
    shown = view.canvas.visible_detections()
    assert [d.label for d in shown][:1] == ["person"] and "person" in view.count_label.text()
    person = shown[0]
    canvas = view.canvas
    rect = canvas.box_rect(person)
    assert canvas.image_rect().contains(rect.center())
    x1, y1, x2, y2 = person.box
    left_edge = (x1, (y1 + y2) / 2)
    with_boxes = canvas.grab().toImage()
    canvas.set_layers(boxes=False, labels=False)
    without = canvas.grab().toImage()
    canvas.set_layers(boxes=True, labels=True)
    edge_diff = np.abs(_pixel(canvas, with_boxes, *left_edge, payload.width, payload.height)
                       - _pixel(canvas, without, *left_edge, payload.width, payload.height)).max()
    inside_diff = np.abs(_pixel(canvas, with_boxes, (x1 + x2) / 2, (y1 + y2) / 2, payload.width, payload.height)
                         - _pixel(canvas, without, (x1 + x2) / 2, (y1 + y2) / 2, payload.width, payload.height)).max()
    print(f"nanodet person {person.score:.2f} at {tuple(round(v) for v in person.box)}; "
          f"box edge changes the pixels by {edge_diff:.0f}, the box's inside by {inside_diff:.0f}")
    assert edge_diff > 40 and inside_diff < 10  # the box is drawn on its edge, the person is not covered

    # The monitor counts each box as a prediction of its class with its score, with the people in the picture.
    def counted() -> bool:
        snap = main_window.monitor_panel.snapshot
        return snap is not None and snap.n >= len(payload.detections)

    qtbot.waitUntil(counted, timeout=WAIT_MS)
    snap = main_window.monitor_panel.snapshot
    assert [m for m, _ in snap.models] == ["nanodet"] and snap.n == len(payload.detections)
    assert snap.confidence.mean is not None
    assert abs(snap.confidence.mean - float(np.mean([d.score for d in payload.detections]))) < 0.01
    assert {r.value: r.n for r in snap.attribute("people in frame").rows} == {"1": len(payload.detections)}


def test_movenet_draws_the_skeleton_on_the_astronaut(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _use_for_images(main_window, "movenet-lightning")
    result = _run(qtbot, main_window, "movenet-lightning")
    payload = result.payload
    assert isinstance(payload, PoseResult) and len(payload.people) == 1
    qtbot.waitUntil(lambda: main_window.result_view.current_page == "pose", timeout=WAIT_MS)
    view = main_window.result_view.page_view(QtPoseView)
    assert view.canvas.isVisible() and view.canvas.has_image() and "1 person" in view.count_label.text()
    table = view.keypoints
    rows = {table.item(r, 1).text(): table.item(r, 4).text() for r in range(table.rowCount())}
    for name in FACE_AND_SHOULDERS:
        assert "hidden" not in rows[name] and float(rows[name]) >= 0.5, (name, rows[name])
    grab = view.canvas.grab().toImage()
    names = list(payload.keypoint_names)

    def change(x: float, y: float) -> float:
        """How far the canvas's colour at the photo's (x, y) is from the photo's own colour there."""
        return float(np.abs(_pixel(view.canvas, grab, x, y, payload.width, payload.height) - _photo(x, y)).max())

    at_keypoints = {name: change(p.x, p.y) for name in FACE_AND_SHOULDERS
                    for p in [payload.people[0].keypoints[names.index(name)]]}
    # Plain patches of the photo far from the person's keypoints and limbs (sky, the shuttle's side).
    away = [change(x, y) for x, y in ((payload.width - 16, 15), (payload.width / 2, 10), (480, 150), (496, 256))]
    print("movenet skeleton on the canvas, colour change at the keypoints:",
          {k: round(v) for k, v in at_keypoints.items()}, "and far from them:", [round(v) for v in away])
    assert min(at_keypoints.values()) > 30 and max(away) < 12  # drawn where the model put it, nowhere else


def test_the_selfie_mask_tints_the_astronaut_and_not_the_background(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _use_for_images(main_window, "selfie-segmentation")
    result = _run(qtbot, main_window, "selfie-segmentation")
    payload = result.payload
    assert isinstance(payload, SegmentationResult) and payload.class_map is not None
    qtbot.waitUntil(lambda: main_window.result_view.current_page == "segmentation", timeout=WAIT_MS)
    view = main_window.result_view.page_view(QtSegmentationView)
    areas = {view.areas.item(r, 0).text(): view.areas.item(r, 1).text() for r in range(view.areas.rowCount())}
    assert "person" in areas, areas
    person = payload.class_names.index("person")
    mask = (payload.class_map == person).astype(np.uint8)
    inside = cv2.erode(mask, np.ones((41, 41), np.uint8))  # well inside and well outside the mask's edge
    outside = cv2.erode(1 - mask, np.ones((41, 41), np.uint8))
    tint = np.array(colour_for(person), float)
    grab = view.canvas.grab().toImage()
    rng = np.random.default_rng(3)
    votes = {"inside": 0, "outside": 0}
    for name, where in (("inside", inside), ("outside", outside)):
        ys, xs = np.nonzero(where)
        assert len(xs) > 100, name
        for i in rng.choice(len(xs), 20, replace=False):
            x, y = float(xs[i]), float(ys[i])
            photo = _photo(x, y)
            tinted = photo * 0.55 + tint * 0.45
            shown = _pixel(view.canvas, grab, x, y, payload.width, payload.height)
            votes[name] += _closer(shown, tinted, photo) if name == "inside" else _closer(shown, photo, tinted)
    print(f"selfie mask ({areas['person']} of the picture): tinted at {votes['inside']}/20 points inside, "
          f"plain at {votes['outside']}/20 outside")
    assert votes["inside"] >= 18 and votes["outside"] >= 18


def test_camera_boxes_reach_the_monitor_as_dropped_photos_do(main_window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.live_video import pan_frames, write_video

    video = write_video(tmp_path / "people.avi", pan_frames(PORTRAIT, 60), 30.0)
    camera = main_window.camera_panel
    main_window.inputs.setCurrentWidget(camera)
    camera.set_mode("objects")
    results: list[Result] = []
    camera.result_ready.connect(results.append)
    camera.set_source(str(video))
    started = time.perf_counter()
    camera.start()

    def boxes() -> list[tuple[str, str]]:
        """(class, people in frame) of every box handed to the monitor so far."""
        return [(d.label, next(v for a, v, _ in r.attributes if a == "people in frame"))
                for r in results if isinstance(r.payload, DetectionResult) for d in r.payload.detections]

    qtbot.waitUntil(lambda: len(results) >= 2, timeout=WAIT_MS)
    camera.stop()
    qtbot.waitUntil(lambda: not camera.running, timeout=WAIT_MS)
    elapsed = time.perf_counter() - started

    def counted() -> bool:
        snap = main_window.monitor_panel.snapshot
        return snap is not None and snap.n == len(boxes())

    qtbot.waitUntil(counted, timeout=WAIT_MS)
    snap = main_window.monitor_panel.snapshot
    assert snap is not None and [m for m, _ in snap.models] == ["nanodet"] and dict(snap.kinds).get("camera")
    handed = boxes()
    assert "person" in {label for label, _ in handed}
    rows = {r.value: r.n for r in snap.attribute("people in frame").rows}
    want: dict[str, int] = {}
    for _, people in handed:
        want[people] = want.get(people, 0) + 1
    print(f"camera: {len(results)} results handed to the monitor in {elapsed:.1f} s, {len(handed)} boxes "
          f"({sorted({label for label, _ in handed})}), monitor n={snap.n}, people in frame {rows}")
    assert len(results) <= elapsed + 1  # at most one result a second reaches the monitor
    assert rows == want  # every box counted once, with its frame's people
