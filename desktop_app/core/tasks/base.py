"""Task registry: each task is a small class registered by name that turns decoded input into a payload."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from desktop_app.core.errors import TaskError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.payloads import Payload
from desktop_app.core.runtime.session import ModelSession, SessionPool


class StageClock:
    """Accumulates milliseconds per stage ('decode', 'preprocess', 'inference', 'postprocess')."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, (time.perf_counter() - start) * 1000.0)

    def add(self, name: str, ms: float) -> None:
        self.ms[name] = self.ms.get(name, 0.0) + ms


class Task(ABC):
    """A model plus the pre- and post-processing its card describes. Subclasses set `name` and
    `payload_type` (the class `run` returns, which presents results, even for a failed item)."""

    name: ClassVar[str]
    payload_type: ClassVar[type[Payload]]
    #: What the task accepts from files: "image", "audio", "table" or "any".
    input_kind: ClassVar[str] = "any"

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        self.card = card
        self.session = session
        self.pool = pool

    @abstractmethod
    def decode(self, path: Path) -> Any:
        """Read a file into what `run` takes (image array, audio clip, table, tensor)."""

    @abstractmethod
    def run(self, data: Any, clock: StageClock, **options: Any) -> Any:
        """Pre-process, infer and post-process one decoded input, timing each stage on `clock`."""


TASKS: dict[str, type[Task]] = {}
T = TypeVar("T", bound=type[Task])


def register(cls: T) -> T:
    """Class decorator adding a task to the registry under its `name`."""
    TASKS[cls.name] = cls
    return cls


def task_class(name: str) -> type[Task]:
    try:
        return TASKS[name]
    except KeyError:
        raise TaskError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}") from None


def payload_type_for(name: str | None) -> type[Payload] | None:
    """The payload class a registered task produces; None for an unknown or missing task name."""
    cls = TASKS.get(name) if name is not None else None
    return cls.payload_type if cls is not None else None


def option_or_card(options: dict[str, Any], key: str, card: ModelCard, threshold: str, default: float) -> float:
    """A run option when given (0 included), else the card's threshold, else the default."""
    value = options.get(key)
    return float(value) if value is not None else card.threshold(threshold, default)
