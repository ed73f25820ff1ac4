"""Model manager tools: "Benchmark" (every healthy provider) and "Make int8 copy…", each in its own worker.

The workers run the core (`run_bench`, `make_int8_copy`) and emit its frozen results; QtModelTools starts and
stops them and relays results or one-line failures to the panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import UserDirs
from desktop_app.core.pipeline import one_line
from desktop_app.core.runtime.bench import BenchSettings, bench_path, run_bench
from desktop_app.qt.qt_workers import Worker, WorkerController


class BenchWorker(Worker):
    """Benchmarks one model on every healthy provider and saves the JSON where `bench_path` says."""

    done = Signal(object)  # BenchResult

    def __init__(self, card: ModelCard, settings: BenchSettings, dirs: UserDirs) -> None:
        super().__init__()
        self.card, self.settings, self.dirs = card, settings, dirs

    def work(self) -> None:
        self.done.emit(run_bench(self.card, self.settings, check=self.check_cancelled,
                                 save_to=bench_path(self.card, self.dirs)))


class QuantizeWorker(Worker):
    """Makes the int8 copy of one model (a new user model) and emits the side-by-side report."""

    done = Signal(object)  # QuantizationReport

    def __init__(self, registry: ModelRegistry, model_id: str, calibration: Path | None, runs: int) -> None:
        super().__init__()
        self.registry, self.model_id, self.calibration, self.runs = registry, model_id, calibration, runs

    def work(self) -> None:
        # onnxruntime.quantization is imported only when a copy is made
        from desktop_app.core.models.quantize import make_int8_copy

        self.done.emit(make_int8_copy(self.registry, self.model_id, self.calibration, latency_runs=self.runs,
                                      check=self.check_cancelled))


class QtModelTools(QObject):
    """One WorkerController each for the benchmark and the int8 copy; relays outcomes until shut down."""

    benched = Signal(object)  # BenchResult
    quantized = Signal(object)  # QuantizationReport
    failed = Signal(str, str)  # tool ("Benchmark" | "int8 copy"), one-line reason

    def __init__(self, registry: ModelRegistry, dirs: UserDirs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry, self.dirs = registry, dirs
        self.bench_settings = BenchSettings(runs=30, seconds=5.0, warmup=3, batches=(1, 4))
        self.quantize_runs = 30
        self.bench_control = WorkerController("model-bench", self)
        self.quantize_control = WorkerController("model-quantize", self)
        self._closed = False

    @property
    def busy(self) -> bool:
        return self.bench_control.busy or self.quantize_control.busy

    def bench(self, card: ModelCard) -> None:
        if self._closed:
            return
        worker = BenchWorker(card, self.bench_settings, self.dirs)
        worker.done.connect(self._on_benched)
        self.bench_control.start(worker, on_failed=self._on_bench_failed)

    def quantize(self, card: ModelCard, calibration: Path | None) -> None:
        if self._closed:
            return
        worker = QuantizeWorker(self.registry, card.id, calibration, self.quantize_runs)
        worker.done.connect(self._on_quantized)
        self.quantize_control.start(worker, on_failed=self._on_quantize_failed)

    @Slot(object)
    def _on_benched(self, result: object) -> None:
        if not self._closed:
            self.benched.emit(result)

    @Slot(object)
    def _on_quantized(self, report: object) -> None:
        if not self._closed:
            self.quantized.emit(report)

    def _on_bench_failed(self, exc: BaseException) -> None:  # only a current run's failure arrives here
        self.failed.emit("Benchmark", one_line(exc))

    def _on_quantize_failed(self, exc: BaseException) -> None:
        self.failed.emit("int8 copy", one_line(exc))

    def shutdown(self) -> None:
        """Stop both workers (their threads end on their own; the window's close joins them)."""
        self._closed = True
        self.bench_control.stop()
        self.quantize_control.stop()
