"""The Debian package (packaging/build_deb.py) made from the frozen CPU bundle: installed with dpkg, its launcher
runs the self-test and a classification in a clean environment, its desktop entry validates, and removing it
leaves nothing of it on disk (only the user's own data folders)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_frozen_app import BUNDLE, ROOT, SAMPLE, frozen_exe  # noqa: F401 (the fixture)

PACKAGE = "desktop-app"
pytestmark = [pytest.mark.frozen, pytest.mark.slow, pytest.mark.timeout(900)]


def _run(*cmd: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)


def _installed() -> bool:
    out = _run("dpkg-query", "-W", "-f=${Status}", PACKAGE)
    return out.returncode == 0 and "install ok installed" in out.stdout


@pytest.fixture(scope="module")
def deb(frozen_exe: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    if sys.platform != "linux" or shutil.which("dpkg-deb") is None:
        pytest.skip("the .deb is built and installed on Debian-like Linux")
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root (CI runs the suite as root)")
    out_dir = tmp_path_factory.mktemp("deb")
    done = _run(sys.executable, str(ROOT / "packaging" / "build_deb.py"), "--bundle", str(BUNDLE), "--out",
                str(out_dir), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out_dir.glob(f"{PACKAGE}_*.deb")
    return path


@pytest.fixture(scope="module")
def installed(deb: Path) -> Iterator[list[Path]]:
    """The package installed with dpkg; yields the files it owns; purged afterwards whatever happens."""
    if _installed():
        _run("dpkg", "--purge", PACKAGE)
    done = _run("dpkg", "-i", str(deb), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = _run("dpkg-query", "-L", PACKAGE).stdout.splitlines()
    try:
        yield [Path(p) for p in listed if p.strip()]
    finally:
        if _installed():
            _run("dpkg", "--purge", PACKAGE)


def _clean_env(home: Path) -> list[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home),
           "QT_QPA_PLATFORM": "offscreen"}
    return ["env", "-i", *(f"{k}={v}" for k, v in env.items())]


def test_installed_package_runs_validates_and_is_removed_without_a_trace(installed: list[Path], tmp_path: Path
                                                                        ) -> None:
    owned = installed
    assert Path("/usr/bin/desktop-app") in owned and Path("/opt/desktop-app/desktop-app") in owned
    entry = Path("/usr/share/applications/desktop-app.desktop")
    assert entry in owned and Path("/usr/share/icons/hicolor/256x256/apps/desktop-app.png") in owned
    assert "application/x-onnx" in entry.read_text() and "image/jpeg" in entry.read_text()

    launcher = shutil.which("desktop-app", path="/usr/bin")
    assert launcher == "/usr/bin/desktop-app"
    home = tmp_path / "home"
    home.mkdir()
    selftest = _run(*_clean_env(home), "desktop-app", "--self-test", timeout=300)
    assert selftest.returncode == 0 and "self-test passed" in selftest.stdout, selftest.stdout + selftest.stderr
    classify = _run(*_clean_env(home), "desktop-app", "classify", str(SAMPLE), timeout=120)
    assert classify.returncode == 0 and "cat" in classify.stdout, classify.stdout + classify.stderr

    validate = _run("desktop-file-validate", str(entry))
    assert validate.returncode == 0 and not validate.stdout.strip(), validate.stdout + validate.stderr

    user_data = list(home.rglob("*"))
    removed = _run("dpkg", "--purge", PACKAGE)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    ours = ("/opt/desktop-app", "/usr/share/doc/desktop-app")  # folders of its own; shared ones (/usr/bin) stay
    left = [p for p in owned if p.exists() and (not p.is_dir() or str(p).startswith(ours))]
    assert not left, f"left on disk after removal: {left[:10]}"
    assert not Path("/opt/desktop-app").exists() and not Path("/usr/bin/desktop-app").exists()
    assert all(p.exists() for p in user_data)  # the user's own data stays
