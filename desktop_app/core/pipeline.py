"""Input -> task -> Result: the one path every front end (CLI, files panel, camera, microphone) uses.

Tasks (and their ONNX Runtime sessions) are created once per (model, provider choice) and reused; the
model file's sha256 is checked against its card before its first session is created. Many files go
through `batch_engine.BatchEngine`, which calls `prepare` ahead on its decode threads and `finish` (or a
task's split steps and `complete`) in order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.batch_sizing import BatchSizes
from desktop_app.core.errors import AppError
from desktop_app.core.media.table import Table
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.monitor.groups import brightness_band, resolution_band
from desktop_app.core.results import Result, Timings
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.tasks import StageClock, Task, task_class

log = logging.getLogger(__name__)


def _timings(clock: StageClock, share: int = 1) -> Timings:
    """Stage times; `share` > 1 splits one batched run evenly over its rows (CSV files)."""
    ms = {k: v / share for k, v in clock.ms.items()}
    return Timings(ms.get("decode", 0.0), ms.get("preprocess", 0.0), ms.get("inference", 0.0), ms.get("postprocess", 0.0))


Attributes = tuple[tuple[str, str, str], ...]


def image_attributes(image: np.ndarray) -> Attributes:
    """Non-protected slices the app computes from an image itself: brightness and resolution bands."""
    step = max(1, max(image.shape[:2]) // 256)  # a strided sample is plenty for a mean
    bands = (brightness_band(image[::step, ::step]), resolution_band(int(image.shape[1]), int(image.shape[0])))
    return tuple((g.attribute, g.value, g.provenance) for g in bands)


def input_attributes(data: Any) -> Attributes:
    """The slices of one decoded input: an image's bands, nothing for other inputs."""
    return image_attributes(data) if isinstance(data, np.ndarray) and data.ndim == 3 else ()


def row_attributes(table: Table, columns: tuple[str, ...]) -> list[Attributes]:
    """Per CSV row, the values of the card's group columns that the CSV has."""
    present = [(c, table.columns.index(c)) for c in columns if c in table.columns]
    return [tuple((c, row[i], "csv-column") for c, i in present) for row in table.rows]


def one_line(exc: BaseException) -> str:
    """A one-line message for any exception (ours carry their own; others get their type named)."""
    if isinstance(exc, AppError):
        return str(exc)
    text = " ".join(str(exc).split())[:300]
    return f"unexpected {type(exc).__name__}: {text}" if text else f"unexpected {type(exc).__name__}"


def item_error(path: Path, exc: BaseException, what: str = "on") -> str:
    """The one-line error of one input; an unexpected exception is logged with its traceback first."""
    if isinstance(exc, AppError):
        return one_line(exc)
    log.error("unexpected failure %s %s", what, path, exc_info=exc)
    return f"{Path(path).name}: {one_line(exc)}"


@dataclass
class Prepared:
    """A decoded input waiting for its model (or the one-line reason it could not be decoded)."""

    path: Path
    model_id: str
    task: Task | None
    clock: StageClock
    data: Any
    error: str | None


class Pipeline:
    """Runs models from a registry on files and in-memory inputs, returning frozen Results."""

    def __init__(self, registry: ModelRegistry, pool: SessionPool | None = None, *, verify: bool = True) -> None:
        self.registry = registry
        self.pool = pool or SessionPool()
        self.verify = verify
        self._tasks: dict[tuple[str, str, int | None], Task] = {}
        self._lock = threading.Lock()
        #: Measured batch sizes per (model, provider), kept for the pipeline's life (see batch_sizing).
        self.batch_sizes = BatchSizes()

    def card(self, model_id: str) -> ModelCard:
        return self.registry.get(model_id)

    def drop_stale(self, cards: Iterable[ModelCard]) -> None:
        """Forget the tasks whose card changed or went (the registry announced `cards`): the next run
        builds them from the new card; sessions stay pooled by model file."""
        current = {card.id: card for card in cards}
        with self._lock:
            for key, task in list(self._tasks.items()):
                if current.get(key[0]) != task.card:
                    del self._tasks[key]
                    self.batch_sizes.forget(key[0])  # a new model file is measured anew

    def task(self, model_id: str, choice: str | None = None, *, threads: int | None = None) -> Task:
        """The task for a model, created (hash checked, session opened) on first use. `threads` asks for a
        session with that many intra-op threads (the live camera runs two frames at once on CPU, each on
        part of the cores); None takes the card's hint or ONNX Runtime's default."""
        key = (model_id, choice or self.pool.choice, threads)
        with self._lock:
            task = self._tasks.get(key)
            if task is None:
                card = self.registry.get(model_id)
                if self.verify:
                    self.registry.verify(card)
                session = self.pool.get(card.path, key[1], threads=threads or card.threads)
                task = task_class(card.task)(card, session, self.pool)
                self._tasks[key] = task
            return task

    def _options(self, task: Task, options: dict[str, Any], threads: int | None) -> dict[str, Any]:
        if options.pop("emotion", False) and task.card.second_stage:
            options["second_stage"] = self.task(task.card.second_stage, threads=threads)
        return options

    def _result(self, task: Task, source: str, clock: StageClock, payload: Any = None,
                error: str | None = None, row: int | None = None, share: int = 1,
                attributes: Attributes = ()) -> Result:
        return Result(source=source, ok=error is None, model_id=task.card.id, model_sha256=task.card.sha256,
                      provider=task.session.report, timings=_timings(clock, share), payload=payload, error=error,
                      row=row, task=task.card.task, attributes=attributes)

    def prepare(self, path: Path, model_id: str) -> Prepared:
        """Decode a file for a model (safe to run ahead, on another thread, while inference runs)."""
        clock = StageClock()
        try:
            task = self.task(model_id)
        except AppError as exc:
            return Prepared(Path(path), model_id, None, clock, None, str(exc))
        try:
            with clock.stage("decode"):
                data = task.decode(Path(path))
        except Exception as exc:
            return Prepared(Path(path), model_id, task, clock, None, item_error(Path(path), exc, "decoding"))
        return Prepared(Path(path), model_id, task, clock, data, None)

    def finish(self, prepared: Prepared, *, threads: int | None = None, **options: Any) -> list[Result]:
        """Run the model on a prepared input -> its Results (a CSV gives one per row). Never raises."""
        source, task, clock = str(prepared.path), prepared.task, prepared.clock
        if task is None:
            return [Result(source=source, ok=False, model_id=prepared.model_id, error=prepared.error)]
        if prepared.error is not None:
            return [self._result(task, source, clock, error=prepared.error)]
        try:
            options = self._options(task, dict(options), threads)
            payload = task.run(prepared.data, clock, **options)
        except Exception as exc:  # every failure becomes a one-line error on this item only
            return [self._result(task, source, clock, error=item_error(prepared.path, exc))]
        if isinstance(payload, list):
            spec = task.card.tabular
            rows = (row_attributes(prepared.data, spec.group_columns) if spec and isinstance(prepared.data, Table)
                    else [()] * len(payload))
            return [self._result(task, source, clock, payload=None if isinstance(p, AppError) else p,
                                 error=str(p) if isinstance(p, AppError) else None, row=i + 1,
                                 share=max(1, len(payload)), attributes=rows[i])
                    for i, p in enumerate(payload)]
        return [self._result(task, source, clock, payload=payload, attributes=input_attributes(prepared.data))]

    def complete(self, prepared: Prepared, payload: Any, attributes: Attributes = (),
                 error: str | None = None) -> Result:
        """The Result of an input whose steps ran elsewhere (the batch engine): payload or error, with
        the stage times its clock holds."""
        task = prepared.task
        if task is None:
            return Result(source=str(prepared.path), ok=False, model_id=prepared.model_id, error=error)
        return self._result(task, str(prepared.path), prepared.clock, payload=None if error else payload,
                            error=error, attributes=attributes)

    def run_path(self, path: Path, model_id: str, **options: Any) -> list[Result]:
        """One file -> its Results. Never raises for bad input or models."""
        return self.finish(self.prepare(path, model_id), **options)

    def run_data(self, data: Any, model_id: str, source: str, *, threads: int | None = None, **options: Any) -> Result:
        """An already decoded input (camera frame, audio block, tensor dict) -> its Result; `threads` as in
        `task` (for the model and its second stage)."""
        try:
            task = self.task(model_id, threads=threads)
        except AppError as exc:
            return Result(source=source, ok=False, model_id=model_id, error=str(exc))
        return self.finish(Prepared(Path(source), model_id, task, StageClock(), data, None), threads=threads,
                           **options)[0]
