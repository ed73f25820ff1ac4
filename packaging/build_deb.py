"""Make dist/desktop-app_<version>_<arch>.deb from the frozen CPU bundle (dist/desktop-app/, made by build.py).

    .venv/bin/python packaging/build.py --flavour cpu      # the bundle first
    .venv/bin/python packaging/build_deb.py                 # then the package (dpkg-deb, from Debian)

What the package installs, and nothing else (removing it leaves only the user's own data folders):
- /opt/desktop-app/                                the frozen app, unchanged
- /usr/bin/desktop-app                             a launcher on PATH
- /usr/share/applications/desktop-app.desktop      menu entry, "Open with" for images, audio, CSV and .onnx
- /usr/share/icons/hicolor/<n>x<n>/apps/desktop-app.png   the icon in every size resources/icons has
- /usr/share/mime/packages/desktop-app.xml         the MIME type of .onnx files (application/x-onnx)
- /usr/share/doc/desktop-app/copyright             the app's and the bundled models' licences, named
Debian's own triggers refresh the menu, icon and MIME caches when these folders change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
from build import APP_NAME, DIST, app_version, tree_size  # noqa: E402

PREFIX = Path("opt") / APP_NAME
#: MIME types the app opens: the formats the Files panel decodes (media/), CSV tables and ONNX models.
MIME_TYPES = ("image/jpeg", "image/png", "image/bmp", "image/webp", "image/tiff", "audio/x-wav", "audio/wav",
              "audio/flac", "audio/ogg", "audio/x-vorbis+ogg", "text/csv", "application/x-onnx")
#: Debian packages the frozen app loads from the system (Qt's xcb platform plugin, OpenGL/EGL, fonts, D-Bus).
DEPENDS = ("libc6 (>= 2.34)", "libegl1", "libgl1", "libfontconfig1", "libxkbcommon0", "libxkbcommon-x11-0",
           "libdbus-1-3", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
           "libxcb-render-util0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1", "libxcb-randr0",
           "libxcb1", "libglib2.0-0", "libzstd1")  # the bundle takes libxcb, GLib and zstd from the system
RECOMMENDS = ("libportaudio2",)  # the microphone (sounddevice); everything else works without it

LAUNCHER = f"""#!/bin/sh
# Launcher of the installed app (package {APP_NAME}); the app itself lives in /{PREFIX}.
exec /{PREFIX}/{APP_NAME} "$@"
"""

MIME_XML = """<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="application/x-onnx">
    <comment>ONNX model</comment>
    <glob pattern="*.onnx"/>
  </mime-type>
</mime-info>
"""


def deb_arch() -> str:
    out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "amd64"


def desktop_entry() -> str:
    """The checked-in menu entry with the MIME types the package registers."""
    text = (ROOT / "packaging" / "linux" / "desktop-app.desktop").read_text()
    lines = [line for line in text.splitlines() if not line.startswith("MimeType=")]
    lines.append("MimeType=" + ";".join(MIME_TYPES) + ";")
    return "\n".join(lines) + "\n"


def copyright_text() -> str:
    """Machine-readable summary: the app's licence and each bundled model's, with its LICENSE file's place."""
    parts = [f"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: {APP_NAME}\n",
             f"Files: *\nComment: the app and the Python libraries it bundles; their licences are inside /{PREFIX}.\n"]
    for card in sorted((ROOT / "models").glob("*/model.toml")):
        import tomllib

        data = tomllib.loads(card.read_text())
        parts.append(f"Files: /{PREFIX}/_internal/models/{card.parent.name}/*\nLicense: {data.get('license', 'unknown')}\n"
                     f"Comment: {data.get('name', card.parent.name)}; full text in "
                     f"{data.get('license_file', 'LICENSE.txt')} next to the model.\n")
    return "\n".join(parts)


def control(version: str, arch: str, installed_kb: int) -> str:
    return (f"Package: {APP_NAME}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: Desktop App maintainers "
            f"<maintainers@desktop-app.invalid>\nInstalled-Size: {installed_kb}\nSection: science\nPriority: optional\n"
            f"Depends: {', '.join(DEPENDS)}\nRecommends: {', '.join(RECOMMENDS)}\n"
            "Description: offline workbench for ONNX model inference\n"
            " Drop images, audio or CSV files on the window, or point it at a webcam or a microphone,\n"
            " and see what an ONNX model makes of them, with no network. Bundled models: image\n"
            " classification, faces and expressions, people and poses, 80 COCO objects, person\n"
            " masks, voice activity and a tabular classifier. CPU build of ONNX Runtime.\n")


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def stage(bundle: Path, root: Path) -> None:
    """The package's file tree under `root` (DEBIAN/ control file excluded)."""
    shutil.copytree(bundle, root / PREFIX, symlinks=True)
    for path in (root / "opt").rglob("*"):  # dpkg wants sane permissions whatever the build left
        if path.is_dir():
            path.chmod(0o755)
        elif path.is_file() and not path.is_symlink():
            path.chmod(0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644)
    _write(root / "usr" / "bin" / APP_NAME, LAUNCHER, 0o755)
    _write(root / "usr" / "share" / "applications" / f"{APP_NAME}.desktop", desktop_entry())
    _write(root / "usr" / "share" / "mime" / "packages" / f"{APP_NAME}.xml", MIME_XML)
    _write(root / "usr" / "share" / "doc" / APP_NAME / "copyright", copyright_text())
    for icon in sorted((ROOT / "resources" / "icons").glob(f"{APP_NAME}-*.png")):
        size = icon.stem.rsplit("-", 1)[1]
        target = root / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icon, target)
        target.chmod(0o644)
    for path in (root / "usr").rglob("*"):
        if path.is_dir():
            path.chmod(0o755)


def build_deb(bundle: Path, out_dir: Path) -> Path:
    """Stage the tree, write DEBIAN/control and run dpkg-deb; returns the .deb's path."""
    if not (bundle / APP_NAME).is_file():
        raise SystemExit(f"{bundle}: no frozen app; run packaging/build.py --flavour cpu first")
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb not found: the .deb is built on Debian or Ubuntu (package dpkg)")
    version, arch = app_version(), deb_arch()
    deb = out_dir / f"{APP_NAME}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="deb-", dir=out_dir) as tmp:
        root = Path(tmp) / "root"
        stage(bundle, root)
        _write(root / "DEBIAN" / "control", control(version, arch, (tree_size(root) + 1023) // 1024))
        (root / "DEBIAN").chmod(0o755)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", str(root), str(deb)],
                       check=True, stdout=subprocess.DEVNULL)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=DIST / APP_NAME, help="the frozen app's folder")
    parser.add_argument("--out", type=Path, default=DIST, help="where the .deb goes")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    deb = build_deb(args.bundle, args.out)
    print(f"deb: {deb.relative_to(ROOT) if deb.is_relative_to(ROOT) else deb}: {os.path.getsize(deb) / 2**20:.1f} MB")
    print(f"DEB={deb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
