"""Crash isolation: model validation in a child process survives segfaults, hangs and memory hogs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from desktop_app.core.errors import ModelError
from desktop_app.core.models import isolation
from desktop_app.core.models.inspect import inspect_model
from desktop_app.core.models.isolation import _run_isolated, check_isolated, inspect_isolated
from desktop_app.core.models.registry import ModelRegistry
from tests.builders import add_one

posix_only = pytest.mark.skipif(os.name != "posix", reason="signals and RLIMIT_AS are POSIX")


# -- child targets (module level, so that they pickle for the spawned child) ---------------------


def _segfault(path: Path) -> None:
    import ctypes

    ctypes.string_at(0)


def _sleep(path: Path) -> None:
    time.sleep(60)


def _hog(path: Path) -> None:
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(64 << 20))  # 4 GiB in all, far past the limit


def _raise_model_error(path: Path) -> None:
    raise ModelError(f"{path.name}: refused in the child")


# -- tests -----------------------------------------------------------------------------------------


def test_inspect_in_child_equals_in_process(tmp_path: Path) -> None:
    model = add_one(tmp_path / "add.onnx")
    assert inspect_isolated(model) == inspect_model(model)
    check_isolated(model)  # a CPU session in the child: no error


@posix_only
def test_segfault_becomes_a_message(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"x\.onnx: the model crashed the validator \(signal 11.*refused"):
        _run_isolated(_segfault, tmp_path / "x.onnx", name="x.onnx")
    assert inspect_model(add_one(tmp_path / "ok.onnx")).inputs  # the parent carries on


def test_timeout_kills_the_child_quickly(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(ModelError, match=r"x\.onnx: validating the model took longer than 0\.5 s; refused"):
        _run_isolated(_sleep, tmp_path / "x.onnx", name="x.onnx", timeout_s=0.5)
    assert time.monotonic() - start < 10


@posix_only
def test_memory_limit_becomes_a_message(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"x\.onnx: needed more than 512 MB of memory; refused"):
        _run_isolated(_hog, tmp_path / "x.onnx", name="x.onnx", memory_mb=512)


def test_project_error_in_child_keeps_its_message(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"^x\.onnx: refused in the child$"):
        _run_isolated(_raise_model_error, tmp_path / "x.onnx", name="x.onnx")


def test_not_onnx_is_refused_from_the_child(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_text("hello, this is not a model\n")
    with pytest.raises(ModelError, match=r"bad\.onnx"):
        inspect_isolated(bad)


@posix_only
def test_registry_refuses_a_crashing_model_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "_validate", _segfault)
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    model = add_one(tmp_path / "add.onnx")
    with pytest.raises(ModelError, match=r"add\.onnx: the model crashed the validator"):
        registry.import_model(model)
    assert registry.list() == []
    assert not (tmp_path / "user").exists() or list((tmp_path / "user").iterdir()) == []


def test_registry_imports_through_the_child(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "bundled", tmp_path / "user")
    card = registry.import_model(add_one(tmp_path / "add.onnx"))
    assert card.id == "add" and card.path.is_file()
