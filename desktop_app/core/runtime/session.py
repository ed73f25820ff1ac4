"""A session wrapper that records which providers ONNX Runtime really gave, why any fallback happened,
and how long each call took; plus a pool that creates one session per (model, provider choice)."""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from desktop_app.core.errors import InferenceError, ModelError, ProviderError, first_line, whole_message
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.ort_output import Captured, captured_native_output, explain_provider_failure


@dataclass(frozen=True)
class ProviderReport:
    """What was asked for, what was obtained, and the reason when they differ."""

    choice: str
    requested: tuple[str, ...]
    obtained: tuple[str, ...]
    fallback_reason: str | None

    @property
    def used(self) -> str:
        """The provider that runs the model's nodes first (ONNX Runtime assigns in priority order)."""
        return self.obtained[0] if self.obtained else prov.CPU

    @property
    def used_short(self) -> str:
        return prov.short_name(self.used)

    def to_dict(self) -> dict[str, Any]:
        return {
            "choice": self.choice,
            "requested": list(self.requested),
            "obtained": list(self.obtained),
            "used": self.used_short,
            "fallback_reason": self.fallback_reason,
        }


def _return_free_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim; elsewhere nothing): blocks the
    arena frees may sit in the heap below its top, where the heap keeps them, in a process that has allocated
    a lot already."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _shrink_cpu_arena() -> ort.RunOptions:
    """Run options that shrink the CPU arena at the end of the call (ONNX Runtime's run config entry)."""
    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


def _session_options(provider: str, threads: int | None) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    settings = prov.options_for(provider)
    opts.enable_mem_pattern = settings.enable_mem_pattern
    if settings.sequential:
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if threads:
        opts.intra_op_num_threads = threads
    # A desktop app shares its cores with decoding, capture and the UI: ONNX Runtime's pool threads would
    # spin after every call and take those cores from them. Measured on 2 cores (bench/bench_batch.py):
    # classifying files one call at a time with decode-ahead went from about 88 to 130 images/s; the live
    # camera's inference p50 grew by about 1 ms (5 %) with its end-to-end latency unchanged.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3  # errors only; fallbacks are reported by us, not on stderr
    return opts


def _fallback_reason(requested: list[str], obtained: list[str], ort_text: str = "") -> str | None:
    """Why the session does not run on the first provider asked for (None when it does); `ort_text` is what
    ONNX Runtime logged while it tried, turned into one precise line where it says why."""
    wanted = requested[0] if requested else prov.CPU
    if obtained and obtained[0] == wanted:
        return None
    got = prov.short_name(obtained[0]) if obtained else "CPU"
    why = (prov.unavailable_reason(wanted) or explain_provider_failure(ort_text, prov.build_cuda_version())
           or "ONNX Runtime could not initialise it and logged no reason (see the log file)")
    return f"{prov.short_name(wanted)} was requested but the session runs on {got}: {why}"


def _create(path: Path, provider: str, threads: int | None, providers: list[str]) -> tuple[ort.InferenceSession, str]:
    """A session on `providers` and what ONNX Runtime logged meanwhile (captured, never on the terminal, when a
    GPU provider is involved). ONNX Runtime's own silent retry on CPU is off, so a provider that fails here
    raises and its reason can be shown (the retry on CPU is ours, and reported)."""
    capture = captured_native_output(f"session {path.name}") if any(p != prov.CPU for p in providers) else None
    with capture or contextlib.nullcontext(Captured()) as out:
        try:
            session = ort.InferenceSession(str(path), sess_options=_session_options(provider, threads),
                                           providers=providers, enable_fallback=0)
        except Exception as exc:
            if out.text:
                exc.add_note(f"onnxruntime log: {out.text}")
            raise
    if hasattr(session, "enable_fallback"):
        session.enable_fallback()  # keep ONNX Runtime's default for provider failures while running
    return session, out.text


def _check_bindable(name: str, array: np.ndarray) -> None:
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ValueError(f"{name}: a bound buffer must be a writable C-contiguous array")


@dataclass(frozen=True)
class BoundRun:
    """One I/O binding of a session to host arrays; it keeps the arrays alive as long as it lives."""

    session: ModelSession
    binding: Any
    buffers: tuple[np.ndarray, ...]

    def run(self) -> float:
        """Run the model on the bound arrays; returns the call's wall time in milliseconds."""
        return self.session.run_bound(self)


class ModelSession:
    """One ONNX Runtime session for one model on one provider choice; safe to call from worker threads.

    A GPU provider that raises while the session is created (CUDA libraries missing, driver too old, out
    of GPU memory) is retried once on CPU and the report says why; strict modes raise ProviderError
    instead. When CPU cannot load the model either, the model itself is at fault (ModelError).
    """

    def __init__(self, path: Path, choice: str = "auto", *, threads: int | None = None, strict: bool = False) -> None:
        requested = prov.requested_providers(choice)
        if choice == "strict-gpu" and not requested:
            raise ProviderError("strict GPU mode: no GPU provider in this ONNX Runtime build " f"({prov.ort_distribution()})")
        first = requested[0]
        in_build = [p for p in requested if p in prov.available_providers()] or [prov.CPU]
        creation_failure: str | None = None
        try:
            self._session, ort_text = _create(path, first, threads, in_build)
        except Exception as exc:  # ONNX Runtime raises several private exception types
            gpu = next((p for p in in_build if p != prov.CPU), None)
            if gpu is None:
                raise ModelError(f"{path.name}: ONNX Runtime cannot load this model: {whole_message(exc)}") from exc
            ort_text = "\n".join([str(exc), *getattr(exc, "__notes__", [])])
            why = explain_provider_failure(ort_text, prov.build_cuda_version()) or first_line(exc, 400)
            creation_failure = f"{prov.short_name(gpu)} failed when the session was created ({why})"
            self._session = self._retry_on_cpu(path, threads)
            if choice == "strict-gpu" or strict:
                mode = "strict GPU mode" if choice == "strict-gpu" else "strict mode"
                raise ProviderError(f"{mode}: {creation_failure}") from exc
        obtained = list(self._session.get_providers())
        reason = (f"{creation_failure}; running on CPU" if creation_failure
                  else _fallback_reason(requested, obtained, ort_text))
        if choice == "strict-gpu" and (not obtained or obtained[0] == prov.CPU):
            raise ProviderError(f"strict GPU mode: {reason or 'the session fell back to CPU'}")
        if strict and obtained and obtained[0] != first:
            raise ProviderError(f"strict mode: {reason or 'the session did not get ' + prov.short_name(first)}")
        self.path = path
        self.report = ProviderReport(choice, tuple(requested), tuple(obtained), reason)
        self._lock = threading.Lock() if prov.options_for(self.report.used).single_thread_runs else None
        self.inputs = list(self._session.get_inputs())
        self.outputs = list(self._session.get_outputs())
        self._release_after_next_run = False

    @staticmethod
    def _retry_on_cpu(path: Path, threads: int | None) -> ort.InferenceSession:
        """The session on CPU alone after a GPU provider failed; when CPU fails too the model is at fault."""
        try:
            return _create(path, prov.CPU, threads, [prov.CPU])[0]
        except Exception as exc:
            raise ModelError(f"{path.name}: ONNX Runtime cannot load this model: {whole_message(exc)}") from exc

    @property
    def input_names(self) -> list[str]:
        return [i.name for i in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.outputs]

    def run(self, feeds: Mapping[str, np.ndarray], outputs: list[str] | None = None) -> tuple[list[np.ndarray], float]:
        """Run once; returns the outputs and the wall time of the call in milliseconds."""
        options = None
        if self._release_after_next_run:
            self._release_after_next_run = False
            options = _shrink_cpu_arena()
        result, ms = self._call(self._session.run, outputs, dict(feeds), options)
        if options is not None:
            _return_free_heap()
        return [np.asarray(r) for r in result], ms

    def release_spare_memory_after_next_run(self) -> None:
        """Hand the memory this session keeps for its calls back to the system after its next call, on CPU
        (for a session about to stand idle: the live view's one-call session once two frames go in flight
        on sessions of their own). ONNX Runtime's CPU arena grows to a call's peak and keeps it; shrinking
        it after a call frees every block that call no longer holds (CenterFace at 640x480: 39 MB). The
        next call takes fresh memory once, as on its first call."""
        if self.report.used == prov.CPU:
            self._release_after_next_run = True

    def _call(self, method: Any, *args: Any) -> tuple[Any, float]:
        """One session call (serialised where the provider needs it) -> (its return value, wall ms); any
        ONNX Runtime failure becomes a one-line InferenceError."""
        start = time.perf_counter()
        try:
            if self._lock is not None:
                with self._lock:
                    result = method(*args)
            else:
                result = method(*args)
        except Exception as exc:
            raise InferenceError(f"{self.path.name}: inference failed: {whole_message(exc)}") from exc
        return result, (time.perf_counter() - start) * 1000.0

    @property
    def binds_host_buffers(self) -> bool:
        """Whether `bind` can be used: the session runs on CPU, where bound buffers are read and written in
        place (on a GPU every bound call would add host/device copies, so plain `run` is used there)."""
        return self.report.used == prov.CPU

    def bind(self, inputs: Mapping[str, np.ndarray], outputs: Mapping[str, np.ndarray]) -> BoundRun:
        """A call with fixed host buffers (ONNX Runtime I/O binding): inputs are read from, and outputs
        written into, the caller's arrays, so a model run many times per second on small tensors (a
        streaming model's state, a chunk window) skips the per-call conversion and output allocation.
        The caller changes the input arrays in place between calls; the arrays must stay alive, C-contiguous
        and of the model's dtypes and shapes."""
        binding = self._session.io_binding()
        for name, array in inputs.items():
            _check_bindable(name, array)
            binding.bind_input(name, "cpu", 0, array.dtype, list(array.shape), array.ctypes.data)
        for name, array in outputs.items():
            _check_bindable(name, array)
            binding.bind_output(name, "cpu", 0, array.dtype, list(array.shape), array.ctypes.data)
        return BoundRun(self, binding, (*inputs.values(), *outputs.values()))

    def run_bound(self, bound: BoundRun) -> float:
        """Run a bound call; returns its wall time in milliseconds (outputs are in the bound arrays)."""
        return self._call(self._session.run_with_iobinding, bound.binding)[1]

    def warm_up(self, feeds: Mapping[str, np.ndarray], runs: int = 1) -> None:
        """Run a few times so first-call allocations do not count in the measured latency."""
        for _ in range(runs):
            self.run(feeds)


class SessionPool:
    """Creates each (model file, provider choice) session once and hands the same one out again."""

    def __init__(self, choice: str = "auto", *, threads: int | None = None) -> None:
        self.choice = choice
        self.threads = threads
        self._sessions: dict[tuple[str, str, int | None], ModelSession] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, choice: str | None = None, *, threads: int | None = None) -> ModelSession:
        """The session for a model file; `threads` (a model card's hint) overrides the pool's setting,
        unless the pool was given an explicit thread count (the user's or a benchmark's choice wins)."""
        count = self.threads or threads
        key = (str(Path(path).resolve()), choice or self.choice, count)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = ModelSession(Path(path), key[1], threads=count)
                self._sessions[key] = session
            return session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
