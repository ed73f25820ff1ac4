"""Run a model as a card being written describes it, on one input: the describe dialog's live preview.

The card under description is not installed yet (or is being edited), so it is built from the dialog's field
values in memory; labels that import will write beside the model (e.g. from metadata) are passed inline.
Sessions are cached per model file (its size and mtime) and provider, so changing a field re-runs the model
without reloading it."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.errors import AppError, ModelCardError
from desktop_app.core.models.card import ModelCard, parse_card
from desktop_app.core.pipeline import Attributes, input_attributes, item_error
from desktop_app.core.results import Result, Timings
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks import StageClock, task_class
from desktop_app.core.tasks.base import TASKS

PREVIEW_ID = "preview"
#: Tasks the preview does not run on a picture, and what it says instead.
NO_PREVIEW = {"raw": "Choose a task to see a preview: a raw model only gives output statistics."}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_SessionKey = tuple[str, int, int, str]


def preview_card(fields: Mapping[str, Any], model_file: Path, extra_files: Mapping[str, bytes] | None = None,
                 ) -> ModelCard:
    """The card the fields describe for `model_file`, validated as import would (ModelCardError naming the
    field). A `labels_file` that import would write from `extra_files` is read from there."""
    data = {key: value for key, value in fields.items() if key != "sha256"}
    if not isinstance(data.get("id"), str) or not _ID_RE.fullmatch(data["id"]):
        data["id"] = PREVIEW_ID
    data["file"] = model_file.name
    labels_file = data.get("labels_file")
    extra = extra_files or {}
    if isinstance(labels_file, str) and labels_file in extra and not (model_file.parent / labels_file).is_file():
        try:
            text = extra[labels_file].decode("utf-8")
        except UnicodeDecodeError:
            raise ModelCardError(f"{labels_file}: labels are not UTF-8 text") from None
        del data["labels_file"]
        data["labels"] = [line.strip() for line in text.splitlines() if line.strip()]
    return parse_card(data, model_file.parent)


@dataclass(frozen=True)
class PreviewRun:
    """One preview: the Result (payload or one-line error) and the decoded picture it ran on (None when the
    input is not a picture or could not be read)."""

    result: Result
    image: np.ndarray | None = None

    @property
    def line(self) -> str:
        """The one line shown under the preview: the payload's summary or the error."""
        if not self.result.ok:
            return self.result.error or "the preview failed"
        payload = self.result.payload
        return payload.summary() if payload is not None else "the model returned nothing to show"


class PreviewRunner:
    """Runs described models on inputs; one session per (model file, its size and mtime, provider)."""

    def __init__(self, provider: str = "auto") -> None:
        self.provider = provider
        self._sessions: dict[_SessionKey, ModelSession] = {}
        self._lock = threading.Lock()

    def session(self, model_file: Path, threads: int | None = None) -> ModelSession:
        """The cached session of `model_file`, opened on first use (or when the file changed)."""
        st = model_file.stat()
        key = (str(model_file.resolve()), st.st_size, st.st_mtime_ns, self.provider)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = ModelSession(model_file, self.provider, threads=threads)
                self._sessions = {k: v for k, v in self._sessions.items() if k[0] != key[0]}  # an old version goes
                self._sessions[key] = session
            return session

    def run(self, fields: Mapping[str, Any], model_file: Path, input_path: Path,
            extra_files: Mapping[str, bytes] | None = None) -> PreviewRun:
        """Run the model on `input_path` as `fields` describe it. Never raises: errors are the Result's line."""
        source = str(input_path)
        task_name = fields.get("task")
        if isinstance(task_name, str) and task_name in NO_PREVIEW:
            return PreviewRun(Result(source=source, ok=False, error=NO_PREVIEW[task_name], task=task_name))
        if isinstance(task_name, str) and task_name not in TASKS:
            known = ", ".join(sorted(TASKS))
            return PreviewRun(Result(source=source, ok=False, task=task_name,
                                     error=f"task '{task_name}' is not available in this version; known: {known}"))
        clock = StageClock()
        try:
            card = preview_card(fields, model_file, extra_files)
        except AppError as exc:
            return PreviewRun(Result(source=source, ok=False, error=str(exc), task=str(task_name)))
        data: Any = None
        try:
            session = self.session(model_file, card.threads)
            task = task_class(card.task)(card, session)
            with clock.stage("decode"):
                data = task.decode(input_path)
            payload = task.run(data, clock)
        except Exception as exc:  # every failure is the preview's one line, never a crash
            return PreviewRun(Result(source=source, ok=False, model_id=card.id, task=card.task,
                                     error=item_error(input_path, exc, "previewing")), _picture(data))
        attributes: Attributes = input_attributes(data)
        ms = clock.ms
        timings = Timings(ms.get("decode", 0.0), ms.get("preprocess", 0.0), ms.get("inference", 0.0),
                          ms.get("postprocess", 0.0))
        result = Result(source=source, ok=True, model_id=card.id, provider=session.report, timings=timings,
                        payload=payload, task=card.task, attributes=attributes)
        return PreviewRun(result, _picture(data))


def _picture(data: Any) -> np.ndarray | None:
    """The decoded input when it is an RGB picture (what the result views draw on)."""
    return data if isinstance(data, np.ndarray) and data.ndim == 3 and data.dtype == np.uint8 else None
