"""Workers of the files panel: the batch (the core's BatchEngine, its outputs adapted to throttled
signals) and the preview decoder."""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QThread, Signal

from desktop_app.core.batch import (
    BatchJob,
    BatchProgress,
    BatchSummary,
    RateMeter,
    downscale,
    rate_unit,
)
from desktop_app.core.batch_engine import BatchEngine, BatchOutput
from desktop_app.core.media import load_image
from desktop_app.core.pipeline import Pipeline, Prepared
from desktop_app.core.results import Result
from desktop_app.qt.qt_workers import Worker

THUMBNAIL_PX = 96
PREVIEW_PX = 1024
EMIT_INTERVAL_S = 0.1  # rows and progress reach the UI at most ~10 times a second


@dataclass(frozen=True)
class BatchItem:
    """One finished file: its Results (a CSV gives one per row), a 96 px RGB thumbnail and a
    preview (max 1024 px) when it was an image."""

    index: int
    path: Path
    results: tuple[Result, ...]
    thumbnail: np.ndarray | None = None
    preview: np.ndarray | None = None


def pictures(prepared: Prepared) -> tuple[np.ndarray, np.ndarray] | None:
    """Runs on the engine's decode thread: a decoded image's thumbnail and preview (None otherwise)."""
    data = prepared.data
    if isinstance(data, np.ndarray) and data.ndim == 3 and data.dtype == np.uint8:
        return downscale(data, THUMBNAIL_PX), downscale(data, PREVIEW_PX)
    return None


def batch_item(output: BatchOutput) -> BatchItem:
    thumbnail, preview = output.extra if output.extra is not None else (None, None)
    return BatchItem(output.job.index, output.job.path, output.results, thumbnail, preview)


class BatchWorker(Worker):
    """Runs a list of jobs on the core's BatchEngine (its decode threads start and end inside `work`).
    Items and progress are emitted in throttled groups so hundreds of files never flood the UI thread."""

    items_ready = Signal(object, object)  # list[BatchItem] in job order (may be empty), BatchProgress
    summary = Signal(object)  # BatchSummary, always emitted last (also on cancel)

    def __init__(self, pipeline: Pipeline, jobs: list[BatchJob], *, batch_size: int | None = None,
                 decode_threads: int | None = None) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.jobs = list(jobs)
        self.batch_size = batch_size
        self.decode_threads = decode_threads

    def work(self) -> None:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)  # where the OS honours it
        meter = RateMeter(len(self.jobs))
        unit = rate_unit(self.jobs)
        pending: list[BatchItem] = []
        done = rows = failed = 0
        last_emit = 0.0  # the first finished file shows at once, later ones in ~100 ms groups
        try:  # whatever happens from here, the summary is emitted last
            engine = BatchEngine(self.pipeline, batch_size=self.batch_size, decode_threads=self.decode_threads,
                                 extra=pictures, check_cancelled=self.check_cancelled, background=True)
            with closing(engine.run(self.jobs)) as outputs:  # joins the decode threads on the way out
                for output in outputs:
                    item = batch_item(output)
                    pending.append(item)
                    done += 1
                    rows += len(item.results)
                    failed += sum(not r.ok for r in item.results)
                    now = time.perf_counter()
                    if now - last_emit >= EMIT_INTERVAL_S:
                        self._flush(pending, meter.progress(done, unit, now))
                        last_emit = now
                    self.check_cancelled()
        finally:
            self._flush(pending, meter.progress(done, unit), always=True)
            self.summary.emit(BatchSummary(len(self.jobs), done, rows, failed, self.is_cancelled, meter.elapsed()))

    def _flush(self, pending: list[BatchItem], progress: BatchProgress, always: bool = False) -> None:
        """One signal per flush for rows and progress together (each emit costs the UI thread)."""
        if pending or always:
            self.items_ready.emit(list(pending), progress)
            pending.clear()


class PreviewWorker(Worker):
    """Decodes one image for the result view when its preview is no longer cached."""

    ready = Signal(int, object)  # item index, RGB uint8 preview (max 1024 px)

    def __init__(self, index: int, path: Path) -> None:
        super().__init__()
        self.index = index
        self.path = path

    def work(self) -> None:
        image = load_image(self.path)
        self.check_cancelled()
        self.ready.emit(self.index, downscale(image, PREVIEW_PX))
