"""Import with a description, and Edit…: what the model is (recognition, or the installed card) is worked
out in a worker, the describe dialog opens pre-filled, and Import (through the model controller) or Save
(the card rewritten atomically) runs in a worker. Several paths are described one dialog at a time."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.core.models import isolation
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.describe import card_data, save_described
from desktop_app.core.models.inspect import inspect_model
from desktop_app.core.models.preview import PreviewRunner
from desktop_app.core.models.recognize import ModelFacts, model_file, recognise_facts
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import resource_path
from desktop_app.qt.models.qt_describe_dialog import DescribeOutcome, DescribeRequest, QtDescribeDialog
from desktop_app.qt.models.qt_describe_preview import PICTURE_SUFFIXES, sample_inputs
from desktop_app.qt.models.qt_model_controller import QtModelController
from desktop_app.qt.qt_workers import Worker, WorkerController, failure_handler

RequestMaker = Callable[[], DescribeRequest]
#: Files the preview may run on besides the samples (pictures; texts for text classifiers).
PREVIEW_SUFFIXES = (*PICTURE_SUFFIXES, ".txt")


def recognised_request(path: Path) -> DescribeRequest:
    """What import would write for `path` (a file or a model folder): the model is checked in a child process
    first (the preview then runs it here), then recognised from its metadata, signature and sibling files."""
    onnx_path = model_file(path)
    info = isolation.validate_isolated(onnx_path, timeout_s=60.0, memory_mb=isolation.memory_budget_mb(onnx_path))
    found = recognise_facts(ModelFacts(onnx_path, info))
    fields = dict(found.card)
    fields.setdefault("name", path.name if path.is_dir() else onnx_path.stem)
    return DescribeRequest(path, onnx_path, fields, found.summary, found.recognised, found.refused, info,
                           dict(found.extra_files))


def edit_request(card: ModelCard) -> DescribeRequest:
    """The installed card as written, with its model's signature."""
    return DescribeRequest(card.path, card.path, card_data(card), card.recognised, bool(card.recognised), None,
                           inspect_model(card.path), {}, card)


class DescribeRequestWorker(Worker):
    """Works out one DescribeRequest (recognition or the installed card) off the UI thread."""

    ready = Signal(object)  # DescribeRequest

    def __init__(self, make: RequestMaker) -> None:
        super().__init__()
        self.make = make

    def work(self) -> None:
        self.check_cancelled()
        request = self.make()
        self.check_cancelled()
        self.ready.emit(request)


class SaveCardWorker(Worker):
    """Rewrites an installed card with the described fields (and a labels file), then announces the change."""

    saved = Signal(object)  # the new ModelCard

    def __init__(self, registry: ModelRegistry, outcome: DescribeOutcome) -> None:
        super().__init__()
        self.registry, self.outcome = registry, outcome

    def work(self) -> None:
        card = self.outcome.request.card
        assert card is not None
        labels = self.outcome.labels_file
        files = {labels.name: labels.read_bytes()} if labels is not None else {}
        new = save_described(card, self.outcome.fields, files)
        self.registry.refresh()  # every open view sees the new card now, not at the watcher's next look
        self.saved.emit(new)


class QtDescribeFlow(QObject):
    """Queues describe jobs (paths to import, cards to edit), shows one dialog at a time, imports or saves."""

    opened = Signal(object)  # the QtDescribeDialog just shown
    saved = Signal(str)  # id of the model whose card was saved
    failed = Signal(str)  # one line
    message = Signal(str)

    def __init__(self, registry: ModelRegistry, controller: QtModelController, parent: QWidget,
                 provider: str = "auto") -> None:
        super().__init__(parent)
        self.registry, self.controller, self.parent_widget = registry, controller, parent
        self.prepare_control = WorkerController("describe-prepare", self)
        self.save_control = WorkerController("describe-save", self)
        self.runner = PreviewRunner(provider)
        #: Files the preview also offers (the files panel's selected file); the main window sets it.
        self.extra_inputs: Callable[[], list[Path]] = list
        self.dialog: QtDescribeDialog | None = None
        self._jobs: list[tuple[str, RequestMaker]] = []
        self._closed = False

    @property
    def controls(self) -> tuple[WorkerController, ...]:
        return (self.prepare_control, self.save_control)

    def describe_paths(self, paths: list[Path]) -> None:
        """Recognise each path and describe it in the dialog before importing it."""
        self._jobs.extend((f"recognising {p.name}", partial(recognised_request, Path(p))) for p in paths)
        self._next()

    def edit(self, card: ModelCard) -> None:
        """Describe an installed model again; Save rewrites its card."""
        self._jobs.append((f"reading {card.id}", partial(edit_request, card)))
        self._next()

    def _next(self) -> None:
        if self._closed or self.dialog is not None or self.prepare_control.busy or not self._jobs:
            return
        what, make = self._jobs.pop(0)
        self.message.emit(f"{what}…")
        worker = DescribeRequestWorker(make)
        worker.ready.connect(self._open)
        worker.finished.connect(self._after_prepare)
        self.prepare_control.start(worker, on_failed=failure_handler(what, self.failed.emit))

    @Slot()
    def _after_prepare(self) -> None:
        if self.dialog is None:  # it failed: go on with the next one
            self._next()

    @Slot(object)
    def _open(self, request: DescribeRequest) -> None:
        if self._closed:
            return
        extra = [p for p in self.extra_inputs() if p.suffix.lower() in PREVIEW_SUFFIXES and p.is_file()]
        card = request.card
        sample = card.sample if card is not None else request.fields.get("sample")
        if isinstance(sample, str):
            extra.insert(0, resource_path("samples", sample))
        dialog = QtDescribeDialog(request, self.runner, sample_inputs(tuple(extra)), self.parent_widget)
        dialog.described.connect(self._on_described)
        dialog.finished.connect(self._on_closed)
        self.dialog = dialog
        dialog.open()
        self.message.emit(request.recognition_line)
        self.opened.emit(dialog)

    @Slot(object)
    def _on_described(self, outcome: DescribeOutcome) -> None:
        request = outcome.request
        if request.card is not None:
            worker = SaveCardWorker(self.registry, outcome)
            worker.saved.connect(self._on_saved)
            self.save_control.start(worker, on_failed=failure_handler(f"saving {request.card.id}", self.failed.emit))
            return
        extra = (outcome.labels_file,) if outcome.labels_file is not None else ()
        self.controller.import_paths([request.source], outcome.fields, recognise=True, extra_files=extra)

    @Slot(object)
    def _on_saved(self, card: ModelCard) -> None:
        self.message.emit(f"saved {card.id}'s card")
        self.saved.emit(card.id)

    @Slot()
    def _on_closed(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._next()

    def shutdown(self) -> None:
        """Close the dialog, drop queued jobs and stop the workers (their threads end on their own)."""
        self._closed = True
        self._jobs.clear()
        if self.dialog is not None:
            self.dialog.reject()
        for control in self.controls:
            control.stop()
