"""Save what the describe dialog says about an installed model: its card's described fields are replaced,
everything else in the card (id, file, sha256, licence, source, runtime…) is kept, and the card is
validated before it is written atomically (with any labels file beside it)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop_app.core.errors import ModelCardError
from desktop_app.core.fileio import atomic_write_many
from desktop_app.core.models.card import ModelCard, load_card, parse_card
from desktop_app.core.models.toml_write import dump_toml

#: The card fields the describe dialog owns: a field it leaves out is removed from the card.
DESCRIBED_KEYS = ("task", "name", "labels", "labels_file", "image", "classify", "detect", "segment", "pose",
                  "text")
#: Fields the registry sets; the dialog never changes them.
_FIXED_KEYS = ("id", "file", "sha256")


def card_data(card: ModelCard) -> dict[str, Any]:
    """The card's fields as written in its model.toml (what the dialog starts from)."""
    path = card.folder / "model.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelCardError(f"{card.folder.name}/model.toml cannot be read: {exc}") from exc


def merge_described(base: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with the described fields replaced by `fields` (thresholds are merged key by key, so ones the
    dialog does not show, such as `low_confidence`, stay)."""
    merged = {key: value for key, value in base.items() if key not in DESCRIBED_KEYS}
    merged.update({key: value for key, value in fields.items() if key in DESCRIBED_KEYS and value is not None})
    thresholds = {**dict(base.get("thresholds") or {}), **dict(fields.get("thresholds") or {})}
    if thresholds:
        merged["thresholds"] = thresholds
    for key in _FIXED_KEYS:
        if key in base:
            merged[key] = base[key]
    return merged


def save_described(card: ModelCard, fields: Mapping[str, Any], files: Mapping[str, bytes] | None = None,
                   ) -> ModelCard:
    """Rewrite `card`'s model.toml with the described `fields` (and write `files`, e.g. a labels file, beside
    it), all or nothing; returns the new card. ModelCardError names the field when the result is invalid."""
    if card.bundled:
        raise ModelCardError(f"{card.id}: bundled models' cards ship with the app and are not edited")
    data = merge_described(card_data(card), fields)
    parse_card(data, card.folder)  # refuse before anything is written
    writes: dict[Path, bytes] = {}
    for name, content in (files or {}).items():
        if Path(name).name != name or name in ("model.toml", card.file):
            raise ModelCardError(f"{name}: not a file the card may write beside the model")
        writes[card.folder / name] = content
    writes[card.folder / "model.toml"] = dump_toml(data).encode("utf-8")
    atomic_write_many(writes)  # WriteError (one line naming the file) when the disk refuses
    return load_card(card.folder, bundled=card.bundled)
