"""Read a text file for a text model: a size limit, UTF-8 (a byte-order mark is allowed), one-line errors."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.errors import MediaError
from desktop_app.core.media._files import display_name, read_limited
from desktop_app.core.media.sniff import TEXT_KINDS, describe, sniff

MAX_TEXT_BYTES = 1_000_000  # a text classifier reads a few hundred tokens; a megabyte is a book chapter
TEXT_SUFFIXES = frozenset({".txt"})


def check_text(text: str, name: str = "text") -> str:
    """The text, refused when it is empty or holds NUL characters (a binary file read as text)."""
    if "\x00" in text:
        raise MediaError(f"{name}: contains NUL characters; not a text file")
    if not text.strip():
        raise MediaError(f"{name}: is empty; there is no text to classify")
    return text


def load_text(path: Path, *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """A .txt file's text; MediaError naming the file when it is too large, empty or not UTF-8."""
    path = Path(path)
    data = read_limited(path, max_bytes=max_bytes, what="text files")
    kind = sniff(data[:512])
    if kind not in TEXT_KINDS and kind not in ("empty", "unknown"):
        raise MediaError(f"{display_name(path)}: is {describe(kind)}; a text model reads .txt files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MediaError(f"{display_name(path)}: not UTF-8 text (byte {exc.start} cannot be read); "
                         "save it as UTF-8") from None
    return check_text(text, display_name(path))
