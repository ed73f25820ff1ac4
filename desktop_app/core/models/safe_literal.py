"""Plain-data readers for untrusted text beside or inside a model: Python literals and JSON, size-limited.

Ultralytics writes `names` and `args` in `metadata_props` as Python dict literals. They are read by walking
the syntax tree and accepting only literal nodes (numbers, strings, booleans, None, lists, tuples, dicts,
sets, a leading minus): a call, a name or an attribute is refused, and nothing is ever evaluated.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from desktop_app.core.errors import ModelError

MAX_LITERAL_CHARS = 1_000_000  # a names dict of a few thousand classes is tens of kB
MAX_LITERAL_DEPTH = 20
MAX_CONFIG_BYTES = 1_000_000  # config.json, preprocessor_config.json, tokenizer_config.json
MAX_TOKENIZER_BYTES = 16_000_000  # tokenizer.json (a 250k-token vocabulary is about 10 MB)


class LiteralRefused(ValueError):
    """The text is not a plain Python literal (code, a name, too long or too deep)."""


def parse_literal(text: str, *, max_chars: int = MAX_LITERAL_CHARS) -> Any:
    """The value of a Python literal written in `text`; LiteralRefused for anything else. Never evaluates."""
    if len(text) > max_chars:
        raise LiteralRefused(f"{len(text)} characters, over the {max_chars} limit")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise LiteralRefused(f"not a Python literal ({type(exc).__name__})") from None
    return _value(tree.body, 0)


def _value(node: ast.AST, depth: int) -> Any:
    if depth > MAX_LITERAL_DEPTH:
        raise LiteralRefused(f"nested deeper than {MAX_LITERAL_DEPTH} levels")
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _value(node.operand, depth + 1)
        if isinstance(inner, bool) or not isinstance(inner, (int, float)):
            raise LiteralRefused("a sign before something that is not a number")
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_value(item, depth + 1) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise LiteralRefused("'**' inside a dict")
        out: dict[Any, Any] = {}
        for key, val in zip(node.keys, node.values, strict=True):
            k = _value(key, depth + 1)  # type: ignore[arg-type]  # None keys refused above
            if isinstance(k, list):
                raise LiteralRefused("a list used as a dict key")
            out[k] = _value(val, depth + 1)
        return out
    raise LiteralRefused(f"{type(node).__name__.lower()} is not a plain literal; it is never run")


def read_limited_bytes(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, refused with one line naming it when it is missing, unreadable or over `max_bytes`."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ModelError(f"{path.name}: {size} bytes, over the {max_bytes} byte limit for this file")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ModelError(f"{path.name}: cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ModelError(f"{path.name}: over the {max_bytes} byte limit for this file")
    return data


def read_json_object(path: Path, max_bytes: int = MAX_CONFIG_BYTES) -> dict[str, Any]:
    """A JSON file that must hold one object; one-line ModelError naming the file otherwise."""
    data = read_limited_bytes(path, max_bytes)
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ModelError(f"{path.name}: not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ModelError(f"{path.name}: malformed JSON: {reason}{where}") from None
    if not isinstance(value, dict):
        raise ModelError(f"{path.name}: expected a JSON object, got {type(value).__name__}")
    return value
