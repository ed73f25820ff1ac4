"""The real window on a 1366x768 X screen (its own Xvfb): each camera mode on a video of a sample photo, a
screenshot of each in build/screenshots/, every visible widget inside the screen, the window never resized
by starting the camera, and the live video taking most of its panel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"


def test_camera_modes_on_a_laptop_screen(tmp_path: Path) -> None:
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "Xvfb is missing: scripts/setup.sh installs it"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    command = [xvfb, "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-m", "tests.e2e.camera_mode_screenshots",
               str(SCREENSHOTS), str(tmp_path / "home")]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb" and report["screen"] == [1366, 768]
    width, height = report["window_before"]
    assert width <= 1366 and height <= 768
    assert report["window_after"] == report["window_before"]  # starting the camera never resized the window
    assert report["people"]["people"] >= 1 and report["people"]["keypoints_shown"] >= 5
    assert "cup" in report["objects"]["labels"]
    assert report["background"]["effect"].startswith("background blurred")
    for mode in ("people", "objects", "background"):
        shown = report[mode]
        assert shown["ready"], mode
        assert shown["outside"] == [], (mode, shown["outside"][:5])
        assert shown["window"] == report["window_before"], mode
        video, panel = shown["video"], shown["panel"]
        assert video[0] * video[1] >= 0.6 * panel[0] * panel[1], (mode, video, panel)  # the live view's share
        shot = SCREENSHOTS / f"camera-{mode}.png"
        assert shot.is_file() and shot.stat().st_size > 20_000, mode
    print(f"screenshots: {SCREENSHOTS}")
