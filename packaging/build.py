"""Build the one-folder app into dist/ with PyInstaller, archive it, and report what is big.

    DESKTOP_APP_FLAVOUR=cpu|cuda|directml .venv/bin/python packaging/build.py [--no-archive]

Writes dist/desktop-app/ (the bundle; on macOS also dist/Desktop App.app) and
dist/desktop-app-<version>-<os>-<arch>-<flavour>.tar.gz (.zip on Windows), then prints the bundle
size, the archive size and the ten largest entries of the bundle, so that trimming is guided.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "desktop_app.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
APP_NAME = "desktop-app"
MB = 1024 * 1024
CONSTRAINTS = ROOT / "packaging" / "constraints.txt"


def pinned_versions(path: Path = CONSTRAINTS) -> dict[str, str]:
    """`name==version` lines of the constraints file, by normalised distribution name."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def pin_mismatches(pins: dict[str, str]) -> list[str]:
    """Installed distributions whose version differs from their pin (ones not installed are not checked)."""
    import importlib.metadata

    wrong = []
    for name, version in pins.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if installed != version:
            wrong.append(f"{name} {installed} (pinned {version})")
    return wrong


def app_version() -> str:
    text = (ROOT / "desktop_app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("desktop_app/__init__.py has no __version__")
    return match.group(1)


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def tree_size(path: Path) -> int:
    """Bytes of all regular files under path (symlinks not followed, not counted twice)."""
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def remove_dangling_links(bundle: Path) -> list[str]:
    """Delete symlinks whose target the spec trimmed away (PyInstaller links every library of a package's
    `.libs` folder into the top folder, before the spec's pruning); returns their names."""
    gone = []
    for link in sorted(bundle.rglob("*")):
        if link.is_symlink() and not link.exists():
            link.unlink()
            gone.append(link.name)
    return gone


def largest_entries(bundle: Path, count: int = 10) -> list[tuple[int, str]]:
    """The biggest files and first/second-level folders of the bundle, biggest first."""
    sizes: dict[str, int] = {}
    for f in bundle.rglob("*"):
        if not f.is_file() or f.is_symlink():
            continue
        rel = f.relative_to(bundle).parts
        size = f.lstat().st_size
        sizes["/".join(rel)] = size
    # Folders two levels deep (e.g. _internal/PySide6/Qt) give the overview; files give the detail.
    folders: dict[str, int] = {}
    for rel, size in sizes.items():
        parts = rel.split("/")
        for depth in range(1, min(len(parts), 4)):
            key = "/".join(parts[:depth]) + "/"
            folders[key] = folders.get(key, 0) + size
    files = sorted(((s, r) for r, s in sizes.items()), reverse=True)[:count]
    dirs = sorted(((s, r) for r, s in folders.items() if r.count("/") >= 2), reverse=True)[:count]
    return files + dirs


def run_pyinstaller(flavour: str) -> float:
    env = dict(os.environ, DESKTOP_APP_FLAVOUR=flavour)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
           "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    print("build:", " ".join(cmd), flush=True)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def write_archive(bundle: Path, stem: str) -> Path:
    """dist/<stem>.tar.gz (.zip on Windows) holding the folder `desktop-app/`."""
    if sys.platform == "win32":
        archive = DIST / f"{stem}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for f in sorted(bundle.rglob("*")):
                zf.write(f, f.relative_to(bundle.parent))
        return archive
    archive = DIST / f"{stem}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tf:
        tf.add(bundle, arcname=bundle.name)
        desktop = ROOT / "packaging" / "linux" / "desktop-app.desktop"
        if sys.platform.startswith("linux"):
            tf.add(desktop, arcname=f"{bundle.name}/share/applications/{desktop.name}")
            tf.add(ROOT / "resources" / "icons" / "desktop-app-256.png",
                   arcname=f"{bundle.name}/share/icons/hicolor/256x256/apps/desktop-app.png")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flavour", default=os.environ.get("DESKTOP_APP_FLAVOUR", "cpu"),
                        choices=["cpu", "cuda", "directml"], help="ONNX Runtime flavour (default: $DESKTOP_APP_FLAVOUR or cpu)")
    parser.add_argument("--no-archive", action="store_true", help="build the folder only")
    args = parser.parse_args(argv)

    if shutil.which("pyinstaller") is None and not (Path(sys.executable).parent / "pyinstaller").exists():
        try:
            import PyInstaller  # noqa: F401
        except ImportError:
            raise SystemExit("PyInstaller is not installed: pip install -e '.[dev]'") from None

    wrong = pin_mismatches(pinned_versions())
    if wrong and os.environ.get("DESKTOP_APP_UNPINNED") != "1":
        raise SystemExit(f"build: the environment differs from {CONSTRAINTS.relative_to(ROOT)}: {', '.join(wrong)}. "
                         "Run scripts/setup.sh (or pip install -c packaging/constraints.txt ...), "
                         "or set DESKTOP_APP_UNPINNED=1 to build anyway.")
    build_s = run_pyinstaller(args.flavour)
    bundle = DIST / APP_NAME
    if not bundle.is_dir():
        raise SystemExit(f"PyInstaller did not produce {bundle}")
    dangling = remove_dangling_links(bundle)
    if dangling:
        print(f"build: removed {len(dangling)} links to trimmed libraries: {' '.join(dangling)}")
    bundle_bytes = tree_size(bundle)

    print(f"\nbuild: PyInstaller took {build_s:.1f} s")
    print(f"build: bundle {bundle.relative_to(ROOT)}: {bundle_bytes / MB:.1f} MB")
    if not args.no_archive:
        start = time.perf_counter()
        stem = f"{APP_NAME}-{app_version()}-{platform_tag()}-{args.flavour}"
        archive = write_archive(bundle, stem)
        print(f"build: archive {archive.relative_to(ROOT)}: {archive.stat().st_size / MB:.1f} MB "
              f"({time.perf_counter() - start:.1f} s)")
    print("build: largest entries (files, then folders):")
    for size, rel in largest_entries(bundle):
        print(f"  {size / MB:8.1f} MB  {rel}")
    # One machine-readable line for scripts and tests.
    print(f"BUNDLE_SIZE_MB={bundle_bytes / MB:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
