"""Disk full or read-only folder while the app writes what the user asked for, through the real widgets:
one plain line where the user looks, nothing crashes, the results / segments / report stay, the live
camera and microphone keep running when their recording stops, nothing half-written is left, and a retry
to another folder writes a readable file. Faults as in tests/write_faults.py."""

from __future__ import annotations

import csv
import errno
import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile as sf
import soxr

from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from desktop_app.core.paths import UserDirs
from desktop_app.core.results import ClassificationResult, ClassScore, Result, SpeechSegment
from desktop_app.core.runtime.bench import BenchSettings
from desktop_app.core.services import AppServices
from desktop_app.core.settings import SettingsStore
from desktop_app.core.sources import wav_recorder as wav_module
from desktop_app.core.sources.recorder import MIN_FREE_BYTES, SPACE_CHECK_EVERY
from desktop_app.qt.camera import qt_camera_dialogs
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from desktop_app.qt.microphone.qt_mic_updates import RecordingSaved
from desktop_app.qt.microphone.qt_microphone_panel import QtMicrophonePanel
from desktop_app.qt.models import qt_model_tools
from desktop_app.qt.monitor import QtMonitorPanel
from desktop_app.qt.qt_workers import join_all
from tests.builders import add_one
from tests.conftest import SAMPLES
from tests.core.sources.face_video import make_face_video
from tests.fake_sounddevice import RATE, FakeSoundDevice, Feeder
from tests.write_faults import (
    dev_full_in,
    fail_mkstemp_in,
    free_space,
    leftovers,
    needs_dev_full,
    sound_file_that_fills,
)

WAIT_MS = 60_000


@pytest.fixture
def faults() -> Iterator[pytest.MonkeyPatch]:
    """A monkeypatch of its own for the faults, so a test can lift them mid-way (space freed)."""
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture
def services(tmp_path: Path) -> AppServices:
    return AppServices.create(UserDirs.under(tmp_path / "home"))


# -- files panel, settings, benchmark (the main window) ----------------------------------------------


@needs_dev_full
def test_batch_export_to_a_full_disk_keeps_the_rows_and_a_retry_writes_them(main_window, qtbot, faults,  # type: ignore[no-untyped-def]
                                                                            tmp_path: Path) -> None:
    panel = main_window.files_panel
    with qtbot.waitSignal(panel.batch_finished, timeout=WAIT_MS):
        main_window.open_paths([SAMPLES / "cat-chelsea.jpg", SAMPLES / "adult-test-sample.csv"])
    rows = len(panel.model.rows)
    assert rows == 201
    full = tmp_path / "usb"
    full.mkdir()
    dev_full_in(faults, full)
    error = panel.export_to(full / "out.csv")
    assert error == f"could not write out.csv to {full}: the disk is full"
    assert panel.view.status_label.text() == f"Export failed: {error}"
    assert len(panel.model.rows) == rows and leftovers(full) == []
    assert panel.export_to(tmp_path / "out.csv") is None
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == rows


@needs_dev_full
def test_settings_that_cannot_be_saved_are_marked_in_the_status_bar(main_window, qtbot, faults) -> None:  # type: ignore[no-untyped-def]
    services = main_window.services
    folder = services.store.path.parent
    dev_full_in(faults, folder)
    main_window.set_provider("cpu")
    assert services.settings.provider == "cpu"  # applies for this run
    label = main_window.settings_label
    assert label.isVisible() and label.text() == "⚠ settings not saved"
    assert label.toolTip() == ("settings not saved (they apply until the app closes): "
                               f"could not write settings.json to {folder}: the disk is full")
    assert not [name for name in leftovers(folder) if name.endswith(".tmp")]
    faults.undo()
    main_window.set_provider("auto")
    assert not label.isVisible() and SettingsStore(services.store.path).load().provider == "auto"


@needs_dev_full
def test_a_benchmark_that_cannot_be_saved_still_shows_its_numbers(main_window, qtbot, faults,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    manager = main_window.model_manager
    with qtbot.waitSignal(manager.models_changed, timeout=WAIT_MS):
        manager.import_paths([add_one(tmp_path / "tiny-full.onnx")])
    manager.select_model("tiny-full")
    manager.tools.bench_settings = BenchSettings(runs=3, seconds=2.0, warmup=1, batches=(1,))
    full = tmp_path / "full"
    full.mkdir()
    dev_full_in(faults, full)
    faults.setattr(qt_model_tools, "bench_path", lambda card, dirs: full / "bench.json")
    messages: list[str] = []
    manager.message.connect(messages.append)
    with qtbot.waitSignal(manager.tools.benched, timeout=WAIT_MS) as blocker:
        manager.bench_action.trigger()
    result = blocker.args[0]
    reason = f"could not write bench.json to {full}: the disk is full"
    assert result.save_error == reason and result.get("CPU", 1) is not None
    text = manager.inspector.tools_view.toPlainText()
    assert "p50 ms" in text and text.splitlines()[-1] == f"not saved: {reason}"
    assert messages[-1] == f"benchmark of tiny-full done, not saved: {reason}"
    assert leftovers(full) == []
    qtbot.waitUntil(lambda: not manager.tools.busy, timeout=10_000)


# -- monitor -----------------------------------------------------------------------------------------


@needs_dev_full
def test_monitor_export_to_a_full_disk_keeps_the_counts_and_a_retry_writes_both_files(qtbot, faults,  # type: ignore[no-untyped-def]
                                                                                      tmp_path: Path) -> None:
    panel = QtMonitorPanel(MonitorEngine(MonitorConfig()))
    qtbot.addWidget(panel)
    try:
        for i in range(20):
            scores = (ClassScore(0, "cat", 0.9 - i / 100), ClassScore(1, "dog", 0.1 + i / 100))
            panel.add_result(Result(f"{i}.jpg", True, "m", task="classify", payload=ClassificationResult(scores, 2)))
        messages: list[str] = []
        panel.message.connect(messages.append)
        full = tmp_path / "full"
        full.mkdir()
        (full / "report.json").write_text("old report")
        dev_full_in(faults, full)
        line = panel.export_to(full / "report.json", full / "report.csv")
        assert line == f"Monitor report not saved: could not write report.json to {full}: the disk is full"
        assert messages == [line]
        assert leftovers(full) == ["report.json"] and (full / "report.json").read_text() == "old report"
        faults.undo()
        assert panel.export_to(tmp_path / "report.json", tmp_path / "report.csv") is None
        report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert report["window"]["n"] == 20 == panel.engine.report()["window"]["n"]
        with open(tmp_path / "report.csv", newline="", encoding="utf-8") as handle:
            assert list(csv.DictReader(handle))
    finally:
        panel.shutdown()


# -- microphone --------------------------------------------------------------------------------------


@pytest.fixture
def mic(qtbot, services: AppServices) -> Iterator[QtMicrophonePanel]:  # type: ignore[no-untyped-def]
    fake = FakeSoundDevice()
    widget = QtMicrophonePanel(services, sounddevice_loader=lambda: fake)
    widget.fake = fake  # type: ignore[attr-defined]
    widget.feeders = []  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    for feeder in widget.feeders:  # type: ignore[attr-defined]
        feeder.stop()
    widget.shutdown()
    assert join_all()


def _speech_48k_stereo() -> np.ndarray:
    mono, rate = sf.read(SAMPLES / "speech-espeak.wav", dtype="float32")
    return np.repeat(soxr.resample(mono, rate, RATE)[:, None], 2, axis=1)


def _feed(mic: QtMicrophonePanel, audio: np.ndarray) -> Feeder:
    feeder = Feeder(mic.fake.stream, audio)  # type: ignore[attr-defined]
    mic.feeders.append(feeder)  # type: ignore[attr-defined]
    return feeder


@needs_dev_full
def test_segments_export_to_a_full_disk_keeps_the_segments(qtbot, mic: QtMicrophonePanel, faults,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    segments = [SpeechSegment(0.5, 1.5, 0.9), SpeechSegment(2.0, 3.25, 0.8)]
    mic.view.table.add_segments(segments)
    full = tmp_path / "full"
    full.mkdir()
    dev_full_in(faults, full)
    line = mic.export_to(full / "segments.csv")
    assert line == f"segments not exported: could not write segments.csv to {full}: the disk is full"
    assert mic.strip_text == ("error", line) and mic.segments == segments and leftovers(full) == []
    faults.undo()
    assert mic.export_to(tmp_path / "segments.csv") is None
    with open(tmp_path / "segments.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(float(r["start_s"]), float(r["end_s"])) for r in rows] == [(0.5, 1.5), (2.0, 3.25)]
    assert mic.strip_text == ("", "")  # the retry worked: the error went




def test_a_wav_recording_whose_disk_fills_stops_while_capture_goes_on(qtbot, mic: QtMicrophonePanel, faults,  # type: ignore[no-untyped-def]
                                                                      tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    faults.setattr(wav_module.sf, "SoundFile", sound_file_that_fills(after_writes=20))
    free_space(faults, folder, [0])  # what the folder says when asked why the write failed
    messages: list[str] = []
    mic.message.connect(messages.append)
    speech = _speech_48k_stereo()
    with qtbot.waitSignal(mic.controller.recorded, timeout=WAIT_MS) as blocker:
        mic.record_to(folder / "take.wav")  # starts capture with the recording on
        qtbot.waitUntil(lambda: mic.opened_info is not None and mic.fake.stream is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
        _feed(mic, speech)
    line = f"recording stopped: could not write take.wav to {folder}: the disk is full"
    assert str(blocker.args[0]) == line
    assert mic.strip_text == ("error", line) and line in messages
    assert mic.capturing and mic.view.record_button.text() == "Re&cord…"
    assert leftovers(folder) == []  # no take.wav, no temporary file
    captured = mic.last_update.captured if mic.last_update else 0
    qtbot.waitUntil(lambda: mic.last_update is not None and mic.last_update.captured > captured + 10, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(mic.segments) >= 1, timeout=WAIT_MS)  # the VAD keeps going

    faults.undo()  # retry elsewhere while capture runs
    other = tmp_path / "home" / "take.wav"
    mic.record_to(other)
    assert mic.strip_text[0] != "error"
    feeder = _feed(mic, speech[: RATE])
    qtbot.waitUntil(lambda: feeder.done, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: mic.fake.stream.queued == 0, timeout=WAIT_MS)  # type: ignore[attr-defined]
    with qtbot.waitSignal(mic.controller.recorded, timeout=WAIT_MS) as saved:
        mic.stop_recording()
    assert isinstance(saved.args[0], RecordingSaved) and saved.args[0].path == other
    info = sf.info(other)
    assert info.samplerate == RATE and info.channels == 2 and info.frames > 0


# -- camera ------------------------------------------------------------------------------------------


@pytest.fixture
def camera(qtbot, services: AppServices, tmp_path: Path) -> Iterator[QtCameraPanel]:  # type: ignore[no-untyped-def]
    widget = QtCameraPanel(services)
    widget.frames = 0  # type: ignore[attr-defined]
    widget.controller.frame.connect(lambda _live: setattr(widget, "frames", widget.frames + 1))  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.device_lister.busy, timeout=WAIT_MS)
    (tmp_path / "video").mkdir()
    widget.set_source(str(make_face_video(tmp_path / "video", count=30).path))  # loops
    widget.start()
    qtbot.waitUntil(lambda: widget.frames > 0, timeout=WAIT_MS)  # type: ignore[attr-defined]
    yield widget
    widget.shutdown()
    assert join_all()


def _frames_go_on(qtbot, camera: QtCameraPanel) -> None:  # type: ignore[no-untyped-def]
    seen = camera.frames  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: camera.frames > seen + 5, timeout=WAIT_MS)  # type: ignore[attr-defined]
    assert camera.running


def _frame_count(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    return count


def test_a_camera_recording_whose_disk_fills_stops_while_the_view_goes_on(qtbot, camera: QtCameraPanel,  # type: ignore[no-untyped-def]
                                                                          faults, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    free = [10 * MIN_FREE_BYTES]
    free_space(faults, folder, free)
    camera.record_to(folder / "rec.avi")
    qtbot.waitUntil(lambda: camera.controller.recording.frames >= SPACE_CHECK_EVERY, timeout=WAIT_MS)
    with qtbot.waitSignal(camera.controller.recording_done, timeout=WAIT_MS) as blocker:
        free[0] = MIN_FREE_BYTES // 2  # the disk fills up
    done = blocker.args[0]
    line = f"recording stopped: could not write rec.avi to {folder}: the disk is full"
    assert done.path is None and done.error == line and done.frames >= SPACE_CHECK_EVERY
    message = camera.view.message
    assert message.isVisible() and message.text == line and not message.retry_button.isVisible()
    assert not camera.controller.recording.active and not camera.view.record_button.isChecked()
    assert leftovers(folder) == []
    _frames_go_on(qtbot, camera)

    faults.undo()
    camera.record_to(tmp_path / "rec.avi")
    assert not message.isVisible()  # a recording that starts clears the old problem
    qtbot.waitUntil(lambda: camera.controller.recording.frames >= 5, timeout=WAIT_MS)
    retry = camera.stop_recording()
    assert retry is not None and retry.path == tmp_path / "rec.avi" and retry.error is None
    assert _frame_count(retry.path) >= 5


def test_recording_into_a_read_only_folder_is_refused_and_the_view_goes_on(qtbot, camera: QtCameraPanel,  # type: ignore[no-untyped-def]
                                                                         faults, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    fail_mkstemp_in(faults, folder, errno.EROFS)
    faults.setattr(qt_camera_dialogs.QFileDialog, "getSaveFileName",
                   staticmethod(lambda *args, **kwargs: (str(folder / "rec.mp4"), "")))
    camera.view.record_button.click()
    line = f"cannot record: could not write rec.mp4 to {folder}: the folder is read-only"
    assert camera.view.message.text == line and not camera.controller.recording.active
    assert not camera.view.record_button.isChecked() and leftovers(folder) == []
    _frames_go_on(qtbot, camera)


@needs_dev_full
def test_a_snapshot_to_a_full_disk_says_so_and_a_retry_saves_it(qtbot, camera: QtCameraPanel, faults,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    target = [full / "snap.png"]
    faults.setattr(qt_camera_dialogs.QFileDialog, "getSaveFileName",
                   staticmethod(lambda *args, **kwargs: (str(target[0]), "")))
    dev_full_in(faults, full)
    messages: list[str] = []
    camera.message.connect(messages.append)
    camera.snapshot_dialog()
    line = f"snapshot not saved: could not write snap.png to {full}: the disk is full"
    assert camera.view.message.text == line and messages == [line] and leftovers(full) == []
    target[0] = tmp_path / "snap.png"
    camera.snapshot_dialog()
    assert not camera.view.message.isVisible() and messages[-1] == f"snapshot saved: {target[0]}"
    image = cv2.imread(str(target[0]))
    assert image is not None and image.shape == (480, 640, 3)
    _frames_go_on(qtbot, camera)
