"""Owns the model manager's background work: one WorkerController each for verification, inspection,
imports (queued, never cancelling each other) and the provider health check; caches ModelInfo by id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.inspect import ModelInfo
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import one_line
from desktop_app.qt.models.qt_model_workers import (
    HealthWorker,
    ImportOutcome,
    ImportRequest,
    ImportWorker,
    InspectOutcome,
    InspectWorker,
    VerifyStatus,
    VerifyWorker,
)
from desktop_app.qt.qt_workers import WorkerController, failure_handler


class QtModelController(QObject):
    """Starts, queues and stops the model manager's workers and relays their outcomes to the view."""

    verified = Signal(object)  # VerifyStatus
    inspected = Signal(object)  # InspectOutcome
    imported = Signal(object)  # ImportOutcome, one per file
    imports_done = Signal()  # the import queue is empty
    health_checked = Signal(object)  # tuple[ProviderHealth, ...]
    health_failed = Signal(str)
    failed = Signal(str)  # one line: which job failed and why (verification, inspection, import)

    def __init__(self, registry: ModelRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.verify_control = WorkerController("model-verify", self)
        self.inspect_control = WorkerController("model-inspect", self)
        self.import_control = WorkerController("model-import", self)
        self.health_control = WorkerController("provider-health", self)
        self._pending_imports: list[Path] = []
        self._import_requests: dict[Path, ImportRequest] = {}
        self._infos: dict[str, ModelInfo] = {}
        self._closed = False

    @property
    def controls(self) -> tuple[WorkerController, ...]:
        return (self.verify_control, self.inspect_control, self.import_control, self.health_control)

    @property
    def importing(self) -> bool:
        return self.import_control.busy or bool(self._pending_imports)

    # -- verification --------------------------------------------------------------------------

    def verify(self, cards: list[ModelCard]) -> None:
        """(Re)verify these cards' sha256 in the background; unchanged files are not rehashed."""
        if self._closed or not cards:
            return
        worker = VerifyWorker(self.registry, cards)
        worker.verified.connect(self._relay_verified)
        self.verify_control.start(worker, on_failed=failure_handler("verification failed", self.failed.emit))

    @Slot(object)
    def _relay_verified(self, status: VerifyStatus) -> None:
        if not self._closed:
            self.verified.emit(status)

    # -- inspection ----------------------------------------------------------------------------

    def inspect(self, card: ModelCard) -> None:
        """ModelInfo for this card: from the cache at once, or from a worker (an earlier one is cancelled)."""
        if self._closed:
            return
        cached = self._infos.get(card.id)
        if cached is not None and cached.path == card.path:
            self.inspected.emit(InspectOutcome(card.id, cached))
            return
        worker = InspectWorker(card.id, card.path)
        worker.inspected.connect(self._on_inspected)
        self.inspect_control.start(worker, on_failed=failure_handler("inspection failed", self.failed.emit))

    def forget(self, model_id: str) -> None:
        self._infos.pop(model_id, None)

    @Slot(object)
    def _on_inspected(self, outcome: InspectOutcome) -> None:
        if self._closed:
            return
        if outcome.info is not None:
            self._infos[outcome.model_id] = outcome.info
        self.inspected.emit(outcome)

    # -- import --------------------------------------------------------------------------------

    def import_paths(self, paths: list[Path], card: dict[str, Any] | None = None, *, recognise: bool | None = None,
                     extra_files: tuple[Path, ...] = ()) -> None:
        """Queue files or model folders for import (with these card fields, e.g. task and [image]; recognised
        too when `recognise`, or when no task is given); each on its own, in order."""
        if self._closed or not paths:
            return
        self._pending_imports.extend(Path(p) for p in paths)
        request = ImportRequest(dict(card or {}), recognise, tuple(extra_files))
        self._import_requests.update({Path(p): request for p in paths})
        if not self.import_control.busy:
            self._start_next_import()

    def _start_next_import(self) -> None:
        if self._closed or not self._pending_imports:
            return
        batch, self._pending_imports = self._pending_imports, []
        worker = ImportWorker(self.registry, batch, {p: self._import_requests.pop(p, ImportRequest()) for p in batch})
        worker.imported.connect(self._relay_imported)
        worker.finished.connect(self._on_import_finished)
        self.import_control.start(worker, on_failed=failure_handler("import failed", self.failed.emit))

    @Slot(object)
    def _relay_imported(self, outcome: ImportOutcome) -> None:
        if not self._closed:
            self.imported.emit(outcome)

    @Slot()
    def _on_import_finished(self) -> None:
        current = self.import_control.worker
        if self._closed or (current is not None and self.sender() not in (None, current)):
            return  # a newer import already runs; its own end decides
        if self._pending_imports:
            self._start_next_import()
        else:
            self.imports_done.emit()

    # -- provider health -----------------------------------------------------------------------

    def check_health(self) -> None:
        if self._closed:
            return
        worker = HealthWorker()
        worker.checked.connect(self._relay_health)
        self.health_control.start(worker, on_failed=self._relay_health_failure)

    @Slot(object)
    def _relay_health(self, results: object) -> None:
        if not self._closed:
            self.health_checked.emit(results)

    def _relay_health_failure(self, exc: BaseException) -> None:
        if not self._closed:
            self.health_failed.emit(one_line(exc))

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Drop queued imports and stop every worker (their threads end on their own)."""
        self._closed = True
        self._pending_imports.clear()
        for control in self.controls:
            control.stop()
