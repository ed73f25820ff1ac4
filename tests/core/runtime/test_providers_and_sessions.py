"""Provider choice, health check, session wrapper and pool on the real ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.errors import InferenceError, ModelError, ProviderError
from desktop_app.core.runtime import health
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.session import ModelSession, SessionPool
from tests.builders import add_one


def test_requested_providers_follow_the_preference_chain() -> None:
    every = [prov.DML, prov.CUDA, prov.CPU]
    chain = prov.preference_chain("linux")
    assert chain == [prov.CUDA, prov.CPU]
    assert prov.preference_chain("win32") == [prov.DML, prov.CUDA, prov.CPU]
    assert prov.preference_chain("darwin") == [prov.CPU]
    assert prov.requested_providers("cpu", every) == [prov.CPU]
    assert prov.requested_providers("cuda", every) == [prov.CUDA, prov.CPU]
    assert prov.requested_providers("auto", [prov.CPU]) == [prov.CPU]
    assert prov.requested_providers("strict-gpu", [prov.CPU]) == []
    with pytest.raises(ValueError):
        prov.requested_providers("tpu", every)


def test_directml_options_turn_memory_patterns_off() -> None:
    dml = prov.options_for(prov.DML)
    assert not dml.enable_mem_pattern and dml.sequential and dml.single_thread_runs
    cpu = prov.options_for(prov.CPU)  # CPU: patterns off too (memory), but parallel runs and parallel execution
    assert not cpu.enable_mem_pattern and not cpu.sequential and not cpu.single_thread_runs


def test_cpu_sessions_run_without_memory_patterns() -> None:
    from desktop_app.core.runtime.session import _session_options

    assert not _session_options(prov.CPU, 1).enable_mem_pattern


def test_health_check_finds_a_working_cpu_and_explains_the_rest() -> None:
    results = health.check_all()
    assert [h.provider for h in results] == list(prov.ALL_PROVIDERS)
    cpu = results[-1]
    assert cpu.healthy and cpu.ms is not None
    for item in results:
        if not item.healthy:
            assert item.detail and "\n" not in item.detail
        if item.provider not in prov.available_providers():
            assert not item.available
    chosen, why = health.choose(results)
    assert chosen == next(h.provider for h in results if h.healthy)
    assert "preference chain" in why


def test_session_reports_what_it_really_got(tmp_path: Path) -> None:
    path = add_one(tmp_path / "add.onnx")
    session = ModelSession(path, "cpu")
    assert session.report.used == prov.CPU and session.report.fallback_reason is None
    (y,), ms = session.run({"x": np.zeros((2, 4), np.float32)})
    assert np.array_equal(y, np.ones((2, 4), np.float32)) and ms > 0


def test_a_bound_call_reads_and_writes_the_callers_arrays_in_place(tmp_path: Path) -> None:
    session = ModelSession(add_one(tmp_path / "add.onnx"), "cpu")
    assert session.binds_host_buffers
    x, y = np.zeros((2, 4), np.float32), np.full((2, 4), np.nan, np.float32)
    bound = session.bind({"x": x}, {"y": y})
    assert bound.run() > 0 and np.array_equal(y, np.ones((2, 4), np.float32))
    x[:] = np.arange(8, dtype=np.float32).reshape(2, 4)  # changed in place: the next call sees it
    bound.run()
    assert np.array_equal(y, x + 1)
    with pytest.raises(ValueError, match="C-contiguous"):
        session.bind({"x": np.zeros((4, 2), np.float32).T}, {"y": y})
    wrong = session.bind({"x": np.zeros((2, 4), np.float32)}, {"y": np.zeros((3, 4), np.float32)})
    with pytest.raises(InferenceError, match=r"^add.onnx: inference failed: "):
        wrong.run()


@pytest.mark.skipif(prov.CUDA in prov.available_providers(), reason="this build has CUDA; fallback cannot be provoked")
def test_asking_for_cuda_on_a_cpu_build_falls_back_with_a_reason_or_raises_when_strict(tmp_path: Path) -> None:
    path = add_one(tmp_path / "add.onnx")
    session = ModelSession(path, "cuda")
    assert session.report.used == prov.CPU
    assert session.report.fallback_reason and "CUDA" in session.report.fallback_reason
    with pytest.raises(ProviderError, match="strict"):
        ModelSession(path, "cuda", strict=True)
    with pytest.raises(ProviderError, match="strict GPU"):
        ModelSession(path, "strict-gpu")


def test_pool_creates_each_session_once(tmp_path: Path) -> None:
    path = add_one(tmp_path / "add.onnx")
    pool = SessionPool("cpu")
    assert pool.get(path) is pool.get(path)
    assert pool.get(path) is not pool.get(path, "auto")


def test_a_file_that_is_not_onnx_gives_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match="bad.onnx"):
        ModelSession(bad)


def test_pool_keys_sessions_by_thread_hint_and_an_explicit_pool_setting_wins(tmp_path: Path) -> None:
    path = add_one(tmp_path / "add.onnx")
    pool = SessionPool("cpu")
    assert pool.get(path, threads=1) is pool.get(path, threads=1)
    assert pool.get(path, threads=1) is not pool.get(path)
    fixed = SessionPool("cpu", threads=2)
    assert fixed.get(path, threads=1) is fixed.get(path)


def test_an_inference_error_with_an_empty_message_still_gives_one_line(tmp_path: Path) -> None:
    session = SessionPool("cpu").get(add_one(tmp_path / "add.onnx"))

    class Silent:
        def run(self, *args: object) -> None:
            raise RuntimeError("")

    session._session = Silent()  # type: ignore[assignment]
    with pytest.raises(InferenceError, match=r"add.onnx: inference failed: RuntimeError$"):
        session.run({"x": np.zeros((1, 4), np.float32)})


def test_sessions_do_not_spin_their_pool_threads_between_calls(tmp_path: Path) -> None:
    """The app's cores are shared with decoding, capture and the UI (see _session_options)."""
    session = ModelSession(add_one(tmp_path / "m.onnx"), "cpu", threads=2)
    options = session._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert options.intra_op_num_threads == 2
    outputs, _ = session.run({session.input_names[0]: np.zeros((1, 4), np.float32)})
    assert np.allclose(outputs[0], 1.0)



_RELEASE_PROBE = """
import sys
import numpy as np
from desktop_app.core.runtime.session import ModelSession

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

session = ModelSession(sys.argv[1], "cpu", threads=1)
feeds = {session.input_names[0]: np.random.default_rng(0).random((1, 3, 480, 640), dtype=np.float32)}
first, _ = session.run(feeds)
for _ in range(2):
    session.run(feeds)
grown = rss_mb()
session.release_spare_memory_after_next_run()
released, _ = session.run(feeds)
after = rss_mb()
session.run(feeds)
again = rss_mb()
same = all(np.array_equal(a, b) for a, b in zip(first, released, strict=True))
print(grown, after, again, same)
"""


def test_a_session_gives_its_spare_memory_back_after_the_next_call_once_asked() -> None:
    """In a process of its own, so the numbers are the session's alone."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-c", _RELEASE_PROBE, str(ROOT / "models" / "centerface" / "centerface.onnx")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    grown, after, again, same = done.stdout.split()
    # the arena keeps a 640x480 call's peak (about 90 MB); shrinking frees the blocks past its first one
    assert float(grown) - float(after) >= 15.0, done.stdout
    assert same == "True"  # the released call's outputs are the same
    assert float(again) - float(after) >= 15.0, done.stdout  # asked once: the next call keeps its memory again
