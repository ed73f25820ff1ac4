"""The real microphone path on a PulseAudio virtual microphone: espeak-ng speech played into the virtual
speaker is captured through sounddevice by the app's MicrophoneSource and segmented by the live VAD."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.e2e.pulse import virtual_microphone

MERGE_GAP_S = 0.5  # pauses inside a phrase may split it; phrases are 1.5 s apart


def _merged(segments: list[dict[str, float]]) -> list[list[float]]:
    merged: list[list[float]] = []
    for seg in segments:
        if merged and seg["start_s"] - merged[-1][1] < MERGE_GAP_S:
            merged[-1][1] = seg["end_s"]
        else:
            merged.append([seg["start_s"], seg["end_s"]])
    return merged


@pytest.fixture(scope="module")
def pulse_env(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with virtual_microphone(tmp_path_factory.mktemp("pulse")) as env:
        yield env


def test_speech_into_the_virtual_microphone_gives_the_played_segments(pulse_env: dict[str, str]) -> None:
    wav = SAMPLES / "speech-espeak.wav"
    layout = json.loads(wav.with_suffix(".json").read_text())["speech"]
    done = subprocess.run([sys.executable, "-m", "tests.e2e.mic_capture", str(wav), "pulse"], env=pulse_env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print("microphone e2e:", json.dumps(report))
    assert report["native_rate"] > 0 and report["captured"] > 100 and report["dropped"] == 0
    offset = report["aligned_offset_s"]
    assert offset is not None and abs(offset - report["offset_s"]) < 1.0  # playback began after capture did
    got = _merged(report["segments"])
    assert len(got) == len(layout), got
    for (start, end), phrase in zip(got, layout, strict=True):
        assert start == pytest.approx(phrase["start_s"] + offset, abs=0.25)
        assert end == pytest.approx(phrase["end_s"] + offset, abs=0.25)


def test_unknown_device_gives_a_plain_message(pulse_env: dict[str, str], tmp_path: Path) -> None:
    script = ("from desktop_app.core.sources.microphone import MicrophoneSource, MicrophoneError, load_sounddevice\n"
              "src = MicrophoneSource(load_sounddevice(), 'no such microphone', 16000)\n"
              "try:\n    src.open()\nexcept MicrophoneError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", script], env=pulse_env, cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    message = done.stdout.strip()
    assert message.startswith("microphone:") and "\n" not in message and "no such microphone" in message
