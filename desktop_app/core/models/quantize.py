"""'Make int8 copy': quantize a model with onnxruntime.quantization and import the copy as a user model.

Conv-heavy models (CNNs) get static QDQ quantization, per-channel weights, calibrated on the user's own
inputs (a folder of images pre-processed exactly as the model card says); MatMul-heavy models (transformers,
MLPs, RNNs) get dynamic quantization. The choice is made by an op census unless overridden. The copy's card
repeats the original's (task, pre-processing, labels, thresholds) and says what it is a copy of; the returned
report puts size, CPU latency and top-1 agreement with the original side by side.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from desktop_app.core.errors import AppError, ModelError, TaskError
from desktop_app.core.fileio import sha256_file
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import resource_path
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import Task, task_class
from desktop_app.core.tasks.classify import to_probabilities
from desktop_app.core.tasks.image_prep import ImagePreprocessor
from desktop_app.core.tasks.raw import random_inputs

MODES = ("auto", "static", "dynamic")
CALIBRATION_METHODS = ("minmax", "percentile", "entropy")
STATIC_OPS = frozenset({"Conv", "ConvTranspose"})
DYNAMIC_OPS = frozenset({"MatMul", "Gemm", "LSTM", "GRU", "Attention", "MultiHeadAttention", "Einsum"})
MAX_CALIBRATION_FILES = 500
Check = Callable[[], None]


@dataclass(frozen=True)
class QuantizeOptions:
    """Knobs of static quantization; the defaults are what worked best on EfficientNet-Lite0 (see bench/)."""

    per_channel: bool = True
    method: str = "percentile"  # minmax | percentile | entropy
    percentile: float = 99.999
    reduce_range: bool = False  # 7-bit weights, for CPUs without VNNI that saturate u8 x s8 products
    exclude_first_conv: bool = False
    exclude_last_gemm: bool = False

    def describe(self, mode: str) -> str:
        if mode == "dynamic":
            return "dynamic, int8 weights, activations quantized at run time"
        parts = ["static QDQ", "u8 activations / s8 weights", "per-channel" if self.per_channel else "per-tensor",
                 f"percentile {self.percentile:g}" if self.method == "percentile" else self.method]
        parts += ["reduce-range"] * self.reduce_range + ["first Conv in float"] * self.exclude_first_conv
        parts += ["last Gemm in float"] * self.exclude_last_gemm
        return ", ".join(parts)


@dataclass(frozen=True)
class QuantizationReport:
    """The original and its int8 copy side by side: size, CPU latency (same inputs, interleaved), agreement."""

    source_id: str
    source_sha256: str
    copy_id: str
    copy_sha256: str
    mode: str  # "static" | "dynamic"
    mode_reason: str
    settings: str
    calibration: str | None  # the folder, or None
    calibration_inputs: int
    eval_inputs: str  # what the agreement was computed on
    eval_count: int
    fp32_bytes: int
    int8_bytes: int
    fp32_ms: float  # median latency, CPU, batch 1
    int8_ms: float
    latency_runs: int
    top1_agreement: float
    max_prob_diff: float
    disagreements: tuple[str, ...] = ()
    skipped_files: tuple[str, ...] = ()

    @property
    def size_ratio(self) -> float:
        return self.fp32_bytes / self.int8_bytes if self.int8_bytes else 0.0

    @property
    def latency_ratio(self) -> float:
        """fp32 / int8 median latency: above 1 means the copy is faster."""
        return self.fp32_ms / self.int8_ms if self.int8_ms > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if not isinstance(v, tuple)}
        out.update(disagreements=list(self.disagreements), skipped_files=list(self.skipped_files),
                   fp32_mb=round(self.fp32_bytes / 1e6, 3), int8_mb=round(self.int8_bytes / 1e6, 3),
                   size_ratio=round(self.size_ratio, 3), latency_ratio=round(self.latency_ratio, 3),
                   fp32_ms=round(self.fp32_ms, 3), int8_ms=round(self.int8_ms, 3),
                   top1_agreement=round(self.top1_agreement, 4), max_prob_diff=round(self.max_prob_diff, 4))
        return out

    def lines(self) -> list[str]:
        """A side-by-side text report for the command line and the GUI."""
        out = [f"{self.source_id} -> {self.copy_id}: {self.mode} ({self.mode_reason}); {self.settings}",
               f"  {'':<10} {'fp32':>10} {'int8':>10} {'ratio':>8}",
               f"  {'size MB':<10} {self.fp32_bytes / 1e6:>10.2f} {self.int8_bytes / 1e6:>10.2f} {self.size_ratio:>7.2f}x",
               f"  {'latency ms':<10} {self.fp32_ms:>10.2f} {self.int8_ms:>10.2f} {self.latency_ratio:>7.2f}x"
               f"  (CPU, median of {self.latency_runs} interleaved runs)",
               f"  top-1 agreement {self.top1_agreement:.1%} on {self.eval_count} {self.eval_inputs}; "
               f"max probability difference {self.max_prob_diff:.3f}"]
        out += [f"  differs: {d}" for d in self.disagreements]
        if self.calibration:
            out.append(f"  calibration: {self.calibration_inputs} input(s) from {self.calibration}")
        out += [f"  skipped: {s}" for s in self.skipped_files]
        return out


def op_census(path: Path) -> dict[str, int]:
    """How many nodes of each op type the model's main graph has (weights are not loaded)."""
    model = onnx.load(str(path), load_external_data=False)
    return dict(Counter(node.op_type for node in model.graph.node))


def choose_mode(census: dict[str, int]) -> tuple[str, str]:
    """static for Conv-heavy models, dynamic for MatMul-heavy ones; returns (mode, reason)."""
    convs = sum(census.get(op, 0) for op in STATIC_OPS)
    matmuls = sum(census.get(op, 0) for op in DYNAMIC_OPS)
    mode = "static" if convs and convs >= matmuls else "dynamic"
    return mode, f"auto: {convs} Conv vs {matmuls} MatMul/Gemm/RNN nodes"


class FeedReader(CalibrationDataReader):
    """Calibration data for onnxruntime: the prepared feeds, one per call, then None."""

    def __init__(self, feeds: Sequence[dict[str, np.ndarray]]) -> None:
        self._iter: Iterator[dict[str, np.ndarray]] = iter(feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._iter, None)


def calibration_feeds(task: Task, folder: Path, check: Check | None = None) -> tuple[list[tuple[str, dict[str, np.ndarray]]], list[str]]:
    """Each decodable file of `folder` (sorted) through the task's decode and pre-processing -> feeds;
    plus one line per file skipped. Needs an image task (its `prep`)."""
    prep, name = getattr(task, "prep", None), getattr(task, "input_name", None)
    if not isinstance(prep, ImagePreprocessor) or not isinstance(name, str):
        raise TaskError(f"{task.card.id}: calibration from a folder needs an image model; use --mode dynamic")
    try:
        files = sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError as exc:
        raise TaskError(f"{folder}: cannot read the calibration folder: {exc.strerror or exc}") from None
    feeds, skipped = [], []
    for path in files[:MAX_CALIBRATION_FILES]:
        if check:
            check()
        try:
            tensor, _ = prep(task.decode(path))
        except AppError as exc:
            skipped.append(str(exc) if path.name in str(exc) else f"{path.name}: {exc}")
            continue
        feeds.append((path.name, {name: tensor}))
    if not feeds:
        raise TaskError(f"{folder}: no usable input in the calibration folder ({len(files)} file(s))")
    return feeds, skipped


def _pre_process(src: Path, dst: Path) -> tuple[Path, str]:
    """onnxruntime's quant_pre_process (optimise + shape inference); the original when it does not apply."""
    try:  # symbolic shape inference needs sympy, which the app does not ship
        quant_pre_process(str(src), str(dst), skip_symbolic_shape=True)
    except Exception as exc:  # it raises whatever the optimiser or onnx raised
        return src, f"pre-processing skipped ({type(exc).__name__})"
    return dst, "pre-processed"


def _excluded(path: Path, options: QuantizeOptions) -> list[str]:
    nodes = list(onnx.load(str(path), load_external_data=False).graph.node)
    names = []
    convs = [n.name for n in nodes if n.op_type == "Conv"]
    gemms = [n.name for n in nodes if n.op_type in ("Gemm", "MatMul")]
    if options.exclude_first_conv and convs:
        names.append(convs[0])
    if options.exclude_last_gemm and gemms:
        names.append(gemms[-1])
    return names


def quantize_file(src: Path, dst: Path, mode: str, feeds: Sequence[dict[str, np.ndarray]],
                  options: QuantizeOptions) -> None:
    """Write the int8 model of `src` to `dst` (static needs calibration feeds)."""
    if mode == "dynamic":
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=False)
        return
    methods = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
               "entropy": CalibrationMethod.Entropy}
    extra = {"CalibPercentile": options.percentile} if options.method == "percentile" else {}
    with contextlib.redirect_stdout(io.StringIO()):  # the histogram calibrators print progress
        quantize_static(str(src), str(dst), FeedReader(feeds), quant_format=QuantFormat.QDQ,
                        per_channel=options.per_channel, reduce_range=options.reduce_range,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=methods[options.method], nodes_to_exclude=_excluded(src, options),
                        extra_options=extra)


def compare(original: ModelSession, copy: ModelSession, feeds: Sequence[tuple[str, dict[str, np.ndarray]]],
            check: Check | None = None) -> tuple[float, float, list[str]]:
    """Top-1 agreement of the first output, max probability difference, and the inputs where top-1 differs."""
    agree, worst, differs = 0, 0.0, []
    for name, feed in feeds:
        if check:
            check()
        a = to_probabilities(original.run(feed)[0][0].reshape(1, -1))[0]
        b = to_probabilities(copy.run(feed)[0][0].reshape(1, -1))[0]
        worst = max(worst, float(np.abs(a - b).max()))
        if int(a.argmax()) == int(b.argmax()):
            agree += 1
        else:
            differs.append(f"{name}: fp32 class {int(a.argmax())} ({a.max():.3f}), "
                           f"int8 class {int(b.argmax())} ({b.max():.3f}, fp32 gave it {a[b.argmax()]:.3f})")
    return agree / len(feeds), worst, differs


def interleaved_latency(original: ModelSession, copy: ModelSession, feed: dict[str, np.ndarray], runs: int,
                        check: Check | None = None) -> tuple[float, float]:
    """Median ms of each model over `runs` alternating calls on the same input (after a short warm-up)."""
    original.warm_up(feed, 3)
    copy.warm_up(feed, 3)
    a, b = [], []
    for _ in range(max(1, runs)):
        if check:
            check()
        a.append(original.run(feed)[1])
        b.append(copy.run(feed)[1])
    return float(np.median(a)), float(np.median(b))


def _eval_feeds(card: ModelCard, task: Task, calibration: list[tuple[str, dict[str, np.ndarray]]]
                ) -> tuple[list[tuple[str, dict[str, np.ndarray]]], str]:
    if calibration:
        return calibration, "calibration inputs"
    prep, name = getattr(task, "prep", None), getattr(task, "input_name", None)
    sample = resource_path("samples", card.sample) if card.sample else None
    if sample is not None and sample.is_file() and isinstance(prep, ImagePreprocessor) and isinstance(name, str):
        return [(sample.name, {name: prep(task.decode(sample))[0]})], "sample input"
    return [(f"random seed {s}", random_inputs(task.session, s)) for s in range(8)], "random inputs"


def _card_overrides(card: ModelCard, description: str, source_sha: str) -> dict[str, Any]:
    """The original card's fields for the copy (the registry sets id, file and sha256)."""
    data: dict[str, Any] = {
        "name": f"{card.name} (int8)", "task": card.task, "version": card.version, "description": description,
        "license": f"same as {card.id} ({card.license})",
        "limitations": [*card.limitations, f"An int8 copy of {card.id}: its scores differ slightly from the "
                        "original's, and close calls can change class; compare with the original when it matters."],
        "thresholds": dict(card.thresholds),
        "source": {"package": "onnxruntime", "version": ort.__version__, "file": card.file, "sha256": source_sha,
                   "converter": "desktop_app/core/models/quantize.py"},
    }
    optional = {"labels_file": card.labels_file, "license_file": card.license_file, "sample": card.sample,
                "second_stage": card.second_stage}
    data.update({k: v for k, v in optional.items() if v})
    if card.image is not None:
        im = card.image
        table: dict[str, Any] = {"layout": im.layout, "color": im.color, "resize": im.resize, "mean": list(im.mean),
                                 "std": list(im.std), "size_multiple": im.size_multiple}
        if im.name:
            table["name"] = im.name
        if im.width and im.height:
            table["size"] = [im.width, im.height]
        data["image"] = table
    if card.audio is not None:
        data["audio"] = dict(vars(card.audio))
    if card.tabular is not None:
        tab = card.tabular
        data["tabular"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(tab).items() if v is not None}
    return data


def make_int8_copy(registry: ModelRegistry, model_id: str, calibration: Path | None = None, *, mode: str = "auto",
                   options: QuantizeOptions | None = None, copy_id: str | None = None, latency_runs: int = 30,
                   check: Check | None = None) -> QuantizationReport:
    """Quantize model `model_id`, import the copy as a user model, and compare it with the original on CPU.

    `calibration` is a folder of the user's own inputs (required for static mode); `check` is called between
    steps (a worker's cancellation check)."""
    if mode not in MODES:
        raise TaskError(f"unknown quantization mode {mode!r}; expected one of {', '.join(MODES)}")
    options = options or QuantizeOptions()
    if options.method not in CALIBRATION_METHODS:
        raise TaskError(f"unknown calibration method {options.method!r}")
    card = registry.get(model_id)
    registry.verify(card)
    source_sha = card.sha256 or sha256_file(card.path)
    reason = "chosen by the user"
    if mode == "auto":
        mode, reason = choose_mode(op_census(card.path))
    original = ModelSession(card.path, "cpu")
    task = task_class(card.task)(card, original)
    images = isinstance(getattr(task, "prep", None), ImagePreprocessor)
    use_folder = calibration is not None and (mode == "static" or images)  # dynamic: the images check the copy
    calib, skipped = calibration_feeds(task, Path(str(calibration)), check) if use_folder else ([], [])
    if mode == "static" and not calib:
        raise TaskError(f"{card.id}: static quantization needs a calibration folder of your own inputs")
    with tempfile.TemporaryDirectory(prefix="desktop-app-int8-") as tmp:
        source, prepared = _pre_process(card.path, Path(tmp) / "pre.onnx")
        if check:
            check()
        out = Path(tmp) / f"{card.id}-int8.onnx"
        try:
            quantize_file(source, out, mode, [f for _, f in calib], options)
        except Exception as exc:  # onnxruntime.quantization raises plain exceptions of many kinds
            raise ModelError(f"{card.id}: quantization failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
        if check:
            check()
        settings = f"{options.describe(mode)}; {prepared}"
        used = f"{len(calib)} image(s) from {calibration}" if calib and mode == "static" else "none"
        description = (f"int8 copy of {card.id} (sha256 {source_sha}), made with onnxruntime {ort.__version__} "
                       f"quantization: {settings}. Calibration set: {used}. "
                       f"Original description: {card.description}")
        extra = [p for p in (card.labels_path, card.folder / card.license_file if card.license_file else None)
                 if p is not None and p.is_file()]
        new = registry.import_model(out, model_id=copy_id, task=card.task, name=f"{card.name} (int8)",
                                    card_overrides=_card_overrides(card, description, source_sha), extra_files=extra)
    copy = ModelSession(new.path, "cpu")
    feeds, what = _eval_feeds(card, task, calib)
    agreement, worst, differs = compare(original, copy, feeds, check)
    fp32_ms, int8_ms = interleaved_latency(original, copy, feeds[0][1], latency_runs, check)
    return QuantizationReport(
        card.id, source_sha, new.id, new.sha256 or "", mode, reason, settings,
        str(calibration) if calib and mode == "static" else None, len(calib) if mode == "static" else 0,
        what if mode == "static" or not calib else "images from the folder", len(feeds),
        card.path.stat().st_size, new.path.stat().st_size, fp32_ms, int8_ms, max(1, latency_runs),
        agreement, worst, tuple(differs), tuple(skipped))
