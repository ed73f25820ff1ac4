"""The downloader against an HTTP server the test starts on 127.0.0.1 (Range, cut connections, bad hashes,
404, slow servers, cancellation), and a test-only catalog entry downloaded and imported with its card."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.errors import Cancelled
from desktop_app.core.models.catalog import Catalog
from desktop_app.core.models.download import (
    Downloader,
    DownloadError,
    DownloadProgress,
    download_entry,
    part_path,
)
from desktop_app.core.models.registry import ModelRegistry
from tests.core.models.http_server import FileServer, big_model_bytes, serve
from tests.core.models.test_catalog import entry_toml, write_catalog

DATA = big_model_bytes()
SHA = hashlib.sha256(DATA).hexdigest()


pytestmark = pytest.mark.usefixtures("no_proxy_env")


@pytest.fixture
def server() -> Iterator[FileServer]:
    with serve(DATA, delay=2.0) as srv:
        yield srv


def fetch(tmp_path: Path, urls: list[str], **kwargs: object) -> Path:
    downloader = Downloader(tmp_path / "staging", timeout=float(kwargs.pop("timeout", 5.0)))  # type: ignore[arg-type]
    return downloader.fetch(urls, sha256=SHA, size=len(DATA), name="model.onnx", **kwargs)  # type: ignore[arg-type]


def leftovers(tmp_path: Path) -> list[str]:
    staging = tmp_path / "staging"
    return sorted(p.name for p in staging.iterdir()) if staging.exists() else []


def test_full_download_is_verified_with_progress(tmp_path: Path, server: FileServer) -> None:
    seen: list[DownloadProgress] = []
    path = fetch(tmp_path, [server.url("ok")], progress=seen.append)
    assert path.read_bytes() == DATA and path.name == "model.onnx"
    assert len(seen) > 1 and seen[-1].done == seen[-1].total == len(DATA) and seen[-1].fraction == 1.0
    assert all(p.rate > 0 for p in seen) and [p.done for p in seen] == sorted(p.done for p in seen)
    assert leftovers(tmp_path) == ["model.onnx"]
    assert server.requests == [("/ok/model.onnx", None)]


def test_resume_after_the_server_cuts_the_connection(tmp_path: Path, server: FileServer) -> None:
    with pytest.raises(DownloadError, match=r"lost after \d+ of \d+ bytes.*kept and resumes"):
        fetch(tmp_path, [server.url("cut")])
    part = part_path(tmp_path / "staging", SHA, "model.onnx")
    assert part.stat().st_size == len(DATA) // 2
    path = fetch(tmp_path, [server.url("cut")])  # the second request carries a Range and is served whole
    assert path.read_bytes() == DATA and not part.exists()
    assert server.requests[-1] == ("/cut/model.onnx", f"bytes={len(DATA) // 2}-")


def test_a_server_ignoring_range_restarts_from_zero(tmp_path: Path, server: FileServer) -> None:
    part = part_path(tmp_path / "staging", SHA, "model.onnx")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\xff" * 1000)  # a stale prefix: a 200 answer must overwrite it
    path = fetch(tmp_path, [server.url("norange")])
    assert path.read_bytes() == DATA
    assert server.requests == [("/norange/model.onnx", "bytes=1000-")]


def test_a_mirror_list_is_tried_in_order(tmp_path: Path, server: FileServer) -> None:
    path = fetch(tmp_path, [server.url("missing"), server.url("error"), server.url("ok")])
    assert path.read_bytes() == DATA
    assert [p for p, _ in server.requests] == ["/missing/model.onnx", "/error/model.onnx", "/ok/model.onnx"]


def test_hash_mismatch_is_rejected_and_nothing_is_kept(tmp_path: Path, server: FileServer) -> None:
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    entry = dataclasses.replace(_entry(tmp_path), urls=(server.url("corrupt"),))
    with pytest.raises(DownloadError, match=r"sha256 mismatch from 127\.0\.0\.1:\d+ .*deleted and not installed"):
        download_entry(entry, registry, staging=tmp_path / "staging", timeout=5)
    assert leftovers(tmp_path) == []
    assert registry.list() == [] and not (tmp_path / "user").exists()


def test_404_gives_a_clear_message(tmp_path: Path, server: FileServer) -> None:
    with pytest.raises(DownloadError) as info:
        fetch(tmp_path, [server.url("missing")])
    assert str(info.value) == f"model.onnx: HTTP 404 Not Found from {server.url('missing').split('/')[2]}: " \
                              f"the file is not at {server.url('missing')}"
    assert leftovers(tmp_path) == []


def test_server_errors_name_the_status(tmp_path: Path, server: FileServer) -> None:
    with pytest.raises(DownloadError, match=r"server error HTTP 503 .* try again later or another mirror"):
        fetch(tmp_path, [server.url("error")])


def test_a_slow_server_times_out_with_a_clear_message(tmp_path: Path, server: FileServer) -> None:
    with pytest.raises(DownloadError, match=r"^model\.onnx: timed out after 0\.3 s waiting for 127\.0\.0\.1:\d+$"):
        fetch(tmp_path, [server.url("slow")], timeout=0.3)


def test_connection_refused_is_named(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match=r"connection refused by 127\.0\.0\.1:\d+"):
        fetch(tmp_path, [f"http://127.0.0.1:{port}/x.onnx"])


def test_cancellation_leaves_nothing_behind(tmp_path: Path, server: FileServer) -> None:
    cancel = threading.Event()

    def progress(p: DownloadProgress) -> None:
        cancel.set()  # the user clicks Cancel after the first chunk

    with pytest.raises(Cancelled):
        fetch(tmp_path, [server.url("ok")], progress=progress, cancel=cancel)
    assert leftovers(tmp_path) == []


def test_a_wrong_size_on_the_server_is_refused_before_downloading(tmp_path: Path) -> None:
    with serve(DATA + b"extra") as other, pytest.raises(DownloadError, match="offers .* bytes, the catalog says"):
        fetch(tmp_path, [other.url("ok")])
    assert leftovers(tmp_path) == []


def _entry(tmp_path: Path):  # type: ignore[no-untyped-def]
    catalog = Catalog.load(write_catalog(tmp_path, entry_toml(sha=SHA, size=len(DATA))))
    return catalog.entries[0]


def test_catalog_entry_downloads_and_imports_with_its_card(tmp_path: Path, server: FileServer) -> None:
    entry = dataclasses.replace(_entry(tmp_path), urls=(server.url("missing"), server.url("ok", "tiny.onnx")))
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    card = download_entry(entry, registry, staging=tmp_path / "staging", timeout=5)
    assert (card.id, card.task, card.license, card.file, card.sha256) == ("tiny", "classify", "MIT", "tiny.onnx", SHA)
    assert card.labels() == ("red", "green") and card.image is not None and card.image.width == 8
    assert card.folder.parent == tmp_path / "user" and card.path.read_bytes() == DATA
    assert leftovers(tmp_path) == []
    with pytest.raises(DownloadError, match="mirror 5 does not exist"):
        download_entry(entry, registry, staging=tmp_path / "staging", mirror=5)
