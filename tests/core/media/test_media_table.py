"""read_csv: encodings, delimiters, shape errors and limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.errors import MediaError, MediaTooLargeError, UnsupportedFormatError
from desktop_app.core.media import Table, parse_csv, read_csv


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_normal_csv(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "people.csv", b"age, workclass ,hours\n39, State-gov, 40\n50,Private,13\n"))
    assert table.columns == ("age", "workclass", "hours")
    assert table.rows == (("39", "State-gov", "40"), ("50", "Private", "13"))
    assert table.column("workclass") == ["State-gov", "Private"]
    assert table == Table(columns=table.columns, rows=table.rows)


def test_quoted_fields_blank_lines_and_crlf(tmp_path: Path) -> None:
    data = b'name,note\r\n"Smith, J","said ""hi""\r\non two lines"\r\n\r\nLee,\r\n'
    table = read_csv(_write(tmp_path, "q.csv", data))
    assert table.rows == (("Smith, J", 'said "hi"\r\non two lines'), ("Lee", ""))


def test_missing_column_names_the_file(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "t.csv", b"a,b\n1,2\n"))
    with pytest.raises(MediaError, match=r"^t\.csv: no column named 'c' \(columns: 'a', 'b'\)$"):
        table.column("c")


def test_utf8_bom(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "bom.csv", "\ufeffcity,temp\nZürich,3\n".encode()))
    assert table.columns == ("city", "temp")
    assert table.rows == (("Zürich", "3"),)


def test_cp1252(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "excel.csv", "name,price\nCafé,€5\n".encode("cp1252")))
    assert table.rows == (("Café", "€5"),)


def test_utf16_from_excel(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "unicode.txt", "a\tb\nü\t2\n".encode("utf-16")))
    assert table.columns == ("a", "b") and table.rows == (("ü", "2"),)


def test_mixed_encodings_do_not_crash(tmp_path: Path) -> None:
    data = b"name,city\n" + "Zoë,Zürich\n".encode() + "Renée,Besançon\n".encode("cp1252")
    data += b"odd,\x81\x8d\n"  # bytes that are undefined even in cp1252 -> latin-1
    table = read_csv(_write(tmp_path, "mixed.csv", data))
    assert table.column("name") == ["Zoë", "Renée", "odd"]
    assert table.column("city")[:2] == ["Zürich", "Besançon"]
    assert len(table.rows) == 3


def test_nul_bytes(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"^x\.csv: contains NUL bytes \(binary file\?\)$"):
        read_csv(_write(tmp_path, "x.csv", b"a,b\n1,2\n3,\x004\n"))


def test_binary_file_named_csv(tmp_path: Path, mf) -> None:
    png = mf.image_bytes(Image.new("RGB", (2, 2)), "PNG")
    with pytest.raises(UnsupportedFormatError, match=r"^data\.csv is not a CSV file: it looks like a PNG image$"):
        read_csv(_write(tmp_path, "data.csv", png))
    with pytest.raises(UnsupportedFormatError, match="not a CSV file"):
        read_csv(_write(tmp_path, "zip.csv", b"PK\x03\x04" + bytes(40)))
    with pytest.raises(MediaError):
        read_csv(_write(tmp_path, "noise.csv", bytes(range(1, 32)) * 20))


def test_text_flavours_still_parse_and_lfs_pointers_are_refused() -> None:
    """Text that sniffs as JSON or XML is still text to the CSV reader; a Git LFS pointer is not data."""
    assert parse_csv(b"[1],[2]\n3,4\n", name="a.csv").rows == (("3", "4"),)
    assert parse_csv(b'<?xml version="1.0"?>,b\n1,2\n', name="b.csv").rows == (("1", "2"),)
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n"
    with pytest.raises(UnsupportedFormatError, match=r"^c\.csv is not a CSV file: it looks like a Git LFS pointer"):
        parse_csv(pointer, name="c.csv")


def test_ragged_rows_name_the_line(tmp_path: Path) -> None:
    data = b"a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11,12\n"
    with pytest.raises(MediaError, match=r"^r\.csv: line 4 has 2 fields, expected 3 like the header$"):
        read_csv(_write(tmp_path, "r.csv", data))


def test_too_many_columns_then_raised_limit(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(10_000))
    row = ",".join(str(i % 7) for i in range(10_000))
    path = _write(tmp_path, "wide.csv", f"{header}\n{row}\n".encode())
    with pytest.raises(MediaTooLargeError, match=r"^wide\.csv: 10000 columns, over the limit of 2000$"):
        read_csv(path)
    table = read_csv(path, max_columns=10_000)
    assert len(table.columns) == 10_000 and table.column("c9999") == ["3"]


def test_row_and_byte_limits(tmp_path: Path) -> None:
    path = _write(tmp_path, "rows.csv", b"a\n" + b"1\n" * 11)
    with pytest.raises(MediaTooLargeError, match="more than 10 rows"):
        read_csv(path, max_rows=10)
    assert len(read_csv(path, max_rows=11).rows) == 11
    with pytest.raises(MediaTooLargeError, match=r"^rows\.csv: file is 24 bytes, over the 10 bytes limit"):
        read_csv(path, max_bytes=10)


def test_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "de.csv", b"Gewicht;Preis\n1,5;2,30\n7;8,1\n"))
    assert table.columns == ("Gewicht", "Preis")
    assert table.rows == (("1,5", "2,30"), ("7", "8,1"))


def test_tab_delimited(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "t.tsv", b"a\tb\tc\n1\t2\t3\n"))
    assert table.columns == ("a", "b", "c")


def test_header_only_and_single_column(tmp_path: Path) -> None:
    table = read_csv(_write(tmp_path, "h.csv", b"age,hours\n"))
    assert table.columns == ("age", "hours") and table.rows == ()
    assert table.column("age") == []
    single = read_csv(_write(tmp_path, "s.csv", b"score\n1\n2\n"))
    assert single.column("score") == ["1", "2"]


def test_empty_and_blank_files(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"^e\.csv: file is empty$"):
        read_csv(_write(tmp_path, "e.csv", b""))
    with pytest.raises(MediaError, match=r"^b\.csv: no header row"):
        read_csv(_write(tmp_path, "b.csv", b"\n \n\t\r\n"))


def test_duplicate_column_names(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"'x' appears twice \(columns 1 and 3\)"):
        read_csv(_write(tmp_path, "d.csv", b"x,y,x\n1,2,3\n"))


def test_oversized_field_is_a_media_error() -> None:
    with pytest.raises(MediaError, match="malformed CSV"):
        parse_csv(b"a\n" + b"x" * 200_000 + b"\n", name="big.csv")


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"^none\.csv: file not found$"):
        read_csv(tmp_path / "none.csv")
