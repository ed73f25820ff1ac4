"""ModelRegistry with bundled and user folders in tmp_path: listing, lookup, hashes, import, remove."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import onnx
import pytest

from desktop_app.core.errors import ModelCardError, ModelError, ModelNotFoundError
from desktop_app.core.fileio import sha256_file
from desktop_app.core.models import isolation
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import ModelRegistry


def write_model(folder: Path, model_id: str, model: onnx.ModelProto, *, task: str = "raw", sha: bool = True) -> Path:
    folder.mkdir(parents=True)
    onnx.save_model(model, str(folder / "model.onnx"))
    digest = f'sha256 = "{sha256_file(folder / "model.onnx")}"\n' if sha else ""
    (folder / "model.toml").write_text(f'id = "{model_id}"\nfile = "model.onnx"\ntask = "{task}"\n{digest}')
    return folder


@pytest.fixture(autouse=True)
def _validate_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """This file imports many models: validate in-process (test_isolation.py covers the child process)."""

    def direct(fn, *args, name, timeout_s=0.0, memory_mb=None):  # type: ignore[no-untyped-def]
        return fn(*args)

    monkeypatch.setattr(isolation, "_run_isolated", direct)


@pytest.fixture
def registry(tmp_path: Path, conv_model) -> ModelRegistry:
    bundled = tmp_path / "bundled"
    write_model(bundled / "zeta", "zeta", conv_model())
    write_model(bundled / "alpha", "alpha", conv_model())
    (bundled / "build").mkdir()  # models/build holds scripts, not a model
    return ModelRegistry(bundled, tmp_path / "user" / "models")


def ids(cards: list[ModelCard]) -> list[str]:
    return [card.id for card in cards]


def test_list_bundled_first_sorted(registry: ModelRegistry, conv_model) -> None:
    write_model(registry.user_dir / "b-user", "b-user", conv_model())
    write_model(registry.user_dir / "a-user", "a-user", conv_model())
    cards = registry.list()
    assert ids(cards) == ["alpha", "zeta", "a-user", "b-user"]
    assert [card.bundled for card in cards] == [True, True, False, False]
    assert registry.problems() == []


def test_missing_folders_list_nothing(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "none", tmp_path / "neither")
    assert registry.list() == []
    assert registry.problems() == []


def test_broken_user_card_is_a_problem_not_a_crash(registry: ModelRegistry, conv_model) -> None:
    write_model(registry.user_dir / "good", "good", conv_model())
    broken = registry.user_dir / "broken"
    broken.mkdir()
    (broken / "model.toml").write_text("id = [oops")
    bad_task = write_model(registry.user_dir / "bad-task", "bad-task", conv_model())
    (bad_task / "model.toml").write_text('id = "bad-task"\nfile = "model.onnx"\ntask = "segmentation"\n')
    assert ids(registry.list()) == ["alpha", "zeta", "good"]
    problems = registry.problems()
    assert len(problems) == 2
    assert any("broken/model.toml is not valid TOML" in p for p in problems)
    assert any("'task'" in p for p in problems)
    assert all("\n" not in p for p in problems)


def test_user_id_clashing_with_bundled_is_skipped(registry: ModelRegistry, conv_model) -> None:
    write_model(registry.user_dir / "alpha-copy", "alpha", conv_model())
    cards = registry.list()
    assert ids(cards) == ["alpha", "zeta"]
    assert cards[0].bundled
    assert registry.problems() == ["alpha-copy: id 'alpha' is already used by another model; skipped"]


def test_get_and_not_found(registry: ModelRegistry) -> None:
    assert registry.get("zeta").id == "zeta"
    with pytest.raises(ModelNotFoundError, match="no model with id 'nope' \\(known: alpha, zeta\\)"):
        registry.get("nope")


def test_find_id_path_or_folder(registry: ModelRegistry, tmp_path: Path) -> None:
    assert isinstance(registry.find("alpha"), ModelCard)
    model_file = registry.bundled_dir / "alpha" / "model.onnx"
    assert registry.find(str(model_file)) == model_file
    found = registry.find(str(registry.bundled_dir / "zeta"))
    assert isinstance(found, ModelCard) and found.id == "zeta"
    with pytest.raises(ModelError, match="missing.onnx: file not found"):
        registry.find(str(tmp_path / "missing.onnx"))
    with pytest.raises(ModelNotFoundError):
        registry.find("unknown-id")


def test_verify_detects_modification_and_caches(registry: ModelRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    card = registry.get("alpha")
    registry.verify(card)

    import desktop_app.core.models.registry as registry_module

    calls: list[Path] = []
    real = registry_module.sha256_file
    monkeypatch.setattr(registry_module, "sha256_file", lambda p: calls.append(p) or real(p))
    registry.verify(card)
    registry.verify(card)
    assert calls == []  # unchanged size and mtime: no rehash

    with open(card.path, "r+b") as handle:  # same size, new content
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)
        handle.seek(-1, os.SEEK_END)
        handle.write(bytes([last[0] ^ 0xFF]))
    stat = card.path.stat()
    os.utime(card.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert card.sha256 is not None
    expected = rf"model.onnx: sha256 mismatch \(expected {card.sha256[:8]}…, got [0-9a-f]{{8}}…\) — the file was modified or corrupted"
    with pytest.raises(ModelError, match=expected):
        registry.verify(card)
    assert len(calls) == 1


def test_verify_missing_file(registry: ModelRegistry) -> None:
    card = registry.get("zeta")
    card.path.unlink()
    with pytest.raises(ModelError, match="model.onnx: model file is missing"):
        registry.verify(card)


def test_import_list_get_remove_roundtrip(registry: ModelRegistry, saved_model: Path) -> None:
    card = registry.import_model(saved_model)
    assert card.id == "tiny"
    assert not card.bundled
    assert card.task == "raw" and card.license == "unknown"
    assert card.description.startswith("Imported from tiny.onnx on ")
    assert card.folder == registry.user_dir / "tiny"
    assert card.sha256 == sha256_file(saved_model)
    registry.verify(card)
    assert ids(registry.list()) == ["alpha", "zeta", "tiny"]
    assert registry.get("tiny") == card

    second = registry.import_model(saved_model, name="Tiny again")
    assert second.id == "tiny-2" and second.name == "Tiny again"

    registry.remove("tiny")
    assert ids(registry.list()) == ["alpha", "zeta", "tiny-2"]
    assert not (registry.user_dir / "tiny").exists()
    assert [p.name for p in registry.user_dir.iterdir()] == ["tiny-2"]  # no staging or trash left
    with pytest.raises(ModelNotFoundError):
        registry.remove("tiny")


def test_import_with_external_data_copies_layout(registry: ModelRegistry, tmp_path: Path, conv_model) -> None:
    source = tmp_path / "ext-src"
    (source / "data").mkdir(parents=True)
    onnx.save_model(
        conv_model(), str(source / "My Model (v2).onnx"), save_as_external_data=True,
        all_tensors_to_one_file=True, location="data/weights.bin", size_threshold=0,
    )
    card = registry.import_model(source / "My Model (v2).onnx", model_id="ext")
    assert card.id == "ext"
    assert (card.folder / "data" / "weights.bin").read_bytes() == (source / "data" / "weights.bin").read_bytes()
    shutil.rmtree(source)  # the imported copy stands alone
    from desktop_app.core.models.inspect import check_model

    check_model(card.path)


def test_import_derives_a_valid_id(registry: ModelRegistry, tmp_path: Path, conv_model) -> None:
    path = tmp_path / "__My Model (v2)!.onnx"
    onnx.save_model(conv_model(), str(path))
    assert registry.import_model(path).id == "my-model-v2"


def test_import_with_card_overrides(registry: ModelRegistry, saved_model: Path) -> None:
    overrides = {"image": {"layout": "NCHW", "size": [224, 224], "mean": 127.0, "std": 128.0}, "license": "MIT"}
    card = registry.import_model(saved_model, task="classify", card_overrides=overrides)
    assert card.task == "classify" and card.license == "MIT"
    assert card.image is not None and card.image.std == (128.0, 128.0, 128.0)


def test_import_classify_without_image_is_refused_cleanly(registry: ModelRegistry, saved_model: Path) -> None:
    with pytest.raises(ModelCardError, match=r"needs an \[image\] table"):
        registry.import_model(saved_model, task="classify")
    with pytest.raises(ModelCardError, match="cannot set sha256"):
        registry.import_model(saved_model, card_overrides={"sha256": "0" * 64})
    assert not registry.user_dir.exists() or list(registry.user_dir.iterdir()) == []


def test_import_existing_id_is_refused(registry: ModelRegistry, saved_model: Path) -> None:
    with pytest.raises(ModelError, match="a model with id 'alpha' already exists"):
        registry.import_model(saved_model, model_id="alpha")


def test_import_unsafe_model_leaves_nothing(registry: ModelRegistry, tmp_path: Path, conv_model) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    path = folder / "evil.onnx"
    onnx.save_model(conv_model(), str(path), save_as_external_data=True, location="w.bin", size_threshold=0)
    model = onnx.load(str(path), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = "../secret.bin"
    path.write_bytes(model.SerializeToString())
    (tmp_path / "secret.bin").write_bytes(bytes(4096))
    with pytest.raises(ModelError, match="points outside the model's folder"):
        registry.import_model(path)
    (folder / "junk.onnx").write_bytes(b"\xff\xd8\xff\xe0 not a model")
    with pytest.raises(ModelError, match="JPEG"):
        registry.import_model(folder / "junk.onnx")
    assert not registry.user_dir.exists() or list(registry.user_dir.iterdir()) == []


def test_import_failure_during_copy_removes_staging(
    registry: ModelRegistry, saved_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop_app.core.models.registry as registry_module

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(registry_module.shutil, "copyfile", fail)
    with pytest.raises(ModelError, match="No space left on device"):
        registry.import_model(saved_model)
    assert list(registry.user_dir.iterdir()) == []


def test_bundled_cannot_be_removed(registry: ModelRegistry) -> None:
    with pytest.raises(ModelError, match="bundled models cannot be removed"):
        registry.remove("alpha")
    assert (registry.bundled_dir / "alpha" / "model.onnx").exists()


def test_default_uses_app_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKTOP_APP_MODELS_DIR", str(tmp_path / "bundled"))
    monkeypatch.setenv("DESKTOP_APP_HOME", str(tmp_path / "home"))
    registry = ModelRegistry.default()
    assert registry.bundled_dir == tmp_path / "bundled"
    assert registry.user_dir == tmp_path / "home" / "data" / "models"


def test_imported_card_survives_awkward_names(registry: ModelRegistry, saved_model: Path) -> None:
    name = 'He said "hi"\\ \t tab, DEL \x7f, snow ☃, emoji 🙂'
    card = registry.import_model(saved_model, name=name, card_overrides={"limitations": ["a\nb"]})
    assert card.name == name
    assert card.limitations == ("a\nb",)


def test_registry_never_imports_onnxruntime() -> None:
    import desktop_app.core.models.registry as registry_module

    source = Path(registry_module.__file__).read_text(encoding="utf-8")
    assert "import onnxruntime" not in source


def test_cards_are_parsed_once_and_reread_when_their_file_changes(registry: ModelRegistry,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.core.models.registry as registry_module

    calls: list[Path] = []
    real = registry_module.load_card

    def counting(folder: Path, *, bundled: bool = False) -> ModelCard:
        calls.append(folder)
        return real(folder, bundled=bundled)

    monkeypatch.setattr(registry_module, "load_card", counting)
    first = registry.get("alpha")
    assert registry.get("alpha") is first and registry.get("zeta").id == "zeta"
    assert len(calls) == 2  # each folder parsed once, however often it is looked up
    toml = first.folder / "model.toml"
    toml.write_text(toml.read_text().replace('task = "raw"', 'task = "raw"\nname = "Alpha renamed"'))
    os.utime(toml, ns=(toml.stat().st_atime_ns, toml.stat().st_mtime_ns + 1_000_000_000))
    assert registry.get("alpha").name == "Alpha renamed"
