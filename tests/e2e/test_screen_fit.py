"""The real window on laptop and desktop screens (its own Xvfb at 1366x768 and 1920x1080): two photos dropped,
then each tab (Files, Camera running on a video file, Microphone) with both docks shown and the monitor
folded, with the monitor opened, and with both docks closed. Every visible widget lies inside the screen, no
horizontal scroll bar shows, the window never changes size (starting the camera does not make it grow), the
live view takes at least 60 % of the camera panel, and the screenshots go to
build/screenshots/fit-<size>-<tab>[-monitor-open|-docks-hidden].png."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e.screen_fit import DOCKS, TABS

SCREENSHOTS = ROOT / "build" / "screenshots"
STATES = [tab if dock == "docks" else f"{tab}-{dock}" for tab in TABS for dock in DOCKS]


def run_on_screen(size: str, home: Path, tag: str) -> dict[str, Any]:
    """tests.e2e.screen_fit on its own Xvfb screen of `size`; its JSON report."""
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "Xvfb is missing: scripts/setup.sh installs it"
    for old in SCREENSHOTS.glob(f"fit-{tag}-*.png"):  # no stale picture passes for a new one
        old.unlink()
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    command = [xvfb, "-a", "-s", f"-screen 0 {size}x24", sys.executable, "-m", "tests.e2e.screen_fit",
               str(SCREENSHOTS), str(home), tag]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("size", ["1280x720", "1366x768", "1920x1080"])
def test_every_screen_fits_and_the_window_never_grows(size: str, tmp_path: Path) -> None:
    report = run_on_screen(size, tmp_path / "home", size)
    check_report(report, size, size)


def check_report(report: dict[str, Any], size: str, tag: str) -> None:
    """Every state on screen, no sideways scroll bar, one window size throughout, a roomy live view."""
    width, height = (int(v) for v in size.split("x"))
    assert report["platform"] == "xcb" and report["screen"][0] <= width and report["screen"][1] <= height
    start = report["window_start"]
    assert start[0] <= report["screen"][0] and start[1] <= report["screen"][1]
    assert report["window_before_camera"] == start and report["window_end"] == start
    assert sorted(report["states"]) == sorted(STATES)
    for state, shown in report["states"].items():
        assert shown["outside"] == [], (state, shown["outside"][:5])
        assert shown["sideways"] == [], (state, shown["sideways"])
        assert shown["window"] == start, state  # the window never grew or shrank
        assert not shown["ring"], state  # no focus ring drawn around nothing
        shot = SCREENSHOTS / f"fit-{tag}-{state}.png"
        assert shot.is_file() and shot.stat().st_size > 20_000, state
    for state in ("camera", "camera-docks-hidden"):  # the live view takes the room it is given
        shown = report["states"][state]
        share = shown["video"][0] * shown["video"][1] / (shown["panel"][0] * shown["panel"][1])
        print(f"{size} {state}: live view {shown['video']} in a {shown['panel']} panel, {share:.0%} of its area")
        assert share >= 0.6, (state, share)
    opened = report["states"]["camera-monitor-open"]
    assert opened["video"][1] >= 200  # with the monitor open on a laptop the video is smaller, never squashed


def test_a_window_saved_on_a_large_screen_opens_fitting_a_laptop(tmp_path: Path) -> None:
    """Geometry and dock state persist (window.ini under the user's config dir); reopened on a smaller screen,
    the saved 1600x1000 window is clamped to the screen and every state still fits."""
    large = run_on_screen("1920x1080", tmp_path / "home", "saved-1920x1080")
    assert any((tmp_path / "home").rglob("window.ini"))
    small = run_on_screen("1366x768", tmp_path / "home", "reopened-1366x768")
    assert large["window_start"][0] > small["screen"][0]  # the saved size would not have fitted
    check_report(small, "1366x768", "reopened-1366x768")
