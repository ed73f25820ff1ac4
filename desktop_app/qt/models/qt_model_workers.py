"""Background work of the model manager: sha256 verification, inspection, import and the provider health
check. Each worker emits frozen outcomes; the UI thread never hashes, parses or runs a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from desktop_app.core.errors import AppError, ModelError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.inspect import ModelInfo, inspect_model
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.runtime import health
from desktop_app.core.runtime import providers as prov
from desktop_app.qt.qt_workers import Worker


class VerifyState(Enum):
    """Integrity of one model file as the list shows it."""

    PENDING = "not verified yet"
    VERIFIED = "file intact ✓"  # the hash matches: unchanged since import, which says nothing about working
    MISMATCH = "sha256 mismatch"
    MISSING = "file missing"
    UNREADABLE = "unreadable"
    NO_CHECKSUM = "no sha256 in card"


@dataclass(frozen=True)
class VerifyStatus:
    """Verification verdict for one model id; detail is the one-line reason (tooltip)."""

    model_id: str
    state: VerifyState
    detail: str = ""


@dataclass(frozen=True)
class InspectOutcome:
    """ModelInfo of one model, or the one-line reason it could not be read."""

    model_id: str
    info: ModelInfo | None
    error: str = ""


@dataclass(frozen=True)
class ImportRequest:
    """How to import one path: card fields given (task, [image], ...), whether to recognise it as well (None:
    only when no task is given), and files to copy beside it (a labels file)."""

    card: dict[str, Any] = field(default_factory=dict)
    recognise: bool | None = None
    extra_files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ImportOutcome:
    """Result of importing one file: the new model's id, or the one-line reason it was refused."""

    path: Path
    model_id: str | None
    error: str = ""


def verify_card(registry: ModelRegistry, card: ModelCard) -> VerifyStatus:
    """Check one card's file (hashing it); classify the failure by what the file system says."""
    if not card.path.is_file():
        return VerifyStatus(card.id, VerifyState.MISSING, f"{card.file} is missing from {card.folder}")
    try:
        with open(card.path, "rb"):
            pass
    except OSError as exc:
        return VerifyStatus(card.id, VerifyState.UNREADABLE, f"{card.file}: {exc.strerror or exc}")
    if card.sha256 is None:
        return VerifyStatus(card.id, VerifyState.NO_CHECKSUM, "the model card declares no sha256")
    try:
        registry.verify(card)
    except ModelError as exc:
        state = VerifyState.MISSING if not card.path.is_file() else VerifyState.MISMATCH
        return VerifyStatus(card.id, state, str(exc))
    return VerifyStatus(card.id, VerifyState.VERIFIED, f"The file is unchanged: its sha256 {card.sha256} matches the card. "
                        "This says nothing about whether the model works; run it (or Tools → Benchmark) to see.")


class VerifyWorker(Worker):
    """Verifies each card's sha256 in turn, emitting a VerifyStatus per model."""

    verified = Signal(object)  # VerifyStatus

    def __init__(self, registry: ModelRegistry, cards: list[ModelCard]) -> None:
        super().__init__()
        self.registry = registry
        self.cards = list(cards)

    def work(self) -> None:
        for card in self.cards:
            self.check_cancelled()
            self.verified.emit(verify_card(self.registry, card))


class InspectWorker(Worker):
    """Reads one model file's ModelInfo (parse + sha256)."""

    inspected = Signal(object)  # InspectOutcome

    def __init__(self, model_id: str, path: Path) -> None:
        super().__init__()
        self.model_id = model_id
        self.path = path

    def work(self) -> None:
        self.check_cancelled()
        try:
            info = inspect_model(self.path)
        except AppError as exc:
            self.inspected.emit(InspectOutcome(self.model_id, None, str(exc)))
            return
        self.check_cancelled()
        self.inspected.emit(InspectOutcome(self.model_id, info))


class ImportWorker(Worker):
    """Imports each file or model folder independently; a refused one never stops the others."""

    imported = Signal(object)  # ImportOutcome

    def __init__(self, registry: ModelRegistry, paths: list[Path],
                 requests: dict[Path, ImportRequest] | None = None) -> None:
        super().__init__()
        self.registry = registry
        self.paths = list(paths)
        self.requests = dict(requests or {})  # how each path is imported; default: recognised

    def work(self) -> None:
        for path in self.paths:
            self.check_cancelled()
            try:
                request = self.requests.get(path, ImportRequest())
                card = self.registry.import_model(path, card_overrides=request.card or None,
                                                  recognise=request.recognise, extra_files=request.extra_files)
            except AppError as exc:
                self.imported.emit(ImportOutcome(path, None, str(exc)))
            except Exception as exc:  # an unexpected failure on one file is still one line
                self.imported.emit(ImportOutcome(path, None, f"{path.name}: {type(exc).__name__}: {exc}"))
            else:
                self.imported.emit(ImportOutcome(path, card.id))


class HealthWorker(Worker):
    """Runs the tiny test model on each provider of the chain; emits the list of ProviderHealth."""

    checked = Signal(object)  # tuple[ProviderHealth, ...]

    def work(self) -> None:
        results = []
        for provider in prov.ALL_PROVIDERS:
            self.check_cancelled()
            results.append(health.check_provider(provider))
        self.checked.emit(tuple(results))
