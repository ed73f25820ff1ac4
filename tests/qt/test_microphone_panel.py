"""The microphone panel with a fake sounddevice driven from a feeder thread: live segments match the file's
VAD, levels move, the raw input is recorded, segments export; device errors, an unplugged stream and
silent or clipped input are shown plainly; hiding the panel stops capture and showing it resumes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from desktop_app.core.paths import UserDirs
from desktop_app.core.results import SpeechSegment
from desktop_app.core.services import AppServices
from desktop_app.core.tasks.base import StageClock
from desktop_app.qt.microphone.qt_microphone_panel import QtMicrophonePanel
from desktop_app.qt.qt_workers import join_all, running_threads
from tests.conftest import SAMPLES
from tests.fake_sounddevice import RATE, FakePortAudioError, FakeSoundDevice, Feeder

SPEECH = SAMPLES / "speech-espeak.wav"
TOLERANCE_S = 0.25


@pytest.fixture
def services(tmp_path: Path) -> AppServices:
    return AppServices.create(UserDirs.under(tmp_path / "home"))


@pytest.fixture
def fake() -> FakeSoundDevice:
    return FakeSoundDevice()


@pytest.fixture
def panel(qtbot, services: AppServices, fake: FakeSoundDevice) -> Iterator[QtMicrophonePanel]:  # type: ignore[no-untyped-def]
    widget = QtMicrophonePanel(services, sounddevice_loader=lambda: fake)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    feeders: list[Feeder] = []
    widget.feeders = feeders  # type: ignore[attr-defined]
    yield widget
    for feeder in feeders:
        feeder.stop()
    widget.shutdown()
    assert join_all(), [t.objectName() for t in running_threads()]


def speech_48k_stereo() -> np.ndarray:
    mono, rate = sf.read(SPEECH, dtype="float32")
    up = soxr.resample(mono, rate, RATE)
    return np.repeat(up[:, None], 2, axis=1)


def start_and_feed(qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice, audio: np.ndarray) -> Feeder:  # type: ignore[no-untyped-def]
    if not panel.capturing:
        assert panel.start()
    qtbot.waitUntil(lambda: panel.opened_info is not None and fake.stream is not None, timeout=20_000)
    assert fake.stream is not None
    feeder = Feeder(fake.stream, audio)
    panel.feeders.append(feeder)  # type: ignore[attr-defined]
    return feeder


def file_segments(services: AppServices) -> list[SpeechSegment]:
    task = services.pipeline.task("silero-vad")
    return list(task.run(task.decode(SPEECH), StageClock()).segments)


def assert_same_segments(got: list[SpeechSegment], want: list[SpeechSegment]) -> None:
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want, strict=True):
        assert g.start_s == pytest.approx(w.start_s, abs=TOLERANCE_S)
        assert g.end_s == pytest.approx(w.end_s, abs=TOLERANCE_S)


def test_the_device_picker_lists_inputs_with_the_default_selected(panel: QtMicrophonePanel) -> None:
    combo = panel.view.device_combo
    assert combo.count() == 1 and "USB Mic" in combo.currentText() and "default" in combo.currentText()
    assert panel.view.start_button.isEnabled() and panel.view.start_button.accessibleName() == "Start capture"


def test_live_speech_gives_the_files_segments_levels_and_a_wav_recording(
        qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice, services: AppServices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    audio = speech_48k_stereo()
    wav = tmp_path / "out" / "take.wav"
    levels: list[tuple[float, float]] = []
    panel.controller.update.connect(lambda u: levels.append((u.rms_dbfs, u.peak_dbfs)))
    panel.record_to(wav)  # starts capture with the recording on from the first block
    feeder = start_and_feed(qtbot, panel, fake, audio)
    qtbot.waitUntil(lambda: feeder.done, timeout=30_000)
    qtbot.waitUntil(lambda: panel.last_update is not None and panel.last_update.captured == feeder.blocks
                    and fake.stream is not None and fake.stream.queued == 0, timeout=20_000)
    want = file_segments(services)  # three: a pause splits the second phrase
    qtbot.waitUntil(lambda: len(panel.segments) == len(want), timeout=20_000)
    assert max(p for _, p in levels) > -12 and max(r for r, _ in levels) > -30  # espeak speaks up
    assert min(p for _, p in levels) < -60  # and is silent between the phrases
    assert panel.view.table.rowCount() == len(want) and panel.view.plot.segment_count == len(want)
    with qtbot.waitSignal(panel.controller.recorded, timeout=20_000):
        panel.stop_recording()
    panel.stop()
    qtbot.waitUntil(lambda: not panel.controller.device_in_use, timeout=20_000)  # its last update has arrived
    update = panel.last_update
    assert update is not None and update.dropped == 0
    assert_same_segments(panel.segments, want)

    info = sf.info(wav)
    assert (info.samplerate, info.channels, info.frames) == (RATE, 2, len(audio))
    recorded, _ = sf.read(wav, dtype="float32")
    np.testing.assert_allclose(recorded, audio, atol=1e-6)
    assert not [p for p in wav.parent.iterdir() if p.name.endswith(".tmp")]

    rows = list(csv.DictReader(panel.export_segments(tmp_path / "segments.csv").open()))
    assert [float(r["start_s"]) for r in rows] == pytest.approx([s.start_s for s in panel.segments], abs=1e-3)
    data = json.loads(panel.export_segments(tmp_path / "segments.json").read_text())
    assert data["model"] == "silero-vad" and len(data["segments"]) == len(want)
    assert data["segments"][1]["duration_s"] == pytest.approx(panel.segments[1].end_s - panel.segments[1].start_s,
                                                              abs=1e-3)


def test_a_device_that_refuses_to_open_gives_a_plain_message_and_the_panel_stays_usable(
        qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    fake.fail_with = FakePortAudioError("Error opening InputStream: Invalid device [PaErrorCode -9996]", -9996)
    messages: list[str] = []
    panel.message.connect(messages.append)
    with qtbot.waitSignal(panel.controller.stopped, timeout=20_000):
        panel.start()
    kind, text = panel.strip_text
    assert kind == "error" and messages == [text]
    assert text.startswith("microphone:") and "does not exist" in text and "\n" not in text
    assert "Traceback" not in text
    fake.fail_with = None
    assert panel.start()
    qtbot.waitUntil(lambda: panel.opened_info is not None, timeout=20_000)
    assert panel.strip_text == ("", "") and panel.capturing


def test_a_stream_that_dies_mid_way_says_unplugged(qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    feeder = start_and_feed(qtbot, panel, fake, speech_48k_stereo()[: RATE * 2])
    qtbot.waitUntil(lambda: feeder.done, timeout=20_000)
    assert fake.stream is not None
    with qtbot.waitSignal(panel.controller.stopped, timeout=20_000):
        fake.stream.die()
    kind, text = panel.strip_text
    assert kind == "error" and "unplugged" in text and "\n" not in text
    assert not panel.capturing and panel.view.start_button.text() == "&Start" and panel.view.start_button.isEnabled()


def test_silent_input_is_a_warning_not_an_error(qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    start_and_feed(qtbot, panel, fake, np.zeros((RATE * 4, 2), np.float32))
    qtbot.waitUntil(lambda: panel.strip_text[0] == "warning", timeout=20_000)
    assert "silent" in panel.strip_text[1] and panel.capturing
    assert panel.last_update is not None and panel.last_update.silent and panel.last_update.position_s >= 3.0


def test_clipped_input_is_a_warning_not_an_error(qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    start_and_feed(qtbot, panel, fake, np.ones((RATE // 2, 2), np.float32))
    qtbot.waitUntil(lambda: panel.strip_text[0] == "warning", timeout=20_000)
    assert "clipping" in panel.strip_text[1] and panel.capturing and panel.view.meter.clipped


def test_hiding_the_panel_stops_capture_and_showing_it_resumes(
        qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    assert panel.start()
    qtbot.waitUntil(lambda: panel.opened_info is not None, timeout=20_000)
    first = fake.stream
    panel.hide()
    assert not panel.capturing and join_all()
    assert first is not None and first.closed
    panel.show()
    qtbot.waitUntil(lambda: panel.opened_info is not None and fake.stream is not first, timeout=20_000)
    assert panel.capturing and len(fake.streams) == 2
    panel.stop()
    panel.hide()
    panel.show()
    assert not panel.capturing  # stopped by the user: showing the panel does not start it


def test_segment_settings_apply_at_the_next_start(qtbot, panel: QtMicrophonePanel, fake: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    panel.view.onset_spin.setValue(0.3)
    panel.view.offset_spin.setValue(0.6)  # above the onset: clamped to it
    panel.view.min_silence_spin.setValue(2000)
    assert panel.params() == {"onset": 0.3, "offset": 0.3, "min_speech_ms": panel.view.min_speech_spin.value(),
                              "min_silence_ms": 2000.0}
    audio = speech_48k_stereo()
    feeder = start_and_feed(qtbot, panel, fake, audio)
    qtbot.waitUntil(lambda: feeder.done, timeout=30_000)
    heard_s = len(audio) / RATE - 0.1  # the resampler may still hold a few milliseconds
    # the worker has analysed what was fed (a stop drops the blocks it has not read yet)
    qtbot.waitUntil(lambda: panel.last_update is not None and panel.last_update.position_s >= heard_s,
                    timeout=30_000)
    panel.stop()  # returns at once; the segment closed at the stop arrives from the ending run
    qtbot.waitUntil(lambda: not panel.controller.device_in_use, timeout=20_000)
    assert len(panel.segments) == 1  # the 1.5 s pause no longer splits the phrases


def test_analyse_file_streams_a_file_with_progress(qtbot, panel: QtMicrophonePanel, services: AppServices) -> None:  # type: ignore[no-untyped-def]
    panel.analyse_file(SPEECH)
    qtbot.waitUntil(lambda: not panel.controller.analysing and panel.view.progress.isHidden(), timeout=30_000)
    assert panel.strip_text == ("", "")
    assert panel.last_update is not None and panel.last_update.progress == 1.0 and panel.last_update.final
    assert_same_segments(panel.segments, file_segments(services))
    assert panel.source_label == SPEECH.name


def test_controls_are_named_and_reachable_by_keyboard(panel: QtMicrophonePanel) -> None:
    from PySide6.QtCore import Qt

    v = panel.view
    for widget in (v.device_combo, v.refresh_button, v.start_button, v.record_button, v.analyse_button,
                   v.export_button, v.table, v.onset_spin, v.offset_spin, v.min_speech_spin, v.min_silence_spin):
        assert widget.accessibleName(), widget
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget
    assert v.meter.accessibleName() and v.plot.accessibleName() and v.strip.accessibleName()
