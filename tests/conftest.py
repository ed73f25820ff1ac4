"""Shared fixtures (no Qt import here: the core tests also run with PySide6 absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
REFERENCE = ROOT / "tests" / "data" / "reference"
MODELS = ROOT / "models"


@pytest.fixture(autouse=True)
def _user_dirs_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """User models, settings and logs of every test live in a temporary folder."""
    home = tmp_path_factory.mktemp("user-home")
    monkeypatch.setenv("DESKTOP_APP_HOME", str(home))
    return home


@pytest.fixture(scope="session", autouse=True)
def _none_refcount_reserve() -> None:
    """PySide6 drops references to None in some calls (see desktop_app/qt/qt_compat.py; no Qt import)."""
    from desktop_app.qt.qt_compat import guard_none_refcount

    guard_none_refcount()
