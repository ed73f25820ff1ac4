"""Import a model (an ONNX file, or a folder holding one with its config/tokenizer files) into the user folder.

The model is validated in a child process (models/isolation.py), recognised (models/recognize) unless the
caller describes it, and installed with its card and files in one atomic folder rename. Fields the caller
gives (CLI flags, the describe dialog) override what recognition found.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import ModelCardError, ModelError
from desktop_app.core.models import isolation
from desktop_app.core.models.card import ModelCard, load_card, parse_card
from desktop_app.core.models.inspect import inspect_model
from desktop_app.core.models.recognize import ModelFacts, Recognition, model_file, recognise_facts
from desktop_app.core.models.toml_write import card_slug, dump_toml

if TYPE_CHECKING:
    from desktop_app.core.models.registry import ModelRegistry

FORCED_KEYS = ("id", "file", "sha256")


@dataclass(frozen=True)
class ImportResult:
    """The installed card and one line saying what was recognised (and what the caller gave)."""

    card: ModelCard
    summary: str
    family: str


def merge_card(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` over `base`, table by table (a table in both is merged; anything else in `top` replaces)."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_card(out[key], value)
        else:
            out[key] = value
    return out


def dotted_keys(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every leaf key of a nested card dict as `table.key`."""
    keys: list[str] = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            keys.extend(dotted_keys(value, f"{prefix}{key}."))
        else:
            keys.append(f"{prefix}{key}")
    return keys


def import_model(
    registry: ModelRegistry,
    path: Path,
    *,
    model_id: str | None = None,
    task: str | None = None,
    name: str | None = None,
    card_overrides: Mapping[str, Any] | None = None,
    extra_files: Sequence[Path] = (),
    recognise: bool | None = None,
    validate_timeout_s: float = 60.0,
    validate_memory_mb: int | None = None,
) -> ImportResult:
    """Validate, recognise and install a model; `path` is an .onnx file or a folder with one.

    Recognition runs when `recognise` is True, or (None) when the caller names no task; `task` and
    `card_overrides` (card fields) win over it. `extra_files` (labels, licence) are copied beside the model.
    A refused family (oriented boxes) fails unless the caller names the task."""
    source = Path(path)
    onnx_path = model_file(source)
    memory_mb = validate_memory_mb if validate_memory_mb is not None else isolation.memory_budget_mb(onnx_path)
    info = isolation.validate_isolated(onnx_path, timeout_s=validate_timeout_s, memory_mb=memory_mb)
    overrides = dict(card_overrides or {})
    forced = [key for key in FORCED_KEYS if key in overrides]
    if forced:
        raise ModelCardError(f"card_overrides cannot set {', '.join(forced)}; the registry sets them")
    described = task is not None or "task" in overrides
    found: Recognition | None = None
    if recognise or (recognise is None and not described):
        found = recognise_facts(ModelFacts(onnx_path, info))
        if found.refused and not described:
            raise ModelError(f"{onnx_path.name}: {found.refused}")
    existing = registry.taken_ids()
    stem = _model_name(source, onnx_path)
    if model_id is None:
        model_id = card_slug(stem, taken=existing)
    elif model_id in existing:
        raise ModelError(f"a model with id '{model_id}' already exists")
    data = _card_data(model_id, name or stem, onnx_path, info.sha256,
                      found, overrides, task)
    summary = _summary(found, overrides, task)
    final = registry.user_dir / model_id
    parse_card(data, final)  # refuse a bad card before anything is written
    files = dict(found.extra_files) if found is not None else {}
    _install(registry, onnx_path, info, data, files, extra_files, final)
    registry.refresh()  # announce the new model at once
    return ImportResult(load_card(final), summary, found.family if found is not None else "described")


def _card_data(model_id: str, name: str, onnx_path: Path, sha256: str, found: Recognition | None,
               overrides: dict[str, Any], task: str | None) -> dict[str, Any]:
    today = datetime.date.today().isoformat()
    data: dict[str, Any] = {
        "id": model_id,
        "name": name,
        "task": "raw",
        "file": onnx_path.name,
        "sha256": sha256,
        "license": "unknown",
        "description": f"Imported from {onnx_path.name} on {today}",
    }
    if found is not None:
        data = merge_card(data, found.card)
        data["recognised"] = found.summary
    if task is not None:
        data["task"] = task
    data = merge_card(data, overrides)
    if "labels" in overrides and "labels_file" not in overrides:
        data.pop("labels_file", None)  # typed labels replace the recognised labels file
    return data


def _summary(found: Recognition | None, overrides: Mapping[str, Any], task: str | None) -> str:
    given = dotted_keys(overrides) + (["task"] if task is not None and "task" not in overrides else [])
    line = found.summary if found is not None else "described by the caller"
    return f"{line}; given: {', '.join(given)}" if given and found is not None else line


def _install(registry: ModelRegistry, onnx_path: Path, info: Any, data: dict[str, Any], files: dict[str, bytes],
             extra_files: Sequence[Path], final: Path) -> None:
    """Copy the model, its external data and files into a staging folder, then rename it into place."""
    for file_name in files:
        if Path(file_name).name != file_name or file_name in ("", ".", "..", "model.toml", onnx_path.name):
            raise ModelError(f"recognition produced an unusable file name {file_name!r}")
    try:
        registry.user_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=registry.user_dir))
    except OSError as exc:
        raise ModelError(f"cannot create the user models folder: {exc.strerror or exc}") from None
    try:
        _copy_model(staging, onnx_path, info.external_data)
        for file_name, content in files.items():
            (staging / file_name).write_bytes(content)
        for extra in extra_files:
            shutil.copyfile(extra, staging / Path(extra).name)
        copied = inspect_model(staging / onnx_path.name)  # what is installed is what was checked
        if copied.sha256 != info.sha256:
            raise ModelError(f"{onnx_path.name} changed while it was being imported; try again")
        (staging / "model.toml").write_text(dump_toml(data), encoding="utf-8")
        load_card(staging)
        os.rename(staging, final)  # atomic: the model appears whole or not at all
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelError(f"{onnx_path.name}: cannot import into {final}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _copy_model(staging: Path, model: Path, external: tuple[Path, ...]) -> None:
    try:
        shutil.copyfile(model, staging / model.name)
        for relative in external:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(model.parent / relative, target)
    except OSError as exc:
        raise ModelError(f"{model.name}: cannot copy into the models folder: {exc.strerror or exc}") from None


#: File names exporters give every model (Optimum, Ultralytics' training runs): the folder names the model instead.
_GENERIC_STEMS = frozenset({"model", "best", "last", "model_quantized", "model_optimized"})


def _model_name(source: Path, onnx_path: Path) -> str:
    """A folder's name; a file's stem, or its folder's name when the stem is one every export has."""
    if source.is_dir() or onnx_path.stem.lower() in _GENERIC_STEMS:
        return onnx_path.parent.name if not source.is_dir() else source.name
    return onnx_path.stem
