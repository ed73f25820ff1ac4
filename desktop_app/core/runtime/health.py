"""Provider health check: build a tiny model, run it on each provider, and say which ones really work."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime as ort

from desktop_app.core.errors import first_line
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.ort_output import Captured, captured_native_output, explain_provider_failure


@dataclass(frozen=True)
class ProviderHealth:
    """Verdict for one provider of the preference chain."""

    provider: str
    available: bool
    healthy: bool
    detail: str
    ms: float | None = None

    @property
    def short(self) -> str:
        return prov.short_name(self.provider)

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.short, "name": self.provider, "available": self.available,
                "healthy": self.healthy, "detail": self.detail, "ms": None if self.ms is None else round(self.ms, 3)}


def _tiny_model_bytes() -> bytes:
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Add", ["x", "x"], ["y"])], "health", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="desktop-app")
    model.ir_version = 8
    return bytes(model.SerializeToString())


def check_provider(provider: str, model_bytes: bytes | None = None) -> ProviderHealth:
    """Create a session on exactly this provider and run it once; healthy only if it really ran there."""
    reason = prov.unavailable_reason(provider)
    if reason is not None:
        return ProviderHealth(provider, False, False, reason)
    data = model_bytes or _tiny_model_bytes()
    capture = captured_native_output(f"health check {prov.short_name(provider)}") if provider != prov.CPU else None
    try:
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        # enable_fallback=0: a provider that fails to initialise raises here (with its reason) instead of
        # being swapped for CPU by ONNX Runtime; what ONNX Runtime logs meanwhile is captured into the log file
        with capture or contextlib.nullcontext(Captured()) as out:
            session = ort.InferenceSession(data, sess_options=opts, providers=[provider], enable_fallback=0)
        got = session.get_providers()
        if not got or got[0] != provider:
            why = explain_provider_failure(out.text, prov.build_cuda_version())
            fell = f"session fell back to {', '.join(map(prov.short_name, got))}"
            return ProviderHealth(provider, True, False, why or f"{fell}; ONNX Runtime logged no reason")
        x = np.arange(4, dtype=np.float32).reshape(1, 4)
        start = time.perf_counter()
        (y,) = session.run(None, {"x": x})
        ms = (time.perf_counter() - start) * 1000.0
    except Exception as exc:  # provider initialisation errors come as several ORT types
        why = explain_provider_failure(str(exc), prov.build_cuda_version())
        return ProviderHealth(provider, True, False, why or first_line(exc, 200))
    if not np.allclose(y, 2 * x):
        return ProviderHealth(provider, True, False, "wrong result on the test model")
    return ProviderHealth(provider, True, True, "ran a test model", ms)


def check_all() -> list[ProviderHealth]:
    """Health of DirectML, CUDA and CPU, in preference order, each with its verdict or why it is missing."""
    data = _tiny_model_bytes()
    return [check_provider(p, data) for p in prov.ALL_PROVIDERS]


def choose(health: list[ProviderHealth]) -> tuple[str, str]:
    """The provider 'auto' would use and why, from health results."""
    for item in health:
        if item.healthy:
            skipped = [f"{h.short}: {h.detail}" for h in health if h.provider != item.provider and not h.healthy]
            why = "first healthy provider in the preference chain"
            if skipped:
                why += " (" + "; ".join(skipped) + ")"
            return item.provider, why
    return prov.CPU, "no provider passed the health check"

