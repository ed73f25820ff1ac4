"""Write model cards as TOML (the standard library only reads TOML) and derive ids from file names."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from desktop_app.core.errors import ModelCardError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def toml_string(text: str) -> str:
    """A TOML basic string; control characters escaped, unpaired surrogates replaced."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise ModelCardError(f"card keys must be strings, got {type(key).__name__}")
    return key if _BARE_KEY.match(key) else toml_string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ModelCardError("card values must be finite numbers")
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise ModelCardError(f"card values cannot be {type(value).__name__}")


def dump_toml(data: Mapping[str, Any], _prefix: str = "") -> str:
    """Serialise a card dict: scalars and lists first, then one [table] per nested mapping."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, Mapping)]
    for key, value in data.items():
        if isinstance(value, Mapping):
            name = f"{_prefix}{_key(key)}"
            lines.append("")
            lines.append(f"[{name}]")
            lines.append(dump_toml(value, name + ".").rstrip("\n"))
    return "\n".join(lines).strip("\n") + "\n"


def card_slug(stem: str, *, taken: Iterable[str] = ()) -> str:
    """A valid, unused model id from a file name: lowercase, [a-z0-9._-], suffixed -2, -3... if taken."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower())
    slug = re.sub(r"^[^a-z0-9]+", "", slug)[:56].rstrip("-._") or "model"
    used = set(taken)
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
