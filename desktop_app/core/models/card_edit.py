"""Change fields of a user model's card (`models edit ID --set key=value`, the Edit… action): dotted keys,
TOML values, checked by the card parser before one atomic write. Works on a broken card too, so a wrong
field can be fixed from where its error was shown."""

from __future__ import annotations

import datetime
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop_app.core.errors import ModelCardError, ModelError
from desktop_app.core.models.card import ModelCard, load_card, parse_card
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.models.toml_write import dump_toml

#: Fields the registry owns: an edit cannot change which file a card describes or its checksum.
LOCKED_KEYS = ("id", "file", "sha256")
_KEY_PART = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def parse_value(text: str) -> Any:
    """A TOML value (`0.5`, `"text"`, `[320, 320]`, `true`); anything TOML cannot read is a bare string."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return text.strip()  # "2024-01-02" is a version or a name here, not a date
    return value


def parse_setting(text: str) -> tuple[str, str]:
    """`key=value` → (key, value text); ValueError naming what is wrong."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected key=value, got {text!r}")
    return key, value.strip()


def apply_settings(data: dict[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of card data with each dotted key set (a string value is read as TOML; empty removes the key)."""
    out = _deep_copy(data)
    for key, raw in settings.items():
        parts = key.split(".")
        if not all(part and set(part) <= _KEY_PART for part in parts):
            raise ModelCardError(f"--set {key}: keys are names joined by dots, e.g. thresholds.score")
        if parts[0] in LOCKED_KEYS:
            raise ModelCardError(f"--set {key}: '{parts[0]}' is set by import and cannot be edited")
        value = parse_value(raw) if isinstance(raw, str) else raw
        _set(out, parts, value, key)
    return out


def _set(table: Any, parts: list[str], value: Any, key: str) -> None:
    for depth, part in enumerate(parts[:-1]):
        if isinstance(table, list):
            table = _index(table, part, key)
            continue
        nxt = table.get(part)
        if nxt is None:
            nxt = table[part] = {}
        if not isinstance(nxt, (dict, list)):
            where = ".".join(parts[: depth + 1])
            raise ModelCardError(f"--set {key}: '{where}' is a value, not a table")
        table = nxt
    last = parts[-1]
    if isinstance(table, list):
        index = int(last) if last.isdigit() else -1
        if not 0 <= index < len(table):
            raise ModelCardError(f"--set {key}: no item {last} in that list")
        table[index] = value
    elif value == "":
        table.pop(last, None)
    else:
        table[last] = value


def _index(table: list[Any], part: str, key: str) -> Any:
    if not part.isdigit() or int(part) >= len(table):
        raise ModelCardError(f"--set {key}: no item {part} in that list")
    item = table[int(part)]
    if not isinstance(item, (dict, list)):
        raise ModelCardError(f"--set {key}: item {part} is a value, not a table")
    return item


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def card_folder(registry: ModelRegistry, model_id: str) -> Path:
    """The user folder whose card has this id (read as plain TOML, so a broken card is found too)."""
    for card in registry.list():
        if card.id == model_id:
            if card.bundled:
                raise ModelError(f"'{model_id}' ships with the app and cannot be edited; import a copy to change it")
            return card.folder
    for folder in sorted(p for p in registry.user_dir.glob("*/model.toml")):
        try:
            data = tomllib.loads(folder.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        if data.get("id") == model_id or (not data and folder.parent.name == model_id):
            return folder.parent
    return registry.get(model_id).folder  # raises: no such model, or its own error


def read_card_data(folder: Path) -> dict[str, Any]:
    """The card's TOML table as written (an unreadable card is a ModelCardError naming it)."""
    path = folder / "model.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelCardError(f"{folder.name}/model.toml: cannot read it: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelCardError(f"{folder.name}/model.toml is not valid TOML ({exc}); fix it in a text editor") from None


def write_card(folder: Path, data: Mapping[str, Any]) -> None:
    """Replace folder/model.toml atomically (a temporary file in the same folder, then os.replace)."""
    text = dump_toml(data)
    fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".toml", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, folder / "model.toml")
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ModelError(f"{folder.name}/model.toml: cannot write it: {exc.strerror or exc}") from None


def edit_card(registry: ModelRegistry, model_id: str, settings: Mapping[str, Any]) -> ModelCard:
    """Apply dotted `key=value` settings to a user model's card, validated before the write; the registry
    announces the changed card. Returns the new card."""
    if not settings:
        raise ModelCardError("nothing to change: give at least one key=value")
    folder = card_folder(registry, model_id)
    data = apply_settings(read_card_data(folder), settings)
    parse_card(data, folder)  # a bad value stops here, naming the field; the file is untouched
    write_card(folder, data)
    registry.refresh()
    return load_card(folder)
