"""Read CSV files for tabular models: tolerant of encodings and delimiters, strict about shape and size."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.errors import MediaError, MediaTooLargeError, UnsupportedFormatError
from desktop_app.core.media._files import display_name, read_limited
from desktop_app.core.media.sniff import TEXT_KINDS, describe, sniff

MAX_CSV_BYTES = 100_000_000
MAX_CSV_COLUMNS = 2000
MAX_CSV_ROWS = 1_000_000
CSV_EXTENSIONS: tuple[str, ...] = (".csv", ".tsv", ".txt")

_DELIMITERS = (",", ";", "\t")
_SNIFF_RECORDS = 50


@dataclass(frozen=True)
class Table:
    """Column names and rows of string cells, every row as long as the header."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str = field(default="table", compare=False)

    def column(self, name: str) -> list[str]:
        """The cells of one column, top to bottom; MediaError naming the file if there is no such column."""
        try:
            index = self.columns.index(name)
        except ValueError:
            shown = ", ".join(repr(c) for c in self.columns[:10]) + (", ..." if len(self.columns) > 10 else "")
            raise MediaError(f"{self.source}: no column named {name!r} (columns: {shown})") from None
        return [row[index] for row in self.rows]


def _decode_line(line: bytes) -> tuple[str, str]:
    """One line as text with the encoding that worked: utf-8, then cp1252, then latin-1 (never fails)."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return line.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1"), "latin-1"


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding used ("utf-8", "utf-16", "cp1252", "latin-1" or "mixed")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    parts = [_decode_line(line) for line in body.splitlines(keepends=True)]
    used = {encoding for _, encoding in parts} - {"utf-8"}
    encoding = used.pop() if len(used) == 1 else "mixed"
    if any(enc == "utf-8" and any(ord(ch) > 127 for ch in text) for text, enc in parts):
        encoding = "mixed"
    return "".join(text for text, _ in parts), encoding


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped fields) for each record that is not blank."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        fields = [cell.strip() for cell in row]
        if fields and fields != [""]:  # blank or whitespace-only lines are skipped
            yield reader.line_num, fields


def _choose_delimiter(text: str) -> str:
    """The candidate giving the first records a consistent field count, with the most fields."""
    best, best_score = ",", (False, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(r) for _, r in itertools.islice(_records(text, delimiter), _SNIFF_RECORDS)]
        except csv.Error:
            continue
        if not counts:
            continue
        score = (len(set(counts)) == 1 and counts[0] > 1, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _check_kind(data: bytes, name: str) -> None:
    kind = sniff(data)
    if kind == "empty":
        raise MediaError(f"{name}: file is empty")
    if kind not in TEXT_KINDS and kind != "unknown":
        raise UnsupportedFormatError(f"{name} is not a CSV file: it looks like {describe(kind)}")
    if kind == "unknown" and b"\x00" not in data[:512]:
        raise UnsupportedFormatError(f"{name} is not a CSV file: it looks like {describe(kind)}")
    is_utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data and not is_utf16:
        raise MediaError(f"{name}: contains NUL bytes (binary file?)")


def parse_csv(
    data: bytes, *, name: str = "table.csv", max_columns: int = MAX_CSV_COLUMNS, max_rows: int = MAX_CSV_ROWS
) -> Table:
    """Parse CSV bytes into a Table (header row + data rows) with the limits of `read_csv`."""
    _check_kind(data, name)
    text, _ = decode_text(data)
    if "\x00" in text:
        raise MediaError(f"{name}: contains NUL characters (binary file?)")
    delimiter = _choose_delimiter(text)
    columns: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    try:
        for line, fields in _records(text, delimiter):
            if columns is None:
                if not any(fields):  # leading lines of empty fields only: not a header yet
                    continue
                if len(fields) > max_columns:
                    raise MediaTooLargeError(f"{name}: {len(fields)} columns, over the limit of {max_columns}")
                columns = tuple(fields)
                continue
            if len(fields) != len(columns):
                raise MediaError(
                    f"{name}: line {line} has {len(fields)} fields, expected {len(columns)} like the header"
                )
            if len(rows) >= max_rows:
                raise MediaTooLargeError(f"{name}: more than {max_rows} rows, over the limit")
            rows.append(tuple(fields))
    except csv.Error as exc:
        raise MediaError(f"{name}: malformed CSV ({exc})") from exc
    if columns is None:
        raise MediaError(f"{name}: no header row (the file holds only blank lines)")
    _check_header(name, columns)
    return Table(columns=columns, rows=tuple(rows), source=name)


def _check_header(name: str, columns: tuple[str, ...]) -> None:
    seen: dict[str, int] = {}
    for index, column in enumerate(columns, start=1):
        if column and column in seen:
            raise MediaError(f"{name}: column name {column!r} appears twice (columns {seen[column]} and {index})")
        seen[column] = index


def read_csv(
    path: Path,
    *,
    max_bytes: int = MAX_CSV_BYTES,
    max_columns: int = MAX_CSV_COLUMNS,
    max_rows: int = MAX_CSV_ROWS,
) -> Table:
    """Read a CSV file (comma, semicolon or tab; UTF-8/BOM, UTF-16 or cp1252) into a Table."""
    data = read_limited(path, max_bytes=max_bytes, what="CSV files")
    return parse_csv(data, name=display_name(path), max_columns=max_columns, max_rows=max_rows)
