"""The microphone panel on the real path: a PulseAudio virtual microphone, the real sounddevice, espeak-ng
speech played into the virtual speaker; the panel's segments match the played layout within 0.25 s, and a
screenshot of the panel during playback is kept under build/screenshots/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.e2e.pulse import virtual_microphone
from tests.e2e.test_microphone import _merged

SHOT = ROOT / "build" / "screenshots" / "microphone-panel.png"


@pytest.fixture(scope="module")
def pulse_env(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with virtual_microphone(tmp_path_factory.mktemp("pulse")) as env:
        yield env


def test_the_panel_shows_the_played_speech_segments(pulse_env: dict[str, str], tmp_path: Path) -> None:
    wav = SAMPLES / "speech-espeak.wav"
    layout = json.loads(wav.with_suffix(".json").read_text())["speech"]
    shot = tmp_path / "microphone-panel.png"
    env = {**pulse_env, "DESKTOP_APP_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "tests.e2e.mic_panel_capture", str(wav), str(shot)]
    xvfb = shutil.which("xvfb-run")
    if xvfb and not env.get("DISPLAY"):
        command, env["QT_QPA_PLATFORM"] = [xvfb, "-a", *command], "xcb"  # a real X11 window, as in CI
    elif not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print("microphone panel e2e:", json.dumps(report))
    assert report["strip"] == ["", ""] and report["threads_left"] == 0
    assert report["native_rate"] > 0 and report["captured"] > 100 and report["dropped"] == 0
    assert report["recording"] and report["recording"]["rate"] == report["native_rate"]
    offset = report["aligned_offset_s"]
    assert offset is not None and abs(offset - report["offset_s"]) < 1.0
    got = _merged(report["segments"])
    assert len(got) == len(layout), got
    for (start, end), phrase in zip(got, layout, strict=True):
        assert start == pytest.approx(phrase["start_s"] + offset, abs=0.25)
        assert end == pytest.approx(phrase["end_s"] + offset, abs=0.25)
    assert shot.is_file() and shot.stat().st_size > 10_000
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SHOT)
