"""Start-up time of the GUI: launch to window shown, as the app itself reports it (`--startup-report`).

Runs the app N times, each in a fresh process with a temporary HOME, offscreen, and quits it once the
window is up. By default the unfrozen app (`python -m desktop_app`); `--exe dist/desktop-app/desktop-app`
measures the frozen bundle. Goal: the window shown within 2.0 s of launch (median of the runs).
Usage: .venv/bin/python bench/bench_startup.py [--runs N] [--exe PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 2.0
_REPORT = re.compile(r"^startup: window shown ([\d.]+) s after launch", re.MULTILINE)


def one_start(command: list[str]) -> float:
    """Seconds from launch to window shown in one fresh process (raises if the app gave no report)."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home, "DESKTOP_APP_HOME": home}
        done = subprocess.run([*command, "gui", "--quit-after", "300", "--startup-report"], cwd=home, env=env,
                              capture_output=True, text=True, timeout=120)
    found = _REPORT.search(done.stdout + done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"no start-up report (return code {done.returncode}): {(done.stdout + done.stderr)[-2000:]}")
    return float(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches to measure (the first warms the disk cache)")
    parser.add_argument("--exe", type=Path, default=None, help="a frozen executable instead of the unfrozen app")
    args = parser.parse_args()
    command = [str(args.exe)] if args.exe else [sys.executable, "-m", "desktop_app"]
    one_start(command)  # the first launch reads everything from disk: not counted
    seconds = [one_start(command) for _ in range(args.runs)]
    median = statistics.median(seconds)
    print(f"start-up ({'frozen ' + str(args.exe) if args.exe else 'unfrozen'}), {args.runs} launches: "
          f"median {median:.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s "
          f"({', '.join(f'{s:.2f}' for s in seconds)})")
    print(f"goal: window shown within {GOAL_S:.1f} s (median): {'met' if median <= GOAL_S else 'NOT met'}")
    return 0 if median <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
