"""A GPU that fails when its session is created is visible wherever a result is shown: the result header
and the status bar's provider label after a file, the camera's stats strip, the microphone's statistics.
The failure is staged by tests/fake_gpu.py (installed before any session is made)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.paths import UserDirs
from desktop_app.core.runtime import providers as prov
from desktop_app.core.services import AppServices
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from desktop_app.qt.microphone.qt_microphone_panel import QtMicrophonePanel
from desktop_app.qt.qt_workers import join_all
from tests.conftest import SAMPLES
from tests.core.sources.face_video import make_face_video
from tests.fake_gpu import EXPLAINED, REASON, BrokenGpu, break_cuda
from tests.fake_sounddevice import RATE, FakeSoundDevice, Feeder

WAIT_MS = 60_000


@pytest.fixture
def broken_cuda(monkeypatch: pytest.MonkeyPatch) -> BrokenGpu:
    return break_cuda(monkeypatch)


@pytest.fixture
def services(tmp_path: Path) -> AppServices:
    return AppServices.create(UserDirs.under(tmp_path / "home"))


def test_a_classified_file_shows_the_fallback_in_the_header_and_the_status_bar(
        broken_cuda: BrokenGpu, main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(main_window.files_panel.batch_finished, timeout=WAIT_MS):
        main_window.open_paths([SAMPLES / "cat-chelsea.jpg"])
    row = main_window.files_panel.model.rows[0]
    assert row.result.ok and row.result.provider.fallback_reason == REASON
    header = main_window.result_view.header
    qtbot.waitUntil(lambda: header.fallback_label.isVisible(), timeout=WAIT_MS)
    assert header.fallback_label.text() == f"⚠ {REASON}"
    assert header.model_label.text() == "efficientnet-lite0 on CPU ⚠ fallback"
    assert header.model_label.toolTip() == REASON
    assert main_window.provider_label.text() == "Provider: CPU ⚠ fallback"
    assert main_window.provider_label.toolTip() == REASON
    assert any(names[0] == prov.CUDA for names, _ in broken_cuda.calls)  # the GPU was tried
    box = main_window.model_manager.provider_box  # the provider health view says the same
    qtbot.waitUntil(lambda: "unhealthy" in box.verdicts[prov.CUDA].text(), timeout=WAIT_MS)
    assert box.verdicts[prov.CUDA].toolTip() == EXPLAINED
    assert f"CUDA: {EXPLAINED}" in box.auto_label.toolTip() and box.auto_label.text() == "Auto uses CPU."


def test_the_camera_stats_strip_shows_the_fallback(broken_cuda: BrokenGpu, qtbot, services: AppServices,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    panel = QtCameraPanel(services)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        panel.set_source(str(make_face_video(tmp_path, count=30).path))
        panel.view.loop_check.setChecked(True)
        with qtbot.waitSignal(panel.stats_changed, timeout=WAIT_MS) as blocker:
            panel.start()
        stats = blocker.args[0]
        assert stats.provider == "CPU" and stats.fallback == REASON
        label = panel.view.stats.values["provider"]
        assert label.text() == "Provider: CPU ⚠ fallback" and label.toolTip() == REASON
        panel.view.stats.set_stats(None)  # nothing running: the reason goes with the numbers
        assert "fallback" not in label.text() and label.toolTip() != REASON
    finally:
        panel.shutdown()
    assert join_all()


@pytest.fixture
def mic_panel(qtbot, services: AppServices) -> Iterator[QtMicrophonePanel]:  # type: ignore[no-untyped-def]
    fake = FakeSoundDevice()
    widget = QtMicrophonePanel(services, sounddevice_loader=lambda: fake)
    widget.fake = fake  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()
    assert join_all()


def test_the_microphone_statistics_show_the_fallback(broken_cuda: BrokenGpu, qtbot,  # type: ignore[no-untyped-def]
                                                     mic_panel: QtMicrophonePanel) -> None:
    results: list[object] = []
    mic_panel.result_ready.connect(results.append)
    assert mic_panel.start()
    qtbot.waitUntil(lambda: mic_panel.opened_info is not None and mic_panel.fake.stream is not None,  # type: ignore[attr-defined]
                    timeout=WAIT_MS)
    assert mic_panel.opened_info is not None and mic_panel.opened_info.provider.fallback_reason == REASON
    stats = mic_panel.view.stats_label
    assert "silero-vad on CPU ⚠ fallback" in stats.text()
    assert stats.toolTip() == f"Provider fallback: {REASON}"
    feeder = Feeder(mic_panel.fake.stream, np.zeros((RATE * 2, 2), np.float32))  # type: ignore[attr-defined]
    try:
        qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)  # what the status bar's provider label shows
    finally:
        feeder.stop()
    assert results[0].provider.fallback_reason == REASON  # type: ignore[attr-defined]
