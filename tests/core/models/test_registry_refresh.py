"""ModelRegistry.refresh(): a snapshot is announced once per real change (edit, break, fix, add, remove)
and never when nothing changed; CardWatcher announces edits from its own thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import onnx
import pytest

from desktop_app.core.fileio import sha256_file
from desktop_app.core.models import isolation
from desktop_app.core.models.card_watcher import CardWatcher
from desktop_app.core.models.registry import ModelRegistry, RegistrySnapshot


def write_card(folder: Path, model_id: str, *, score: float = 0.5) -> None:
    text = (f'id = "{model_id}"\nfile = "model.onnx"\ntask = "raw"\n'
            f'sha256 = "{sha256_file(folder / "model.onnx")}"\n[thresholds]\nscore = {score}\n')
    path = folder / "model.toml"
    old = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 10_000_000, old + 10_000_000))  # a new mtime even on a coarse clock


def write_model(folder: Path, model_id: str, model: onnx.ModelProto, *, score: float = 0.5) -> Path:
    folder.mkdir(parents=True)
    onnx.save_model(model, str(folder / "model.onnx"))
    write_card(folder, model_id, score=score)
    return folder


@pytest.fixture
def registry(tmp_path: Path, conv_model) -> ModelRegistry:  # type: ignore[no-untyped-def]
    write_model(tmp_path / "bundled" / "alpha", "alpha", conv_model())
    return ModelRegistry(tmp_path / "bundled", tmp_path / "user")


@pytest.fixture
def told(registry: ModelRegistry) -> list[RegistrySnapshot]:
    seen: list[RegistrySnapshot] = []
    registry.changed.subscribe(seen.append)
    return seen


def test_first_refresh_announces_then_nothing_until_a_change(registry: ModelRegistry, told) -> None:  # type: ignore[no-untyped-def]
    first = registry.refresh()
    assert first is not None and first.ids() == ["alpha"] and told == [first]
    assert registry.refresh() is None and registry.refresh() is None
    assert told == [first] and registry.snapshot() is first


def test_edit_break_fix_are_each_announced(registry: ModelRegistry, told, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry.refresh()
    folder = tmp_path / "bundled" / "alpha"
    write_card(folder, "alpha", score=0.75)
    edited = registry.refresh()
    assert edited is not None and edited.cards[0].threshold("score", 0) == 0.75
    (folder / "model.toml").write_text('id = "alpha"\nfile = ', encoding="utf-8")  # broken TOML
    broken = registry.refresh()
    assert broken is not None and broken.ids() == [] and len(broken.problems) == 1
    assert "alpha" in broken.problems[0]
    write_card(folder, "alpha", score=0.25)
    fixed = registry.refresh()
    assert fixed is not None and fixed.problems == () and fixed.card("alpha").threshold("score", 0) == 0.25  # type: ignore[union-attr]
    assert told == [told[0], edited, broken, fixed]


def test_a_touched_but_equal_card_is_not_announced(registry: ModelRegistry, told, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry.refresh()
    write_card(tmp_path / "bundled" / "alpha", "alpha")  # same text, new mtime
    assert registry.refresh() is None and len(told) == 1


def test_added_and_removed_folders_are_announced(registry: ModelRegistry, told, tmp_path: Path, conv_model) -> None:  # type: ignore[no-untyped-def]
    registry.refresh()
    write_model(registry.user_dir / "beta", "beta", conv_model())
    added = registry.refresh()
    assert added is not None and added.ids() == ["alpha", "beta"]
    registry.remove("beta")  # announces at once
    assert told[-1].ids() == ["alpha"] and len(told) == 3
    assert registry.refresh() is None


def test_import_announces_at_once(registry: ModelRegistry, told, tmp_path: Path, conv_model,  # type: ignore[no-untyped-def]
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "_run_isolated", lambda fn, *args, **_kw: fn(*args))
    source = tmp_path / "outside.onnx"
    onnx.save_model(conv_model(), str(source))
    registry.refresh()
    card = registry.import_model(source, model_id="imported")
    assert told[-1].card("imported") == card and len(told) == 2


def test_a_failing_subscriber_does_not_stop_the_others(registry: ModelRegistry) -> None:
    seen: list[RegistrySnapshot] = []

    def broken(_snapshot: RegistrySnapshot) -> None:
        raise RuntimeError("subscriber bug")

    registry.changed.subscribe(broken)
    registry.changed.subscribe(seen.append)
    assert registry.refresh() is not None and len(seen) == 1


def test_watcher_announces_an_edit_from_its_thread(registry: ModelRegistry, tmp_path: Path) -> None:
    registry.refresh()
    edited = threading.Event()
    threads: list[str] = []

    def on_change(snapshot: RegistrySnapshot) -> None:
        threads.append(threading.current_thread().name)
        if snapshot.cards and snapshot.cards[0].threshold("score", 0) == 0.9:
            edited.set()

    registry.changed.subscribe(on_change)
    watcher = CardWatcher(registry, interval_s=0.05)
    watcher.start()
    try:
        write_card(tmp_path / "bundled" / "alpha", "alpha", score=0.9)
        assert edited.wait(10.0)
    finally:
        watcher.stop()
    assert not watcher.running and threads[-1] == "card-watcher"


def test_snapshot_does_not_wait_for_a_refresh_in_progress(registry: ModelRegistry, tmp_path: Path) -> None:
    """The UI thread reads snapshot() while the card watcher scans and announces: it never waits for that."""
    registry.refresh()
    inside, release = threading.Event(), threading.Event()
    registry.changed.subscribe(lambda _snapshot: (inside.set(), release.wait(30)))
    write_card(tmp_path / "bundled" / "alpha", "alpha", score=0.75)
    refresher = threading.Thread(target=registry.refresh)
    refresher.start()
    try:
        assert inside.wait(30)  # the refresh holds its lock, announcing
        got: list[RegistrySnapshot] = []
        reader = threading.Thread(target=lambda: got.append(registry.snapshot()))
        reader.start()
        reader.join(30)  # a sanity bound: the point is that it ends while the refresh is still blocked
        assert not reader.is_alive() and refresher.is_alive()
        assert got[0].cards[0].threshold("score", 0) == 0.75  # the snapshot being announced
    finally:
        release.set()
        refresher.join()
