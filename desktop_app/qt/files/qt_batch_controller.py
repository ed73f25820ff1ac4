"""The files panel's controller: plans batches, runs them one after another on a BatchWorker, keeps
recent previews in a bounded LRU (decoding a missing one on a PreviewWorker), and exports.

A batch started while another runs is queued behind it (nothing dropped is lost); Cancel stops the
running batch and clears the queue. Rows already done are kept."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from desktop_app.core.batch import BatchJob, BatchProgress, BatchSummary, plan_batch
from desktop_app.core.batch_export import export_error, export_results
from desktop_app.core.services import AppServices
from desktop_app.qt.files.qt_batch_worker import BatchItem, BatchWorker, PreviewWorker
from desktop_app.qt.files.qt_results_table import QtBatchTableModel
from desktop_app.qt.files.qt_text_worker import TextWorker
from desktop_app.qt.qt_workers import WorkerController, failure_handler, failure_line

PREVIEW_CACHE = 32


class QtBatchController(QObject):
    """Owns the batch and preview workers; the table model only ever grows by appended rows."""

    batch_started = Signal(int, int)  # files in this batch, batches still queued behind it
    items_added = Signal(int, object, object)  # first new table row, list[BatchItem], BatchProgress
    batch_finished = Signal(object)  # BatchSummary
    preview_ready = Signal(int, object)  # item index, np.ndarray or None when it could not be decoded
    message = Signal(str)

    def __init__(self, services: AppServices, model: QtBatchTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = model
        self.batches = WorkerController("files-batch", self)
        self.previews = WorkerController("files-preview", self)
        self.texts = WorkerController("files-text", self)
        self._typed = 0
        self.batches.stopped.connect(self._on_stopped)
        self._running = False  # a batch started and its summary has not arrived yet
        self._queue: list[list[BatchJob]] = []
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._next_index = 0
        self._closing = False
        self._starting = False
        self._preview_index = -1

    # -- batches ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A batch is running or queued (its summary has not arrived yet)."""
        return self._running or bool(self._queue)

    @property
    def queued(self) -> int:
        return len(self._queue)

    def run_paths(self, paths: list[Path]) -> int | None:
        """Plan and start (or queue) a batch; returns the item index of its first file, None if empty."""
        plan = plan_batch(paths, self.services.settings, self._next_index)
        jobs = plan.jobs
        if plan.skipped:
            names = ", ".join(p.name for p in plan.skipped[:3]) + (" …" if len(plan.skipped) > 3 else "")
            self.message.emit(f"skipped {len(plan.skipped)} file(s) in folders that are not images, audio "
                              f"or CSV: {names}")
        if not jobs:
            if not plan.skipped:
                self.message.emit("nothing to run: no image, audio or CSV files")
            return None
        self._next_index += len(jobs)
        self._queue.append(jobs)
        if not self._running:
            self._start_next()
        else:
            self.message.emit(f"{len(jobs)} file(s) queued behind the running batch")
        return jobs[0].index

    def run_text(self, text: str, model_id: str) -> int:
        """Classify typed text with `model_id` in the background -> the item index its row will have."""
        index, self._typed = self._next_index, self._typed + 1
        self._next_index += 1
        worker = TextWorker(self.services.pipeline, model_id, text, index, f"typed text {self._typed}")
        worker.done.connect(self._on_text)
        self.texts.start(worker, on_failed=failure_handler("text not classified", self.message.emit))
        return index

    def _on_text(self, item: BatchItem) -> None:
        first = self.model.append_items([item])
        self.items_added.emit(first, [item], BatchProgress(1, 1, None, None))

    def _on_stopped(self) -> None:
        if not self._starting:
            self._start_next()

    def _start_next(self) -> None:
        if self._closing or self._starting or not self._queue or self._running:
            return
        jobs = self._queue.pop(0)
        worker = BatchWorker(self.services.pipeline, jobs)
        worker.items_ready.connect(self._on_items)
        worker.summary.connect(self._on_summary)
        self._starting = True  # start() stops the previous worker first, which emits `stopped`
        try:
            self.batches.start(worker, on_failed=failure_handler("batch stopped", self.message.emit))
        finally:
            self._starting = False
        self._running = True
        self.batch_started.emit(len(jobs), len(self._queue))

    def _on_summary(self, summary: BatchSummary) -> None:
        self._running = False
        self.batch_finished.emit(summary)
        self._start_next()  # a batch queued while a cancelled one was still ending starts now

    def _on_items(self, items: list[BatchItem], progress: BatchProgress) -> None:
        for item in items:
            if item.preview is not None:
                self._remember(item.index, item.preview)
        first = self.model.append_items(items)
        self.items_added.emit(first, items, progress)

    def cancel(self) -> bool:
        """Cancel the running batch and the queue (its thread ends on its own); True when something stopped."""
        had = self.batches.busy or bool(self._queue)
        self._queue.clear()
        self.batches.stop()
        return had

    def shutdown(self) -> None:
        """Stop every worker (window closing; the window joins the threads)."""
        self._closing = True
        self._queue.clear()
        self.batches.stop()
        self.previews.stop()
        self.texts.stop()

    def clear(self) -> None:
        self.model.clear()
        self._cache.clear()

    # -- previews --------------------------------------------------------------------------------

    def _remember(self, index: int, image: np.ndarray) -> None:
        self._cache[index] = image
        self._cache.move_to_end(index)
        while len(self._cache) > PREVIEW_CACHE:
            self._cache.popitem(last=False)

    def cached_preview(self, index: int) -> np.ndarray | None:
        image = self._cache.get(index)
        if image is not None:
            self._cache.move_to_end(index)
        return image

    def request_preview(self, index: int, path: Path) -> None:
        """Decode a preview off the UI thread; `preview_ready` follows (image None on failure)."""
        self._preview_index = index
        worker = PreviewWorker(index, path)
        worker.ready.connect(self._on_preview)
        self.previews.start(worker, on_failed=self._preview_failed)

    def _on_preview(self, index: int, image: np.ndarray) -> None:
        self._remember(index, image)
        self.preview_ready.emit(index, image)

    def _preview_failed(self, exc: BaseException) -> None:
        self.message.emit(failure_line("preview", exc))
        self.preview_ready.emit(self._preview_index, None)

    # -- export ----------------------------------------------------------------------------------

    def export_to(self, path: Path) -> str | None:
        """Write every row (errors included) to a .csv or .json file; returns None or a one-line error.
        On failure the rows stay in memory, so the export can be retried elsewhere."""
        results = self.model.results()
        try:
            export_results(path, results)
        except Exception as exc:  # a full disk or a read-only folder must not cost the results
            error = export_error(path, exc)
            self.message.emit(f"export failed: {error}")
            return error
        self.message.emit(f"exported {len(results)} rows to {path}")
        return None

