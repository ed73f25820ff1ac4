"""Typed text through a text classifier, off the UI thread: the files panel's text box becomes one table
row like a dropped .txt file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from desktop_app.core.pipeline import Pipeline
from desktop_app.qt.files.qt_batch_worker import BatchItem
from desktop_app.qt.qt_workers import Worker


class TextWorker(Worker):
    """Runs `pipeline.run_data(text, model_id)`; emits `done(BatchItem)` (a model error is the row's error)."""

    done = Signal(object)

    def __init__(self, pipeline: Pipeline, model_id: str, text: str, index: int, source: str) -> None:
        super().__init__()
        self.pipeline, self.model_id, self.text, self.index, self.source = pipeline, model_id, text, index, source

    def work(self) -> None:
        self.check_cancelled()
        result = self.pipeline.run_data(self.text, self.model_id, self.source)
        self.check_cancelled()
        self.done.emit(BatchItem(self.index, Path(self.source), (result,)))
