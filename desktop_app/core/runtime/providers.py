"""Execution providers: what this ONNX Runtime build offers, the preference chain, and why others are missing."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import metadata

import onnxruntime as ort

DML = "DmlExecutionProvider"
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
ALL_PROVIDERS = (DML, CUDA, CPU)

#: User-facing choices, in the order the settings show them.
CHOICES = ("auto", "directml", "cuda", "cpu", "strict-gpu")
SHORT_NAMES = {DML: "DirectML", CUDA: "CUDA", CPU: "CPU"}
_CHOICE_TO_PROVIDER = {"directml": DML, "cuda": CUDA, "cpu": CPU}


def short_name(provider: str) -> str:
    """'CUDAExecutionProvider' -> 'CUDA'."""
    return SHORT_NAMES.get(provider, provider.removesuffix("ExecutionProvider"))


def available_providers() -> list[str]:
    """Providers compiled into the installed ONNX Runtime wheel (not a promise that they work)."""
    return list(ort.get_available_providers())


def ort_distribution() -> str:
    """Which ONNX Runtime wheel is installed: onnxruntime, onnxruntime-gpu or onnxruntime-directml."""
    for name in ("onnxruntime-directml", "onnxruntime-gpu", "onnxruntime"):
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        return name
    return "onnxruntime"


def build_cuda_version() -> str | None:
    """The CUDA version the installed ONNX Runtime was built for ('13.0'), None for builds without CUDA."""
    try:
        from onnxruntime.capi import build_and_package_info as info
    except ImportError:
        return None
    return getattr(info, "cuda_version", None) or None


def preference_chain(platform: str | None = None) -> list[str]:
    """DirectML (Windows) -> CUDA -> CPU, keeping only what this platform could ever have."""
    platform = platform or sys.platform
    chain = [DML] if platform == "win32" else []
    if platform != "darwin":
        chain.append(CUDA)
    chain.append(CPU)
    return chain


def requested_providers(choice: str, available: list[str] | None = None) -> list[str]:
    """The providers to ask ONNX Runtime for, best first, for a user choice (always ending with CPU
    unless the choice is strict)."""
    if choice not in CHOICES:
        raise ValueError(f"unknown provider choice {choice!r}; expected one of {', '.join(CHOICES)}")
    available = available_providers() if available is None else available
    if choice == "auto":
        return [p for p in preference_chain() if p in available] or [CPU]
    if choice == "strict-gpu":
        return [p for p in preference_chain() if p != CPU and p in available]
    provider = _CHOICE_TO_PROVIDER[choice]
    return [provider] if provider == CPU else [provider, CPU]


def unavailable_reason(provider: str, platform: str | None = None) -> str | None:
    """Why a provider of the preference chain is not in this build, in plain words (None if it is)."""
    platform = platform or sys.platform
    if provider in available_providers():
        return None
    dist = ort_distribution()
    if provider == DML:
        if platform != "win32":
            return "DirectML exists only on Windows (package onnxruntime-directml)"
        return f"this ONNX Runtime build ({dist}) has no DirectML; install onnxruntime-directml"
    if provider == CUDA:
        if platform == "darwin":
            return "CUDA is not available on macOS"
        return f"this ONNX Runtime build ({dist}) has no CUDA; the 'cuda' extra installs onnxruntime-gpu"
    return f"not in this ONNX Runtime build ({dist})"


@dataclass(frozen=True)
class ProviderOptions:
    """Per-provider session settings: DirectML needs memory patterns off and sequential execution."""

    enable_mem_pattern: bool = True
    sequential: bool = False
    single_thread_runs: bool = False  # one run at a time per session


def options_for(provider: str) -> ProviderOptions:
    if provider == DML:
        return ProviderOptions(enable_mem_pattern=False, sequential=True, single_thread_runs=True)
    if provider == CPU:
        # Memory patterns pre-plan one block per input shape on top of the arena's own caching: with ONNX
        # Runtime 1.24.4 a CenterFace session at 640x480 took +126 MB with them and +86 MB without, at the same
        # run time (44.2 vs 43.9 ms a call, one thread); the live view's second frame in flight opens a second
        # such session, a 110 MB step with them, 63 MB without.
        return ProviderOptions(enable_mem_pattern=False)
    return ProviderOptions()
