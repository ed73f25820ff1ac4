"""The describe dialog's live preview: the model run as the form describes it, on a sample photo or the file
chosen, in a worker, about 300 ms after the last edit; a run overtaken by a newer edit is dropped."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.core.models.preview import PreviewRun, PreviewRunner
from desktop_app.core.paths import resource_path
from desktop_app.qt.qt_workers import Worker, WorkerController, failure_handler
from desktop_app.qt.results.qt_result_view import QtResultView

DEBOUNCE_MS = 300
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def sample_inputs(extra: tuple[Path, ...] = ()) -> list[Path]:
    """The inputs the preview offers: `extra` first (the card's sample, the selected file), then the bundled
    sample photos."""
    folder = resource_path("samples")
    try:
        samples = sorted(p for p in folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES)
    except OSError:
        samples = []
    seen: list[Path] = []
    for path in (*extra, *samples):
        if path.is_file() and path not in seen:
            seen.append(path)
    return seen


class PreviewWorker(Worker):
    """Runs the described model once on one input; emits (generation, PreviewRun)."""

    ran = Signal(int, object)

    def __init__(self, runner: PreviewRunner, generation: int, fields: Mapping[str, Any], model_file: Path,
                 input_path: Path, extra_files: Mapping[str, bytes]) -> None:
        super().__init__()
        self.runner, self.generation = runner, generation
        self.fields, self.model_file, self.input_path = dict(fields), model_file, input_path
        self.extra_files = dict(extra_files)

    def work(self) -> None:
        self.check_cancelled()
        run = self.runner.run(self.fields, self.model_file, self.input_path, self.extra_files)
        self.check_cancelled()
        self.ran.emit(self.generation, run)


class QtDescribePreview(QWidget):
    """Input picker, the result view (boxes, masks, keypoints, top classes) and one line: summary or error."""

    shown = Signal(object)  # the PreviewRun now shown

    def __init__(self, runner: PreviewRunner, model_file: Path, extra_files: Mapping[str, bytes],
                 inputs: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Preview")
        self.runner, self.model_file, self.extra_files = runner, model_file, dict(extra_files)
        self.input_combo = QComboBox()
        self.input_combo.setAccessibleName("Preview input")
        for path in inputs:
            self.input_combo.addItem(path.name, str(path))
        self.input_combo.currentIndexChanged.connect(lambda _i: self.schedule())
        self.result_view = QtResultView()
        self.line = QLabel()
        self.line.setAccessibleName("Preview line")
        self.line.setWordWrap(True)
        self.line.setTextFormat(Qt.TextFormat.PlainText)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(QLabel("Preview on"))
        top.addWidget(self.input_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(self.line)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._start)
        self.control = WorkerController("describe-preview", self)
        self.generation = 0
        self.last: PreviewRun | None = None
        self._fields: dict[str, Any] | None = None

    def add_input(self, path: Path) -> None:
        """Offer another input (e.g. a file chosen by the user) and preview on it."""
        index = self.input_combo.findData(str(path))
        if index < 0:
            self.input_combo.insertItem(0, path.name, str(path))
            index = 0
        self.input_combo.setCurrentIndex(index)

    @property
    def input_path(self) -> Path | None:
        data = self.input_combo.currentData()
        return Path(data) if data else None

    def request(self, fields: Mapping[str, Any] | None, error: str = "") -> None:
        """New field values: run again after the pause (None with an error: show it, run nothing)."""
        self.generation += 1  # whatever runs now is stale
        if fields is None:
            self._fields = None
            self.timer.stop()
            self.control.stop()
            self._show_line(error, failed=True)
            return
        self._fields = dict(fields)
        self.schedule()

    def schedule(self) -> None:
        if self._fields is not None:
            self.line.setText("updating…" if self.last is not None else "running the model…")
            self.timer.start()

    def _start(self) -> None:
        path = self.input_path
        if self._fields is None:
            return
        if path is None:
            self._show_line("No picture to preview on: choose one.", failed=True)
            return
        self.generation += 1
        worker = PreviewWorker(self.runner, self.generation, self._fields, self.model_file, path, self.extra_files)
        worker.ran.connect(self._on_ran)
        self.control.start(worker, on_failed=failure_handler("preview failed", lambda line: self._show_line(
            line, failed=True)))

    @Slot(int, object)
    def _on_ran(self, generation: int, run: PreviewRun) -> None:
        if generation != self.generation:
            return  # a newer edit is on its way
        self.last = run
        self.result_view.show_result(run.result, run.image)
        self._show_line(run.line, failed=not run.result.ok)
        self.shown.emit(run)

    def _show_line(self, text: str, *, failed: bool) -> None:
        self.line.setText(text)
        self.line.setStyleSheet("color: #e06c60;" if failed else "")

    @property
    def busy(self) -> bool:
        return self.timer.isActive() or self.control.busy

    def shutdown(self) -> None:
        """Stop the pending and running preview (the dialog closes)."""
        self.timer.stop()
        self.control.stop()
