"""The camera panel driven end to end offscreen: a face video file and an MJPEG stream on 127.0.0.1 as
the camera, the real CenterFace / FER / EfficientNet models on CPU, and no thread left behind."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop_app.core.paths import UserDirs
from desktop_app.core.payloads.pose import Keypoint, PosedPerson, PoseResult
from desktop_app.core.payloads.segmentation import SegmentationResult, SegmentInstance
from desktop_app.core.results import Detection, DetectionResult
from desktop_app.core.services import AppServices
from desktop_app.core.sources.live import LiveFrame
from desktop_app.core.tasks.base import TASKS, Task
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from desktop_app.qt.camera.qt_camera_stats import CameraPanelStats
from desktop_app.qt.qt_workers import join_all, running_threads
from tests.builders import mean_colour_classifier
from tests.core.sources.face_video import FaceVideo, make_face_video
from tests.core.sources.mjpeg_server import MjpegServer

WAIT_MS = 30_000
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> FaceVideo:
    return make_face_video(tmp_path_factory.mktemp("camera-panel-video"))


class Seen:
    """Frames and stats the panel emitted (the newest few frames only)."""

    def __init__(self, panel: QtCameraPanel) -> None:
        self.frames: list[LiveFrame] = []
        self.stats: list[CameraPanelStats] = []
        self.count = 0
        panel.controller.frame.connect(self._frame)
        panel.stats_changed.connect(self.stats.append)

    def _frame(self, live: LiveFrame) -> None:
        self.count += 1
        self.frames = [*self.frames[-30:], live]

    @property
    def last(self) -> LiveFrame | None:
        return self.frames[-1] if self.frames else None


def _extra_threads(before: set[int | None]) -> list[str]:
    """Python threads started since `before`; QThreads that ran Python code show up as never-ending
    "dummy" entries in `threading`, and are checked through running_threads() instead."""
    return [t.name for t in threading.enumerate()
            if t.ident not in before and t.is_alive() and type(t).__name__ != "_DummyThread"]


@pytest.fixture
def panel(qtbot, tmp_path: Path) -> Iterator[QtCameraPanel]:  # type: ignore[no-untyped-def]
    before = {t.ident for t in threading.enumerate()}
    services = AppServices.create(UserDirs.under(tmp_path / "home"))
    widget = QtCameraPanel(services)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.device_lister.busy, timeout=WAIT_MS)
    yield widget
    widget.shutdown()
    assert not widget.running
    assert join_all(), [t.objectName() for t in running_threads()]
    try:
        qtbot.waitUntil(lambda: not _extra_threads(before), timeout=10_000)  # e.g. the MJPEG server's handlers
    except Exception:
        raise AssertionError(f"threads left running: {_extra_threads(before)}") from None


def _start_file(panel: QtCameraPanel, video: FaceVideo) -> None:
    panel.set_source(str(video.path))
    panel.start()


def test_face_video_gives_boxes_stats_snapshot_and_recording(qtbot, panel: QtCameraPanel, face_video: FaceVideo,
                                                            tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen = Seen(panel)
    _start_file(panel, face_video)
    qtbot.waitUntil(lambda: panel.running and seen.last is not None, timeout=WAIT_MS)
    # a face frame reaches the view: a visible track, drawn as a box on the canvas
    qtbot.waitUntil(lambda: bool(seen.last and seen.last.visible_tracks and panel.view.canvas.visible_detections()),
                    timeout=WAIT_MS)
    face = seen.last
    assert face is not None and face.result.ok and face.result.model_id == "centerface"
    x1, y1, x2, y2 = face.visible_tracks[0].box
    assert 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 480
    snap_overlay = panel.snapshot_to(tmp_path / "with.png", overlay=True)
    snap_plain = panel.snapshot_to(tmp_path / "plain.png", overlay=False)

    panel.record_to(tmp_path / "annotated.avi")
    qtbot.waitUntil(lambda: panel.controller.recording.frames >= 10, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(seen.stats) >= 3, timeout=WAIT_MS)
    done = panel.stop_recording()

    stats = seen.stats[-1]
    assert stats.capture_fps > 0 and stats.processed_fps > 0 and stats.skipped_fps >= 0
    assert stats.inference_ms_p95 >= stats.inference_ms_p50 > 0
    assert stats.latency_ms_p95 >= stats.latency_ms_p50 > 0
    assert stats.display_ms_p95 >= stats.display_ms_p50 >= stats.latency_ms_p50 * 0.5 > 0
    assert stats.provider == "CPU" and stats.shown > 0 and stats.processed >= stats.shown
    assert "fps" in panel.view.stats.values["capture"].text()

    with_overlay, plain = cv2.imread(str(snap_overlay)), cv2.imread(str(snap_plain))
    assert with_overlay is not None and plain is not None
    assert with_overlay.shape == plain.shape == (480, 640, 3)
    assert np.abs(with_overlay.astype(int) - plain.astype(int)).max() > 100  # the box is in one only

    assert done is not None and done.path is not None and done.frames >= 10
    cap = cv2.VideoCapture(str(done.path))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count > 0

    # the threshold slider applies live (a shown face fades out with hysteresis; new ones never show)
    panel.view.threshold_slider.setValue(100)
    qtbot.waitUntil(lambda: bool(seen.last and seen.last.threshold == 1.0 and not seen.last.visible_tracks),
                    timeout=WAIT_MS)


def test_classification_model_shows_top_k_bars(qtbot, panel: QtCameraPanel, face_video: FaceVideo) -> None:  # type: ignore[no-untyped-def]
    combo = panel.view.model_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemText(i).startswith("Classify:")))
    assert not panel.view.threshold_slider.isEnabled()
    seen = Seen(panel)
    _start_file(panel, face_video)
    qtbot.waitUntil(lambda: bool(panel.view.score_bars.rows()), timeout=WAIT_MS)
    assert panel.view.score_bars.isVisible() and len(panel.view.score_bars.rows()) == 5
    assert seen.last is not None and seen.last.result.model_id == "efficientnet-lite0" and not seen.last.tracks


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_url_gives_a_plain_message_and_the_panel_stays_usable(
        qtbot, panel: QtCameraPanel, face_video: FaceVideo) -> None:  # type: ignore[no-untyped-def]
    panel.set_source(f"http://127.0.0.1:{_closed_port()}/video.mjpg")
    panel.start()
    strip = panel.view.message
    qtbot.waitUntil(lambda: "unreachable" in strip.text, timeout=WAIT_MS)
    assert strip.text.startswith("Cannot start: stream") and "\n" not in strip.text
    assert strip.retry_button.isVisibleTo(panel)
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    assert panel.view.start_button.accessibleName() == "Start camera"
    seen = Seen(panel)
    _start_file(panel, face_video)  # still usable
    qtbot.waitUntil(lambda: seen.count > 0, timeout=WAIT_MS)
    assert strip.isHidden()


def test_stream_that_stops_shows_lost_and_retry_recovers(qtbot, panel: QtCameraPanel,
                                                          face_video: FaceVideo) -> None:  # type: ignore[no-untyped-def]
    seen = Seen(panel)
    strip = panel.view.message
    with MjpegServer(face_video.frames, fps=30, limit=45, end="close") as server:
        panel.set_source(server.url)
        panel.start()
        qtbot.waitUntil(lambda: seen.count > 0, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: strip.text.startswith("Camera lost"), timeout=WAIT_MS)
        assert "stopped sending frames" in strip.text and strip.retry_button.isVisibleTo(panel)
        qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)

        server.available = False  # still down: retry fails plainly, the panel stays as it was
        qtbot.mouseClick(strip.retry_button, LEFT)
        qtbot.waitUntil(lambda: strip.text.startswith("Cannot start"), timeout=WAIT_MS)
        assert "could not be opened" in strip.text

        server.available, server.limit = True, None  # back: retry recovers
        before = seen.count
        qtbot.mouseClick(strip.retry_button, LEFT)
        qtbot.waitUntil(lambda: seen.count > before + 3, timeout=WAIT_MS)
        assert panel.running and strip.isHidden()
        panel.stop()
        assert not panel.running and join_all()


def test_hiding_stops_capture_and_showing_resumes(qtbot, panel: QtCameraPanel, face_video: FaceVideo) -> None:  # type: ignore[no-untyped-def]
    seen = Seen(panel)
    _start_file(panel, face_video)
    qtbot.waitUntil(lambda: seen.count > 0, timeout=WAIT_MS)
    panel.hide()
    assert not panel.running and join_all() and panel.controller.wanted
    count = seen.count
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.running and seen.count > count, timeout=WAIT_MS)

    panel.showMinimized()  # a minimised window stops capture too
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    assert join_all()
    panel.showNormal()
    qtbot.waitUntil(lambda: panel.running, timeout=WAIT_MS)


def test_stop_during_a_run_joins_cleanly(qtbot, panel: QtCameraPanel, face_video: FaceVideo) -> None:  # type: ignore[no-untyped-def]
    seen = Seen(panel)
    _start_file(panel, face_video)
    qtbot.waitUntil(lambda: seen.count > 2, timeout=WAIT_MS)
    panel.record_to(panel.services.dirs.config / "during-stop.avi")
    assert panel.view.start_button.accessibleName() == "Stop camera"
    qtbot.mouseClick(panel.view.start_button, LEFT)
    assert not panel.running and join_all() and not panel.controller.wanted
    assert not panel.controller.recording.active  # stopping capture finishes the recording
    assert panel.view.start_button.accessibleName() == "Start camera"
    count = seen.count
    qtbot.wait(300)  # nothing more arrives after a stop (a grace period, not synchronisation)
    assert seen.count == count


# -- user models of other tasks, live -----------------------------------------------------------------

def _fake_payload(task: str, h: int, w: int) -> object:
    """A fixed result in the middle of an h x w frame, the shape a real model of `task` gives."""
    box = (w / 4, h / 4, 3 * w / 4, 3 * h / 4)
    if task == "segment":
        mask = np.zeros((h // 2, w // 2), bool)
        mask[h // 8: 3 * h // 8, w // 8: 3 * w // 8] = True
        inst = SegmentInstance(box, 0.9, "blob", mask, (w // 4, h // 4), 1)
        return SegmentationResult((inst,), None, ("bg", "blob"), (("blob", 0.0625),), w, h)
    if task == "pose":
        points = tuple(Keypoint(w / 2 + dx, h / 2 + dy, 0.9) for dx, dy in ((0, -60), (-40, 40), (40, 40)))
        return PoseResult((PosedPerson(box, 0.8, "person", points),), ((0, 1), (0, 2), (1, 2)), ("a", "b", "c"),
                          0.5, w, h)
    return DetectionResult((Detection(box, 0.85, "car"),), w, h)


class _FakeTaskBase(Task):
    """Stands in for a generic task's decoder: the camera path, drawing and stats are what is tested."""

    input_kind = "image"
    options_seen: ClassVar[list[dict[str, Any]]] = []

    def decode(self, path: Path) -> Any:
        raise NotImplementedError

    def run(self, data: Any, clock: Any, **options: Any) -> Any:
        type(self).options_seen.append(dict(options))
        return _fake_payload(self.name, int(data.shape[0]), int(data.shape[1]))


def _fake_task(task: str, payload: type) -> type[Task]:
    return type(f"Fake{task.title()}Task", (_FakeTaskBase,), {"name": task, "payload_type": payload,
                                                               "options_seen": []})


#: The output table each task's card needs (the fake task reads none of it).
OUTPUT_TABLES = {"detect": '[detect]\nlayout = "yolo"\n', "segment": '[segment]\nkind = "semantic"\noutput = "logits"\n',
                 "pose": '[pose]\nlayout = "keypoints"\noutput = "logits"\nkeypoints = 1\n'}


def _user_model(services: AppServices, model_id: str, task: str) -> None:
    folder = services.registry.user_dir / model_id
    folder.mkdir(parents=True)
    mean_colour_classifier(folder / "model.onnx")
    (folder / "model.toml").write_text(
        f'id = "{model_id}"\nname = "{model_id} model"\ntask = "{task}"\nfile = "model.onnx"\n'
        '[image]\nsize = [8, 8]\n[thresholds]\nscore = 0.35\n' + OUTPUT_TABLES[task], encoding="utf-8")
    services.registry.refresh()
    assert not services.registry.snapshot().problems


@pytest.mark.parametrize(("task", "prefix", "payload"), [("detect", "Detect", DetectionResult),
                                                        ("segment", "Segment", SegmentationResult),
                                                        ("pose", "Pose", PoseResult)])
def test_user_detect_segment_pose_model_runs_live_with_its_overlay(  # type: ignore[no-untyped-def]
        qtbot, panel: QtCameraPanel, face_video: FaceVideo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        task: str, prefix: str, payload: type) -> None:
    fake = _fake_task(task, payload)
    monkeypatch.setitem(TASKS, task, fake)
    _user_model(panel.services, f"my-{task}", task)
    combo = panel.view.model_combo
    text = f"{prefix}: my-{task} model"
    qtbot.waitUntil(lambda: combo.findText(text) >= 0, timeout=WAIT_MS)
    combo.setCurrentIndex(combo.findText(text))
    assert panel.view.threshold_slider.isEnabled() and panel.threshold() == pytest.approx(0.35)
    size = panel.window().size()
    seen = Seen(panel)
    _start_file(panel, face_video)
    qtbot.waitUntil(lambda: seen.count >= 5 and len(seen.stats) >= 2, timeout=WAIT_MS)
    live = seen.last
    assert live is not None and live.result.ok and isinstance(live.result.payload, payload), live.result.error
    assert not live.smoothed and live.tracks == ()  # passed through: no face smoothing
    # segmenters and pose models run at the live threshold; object detectors lower, for their boxes' tracking
    expected = 0.35 - 2 * 0.1 if task == "detect" else 0.35
    assert fake.options_seen[-1].get("score_threshold") == pytest.approx(expected)
    assert seen.stats[-1].processed_fps > 0
    assert panel.window().size() == size  # frames and overlay never resize the window
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=WAIT_MS)
    # the live view draws the overlay: switching its layers off and on again repaints the same frame
    canvas, checks = panel.view.canvas, (panel.view.boxes_check, panel.view.labels_check, panel.view.landmarks_check)
    assert canvas.live_frame is not None and canvas.visible_detections() == []  # drawn by core/render, not Qt
    overlaid = canvas.grab().toImage()
    for check in checks:
        check.setChecked(False)
    assert canvas.grab().toImage() != overlaid
    for check in checks:
        check.setChecked(True)
    assert canvas.grab().toImage() == overlaid
    for check in checks:
        check.setChecked(False)
    snap = panel.snapshot_to(tmp_path / "snap.png")
    bare = panel.snapshot_to(tmp_path / "bare.png", overlay=False)
    with_overlay = cv2.imread(str(snap))
    assert with_overlay is not None and with_overlay.shape == cv2.imread(str(bare)).shape
    if task == "segment":  # the mask is still drawn with every layer but masks off: snapshots differ
        assert not np.array_equal(with_overlay, cv2.imread(str(bare)))
    panel.view.boxes_check.setChecked(True)
    panel.view.landmarks_check.setChecked(True)
    snap = panel.snapshot_to(tmp_path / "snap2.png")
    assert not np.array_equal(cv2.imread(str(snap)), cv2.imread(str(bare)))
