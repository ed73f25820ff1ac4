"""A GPU that fails when a session is created, for the provider-fallback tests: the installed ONNX Runtime
is made to list CUDA, and a stand-in for its InferenceSession raises an ONNX-Runtime-shaped error whenever
a GPU provider is asked for (as onnxruntime-gpu does when the CUDA libraries or driver are missing) and
builds the real session when CPU alone is asked for."""

from __future__ import annotations

from typing import Any

import onnxruntime as ort
import pytest
from onnxruntime.capi import onnxruntime_pybind11_state as ort_state

from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime import session as session_module

#: What onnxruntime-gpu says when the CUDA runtime cannot start (first line, then detail lines).
CUDA_FAILURE = ("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Exception during initialization: CUDA failure 35: "
                "CUDA driver version is insufficient for CUDA runtime version ; GPU=0 ; expr=cudaSetDevice(0);\n"
                "second line of the provider's log that the user never needs")
FIRST_LINE = CUDA_FAILURE.splitlines()[0]
#: That failure as the app explains it (desktop_app.core.runtime.ort_output.explain_provider_failure).
EXPLAINED = ("the NVIDIA driver is too old for this ONNX Runtime's CUDA: update the driver (CUDA failure 35: CUDA "
             "driver version is insufficient for CUDA runtime version)")
#: The fallback reason a session records after that failure.
REASON = f"CUDA failed when the session was created ({EXPLAINED}); running on CPU"
REAL_SESSION = ort.InferenceSession


class BrokenGpu:
    """Replaces ort.InferenceSession: any GPU provider in `providers` raises at creation; CPU alone is real."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def __call__(self, path_or_bytes: Any, sess_options: Any = None, providers: Any = None, **kwargs: Any) -> Any:
        names = [p[0] if isinstance(p, tuple) else p for p in providers or []]
        self.calls.append((names, kwargs))
        if any(name != prov.CPU for name in names):
            raise ort_state.RuntimeException(CUDA_FAILURE)
        return REAL_SESSION(path_or_bytes, sess_options=sess_options, providers=providers, **kwargs)


def break_cuda(monkeypatch: pytest.MonkeyPatch) -> BrokenGpu:
    """From now until the test ends: the build lists CUDA, and CUDA fails when a session is created."""
    stand_in = BrokenGpu()
    monkeypatch.setattr(prov, "available_providers", lambda: [prov.CUDA, prov.CPU])
    monkeypatch.setattr(session_module.ort, "InferenceSession", stand_in)
    return stand_in
