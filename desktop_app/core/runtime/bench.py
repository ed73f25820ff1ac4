"""Provider benchmark: one model on every healthy provider, per batch size, warm-up then N runs or T seconds.

Each provider gets its own strict session, so a fallback is never reported as that provider. Inputs are the
model card's sample (decoded and pre-processed by the model's task) or seeded random tensors of the declared
shape. Results are saved as JSON: next to the model for user models, and under `<user data>/bench/<id>.json`
for bundled models, whose install folder is read-only by principle.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from desktop_app.core.errors import AppError, TaskError, WriteError
from desktop_app.core.fileio import atomic_write_text
from desktop_app.core.models.card import AudioInput, ModelCard
from desktop_app.core.paths import UserDirs, resource_path
from desktop_app.core.runtime import health
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import task_class
from desktop_app.core.tasks.image_prep import ImagePreprocessor
from desktop_app.core.tasks.raw import random_inputs
from desktop_app.core.tasks.tabular import _column_array as column_array

#: `--providers` names -> ONNX Runtime provider names.
PROVIDER_NAMES = {"cpu": prov.CPU, "cuda": prov.CUDA, "directml": prov.DML, "dml": prov.DML}
_CHOICE = {prov.CPU: "cpu", prov.CUDA: "cuda", prov.DML: "directml"}
Check = Callable[[], None]


@dataclass(frozen=True)
class BenchSettings:
    """How long to measure: `warmup` untimed runs, then `runs` timed runs or `seconds`, whichever ends first."""

    runs: int = 50
    seconds: float = 10.0
    warmup: int = 3
    batches: tuple[int, ...] = (1, 4)

    def __post_init__(self) -> None:
        if self.runs < 1 or self.seconds <= 0 or self.warmup < 0 or not self.batches or min(self.batches) < 1:
            raise ValueError("runs and batch sizes must be at least 1, seconds positive, warm-up not negative")


@dataclass(frozen=True)
class LatencyStats:
    """Latency percentiles (ms per call) and throughput (items/s) of one provider at one batch size."""

    provider: str  # short name: CPU, CUDA, DirectML
    batch: int
    runs: int
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float
    throughput: float

    @classmethod
    def from_times(cls, provider: str, batch: int, times_ms: Sequence[float]) -> LatencyStats:
        t = np.asarray(times_ms, dtype=np.float64)
        p50, p90, p95, p99 = (float(v) for v in np.percentile(t, [50, 90, 95, 99]))
        return cls(provider, batch, int(t.size), p50, p90, p95, p99, float(t.mean()), float(t.min()),
                   float(t.max()), batch * t.size / (float(t.sum()) / 1000.0))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": self.provider, "batch": self.batch, "runs": self.runs}
        for key in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "mean_ms", "min_ms", "max_ms"):
            out[key] = round(getattr(self, key), 4)
        out["throughput_per_s"] = round(self.throughput, 3)
        return out


@dataclass(frozen=True)
class BenchSkip:
    """A provider (or provider and batch size) that was not measured, and why."""

    provider: str
    reason: str
    batch: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "batch": self.batch, "reason": self.reason}


@dataclass(frozen=True)
class BenchResult:
    """A whole benchmark of one model: what was fed, how long, and the stats per provider and batch size."""

    model_id: str
    model_sha256: str | None
    model_file: str
    inputs: str  # "sample cat-chelsea.jpg" or "random"
    settings: BenchSettings
    stats: tuple[LatencyStats, ...]
    skipped: tuple[BenchSkip, ...] = ()
    onnxruntime: str = field(default_factory=lambda: ort.__version__)
    created: str = field(default_factory=lambda: datetime.datetime.now().astimezone().isoformat(timespec="seconds"))
    saved_to: str | None = None
    save_error: str | None = None  # why the JSON could not be written (disk full, read-only folder)

    def get(self, provider: str, batch: int = 1) -> LatencyStats | None:
        return next((s for s in self.stats if s.provider == provider and s.batch == batch), None)

    def to_dict(self) -> dict[str, Any]:
        s = self.settings
        return {"model": self.model_id, "model_sha256": self.model_sha256, "model_file": self.model_file,
                "inputs": self.inputs, "onnxruntime": self.onnxruntime, "created": self.created,
                "settings": {"runs": s.runs, "seconds": s.seconds, "warmup": s.warmup, "batches": list(s.batches)},
                "results": [x.to_dict() for x in self.stats], "skipped": [x.to_dict() for x in self.skipped],
                "saved_to": self.saved_to, **({"save_error": self.save_error} if self.save_error else {})}

    def lines(self) -> list[str]:
        """A plain-text table for the command line and the GUI."""
        out = [f"{self.model_id}: {self.inputs}, warm-up {self.settings.warmup}, "
               f"up to {self.settings.runs} runs or {self.settings.seconds:g} s per provider and batch size"]
        out.append(f"  {'provider':<9} {'batch':>5} {'runs':>5} {'p50 ms':>9} {'p90 ms':>9} {'p95 ms':>9} "
                   f"{'p99 ms':>9} {'items/s':>9}")
        for x in self.stats:
            out.append(f"  {x.provider:<9} {x.batch:>5} {x.runs:>5} {x.p50_ms:>9.2f} {x.p90_ms:>9.2f} "
                       f"{x.p95_ms:>9.2f} {x.p99_ms:>9.2f} {x.throughput:>9.1f}")
        for skip in self.skipped:
            where = f" batch {skip.batch}" if skip.batch else ""
            out.append(f"  {skip.provider:<9}{where} skipped: {skip.reason}")
        if self.saved_to:
            out.append(f"saved to {self.saved_to}")
        if self.save_error:
            out.append(f"not saved: {self.save_error}")
        return out


def bench_path(card: ModelCard, dirs: UserDirs | None = None) -> Path:
    """Where a model's benchmark is saved: `<data>/bench/<id>.json` for bundled models, else beside the model."""
    if card.bundled:
        return (dirs or UserDirs.default()).data / "bench" / f"{card.id}.json"
    return card.folder / "bench.json"


def parse_providers(text: str | None) -> list[str] | None:
    """'cpu,cuda' -> ONNX Runtime provider names (None: every provider of the chain)."""
    if not text:
        return None
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in PROVIDER_NAMES]
    if unknown:
        raise ValueError(f"unknown provider {unknown[0]!r}; expected some of {', '.join(PROVIDER_NAMES)}")
    return list(dict.fromkeys(PROVIDER_NAMES[n] for n in names))


def _batch_dim_is_symbolic(session: ModelSession) -> bool:
    return all(i.shape and not (isinstance(i.shape[0], int) and i.shape[0] > 0) for i in session.inputs)


def _audio_feeds(spec: AudioInput, session: ModelSession) -> dict[str, np.ndarray]:
    """One streaming chunk (+ context) of quiet noise for the first input; integer scalars are the rate."""
    feeds = random_inputs(session)
    noise = 0.01 * np.random.default_rng(0).standard_normal((1, spec.chunk + spec.context))
    feeds[session.input_names[0]] = noise.astype(np.float32)
    for name, value in feeds.items():
        if value.ndim == 0 and np.issubdtype(value.dtype, np.integer):
            feeds[name] = np.array(spec.sample_rate, dtype=value.dtype)
    return feeds


def sample_inputs(card: ModelCard, session: ModelSession) -> tuple[dict[str, np.ndarray], str]:
    """Batch-1 feeds from the card's sample through the task's decode + pre-processing, else random ones."""
    if card.audio is not None:
        return _audio_feeds(card.audio, session), f"{card.audio.chunk}-sample audio chunk"
    path = resource_path("samples", card.sample) if card.sample else None
    if path is not None and path.is_file():
        task = task_class(card.task)(card, session)
        prep, name = getattr(task, "prep", None), getattr(task, "input_name", None)
        if isinstance(prep, ImagePreprocessor) and isinstance(name, str):
            tensor, _ = prep(task.decode(path))
            others = random_inputs(session) if len(session.inputs) > 1 else {}
            return {**others, name: tensor}, f"sample {card.sample}"
        if card.tabular is not None:  # the sample CSV's first row, one input per column
            table = task.decode(path)
            feeds = {i.name: column_array(table.column(i.name)[:1], i.type)[0] for i in session.inputs}
            return feeds, f"sample {card.sample}, first row"
    return random_inputs(session), "random"


def _batched(session: ModelSession, feeds: dict[str, np.ndarray], batch: int) -> dict[str, np.ndarray]:
    """The batch-1 feeds repeated `batch` times along the first axis."""
    if batch == 1:
        return feeds
    return {k: np.ascontiguousarray(np.repeat(v, batch, axis=0)) if v.ndim else v for k, v in feeds.items()}


def measure(session: ModelSession, feeds: dict[str, np.ndarray], settings: BenchSettings,
            check: Check | None = None) -> list[float]:
    """Warm up, then time runs until `settings.runs` or `settings.seconds` is reached (at least one run)."""
    for _ in range(settings.warmup):
        if check:
            check()
        session.run(feeds)
    times: list[float] = []
    deadline = time.perf_counter() + settings.seconds
    while len(times) < settings.runs and (not times or time.perf_counter() < deadline):
        if check:
            check()
        times.append(session.run(feeds)[1])
    return times


def _bench_provider(card: ModelCard, provider: str, settings: BenchSettings, check: Check | None,
                    stats: list[LatencyStats], skipped: list[BenchSkip]) -> str | None:
    short = prov.short_name(provider)
    try:
        session = ModelSession(card.path, _CHOICE[provider], strict=True)
        feeds, source = sample_inputs(card, session)
    except AppError as exc:
        skipped.append(BenchSkip(short, str(exc)))
        return None
    symbolic = _batch_dim_is_symbolic(session)
    for batch in settings.batches:
        if batch > 1 and not symbolic:
            skipped.append(BenchSkip(short, "the model's batch dimension is fixed", batch))
            continue
        try:
            times = measure(session, _batched(session, feeds, batch), settings, check)
        except AppError as exc:
            skipped.append(BenchSkip(short, str(exc), batch))
            continue
        stats.append(LatencyStats.from_times(short, batch, times))
    return source


def run_bench(card: ModelCard, settings: BenchSettings | None = None, *, providers: Sequence[str] | None = None,
              health_results: Sequence[health.ProviderHealth] | None = None, check: Check | None = None,
              save_to: Path | None = None) -> BenchResult:
    """Benchmark `card` on every healthy provider (or those named); unhealthy ones are listed as skipped.

    `check` is called between runs (a worker's cancellation check); `save_to` writes the JSON atomically (a
    failed save is recorded in `save_error`, the measurements are returned all the same)."""
    settings = settings or BenchSettings()
    results = list(health_results if health_results is not None else health.check_all())
    wanted = list(providers) if providers is not None else [h.provider for h in results]
    stats: list[LatencyStats] = []
    skipped: list[BenchSkip] = []
    source = None
    for provider in wanted:
        verdict = next((h for h in results if h.provider == provider), None)
        if verdict is None or not verdict.healthy:
            skipped.append(BenchSkip(prov.short_name(provider), verdict.detail if verdict else "not checked"))
            continue
        source = _bench_provider(card, provider, settings, check, stats, skipped) or source
    if not stats:
        reasons = "; ".join(f"{s.provider}: {s.reason}" for s in skipped) or "no provider asked for"
        raise TaskError(f"{card.id}: nothing could be benchmarked ({reasons})")
    result = BenchResult(card.id, card.sha256, card.file, source or "random", settings, tuple(stats), tuple(skipped))
    return save_result(result, save_to) if save_to is not None else result


def save_result(result: BenchResult, path: Path) -> BenchResult:
    """Write the result's JSON to `path` atomically -> the result naming where it went; when the write fails
    (disk full, read-only folder) -> the result with `save_error` set, so it can be saved again elsewhere."""
    saved = replace(result, saved_to=str(path), save_error=None)
    try:
        atomic_write_text(path, json.dumps(saved.to_dict(), indent=2, ensure_ascii=False) + "\n")
    except WriteError as exc:
        return replace(result, saved_to=None, save_error=str(exc))
    return saved
