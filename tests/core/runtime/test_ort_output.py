"""ONNX Runtime's own messages: its real failure texts become one precise line, and what it prints while a
provider starts is captured into the log instead of reaching the terminal."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.runtime.ort_output import captured_native_output, explain_provider_failure

MESSAGES = Path(__file__).resolve().parents[2] / "data" / "ort_messages"


def _text(name: str) -> str:
    return (MESSAGES / name).read_text()


def test_missing_cuda_library_is_named_with_the_versions_needed() -> None:
    line = explain_provider_failure(_text("cuda-libraries-missing.txt"), "13.0")
    assert line is not None and "\n" not in line
    assert "libcublasLt.so.13" in line and "CUDA 13.x" in line and "cuDNN 9.x" in line
    assert "onnxruntime-gpu[cuda,cudnn]" in line
    assert "libraries missing" not in line


def test_with_the_libraries_present_the_missing_driver_is_named() -> None:
    line = explain_provider_failure(_text("cuda-no-driver.txt"), "13.0")
    assert line is not None and line.startswith("no NVIDIA driver found") and "libcuda.so.1" in line
    assert "libraries missing" not in line


def test_no_device_and_old_driver_are_told_apart() -> None:
    assert explain_provider_failure(_text("cuda-no-device.txt")) == (
        "no CUDA device found: the NVIDIA driver is installed but sees no GPU")
    old = explain_provider_failure(_text("cuda-driver-too-old.txt"), "13.0")
    assert old is not None and old.startswith("the NVIDIA driver is too old for CUDA 13.x")


def test_the_required_versions_come_from_the_message_when_it_states_them() -> None:
    line = explain_provider_failure(_text("cuda-libraries-missing.txt"), None)
    assert line is not None and "CUDA 13.x and cuDNN 9.x" in line  # from "Require cuDNN 9.* and CUDA 13.*"


@pytest.mark.parametrize("text", ["", "some unrelated warning", "[W:onnxruntime] graph optimisation skipped"])
def test_unknown_texts_give_no_reason(text: str) -> None:
    assert explain_provider_failure(text) is None


def test_native_output_is_captured_logged_and_returned(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
                                                       ) -> None:
    caplog.set_level(logging.INFO, logger="desktop_app.onnxruntime")
    with captured_native_output("test") as out:
        os.write(2, b"\x1b[1;31m2026 [E:onnxruntime:Default] Failed to load library libx.so\x1b[m\n")
        os.write(1, b"printed on stdout\n")
    assert out.lines == ["2026 [E:onnxruntime:Default] Failed to load library libx.so", "printed on stdout"]
    assert capfd.readouterr() == ("", "")  # nothing reached the terminal
    assert "Failed to load library libx.so" in caplog.text


def test_no_command_prints_onnxruntime_log_lines_to_the_terminal(tmp_path: Path) -> None:
    """A session on a provider that cannot start (here CUDA asked of a build without it) prints nothing raw."""
    env = {**os.environ, "DESKTOP_APP_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "desktop_app", "providers"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0
    assert "[E:onnxruntime" not in done.stderr and "[W:onnxruntime" not in done.stderr
    assert "\x1b[" not in done.stdout + done.stderr
