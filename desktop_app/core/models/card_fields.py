"""Typed field readers for model cards: each failure is one ModelCardError line naming the table and field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from desktop_app.core.errors import ModelCardError


def get_field(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = None) -> Any:
    """`table[key]` checked against `kind`; absent (or null) gives `default`."""
    value = table.get(key)
    if value is None:  # absent, or null from a non-TOML source: the default applies
        return default
    if isinstance(value, bool) and kind is not bool:
        raise ModelCardError(f"{where}: '{key}' must be {getattr(kind, '__name__', kind)}, not a boolean")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ModelCardError(f"{where}: '{key}' must be {names}, got {type(value).__name__}")
    return value


def choice(value: str | None, allowed: tuple[str, ...], key: str, where: str, default: str) -> str:
    """One of `allowed` (the default when None)."""
    value = default if value is None else value
    if value not in allowed:
        raise ModelCardError(f"{where}: '{key}' is {value!r}; expected one of {', '.join(allowed)}")
    return value


def finite(value: Any, message: str) -> float:
    """A finite int or float, else ModelCardError(message)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelCardError(message)
    try:
        number = float(value)
    except OverflowError:
        raise ModelCardError(message) from None
    if not math.isfinite(number):
        raise ModelCardError(message)
    return number


def floats(value: Any, key: str, where: str, n: int) -> tuple[float, ...]:
    """A number or a list of 1 or n numbers -> n floats."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or len(value) not in (1, n):
        raise ModelCardError(f"{where}: '{key}' must be a number or a list of {n} numbers")
    out = [finite(item, f"{where}: '{key}' must contain finite numbers only") for item in value]
    if len(out) == 1:
        out = out * n
    return tuple(out)


def number_in(table: Mapping[str, Any], key: str, where: str, default: float, low: float, high: float) -> float:
    """A number between low and high (inclusive)."""
    value = table.get(key)
    if value is None:
        return default
    number = finite(value, f"{where}: '{key}' must be a number")
    if not low <= number <= high:
        raise ModelCardError(f"{where}: '{key}' is {value}; expected a number from {low:g} to {high:g}")
    return number


def int_in(table: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
    """An integer between low and high (inclusive)."""
    value = get_field(table, key, int, where, default)
    if not low <= value <= high:
        raise ModelCardError(f"{where}: '{key}' is {value}; expected an integer from {low} to {high}")
    return int(value)


def strings(value: Any, key: str, where: str, *, max_items: int = 100_000) -> tuple[str, ...]:
    """A list of strings (empty strings refused)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value) or len(value) > max_items:
        raise ModelCardError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def plain_name(name: str | None) -> bool:
    """A file name with no folder part (either separator) and not '.' or '..'."""
    return name is None or (
        bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name
    )
