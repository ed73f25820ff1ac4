"""`desktop-app catalog list / download / match` (download against a server on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.core.models.http_server import big_model_bytes, serve
from tests.core.models.test_catalog import entry_toml, write_catalog


def test_catalog_list_json_names_hash_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"squeezenet1.0-8", "resnet18-v2-7", "yolov4", "ssd-12-int8"} <= {r["id"] for r in rows}
    assert all(r["hash_source"]["repo"] == "onnx/models" and len(r["sha256"]) == 64 for r in rows)


@pytest.mark.usefixtures("no_proxy_env")
def test_catalog_download_and_match_use_a_test_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = big_model_bytes()
    sha = hashlib.sha256(data).hexdigest()
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    monkeypatch.setenv("DESKTOP_APP_MODELS_DIR", str(bundled))
    with serve(data) as server:
        text = entry_toml(sha=sha, size=len(data))
        write_catalog(bundled, text)
        # the loader insists on https; the test swaps in the local URL after validation
        from desktop_app.core.models import catalog as cat

        real = cat.Catalog.default
        local = (server.url("ok", "tiny.onnx"),)
        monkeypatch.setattr(cat.Catalog, "default", classmethod(
            lambda cls: cls(tuple(dataclasses.replace(e, urls=local) for e in real().entries))))
        assert main(["catalog", "download", "tiny", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["id"] == "tiny" and "MB/s" in out.err
    assert main(["catalog", "download", "nope"]) == 1
    assert "no catalog entry 'nope'" in capsys.readouterr().out
    by_hand = tmp_path / "x.onnx"
    by_hand.write_bytes(data)
    assert main(["catalog", "match", str(by_hand)]) == 1  # already installed under that id
    assert "already exists" in capsys.readouterr().out
    by_hand.write_bytes(b"nothing")
    assert main(["catalog", "match", str(by_hand)]) == 1
    assert "matches no catalog entry" in capsys.readouterr().out
