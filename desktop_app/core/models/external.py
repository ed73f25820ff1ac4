"""Validate a model's external data references before anything reads them.

A tensor stored outside the .onnx file names its file in `location`. Only plain relative paths that
stay inside the model's folder (after resolving `..` and symbolic links) and name an existing file
large enough for the declared tensor are accepted; everything else is a one-line ModelError.
"""

from __future__ import annotations

import math
import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from desktop_app.core.errors import ModelError
from desktop_app.core.models.onnx_walk import all_tensors, dtype_bits

_EXTERNAL = 1  # TensorProto.EXTERNAL


def validate_external_data(model: Any, model_path: Path) -> tuple[Path, ...]:
    """Check every external reference of `model` (loaded from `model_path`); return the files, relative."""
    name = model_path.name
    folder = model_path.parent
    try:
        root = folder.resolve()
    except (OSError, RuntimeError) as exc:
        raise ModelError(f"{name}: cannot resolve the model's folder: {exc}") from None
    seen: dict[Path, int] = {}
    for tensor in all_tensors(model):
        if tensor.data_location != _EXTERNAL:
            continue
        entries = {e.key: e.value for e in tensor.external_data}
        location = entries.get("location", "")
        relative = _safe_relative(location, name, tensor.name)
        target = folder / relative
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):  # symlink loops and the like
            raise ModelError(f"{name}: external data '{location}' cannot be resolved") from None
        if resolved == root or not resolved.is_relative_to(root):
            raise ModelError(
                f"{name}: external data '{location}' points outside the model's folder; refused"
            )
        if not resolved.is_file():
            raise ModelError(f"{name}: external data file '{location}' is missing (tensor '{tensor.name}')")
        size = seen.get(relative)
        if size is None:
            size = seen[relative] = resolved.stat().st_size
        _check_extent(tensor, entries, size, location, name)
    return tuple(seen)


def _safe_relative(location: str, name: str, tensor: str) -> Path:
    if not location:
        raise ModelError(f"{name}: tensor '{tensor}' is marked external but names no file")
    if "\x00" in location:
        raise ModelError(f"{name}: external data location of tensor '{tensor}' contains a NUL character")
    win = PureWindowsPath(location)
    if PurePosixPath(location).is_absolute() or win.is_absolute() or win.drive or win.root:
        raise ModelError(f"{name}: external data '{location}' is an absolute path; refused")
    # Judge both readings of a backslash (separator on Windows, plain character elsewhere).
    for candidate in (location, location.replace("\\", "/")):
        if ".." in PurePosixPath(os.path.normpath(candidate).replace("\\", "/")).parts[:1]:
            raise ModelError(f"{name}: external data '{location}' points outside the model's folder; refused")
    return Path(os.path.normpath(location))


def _check_extent(tensor: Any, entries: dict[str, str], size: int, location: str, name: str) -> None:
    try:
        offset = int(entries.get("offset", "0") or 0)
        length = int(entries["length"]) if entries.get("length") else None
    except ValueError:
        raise ModelError(f"{name}: tensor '{tensor.name}' has a malformed offset or length") from None
    if offset < 0 or (length is not None and length < 0):
        raise ModelError(f"{name}: tensor '{tensor.name}' has a negative offset or length")
    bits = dtype_bits(tensor.data_type)
    needed = length
    if needed is None and bits is not None:
        needed = (math.prod(max(int(d), 0) for d in tensor.dims) * bits + 7) // 8
    if needed is not None and offset + needed > size:
        raise ModelError(
            f"{name}: external data '{location}' is shorter than tensor '{tensor.name}' needs "
            f"({offset + needed} bytes, file has {size}); truncated?"
        )
