"""Workers of the files panel: the batch (decode runs ahead of inference) and the preview decoder."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as wait_futures
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


@dataclass
class _Decoded:
    prepared: Prepared | None
    thumbnail: np.ndarray | None
    preview: np.ndarray | None


def default_decode_threads() -> int:
    """1 on small machines (ONNX Runtime already uses every core there), 2 from 8 cores on."""
    return 2 if (os.cpu_count() or 1) >= 8 else 1


def _started_pool(threads: int) -> ThreadPoolExecutor:
    """A pool whose threads start now, from the calling (UI) thread. Starting a Python thread from a
    QThread makes Python register that QThread as a `_DummyThread` that never ends (Python 3.11)."""
    pool = ThreadPoolExecutor(threads, thread_name_prefix="batch-decode")
    gate = threading.Event()
    holds = [pool.submit(gate.wait) for _ in range(threads)]  # each blocks, so each submit adds a thread
    gate.set()
    for hold in holds:
        hold.result()
    return pool


def _decode(pipeline: Pipeline, job: BatchJob) -> _Decoded:
    """Runs on a prefetch thread: decode the file and make its small pictures."""
    if job.error is not None:
        return _Decoded(None, None, None)
    prepared = pipeline.prepare(job.path, job.model_id)
    data = prepared.data
    if isinstance(data, np.ndarray) and data.ndim == 3 and data.dtype == np.uint8:
        return _Decoded(prepared, downscale(data, THUMBNAIL_PX), downscale(data, PREVIEW_PX))
    return _Decoded(prepared, None, None)


class BatchWorker(Worker):
    """Runs a list of jobs: a small thread pool decodes up to `in_flight` files ahead while this
    worker's thread runs the model on them in order. Items and progress are emitted in throttled
    groups so a batch of hundreds of files never floods the UI thread."""

    items_ready = Signal(object, object)  # list[BatchItem] in job order (may be empty), BatchProgress
    summary = Signal(object)  # BatchSummary, always emitted last (also on cancel)

    def __init__(self, pipeline: Pipeline, jobs: list[BatchJob], *, in_flight: int = 4,
                 decode_threads: int | None = None) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.jobs = list(jobs)
        self.in_flight = max(1, in_flight)
        # Started here, on the UI thread; work() shuts it down and waits for its decodes, and the
        # controller joins its threads on the UI thread (Thread.join from a QThread would register
        # that QThread with Python as a dummy thread that never ends).
        self.pool = _started_pool(decode_threads or default_decode_threads())

    def work(self) -> None:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)  # where the OS honours it
        meter = RateMeter(len(self.jobs))
        unit = rate_unit(self.jobs)
        pending: list[BatchItem] = []
        done = rows = failed = 0
        last_emit = 0.0  # the first finished file shows at once, later ones in ~100 ms groups
        executor = self.pool
        queue: deque[tuple[BatchJob, Future[_Decoded]]] = deque()
        todo = iter(self.jobs)
        try:
            self._fill(executor, queue, todo)
            while queue:
                self.check_cancelled()
                job, future = queue[0]
                decoded = self._wait(future)
                queue.popleft()
                self._fill(executor, queue, todo)
                item = self._finish(job, decoded)
                pending.append(item)
                done += 1
                rows += len(item.results)
                failed += sum(not r.ok for r in item.results)
                now = time.perf_counter()
                if now - last_emit >= EMIT_INTERVAL_S:
                    self._flush(pending, meter.progress(done, unit, now))
                    last_emit = now
        finally:
            # No decode outlives the batch; the idle threads are joined by the controller.
            executor.shutdown(wait=False, cancel_futures=True)
            wait_futures([f for _, f in queue])
            self._flush(pending, meter.progress(done, unit), always=True)
            self.summary.emit(BatchSummary(len(self.jobs), done, rows, failed, self.is_cancelled, meter.elapsed()))

    def _fill(self, executor: ThreadPoolExecutor, queue: deque[tuple[BatchJob, Future[_Decoded]]],
              todo: Iterator[BatchJob]) -> None:
        while len(queue) < self.in_flight:
            job = next(todo, None)
            if job is None:
                return
            queue.append((job, executor.submit(_decode, self.pipeline, job)))

    def _wait(self, future: Future[_Decoded]) -> _Decoded:
        """The decoded file, checking for cancel while a big one is still decoding."""
        while True:
            try:
                return future.result(timeout=0.05)
            except FutureTimeout:
                self.check_cancelled()

    def _finish(self, job: BatchJob, decoded: _Decoded) -> BatchItem:
        if decoded.prepared is None:
            results: tuple[Result, ...] = (job.error_result(),)
        else:
            results = tuple(self.pipeline.finish(decoded.prepared, **job.options))
        return BatchItem(job.index, job.path, results, decoded.thumbnail, decoded.preview)

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
