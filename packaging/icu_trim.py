"""Rebuild Qt's ICU data library (libicudata.so.NN, ~31 MB) with only what an English UI needs (~4 MB).

PySide6's Qt links ICU, whose data library carries every locale, converter, break dictionary and
transliterator of CLDR. Qt widgets with an English UI use ICU for collation (QCollator), locale case
mapping, time-zone names and non-UTF codecs; the rest is dead weight in the bundle. This keeps the
root and English locale data, all Unicode property/normalisation data, the break rules (not the
CJK/South-East-Asian word dictionaries), the time-zone tables and the Windows code pages, and drops
the other locales, transliterators and East-Asian/EBCDIC converters. Missing data makes ICU return
an error that Qt handles (falling back to its own code or to root data), never a crash.

Used by desktop_app.spec on Linux; needs `as` and `ld` (binutils, which PyInstaller needs anyway).
Run directly to see what would be kept: python packaging/icu_trim.py PATH/TO/libicudata.so.73
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

# Locale-specific resource names: language code (2-3 letters) with optional script/region parts.
_LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")
_KEEP_LOCALES = re.compile(r"^(root|en|en_US|en_GB|en_001|en_150|en_US_POSIX)\.res$")
_DROP_FOLDERS = {"translit", "rbnf"}  # transliterators, spelled-out numbers: Qt uses neither
_KEEP_CONVERTERS = re.compile(r"^(ibm-53(4[6-9]|5[0-4])_.*|ibm-912_.*|ibm-913_.*|ibm-914_.*|ibm-915_.*|"
                              r"ibm-923_.*|ibm-367_.*|ibm-437_.*|ibm-850_.*|ibm-858_.*)\.cnv$")


def keep_item(name: str) -> bool:
    """Whether an item of the ICU common data package (e.g. 'icudt73l/coll/de.res') is kept."""
    parts = name.split("/")[1:]
    leaf = parts[-1]
    if len(parts) > 1 and parts[0] in _DROP_FOLDERS:
        return False
    if leaf.endswith(".dict"):  # word-break dictionaries for CJK, Thai, Lao, Khmer, Burmese
        return False
    if leaf.endswith(".cnv"):
        return bool(_KEEP_CONVERTERS.match(leaf))
    if _LOCALE_RES.match(leaf):
        return bool(_KEEP_LOCALES.match(leaf))
    return True


def _find_package(blob: bytes) -> tuple[int, int]:
    """Offset and header size of the ICU common data package ('CmnD') inside the library file."""
    pos = blob.find(b"CmnD")
    while pos != -1:
        start = pos - 12
        if start >= 0 and blob[start + 2:start + 4] == b"\xda\x27":
            (header_size,) = struct.unpack_from("<H", blob, start)
            return start, header_size
        pos = blob.find(b"CmnD", pos + 1)
    raise ValueError("no ICU common data package found")


def trimmed_package(blob: bytes) -> tuple[bytes, int, int]:
    """A new package with only the kept items; returns (package, items kept, items in total)."""
    start, header_size = _find_package(blob)
    toc = start + header_size
    (count,) = struct.unpack_from("<I", blob, toc)
    entries = [struct.unpack_from("<II", blob, toc + 4 + 8 * i) for i in range(count)]
    names = [blob[toc + n:blob.index(b"\0", toc + n)].decode("ascii") for n, _ in entries]
    offsets = [d for _, d in entries]
    # The last item runs to the end of the package: bounded by the file here, which only over-keeps.
    ends = offsets[1:] + [len(blob) - toc]
    kept = [(names[i], blob[toc + offsets[i]:toc + ends[i]]) for i in range(count) if keep_item(names[i])]

    name_bytes = b"".join(n.encode("ascii") + b"\0" for n, _ in kept)
    table_size = 4 + 8 * len(kept)
    data_start = (table_size + len(name_bytes) + 15) & ~15
    out_names, out_toc, data, name_off = bytearray(), bytearray(struct.pack("<I", len(kept))), bytearray(), table_size
    for name, item in kept:
        out_toc += struct.pack("<II", name_off, data_start + len(data))
        out_names += name.encode("ascii") + b"\0"
        name_off += len(name) + 1
        data += item
        data += b"\0" * (-len(data) % 16)
    body = bytes(out_toc) + bytes(out_names)
    body += b"\0" * (data_start - len(body))
    return blob[start:toc] + body + bytes(data), len(kept), count


def build_library(original: Path, out_dir: Path) -> Path:
    """Write a trimmed copy of `original` (same soname and data symbol) under out_dir."""
    if not (shutil.which("as") and shutil.which("ld")):
        raise RuntimeError("`as` and `ld` (binutils) are needed to rebuild the ICU data library")
    blob = original.read_bytes()
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(original)], capture_output=True, text=True,
                             check=True).stdout
    match = re.search(r"\b(icudt\d+_dat)\b", symbols)
    if not match:
        raise RuntimeError(f"{original.name} exports no icudtNN_dat symbol")
    symbol = match.group(1)
    package, kept, total = trimmed_package(blob)
    out_dir.mkdir(parents=True, exist_ok=True)
    dat = out_dir / "icudata.dat"
    dat.write_bytes(package)
    asm = out_dir / "icudata.s"
    asm.write_text(
        f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n'
        f'{symbol}:\n\t.incbin "{dat.name}"\n\t.size {symbol}, . - {symbol}\n'
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii",
    )
    obj = out_dir / "icudata.o"
    target = out_dir / original.name
    subprocess.run(["as", "-o", str(obj), str(asm)], cwd=out_dir, check=True)
    subprocess.run(["ld", "-shared", "-soname", original.name, "-o", str(target), str(obj)], check=True)
    print(f"icu_trim: {original.name}: kept {kept} of {total} items, "
          f"{len(blob) / 2**20:.1f} MB -> {target.stat().st_size / 2**20:.1f} MB")
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    blob = Path(argv[1]).read_bytes()
    start, header_size = _find_package(blob)
    package, kept, total = trimmed_package(blob)
    print(f"{kept} of {total} items kept; package {len(blob) / 2**20:.1f} MB -> {len(package) / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
