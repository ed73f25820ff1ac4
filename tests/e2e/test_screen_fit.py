"""The real window on laptop and desktop screens (its own Xvfb at 1366x768 and 1920x1080): two photos dropped,
then each tab with the monitor folded and open and with the Models dock closed, the camera running. Every
visible widget lies inside the screen, the window never changes size (no panel makes it grow), and the
screenshots go to build/screenshots/fit-<size>-<state>.png."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"
STATES = ("files", "files-monitor-open", "camera", "camera-monitor-open", "camera-models-closed", "microphone")


@pytest.mark.parametrize("size", ["1366x768", "1920x1080"])
def test_every_screen_fits_and_the_window_never_grows(size: str, tmp_path: Path) -> None:
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "Xvfb is missing: scripts/setup.sh installs it"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    command = [xvfb, "-a", "-s", f"-screen 0 {size}x24", sys.executable, "-m", "tests.e2e.screen_fit",
               str(SCREENSHOTS), str(tmp_path / "home"), size]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    width, height = (int(v) for v in size.split("x"))
    assert report["platform"] == "xcb" and report["screen"][0] <= width and report["screen"][1] <= height
    start = report["window_start"]
    assert start[0] <= width and start[1] <= height
    assert report["window_end"] == start
    assert set(report["states"]) == set(STATES)
    for state, shown in report["states"].items():
        assert shown["outside"] == [], (state, shown["outside"][:5])
        assert shown["window"] == start, state  # the window never grew or shrank
        shot = SCREENSHOTS / f"fit-{size}-{state}.png"
        assert shot.is_file() and shot.stat().st_size > 20_000, state
    camera = report["states"]["camera"]["panel"]
    assert camera[0] >= 600 and camera[1] >= 400  # the live view has room (the monitor starts folded)
