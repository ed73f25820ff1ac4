"""ONNX Runtime's own messages: kept off the terminal, written to the app's log, and turned into one precise line.

ONNX Runtime's C++ logger writes straight to the process's stderr (with colour codes), and
`onnxruntime.preload_dlls()` prints to stdout. While a GPU provider is being set up (`captured_native_output`),
file descriptors 1 and 2 point at a temporary file; afterwards its text goes to the log (logger
`desktop_app.onnxruntime`, INFO, so the command line's WARNING-level console never shows it) and to the caller,
who turns it into a reason with `explain_provider_failure`. The capture is process-wide, so captures are
serialised by a lock; anything another thread prints meanwhile lands in the log instead of the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

log = logging.getLogger("desktop_app.onnxruntime")
_LOCK = threading.Lock()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_MISSING_LIB = re.compile(r"([\w.+-]+\.(?:so(?:\.\d+)*|dll))(?::| with error:)? cannot open shared object file")
_WIN_DLL = re.compile(r"LoadLibrary failed with error (\d+)[^\n]*?([\w.+-]+\.dll)")
_REQUIRE = re.compile(r"Require cuDNN (\d+)\.\* and CUDA (\d+)\.\*")
_CUDA_FAILURE = re.compile(r"CUDA failure (\d+): ([^;\n]+)")
EXTRA_HINT = "install the app's 'cuda' extra, which brings them (onnxruntime-gpu[cuda,cudnn])"


@dataclass
class Captured:
    """What ONNX Runtime printed inside one `captured_native_output` block (colour codes removed)."""

    text: str = ""
    lines: list[str] = field(default_factory=list)


def _clean(raw: str) -> list[str]:
    return [line.strip() for line in _ANSI.sub("", raw).splitlines() if line.strip()]


@contextlib.contextmanager
def captured_native_output(what: str) -> Iterator[Captured]:
    """Redirect fds 1 and 2 to a temporary file for the block; log what arrived there and hand it back."""
    result = Captured()
    with _LOCK, tempfile.TemporaryFile(mode="w+b") as sink:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield result
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            result.lines = _clean(sink.read().decode("utf-8", "replace"))
            result.text = "\n".join(result.lines)
            for line in result.lines:
                log.info("%s: %s", what, line)


def quiet_default_logger() -> None:
    """ONNX Runtime's process-wide logger: errors only (entry points call this once, before any session)."""
    import onnxruntime as ort

    ort.set_default_logger_severity(3)


def _versions(text: str, build_cuda: str | None) -> tuple[str | None, str]:
    match = _REQUIRE.search(text)
    if match:
        return match.group(2), match.group(1)
    return (build_cuda.split(".")[0] if build_cuda else None), "9"


def explain_provider_failure(text: str, build_cuda: str | None = None) -> str | None:
    """ONNX Runtime's failure text (log lines or an exception) -> one line a user can act on, or None."""
    cuda_major, cudnn_major = _versions(text, build_cuda)
    cuda = f"CUDA {cuda_major}.x" if cuda_major else "this ONNX Runtime's CUDA"
    needs = f"this ONNX Runtime needs CUDA {cuda_major}.x and cuDNN {cudnn_major}.x" if cuda_major else (
        f"this ONNX Runtime needs its CUDA version and cuDNN {cudnn_major}.x")
    missing = _MISSING_LIB.search(text)
    if missing:
        lib = missing.group(1)
        if lib.startswith(("libcuda.so", "nvcuda")):
            return f"no NVIDIA driver found ({lib}, which the driver installs, is missing): CUDA needs an NVIDIA GPU and its driver"
        kind = "cuDNN" if "cudnn" in lib.lower() else "CUDA"
        return f"{kind} library {lib} is missing: {needs}; {EXTRA_HINT}"
    dll = _WIN_DLL.search(text)
    if dll:
        return f"a CUDA or cuDNN DLL needed by {dll.group(2)} is missing (error {dll.group(1)}): {needs}; {EXTRA_HINT}"
    failure = _CUDA_FAILURE.search(text)
    if failure:
        code, message = int(failure.group(1)), failure.group(2).strip()
        if code == 100:
            return "no CUDA device found: the NVIDIA driver is installed but sees no GPU"
        if code in (35, 803):
            return f"the NVIDIA driver is too old for {cuda}: update the driver (CUDA failure {code}: {message})"
        if code == 2:
            return "the GPU ran out of memory while the session was created"
        return f"CUDA error {code}: {message}"
    if "Failed to create CUDAExecutionProvider" in text:
        return f"ONNX Runtime could not start CUDA: {needs} and an NVIDIA driver"
    return None


@dataclass(frozen=True)
class PreloadReport:
    """What `preload_gpu_libraries` did: whether it ran, and the libraries it could not load."""

    ran: bool
    missing: tuple[str, ...] = ()
    detail: str = ""


_preload: PreloadReport | None = None


def preload_gpu_libraries() -> PreloadReport:
    """Load the CUDA and cuDNN libraries installed from PyPI (onnxruntime-gpu[cuda,cudnn]) before the first
    session, as `onnxruntime.preload_dlls()` does; a no-op for other ONNX Runtime builds. Entry points call it."""
    global _preload
    import onnxruntime as ort

    from desktop_app.core.runtime.providers import ort_distribution

    if _preload is not None:
        return _preload
    if ort_distribution() != "onnxruntime-gpu" or not hasattr(ort, "preload_dlls"):
        _preload = PreloadReport(False, detail=f"not needed for {ort_distribution()}")
        return _preload
    with captured_native_output("preload CUDA libraries") as out:
        try:
            ort.preload_dlls()
        except Exception as exc:  # it raises on broken installs; the reason is logged and kept
            log.info("preload_dlls failed: %s", exc)
            out.lines.append(str(exc))
    missing = tuple(sorted({m.group(1) for line in out.lines for m in [re.search(r"Failed to load ([\w.+-]+)", line)]
                            if m}))
    _preload = PreloadReport(True, missing, "; ".join(out.lines[:3]))
    return _preload


def preload_report() -> PreloadReport | None:
    """The preload's outcome in this process (None: not attempted)."""
    return _preload
