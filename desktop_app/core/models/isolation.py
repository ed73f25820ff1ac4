"""Run work on an untrusted model file in a child process, with a wall-time and a memory limit.

A model from a stranger can crash ONNX Runtime natively (a segfault or an abort in C++), loop for a
long time, or ask for more memory than the machine has. Done in the app's own process, any of these
kills the app. Here the work runs in a child started with the "spawn" context (the same on every OS,
safe beside Qt threads, and working in the frozen app because packaging/entry.py calls
multiprocessing.freeze_support() first); the parent only waits, and turns every way the child can
end into one ModelError line:

- the child returns: its (picklable) result comes back;
- the child raises one of the project's AppError types: a ModelError with the same message;
- it runs past `timeout_s`: it is killed, "took longer than N s; refused";
- it exceeds `memory_mb`: "needed more than N MB of memory; refused";
- it dies by a signal or a non-zero exit: "crashed the validator (signal 11); refused".

The memory limit is RLIMIT_AS (address space) set inside the child before any model byte is read,
on POSIX only. Windows has no setrlimit; there the limit is not enforced (a job object would be
needed), and only the time limit and the crash isolation apply.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from desktop_app.core.errors import AppError, ModelError
from desktop_app.core.models.inspect import ModelInfo, check_model, inspect_model

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_MB = 2048
_MIB = 1 << 20
# Words ONNX Runtime / the C++ runtime use when an allocation failed under the limit.
_MEMORY_WORDS = ("bad_alloc", "bad allocation", "failed to allocate", "out of memory", "memoryerror")


def inspect_isolated(path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int | None = DEFAULT_MEMORY_MB) -> ModelInfo:
    """inspect_model(path), run in a child process under the time and memory limits."""
    path = Path(path)
    return _run_isolated(inspect_model, path, name=path.name, timeout_s=timeout_s, memory_mb=memory_mb)


def check_isolated(path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int | None = DEFAULT_MEMORY_MB) -> None:
    """check_model(path) and an ONNX Runtime CPU session on it, in a child process under the limits."""
    path = Path(path)
    _run_isolated(_check_and_load, path, name=path.name, timeout_s=timeout_s, memory_mb=memory_mb)


def validate_isolated(path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int | None = DEFAULT_MEMORY_MB) -> ModelInfo:
    """inspect + check + a CPU session, all in one child (one spawn); returns the ModelInfo."""
    path = Path(path)
    return _run_isolated(_validate, path, name=path.name, timeout_s=timeout_s, memory_mb=memory_mb)


def memory_budget_mb(path: Path, floor_mb: int = DEFAULT_MEMORY_MB) -> int:
    """A memory limit that fits an honest model: `floor_mb`, or 1 GiB plus three times its size on disk."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0
    return max(floor_mb, 1024 + 3 * (size // _MIB + 1))


# -- what runs in the child ----------------------------------------------------------------------


def _check_and_load(path: Path) -> None:
    check_model(path)
    _cpu_session(path)


def _validate(path: Path) -> ModelInfo:
    info = inspect_model(path)
    check_model(path)
    _cpu_session(path)
    return info


def _cpu_session(path: Path) -> None:
    """Create (and drop) an ONNX Runtime session on the CPU: the step that can crash natively."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ORT raises Fail, InvalidGraph, NotImplemented, RuntimeException...
        text = str(exc)
        if any(word in text.lower() for word in _MEMORY_WORDS):
            raise MemoryError(text) from None
        first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
        raise ModelError(f"{path.name}: ONNX Runtime cannot load the model on the CPU: {first}") from None
    del session


def _limit_memory(memory_mb: int | None) -> None:
    if memory_mb is None or sys.platform == "win32":
        return  # no setrlimit on Windows: only the time limit applies there
    import resource

    limit = int(memory_mb) * _MIB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], memory_mb: int | None) -> None:
    try:
        _limit_memory(memory_mb)
        result = fn(*args)
        message: tuple[Any, ...] = ("ok", result)
    except MemoryError:
        message = ("memory",)
    except AppError as exc:
        message = ("app", type(exc).__name__, str(exc))
    except BaseException as exc:  # anything else is a bug or a library error: report it, plainly
        text = f"{type(exc).__name__}: {exc}"
        kind = "memory" if any(w in text.lower() for w in _MEMORY_WORDS) else "error"
        message = (kind, text)
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory",))
    except Exception as exc:  # an unpicklable result
        conn.send(("error", f"cannot send the result back: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


# -- the parent ----------------------------------------------------------------------------------


def _run_isolated(
    fn: Callable[..., T],
    *args: Any,
    name: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> T:
    """Call fn(*args) in a spawned child; `fn` and `args` must pickle (fn at module level).

    `name` (the model's file name) starts every error message."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child_main, args=(sender, fn, args, memory_mb), daemon=True, name="model-validator")
    try:
        process.start()
    except Exception as exc:
        receiver.close()
        sender.close()
        raise ModelError(f"{name}: cannot start the model validator process: {exc}") from None
    sender.close()  # the child holds the only writer: EOF on the reader means the child is gone
    deadline = time.monotonic() + timeout_s
    message: tuple[Any, ...] | None = None
    try:
        # Read before joining: a large result would otherwise block the child on a full pipe.
        if receiver.poll(max(0.0, deadline - time.monotonic())):
            with contextlib.suppress(EOFError, OSError):
                message = receiver.recv()
        elif process.is_alive():
            _kill(process)
            raise ModelError(f"{name}: validating the model took longer than {_seconds(timeout_s)} s; refused")
        process.join(max(0.5, deadline - time.monotonic()))
        if process.is_alive():  # sent its answer but hangs on the way out
            _kill(process)
    finally:
        receiver.close()
        if process.is_alive():
            _kill(process)
    if message is None:
        raise _crashed(name, process.exitcode, memory_mb)
    kind = message[0]
    if kind == "ok":
        return message[1]
    if kind == "memory":
        raise ModelError(f"{name}: needed more than {memory_mb} MB of memory; refused")
    if kind == "app":
        raise ModelError(message[2])
    raise ModelError(f"{name}: the model validator failed: {message[1]}")


def _kill(process: Any) -> None:
    process.kill()
    process.join(5)


def _crashed(name: str, exitcode: int | None, memory_mb: int | None) -> ModelError:
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            what = f"signal {number}, {signal.Signals(number).name}"
        except ValueError:
            what = f"signal {number}"
        if memory_mb is not None and number in (signal.SIGKILL, signal.SIGABRT):
            # the kernel's OOM killer, or a C++ abort after a failed allocation under RLIMIT_AS
            return ModelError(
                f"{name}: the model crashed the validator ({what}); it may have needed more than "
                f"{memory_mb} MB of memory; refused"
            )
        return ModelError(f"{name}: the model crashed the validator ({what}); refused")
    if exitcode is not None and exitcode > 0xFFFF:  # Windows: an NTSTATUS such as 0xC0000005
        return ModelError(f"{name}: the model crashed the validator (exit code {exitcode:#x}); refused")
    return ModelError(f"{name}: the model crashed the validator (exit code {exitcode}); refused")


def _seconds(value: float) -> str:
    return f"{value:g}"
