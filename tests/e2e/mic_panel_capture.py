"""Run by the microphone panel end-to-end test in its own process (PortAudio must start after PulseAudio):
opens the real QtMicrophonePanel on the default input with the real sounddevice, records the raw input,
plays a WAV into the virtual speaker once capture runs, saves a screenshot of the panel during playback,
and prints one JSON object (segments, alignment of the played WAV in what was heard, stream facts)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from PySide6.QtWidgets import QApplication

from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices
from desktop_app.qt.microphone.qt_microphone_panel import QtMicrophonePanel
from desktop_app.qt.qt_workers import join_all, running_threads
from tests.e2e.mic_capture import _alignment

RATE = 16000


def _spin(app: QApplication, until, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def main(wav: str, screenshot: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="mic-panel-"))
    panel = QtMicrophonePanel(AppServices.create(UserDirs.under(work / "home")))
    panel.resize(1100, 720)
    panel.show()
    duration = float(sf.info(wav).duration)
    recording = work / "heard.wav"
    panel.record_to(recording)
    assert _spin(app, lambda: panel.last_update is not None and panel.last_update.position_s >= 0.5, 30), \
        f"capture did not start: {panel.strip_text}"
    offset_s = panel.last_update.position_s if panel.last_update else None
    player = subprocess.Popen(["paplay", "--device=vspk", wav])
    shot_at = (offset_s or 0) + 7.0  # during the second phrase, with the first segment listed
    _spin(app, lambda: panel.last_update is not None and panel.last_update.position_s >= shot_at, 30)
    panel.grab().save(screenshot)
    _spin(app, lambda: player.poll() is not None, 30)
    end = (offset_s or 0) + duration + 1.5
    _spin(app, lambda: panel.last_update is not None and panel.last_update.position_s >= end, 30)
    panel.stop_recording()
    _spin(app, lambda: panel.last_recording is not None, 10)
    update, info = panel.last_update, panel.opened_info
    panel.shutdown()
    join_all()  # as the window's close does
    heard = np.zeros(0, np.float32)
    if recording.is_file():
        raw, rate = sf.read(recording, dtype="float32", always_2d=True)
        heard = soxr.resample(raw.mean(axis=1), rate, RATE).astype(np.float32)
    print(json.dumps({
        "offset_s": offset_s, "aligned_offset_s": _alignment(heard, wav, RATE),
        "segments": [s.to_dict() for s in panel.segments],
        "native_rate": info.native_rate if info else None, "channels": info.channels if info else None,
        "captured": update.captured if update else 0, "dropped": update.dropped if update else None,
        "recording": {"path": str(recording), "seconds": panel.last_recording.seconds, "rate": panel.last_recording.rate}
        if panel.last_recording else None,
        "strip": panel.strip_text, "devices": [d.label for d in panel.devices],
        "threads_left": len(running_threads()),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
