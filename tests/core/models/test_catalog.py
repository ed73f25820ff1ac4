"""models/catalog.toml: loads, every entry validates and names the source of its published hash;
hand-downloaded files are matched by hash and imported with the entry's card."""

from __future__ import annotations

import dataclasses
import re
import socket
from pathlib import Path

import pytest

from desktop_app.core.errors import ModelError
from desktop_app.core.models.catalog import Catalog, CatalogError, import_matched
from desktop_app.core.models.registry import ModelRegistry
from tests.conftest import MODELS
from tests.core.models.http_server import big_model_bytes

SHA = "a" * 64
COMMIT = "b" * 40


def entry_toml(sha: str = SHA, size: int = 10, url: str = "https://example.org/m/tiny.onnx", extra: str = "",
               source: bool = True) -> str:
    text = f'''schema = 1
[[model]]
id = "tiny"
name = "Tiny"
task = "classify"
license = "MIT"
file = "tiny.onnx"
size = {size}
sha256 = "{sha}"
urls = ["{url}"]
labels = "names.txt"
description = "test entry"
{extra}
[model.image]
size = [8, 8]
mean = [0.0, 0.0, 0.0]
std = [255.0, 255.0, 255.0]
'''
    if source:
        text += f'[model.hash_source]\nrepo = "me/models"\npath = "tiny.onnx"\ncommit = "{COMMIT}"\nkind = "test"\n'
    return text


def write_catalog(tmp_path: Path, text: str) -> Path:
    (tmp_path / "labels").mkdir(exist_ok=True)
    (tmp_path / "labels" / "names.txt").write_text("red\ngreen\n", encoding="utf-8")
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalog_loads_and_every_entry_validates() -> None:
    catalog = Catalog.load(MODELS / "catalog.toml")
    assert len(catalog.entries) >= 6
    tasks = {e.task for e in catalog.entries}
    assert {"classify", "detect-yolo", "detect-ssd"} <= tasks
    for entry in catalog.entries:
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256) and entry.size > 0
        assert entry.urls and all(u.startswith("https://") for u in entry.urls)
        assert entry.license and entry.labels_path is not None and entry.labels_path.is_file()
        assert entry.card_overrides()["image"]


def test_every_entry_names_the_source_of_its_hash() -> None:
    for entry in Catalog.load(MODELS / "catalog.toml").entries:
        src = entry.hash_source
        assert src.repo == "onnx/models" and src.kind == "git-lfs-pointer"
        assert re.fullmatch(r"[0-9a-f]{40}", src.commit)
        assert src.path.startswith("validated/vision/") and src.path.endswith((".onnx", ".tar.gz"))
        assert any(src.path in url for url in entry.urls), entry.id
        assert entry.card_overrides()["source"]["sha256"] == entry.sha256


def test_catalog_ids_and_hashes_are_unique() -> None:
    entries = Catalog.load(MODELS / "catalog.toml").entries
    assert len({e.id for e in entries}) == len({e.sha256 for e in entries}) == len(entries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry_toml(sha="ABC"), "64 lowercase hex"),
        (entry_toml(size=0), "positive number of bytes"),
        (entry_toml(url="http://example.org/m.onnx"), "not an https:// URL"),
        (entry_toml(source=False), "hash_source"),
        (entry_toml().replace('task = "classify"', 'task = "segment"'), "task 'segment'"),
        (entry_toml().replace('license = "MIT"\n', ""), "'license'"),
        (entry_toml().replace('labels = "names.txt"', 'labels = "nope.txt"'), "labels file"),
        (entry_toml(extra="colour = 1"), "unknown keys colour"),
        (entry_toml().replace("[model.image]\n", "[model.imagex]\n"), "unknown keys imagex"),
    ],
)
def test_bad_entries_are_refused_with_the_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        Catalog.load(write_catalog(tmp_path, text))


def test_a_card_that_would_not_validate_is_refused(tmp_path: Path) -> None:
    text = entry_toml().replace("[model.image]\nsize = [8, 8]\n", "[model.image]\nsize = [8, 8]\nresize = \"warp\"\n")
    with pytest.raises(CatalogError, match="model card does not validate"):
        Catalog.load(write_catalog(tmp_path, text))


def test_match_by_hash_imports_with_the_entry_card(tmp_path: Path) -> None:
    import hashlib

    data = big_model_bytes(1000)
    catalog = Catalog.load(write_catalog(tmp_path, entry_toml(sha=hashlib.sha256(data).hexdigest(), size=len(data))))
    download = tmp_path / "Downloads" / "whatever-name.onnx"
    download.parent.mkdir()
    download.write_bytes(data)
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    assert catalog.match_by_hash(download) is catalog.entries[0]
    card = import_matched(registry, catalog, download)
    assert (card.id, card.task, card.file, card.license) == ("tiny", "classify", "tiny.onnx", "MIT")
    assert card.sha256 == hashlib.sha256(data).hexdigest() and card.labels() == ("red", "green")
    assert card.image is not None and card.image.std == (255.0, 255.0, 255.0)
    assert card.source.package == "me/models" and card.source.version == COMMIT
    assert registry.get("tiny").path.read_bytes() == data


def test_a_file_matching_no_entry_is_not_imported(tmp_path: Path) -> None:
    catalog = Catalog.load(write_catalog(tmp_path, entry_toml()))
    other = tmp_path / "other.onnx"
    other.write_bytes(b"0123456789")  # right size, wrong hash
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    assert catalog.match_by_hash(other) is None
    with pytest.raises(ModelError, match="matches no catalog entry"):
        import_matched(registry, catalog, other)
    assert registry.list() == []


def test_archive_entry_installs_the_single_onnx_inside(tmp_path: Path) -> None:
    import hashlib
    import io
    import tarfile

    model = big_model_bytes(500)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, payload in (("pkg/model.onnx", model), ("pkg/test_data_set_0/input_0.pb", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    archive = buffer.getvalue()
    text = entry_toml(sha=hashlib.sha256(archive).hexdigest(), size=len(archive), extra='archive = "tar.gz"')
    catalog = Catalog.load(write_catalog(tmp_path, text))
    path = tmp_path / "tiny.tar.gz"
    path.write_bytes(archive)
    card = import_matched(ModelRegistry(tmp_path / "bundled", tmp_path / "user"), catalog, path)
    assert card.path.read_bytes() == model and card.file == "tiny.onnx"


def test_network_guard_refuses_non_loopback_connections() -> None:
    for address in (("93.184.216.34", 443), ("10.0.0.1", 80), ("example.org", 443)):
        with socket.socket() as s, pytest.raises(ConnectionRefusedError, match="network guard"):
            s.connect(address)
        with socket.socket() as s, pytest.raises(ConnectionRefusedError, match="network guard"):
            s.connect_ex(address)
        with pytest.raises(ConnectionRefusedError, match="network guard"):
            socket.create_connection(address, timeout=1)
    with socket.socket(socket.AF_INET6) as s, pytest.raises(ConnectionRefusedError, match="network guard"):
        s.connect(("2001:db8::1", 443, 0, 0))


def test_network_guard_lets_loopback_through() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with socket.create_connection(listener.getsockname(), timeout=2):
            pass


def test_replace_keeps_entries_frozen() -> None:
    entry = Catalog.load(MODELS / "catalog.toml").entries[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.sha256 = "0" * 64  # type: ignore[misc]
