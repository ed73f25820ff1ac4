"""The camera panel's modes offscreen, on videos panned over the bundled sample photos and the real live models:
People (MoveNet pose, smoothed), Objects (NanoDet with a class filter), Background (selfie mask, blurred or
replaced), with snapshots and recordings that carry the effect, and a window that never grows."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from bench.live_video import model_video
from desktop_app.core.results import DetectionResult, PoseResult
from desktop_app.qt.camera.qt_camera_modes import QtClassPicker, classes_text
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from tests.qt.test_camera_panel import WAIT_MS, Seen, panel  # noqa: F401  (the panel fixture)


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mode-videos")
    return {m: model_video(folder, m, count=30)[0] for m in ("movenet-lightning", "nanodet")}


def _run(qtbot, panel: QtCameraPanel, video: Path, frames: int = 5) -> Seen:  # type: ignore[no-untyped-def]  # noqa: F811
    seen = Seen(panel)
    panel.set_source(str(video))
    panel.start()
    qtbot.waitUntil(lambda: seen.count >= frames, timeout=WAIT_MS)
    return seen


def test_the_list_offers_the_modes_before_models_by_name(panel: QtCameraPanel) -> None:  # noqa: F811
    combo = panel.view.model_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[:5] == ["Faces + expressions", "Faces only", "People (pose)", "Objects", "Background"]
    assert not any(t.startswith(("Pose: MoveNet", "Detect: NanoDet", "Segment: MediaPipe")) for t in texts)
    assert not panel.view.mode_controls.isVisibleTo(panel)  # faces: no extra row


def test_people_mode_shows_smoothed_poses_and_the_window_does_not_grow(  # type: ignore[no-untyped-def]
        qtbot, panel: QtCameraPanel, videos: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    panel.set_mode("people")
    assert panel.mode() == "people" and not panel.view.mode_controls.isVisibleTo(panel)
    size = panel.window().size()
    seen = _run(qtbot, panel, videos["movenet-lightning"], frames=10)
    qtbot.waitUntil(lambda: len(seen.stats) >= 2, timeout=WAIT_MS)
    live = seen.last
    assert live is not None and live.result.ok and live.result.model_id == "movenet-lightning"
    assert isinstance(live.result.payload, PoseResult) and live.result.payload.people
    nose = live.result.payload.people[0].keypoints[0]
    assert nose.score >= 0.3 and 0 <= nose.x <= 640 and 0 <= nose.y <= 480
    assert seen.stats and seen.stats[-1].processed_fps > 0
    assert panel.window().size() == size
    # The snapshot carries the skeleton: with the overlay it differs from the plain frame at the keypoints.
    with_overlay, plain = _snapshots(qtbot, panel, tmp_path)
    pose = panel.controller.latest.result.payload  # type: ignore[union-attr]
    assert isinstance(pose, PoseResult)
    shown = [k for k in pose.people[0].keypoints if k.score >= pose.keypoint_threshold]
    assert len(shown) >= 5
    changed = [np.abs(with_overlay[int(k.y), int(k.x)].astype(int) - plain[int(k.y), int(k.x)]).sum() > 30 for k in shown]
    assert all(changed), changed


def _snapshots(qtbot, panel: QtCameraPanel, folder: Path) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]  # noqa: F811,E501
    """The newest frame saved with and without the overlay (the camera stopped, so both are the same frame)."""
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    pictures = [cv2.imread(str(panel.snapshot_to(folder / f"{name}.png", overlay=name == "overlay")))
                for name in ("overlay", "plain")]
    assert all(p is not None for p in pictures)
    return pictures[0], pictures[1]


def test_objects_mode_filters_classes_in_the_core(  # type: ignore[no-untyped-def]
        qtbot, panel: QtCameraPanel, videos: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    panel.set_mode("objects")
    controls = panel.view.mode_controls
    assert controls.isVisibleTo(panel) and controls.classes_button.text() == "All 80 classes"
    panel.view.threshold_slider.setValue(30)
    seen = _run(qtbot, panel, videos["nanodet"])
    qtbot.waitUntil(lambda: any(isinstance(f.result.payload, DetectionResult) and
                                {d.label for d in f.result.payload.detections} - {"cup"} for f in seen.frames),
                    timeout=WAIT_MS)  # the coffee photo shows more than cups (dining table, spoon...)
    controls.set_classes(frozenset({"cup"}))
    assert controls.classes_button.text() == "cup"
    start = seen.count
    qtbot.waitUntil(lambda: seen.count >= start + 8, timeout=WAIT_MS)
    recent = [f.result.payload for f in seen.frames[-4:]]
    assert all(isinstance(p, DetectionResult) for p in recent)
    labels = [d.label for p in recent for d in p.detections]  # type: ignore[union-attr]
    assert labels and set(labels) == {"cup"}
    # The snapshot carries the cup boxes: with the overlay it differs from the plain frame along each box's edge.
    with_overlay, plain = _snapshots(qtbot, panel, tmp_path)
    boxes = panel.controller.latest.result.payload.detections  # type: ignore[union-attr]
    assert boxes and {d.label for d in boxes} == {"cup"}
    for d in boxes:
        x0, y0, x1, y1 = (int(round(v)) for v in d.box)
        edge = np.abs(with_overlay[y0:y1, max(0, x0 - 1):x0 + 2].astype(int) - plain[y0:y1, max(0, x0 - 1):x0 + 2])
        assert edge.sum(axis=2).max(axis=1).mean() > 30, d


def test_class_picker_filters_ticks_and_reports_the_choice(qtbot) -> None:  # type: ignore[no-untyped-def]
    picker = QtClassPicker(("person", "cup", "cat", "cell phone"), None)
    qtbot.addWidget(picker)
    assert picker.chosen() is None
    picker.none_button.click()
    assert picker.chosen() == frozenset()
    picker.filter_edit.setText("cu")
    assert [picker.list.item(i).isHidden() for i in range(4)] == [True, False, True, True]
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    assert picker.chosen() == frozenset({"cup"})
    assert classes_text(frozenset({"cup", "cat", "person"}), 80) == "3 of 80 classes"
    picker.filter_edit.setText("Person, cup")  # a list: both shown, Enter ticks exactly those two
    assert [picker.list.item(i).isHidden() for i in range(4)] == [False, False, True, True]
    picker.all_button.click()  # ticks the shown ones only
    picker.filter_edit.clear()
    assert picker.chosen() == frozenset({"person", "cup"})
    picker.none_button.click()
    picker.list.item(2).setCheckState(Qt.CheckState.Checked)  # cat
    picker.filter_edit.setText("person, cell phone")
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)
    assert picker.chosen() == frozenset({"person", "cell phone"})


def test_background_mode_blurs_and_the_snapshot_and_recording_carry_it(  # type: ignore[no-untyped-def]
        qtbot, panel: QtCameraPanel, videos: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    panel.set_mode("background")
    controls = panel.view.mode_controls
    assert controls.background_combo.isVisibleTo(panel) and not controls.classes_button.isVisibleTo(panel)
    size = panel.window().size()
    seen = _run(qtbot, panel, videos["movenet-lightning"])
    live = seen.last
    assert live is not None and live.effect == "background blurred (strong)"
    panel.record_to(tmp_path / "blurred.avi")
    qtbot.waitUntil(lambda: panel.controller.recording.frames >= 5, timeout=WAIT_MS)
    done = panel.stop_recording()
    plain = cv2.imread(str(panel.snapshot_to(tmp_path / "plain.png", overlay=False)))
    assert plain is not None
    shown = panel.controller.latest
    assert shown is not None
    raw = cv2.VideoCapture(str(videos["movenet-lightning"]))
    ok, first = raw.read()
    raw.release()
    assert ok
    # The saved picture is the composited one: its background differs from the source's, its corners
    # (background on the portrait) are much smoother.
    corner = (slice(0, 80), slice(0, 80))
    assert cv2.Laplacian(plain[corner], cv2.CV_64F).var() < 0.5 * cv2.Laplacian(first[corner], cv2.CV_64F).var()
    assert done is not None and done.path is not None
    cap = cv2.VideoCapture(str(done.path))
    ok, recorded = cap.read()
    cap.release()
    assert ok and cv2.Laplacian(recorded[corner], cv2.CV_64F).var() < 0.5 * cv2.Laplacian(first[corner],
                                                                                          cv2.CV_64F).var()
    # A picture that cannot be read: one line in the panel, the background blurred, the camera still running.
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\x00not a picture")
    controls.use_picture(broken)
    qtbot.waitUntil(lambda: "cannot be used" in panel.view.message.text, timeout=WAIT_MS)
    assert panel.running and seen.last is not None and seen.last.effect.startswith("background blurred")
    good = tmp_path / "backdrop.png"
    cv2.imwrite(str(good), np.full((240, 320, 3), (200, 120, 30), np.uint8))
    controls.use_picture(good)
    qtbot.waitUntil(lambda: bool(seen.last and seen.last.effect == "background replaced by backdrop.png"),
                    timeout=WAIT_MS)
    replaced = seen.last.frame  # type: ignore[union-attr]
    assert np.abs(replaced[:40, :40].astype(float) - (30, 120, 200)).mean() < 3.0
    assert panel.window().size() == size


def test_live_poses_reach_the_monitor_with_the_people_in_frame_group(  # type: ignore[no-untyped-def]
        qtbot, main_window, videos: dict[str, Path]) -> None:
    camera = main_window.camera_panel
    main_window.inputs.setCurrentWidget(camera)
    camera.set_mode("people")
    camera.set_source(str(videos["movenet-lightning"]))
    camera.start()

    def counted() -> bool:
        snap = main_window.monitor_panel.snapshot
        try:
            rows = snap.attribute("people in frame").rows if snap is not None else ()
        except KeyError:
            return False
        return snap is not None and snap.n >= 2 and any(r.value == "1" for r in rows)

    qtbot.waitUntil(counted, timeout=WAIT_MS)  # the camera's results are counted about once a second
    snap = main_window.monitor_panel.snapshot
    assert snap is not None and [m for m, _ in snap.models] == ["movenet-lightning"]
    camera.stop()
    qtbot.waitUntil(lambda: not camera.running, timeout=WAIT_MS)
