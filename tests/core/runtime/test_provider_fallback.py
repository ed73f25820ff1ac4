"""A GPU provider that raises while a session is created (CUDA libraries missing, driver too old): the
session retries on CPU and says why, strict modes refuse, a broken model is still a model error, and the
health check and the `providers` command show the same reason (the failure is staged by tests/fake_gpu.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from desktop_app.cli import main
from desktop_app.core.errors import ModelError, ProviderError
from desktop_app.core.runtime import health
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.session import ModelSession, SessionPool
from tests.builders import add_one
from tests.fake_gpu import EXPLAINED, REASON, BrokenGpu, break_cuda


@pytest.fixture
def broken_cuda(monkeypatch: pytest.MonkeyPatch) -> BrokenGpu:
    """A build that lists CUDA, on a machine where CUDA fails when a session is created."""
    return break_cuda(monkeypatch)


@pytest.mark.parametrize("choice", ["auto", "cuda"])
def test_a_gpu_that_fails_at_creation_runs_on_cpu_and_says_why(tmp_path: Path, broken_cuda: BrokenGpu,
                                                              choice: str) -> None:
    session = ModelSession(add_one(tmp_path / "add.onnx"), choice)
    report = session.report
    assert report.requested == (prov.CUDA, prov.CPU) and report.obtained == (prov.CPU,)
    assert report.used_short == "CPU"
    assert report.fallback_reason == REASON == f"CUDA failed when the session was created ({EXPLAINED}); running on CPU"
    assert "second line" not in report.fallback_reason
    assert report.to_dict()["fallback_reason"] == report.fallback_reason
    (y,), _ms = session.run({"x": np.zeros((2, 4), np.float32)})
    assert np.array_equal(y, np.ones((2, 4), np.float32))
    # one try with the GPU, one retry on CPU alone; ONNX Runtime's own silent retry is off for both
    assert [names for names, _ in broken_cuda.calls] == [[prov.CUDA, prov.CPU], [prov.CPU]]
    assert all(kwargs.get("enable_fallback") == 0 for _, kwargs in broken_cuda.calls)


def test_strict_modes_refuse_with_the_reason(tmp_path: Path, broken_cuda: BrokenGpu) -> None:
    path = add_one(tmp_path / "add.onnx")
    with pytest.raises(ProviderError) as strict:
        ModelSession(path, "cuda", strict=True)
    assert str(strict.value) == f"strict mode: CUDA failed when the session was created ({EXPLAINED})"
    with pytest.raises(ProviderError) as strict_gpu:
        ModelSession(path, "strict-gpu")
    assert str(strict_gpu.value).startswith("strict GPU mode: CUDA failed when the session was created (")
    assert "CUDA failure 35" in str(strict_gpu.value) and "\n" not in str(strict_gpu.value)


@pytest.mark.parametrize("choice,strict", [("auto", False), ("cuda", True), ("strict-gpu", False)])
def test_a_broken_model_is_still_a_model_error(tmp_path: Path, broken_cuda: BrokenGpu, choice: str,
                                              strict: bool) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ModelError) as caught:
        ModelSession(bad, choice, strict=strict)
    text = str(caught.value)
    assert text.startswith("bad.onnx: ONNX Runtime cannot load this model: ")
    assert "CUDA" not in text  # the CPU's error, which is about the file
    assert not isinstance(caught.value, ProviderError)


def test_the_pool_keeps_the_cpu_session_it_fell_back_to(tmp_path: Path, broken_cuda: BrokenGpu) -> None:
    path = add_one(tmp_path / "add.onnx")
    pool = SessionPool("auto")
    first = pool.get(path)
    assert pool.get(path) is first and first.report.fallback_reason
    assert len(broken_cuda.calls) == 2  # created (and failed over) once, not per call


def test_health_and_the_providers_command_show_the_failure(broken_cuda: BrokenGpu,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cuda = health.check_provider(prov.CUDA)
    assert cuda.available and not cuda.healthy and cuda.detail == EXPLAINED
    chosen, why = health.choose(health.check_all())
    assert chosen == prov.CPU and "CUDA: " + EXPLAINED in why

    assert main(["providers", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {p["provider"]: p for p in data["providers"]}
    assert by_name["CUDA"]["available"] and not by_name["CUDA"]["healthy"]
    assert "CUDA failure 35" in by_name["CUDA"]["detail"] and data["chosen"] == "CPU"
    assert main(["providers"]) == 0
    text = capsys.readouterr().out
    assert any(line.split()[:2] == ["CUDA", "unhealthy"] and "CUDA failure 35" in line for line in text.splitlines())
