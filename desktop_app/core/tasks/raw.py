"""`raw`: any ONNX model; feed a .npy tensor or a seeded random tensor of the declared shape, summarise
every output (shape, dtype, min/max/mean/std, first values)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.errors import MediaError, TaskError, first_line
from desktop_app.core.media.image import IMAGE_EXTENSIONS
from desktop_app.core.results import RawResult, TensorSummary
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks.base import StageClock, Task, register

MAX_RANDOM_ELEMENTS = 64_000_000
_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(float16)": np.float16,
          "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(int8)": np.int8,
          "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_}


def summarise(name: str, array: np.ndarray) -> TensorSummary:
    """Shape and statistics of a tensor (statistics only for numeric, non-empty tensors)."""
    array = np.asarray(array)
    shape = tuple(int(d) for d in array.shape)
    if not array.size or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        return TensorSummary(name, str(array.dtype), shape, None, None, None, None)
    values = array.astype(np.float64).reshape(-1)
    finite = values[np.isfinite(values)]
    head = tuple(float(v) for v in values[:8])
    if not finite.size:
        return TensorSummary(name, str(array.dtype), shape, None, None, None, None, head)
    return TensorSummary(name, str(array.dtype), shape, float(finite.min()), float(finite.max()),
                         float(finite.mean()), float(finite.std()), head)


def random_inputs(session: ModelSession, seed: int = 0, dims: dict[str, int] | None = None) -> dict[str, np.ndarray]:
    """A seeded random tensor per input; symbolic or unknown dims become 1 unless given in `dims`."""
    rng = np.random.default_rng(seed)
    feeds: dict[str, np.ndarray] = {}
    for inp in session.inputs:
        dtype = _TYPES.get(inp.type)
        if dtype is None:
            raise TaskError(f"input '{inp.name}' has type {inp.type}, which raw mode cannot generate")
        shape = [d if isinstance(d, int) and d >= 0 else (dims or {}).get(str(d), 1) for d in inp.shape]
        if int(np.prod(shape, dtype=np.float64)) > MAX_RANDOM_ELEMENTS:
            raise TaskError(f"input '{inp.name}' declares shape {shape}, too large for a random test input")
        if np.issubdtype(dtype, np.floating):
            feeds[inp.name] = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            feeds[inp.name] = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            feeds[inp.name] = rng.integers(0, 10, shape).astype(dtype)
    return feeds


@register
class RawTask(Task):
    """Any model: outputs' shapes and statistics."""

    name = "raw"
    input_kind = "any"
    payload_type = RawResult

    def decode(self, path: Path) -> dict[str, np.ndarray]:
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            raise TaskError(f"{path.name}: describe this model first: its task is raw (tensors only), so it cannot "
                            "read images until its card says how (Models dock → Edit…, or `models edit`)")
        if path.suffix.lower() != ".npy":
            raise MediaError(f"{path.name}: raw mode takes .npy tensors (or no file, for a random input)")
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise MediaError(f"{path.name}: not a readable .npy tensor ({first_line(exc, 120)})") from exc
        if len(self.session.inputs) != 1:
            raise TaskError("this model has several inputs; raw mode feeds a .npy file only to single-input models")
        return {self.session.input_names[0]: array}

    def run(self, data: Any, clock: StageClock, **options: Any) -> RawResult:
        feeds: dict[str, np.ndarray] = data if data is not None else random_inputs(self.session, options.get("seed", 0))
        outputs, ms = self.session.run(feeds)
        clock.add("inference", ms)
        with clock.stage("postprocess"):
            return RawResult(
                inputs=tuple(summarise(k, v) for k, v in feeds.items()),
                outputs=tuple(summarise(n, o) for n, o in zip(self.session.output_names, outputs, strict=True)),
            )
