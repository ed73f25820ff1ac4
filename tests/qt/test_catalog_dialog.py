"""The catalog dialog: download with progress from a local server, cancel, show location, import by hash."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from desktop_app.core.models.catalog import Catalog
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.qt.models.qt_catalog_dialog import QtCatalogDialog
from desktop_app.qt.qt_workers import join_all
from tests.core.models.http_server import big_model_bytes, serve
from tests.core.models.test_catalog import entry_toml, write_catalog

DATA = big_model_bytes()
SHA = hashlib.sha256(DATA).hexdigest()


pytestmark = pytest.mark.usefixtures("no_proxy_env")


def make_dialog(qtbot, tmp_path: Path, url: str | None = None):  # type: ignore[no-untyped-def]
    catalog = Catalog.load(write_catalog(tmp_path, entry_toml(sha=SHA, size=len(DATA))))
    if url is not None:
        catalog = Catalog((dataclasses.replace(catalog.entries[0], urls=(url,)),))
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    dialog = QtCatalogDialog(catalog, registry, staging=tmp_path / "staging")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, registry


def test_lists_entries_and_downloads_with_progress(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(DATA) as server:
        dialog, registry = make_dialog(qtbot, tmp_path, server.url("ok", "tiny.onnx"))
        assert [dialog.table.item(0, c).text() for c in range(5)] == ["Tiny", "classify", "0.2 MB", "MIT", ""]
        assert not dialog.download_button.isEnabled()
        dialog.select("tiny")
        seen: list[object] = []
        dialog.installed.connect(seen.append)
        with qtbot.waitSignal(dialog.installed, timeout=10_000):
            dialog.download_selected()
        qtbot.waitUntil(lambda: not dialog.controller.busy)
    assert seen == ["tiny"] and registry.get("tiny").labels() == ("red", "green")
    assert dialog.progress.value() == 1000 and dialog.table.item(0, 4).text() == "installed"
    assert "sha256 match" in dialog.status.text()
    assert dialog.file_location(dialog.catalog.entries[0]) == registry.get("tiny").folder
    opened: list[Path] = []
    dialog.open_folder = opened.append  # type: ignore[method-assign]
    dialog.show_location()
    assert opened == [registry.get("tiny").folder]
    dialog.close()
    assert join_all()


def test_cancel_leaves_nothing_behind(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(DATA, delay=3.0) as server:
        dialog, registry = make_dialog(qtbot, tmp_path, server.url("slow", "tiny.onnx"))
        dialog.select("tiny")
        dialog.download_selected()
        assert dialog.cancel_button.isEnabled() and not dialog.download_button.isEnabled()
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: not dialog.controller.busy, timeout=10_000)
    assert "cancelled" in dialog.status.text()
    assert registry.list() == [] and list((tmp_path / "staging").iterdir()) == []
    assert dialog.file_location(dialog.catalog.entries[0]) == tmp_path / "staging"


def test_a_failed_download_says_why(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(DATA) as server:
        dialog, registry = make_dialog(qtbot, tmp_path, server.url("missing", "tiny.onnx"))
        dialog.select("tiny")
        dialog.download_selected()
        qtbot.waitUntil(lambda: not dialog.controller.busy, timeout=10_000)
    assert dialog.status.text().startswith("failed: tiny.onnx: HTTP 404 Not Found")
    assert registry.list() == []


def test_import_a_file_downloaded_by_hand(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog, registry = make_dialog(qtbot, tmp_path)
    by_hand = tmp_path / "from-a-usb-stick.onnx"
    by_hand.write_bytes(DATA)
    with qtbot.waitSignal(dialog.installed, timeout=10_000):
        dialog.import_file(by_hand)
    qtbot.waitUntil(lambda: not dialog.controller.busy)
    assert registry.get("tiny").sha256 == SHA and dialog.table.item(0, 4).text() == "installed"
    other = tmp_path / "other.onnx"
    other.write_bytes(b"not a model")
    dialog.import_file(other)
    qtbot.waitUntil(lambda: not dialog.controller.busy)
    assert "matches no catalog entry" in dialog.status.text()


def test_model_manager_opens_the_shipped_catalog(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    assert manager.catalog_button.isEnabled()
    manager.catalog_button.click()
    dialog = manager.catalog_window
    assert dialog is not None and dialog.isVisible()
    ids = [e.id for e in dialog.catalog.entries]
    assert {"squeezenet1.0-8", "yolov4", "ssd-12-int8"} <= set(ids)
    assert dialog.table.rowCount() == len(ids) and dialog.table.item(ids.index("yolov4"), 1).text() == "detect-yolo"
    dialog.close()
    qtbot.waitUntil(lambda: manager.catalog_window is None)
