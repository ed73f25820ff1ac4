"""A PulseAudio daemon with a virtual microphone for the tests: a null sink `vspk` whose monitor is
remapped as the source `vmic`; whatever is played into `vspk` is what the microphone hears."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _pactl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pactl", *args], env=env, capture_output=True, text=True, timeout=10)


@contextmanager
def virtual_microphone(runtime: Path) -> Iterator[dict[str, str]]:
    """Start the daemon in `runtime`; yields the environment a client needs to use it."""
    for tool in ("pulseaudio", "pactl", "paplay"):
        assert shutil.which(tool), f"{tool} is missing: scripts/setup.sh --tests installs pulseaudio"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "PULSE_RUNTIME_PATH": str(runtime / "pulse"),
           "PULSE_SERVER": f"unix:{runtime / 'pulse' / 'native'}"}
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--log-target=stderr",
         "-L", "module-native-protocol-unix", "-L", "module-null-sink sink_name=vspk rate=48000",
         "-L", "module-remap-source source_name=vmic master=vspk.monitor"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while _pactl(env, "info").returncode != 0:  # poll the server until it answers
            assert daemon.poll() is None, f"pulseaudio exited: {daemon.stderr.read() if daemon.stderr else ''}"
            assert time.monotonic() < deadline, "pulseaudio did not start within 20 s"
            time.sleep(0.05)
        assert _pactl(env, "set-default-sink", "vspk").returncode == 0
        assert _pactl(env, "set-default-source", "vmic").returncode == 0
        yield env
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
