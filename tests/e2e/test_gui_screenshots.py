"""The real window on a real X display (Xvfb): drop a photo, see its result, run a folder, inspect a model;
screenshots go to build/screenshots/ (the test command prints the folder)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"


def test_real_window_drop_batch_and_inspector_screenshots(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    command = [sys.executable, "-m", "tests.e2e.gui_screenshots", str(SCREENSHOTS), str(tmp_path / "home")]
    if not os.environ.get("DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        assert xvfb, "Xvfb is missing: scripts/setup.sh installs it"
        command = [xvfb, "-a", "-s", "-screen 0 1600x1000x24", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    assert report["photo_row"] and "cat" in report["photo_row"]
    assert report["batch_rows"] == 1 + 13  # the photo, then 12 copies and one broken file
    assert report["adult_groups"] == ["Female", "Male"]  # the monitor's per-sex rows from the Adult CSV
    assert report["camera_events"] >= 3  # the monitor counted the faces' expressions from the camera
    for name in ("files-panel-photo.png", "batch-table.png", "model-inspector.png", "camera-session-monitor.png", "monitor-adult-window.png"):
        shot = SCREENSHOTS / name
        assert shot.is_file() and shot.stat().st_size > 10_000, name
    print(f"screenshots: {SCREENSHOTS}")
