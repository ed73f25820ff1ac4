"""The model catalog (`models/catalog.toml`): public ONNX models with their published sha256 and size.

Parsed and validated once into frozen `CatalogEntry` objects. Nothing here touches the network: a file
the user downloaded by hand is matched to its entry by size and sha256 (`match_by_hash`) and imported
with the entry's model card (`import_entry_file`); downloads live in `download.py`.
"""

from __future__ import annotations

import re
import shutil
import tarfile
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from desktop_app.core.errors import AppError, ModelCardError, ModelError
from desktop_app.core.fileio import sha256_file
from desktop_app.core.models.card import TASKS, ModelCard, parse_card
from desktop_app.core.models.registry import ModelRegistry

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
ARCHIVES = ("tar.gz",)
_ENTRY_KEYS = {"id", "name", "task", "license", "file", "archive", "size", "sha256", "urls", "labels",
               "description", "limitations", "image", "thresholds", "hash_source"}
_CARD_KEYS = ("name", "task", "license", "description", "limitations", "image", "thresholds")
LABELS_NAME = "labels.txt"


class CatalogError(AppError):
    """The catalog file is missing, malformed, or one of its entries does not validate."""


@dataclass(frozen=True)
class HashSource:
    """Where the published hash was read: e.g. a Git LFS pointer at repo/path@commit."""

    repo: str
    path: str
    commit: str
    kind: str

    def describe(self) -> str:
        return f"{self.kind} {self.repo}/{self.path} @ {self.commit[:12]}"


@dataclass(frozen=True)
class CatalogEntry:
    """One downloadable model: published hash and size, mirrors in order, and its model-card fields."""

    id: str
    name: str
    task: str
    license: str
    file: str
    size: int
    sha256: str
    urls: tuple[str, ...]
    hash_source: HashSource
    card_fields: Mapping[str, Any]
    labels_path: Path | None = None
    archive: str | None = None

    @property
    def download_name(self) -> str:
        """The name of the published file (the archive for archive entries)."""
        return urlsplit(self.urls[0]).path.rsplit("/", 1)[-1] or self.file

    def card_overrides(self) -> dict[str, Any]:
        """Card fields for `ModelRegistry.import_model` (id, file and sha256 are set by the registry)."""
        data = {key: self.card_fields[key] for key in _CARD_KEYS if key in self.card_fields}
        data["version"] = self.hash_source.commit[:12]
        data["source"] = {"package": self.hash_source.repo, "file": self.hash_source.path,
                          "version": self.hash_source.commit, "sha256": self.sha256, "url": self.urls[0]}
        if self.labels_path is not None:
            data["labels_file"] = LABELS_NAME
        return data


def _fail(where: str, message: str) -> CatalogError:
    return CatalogError(f"{where}: {message}")


def _str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"'{key}' must be a non-empty string")
    return value


def parse_entry(table: Mapping[str, Any], labels_dir: Path, index: int = 0) -> CatalogEntry:
    """Validate one [[model]] table; raises CatalogError naming the entry and the problem."""
    where = f"catalog entry {table.get('id', index)!r}"
    unknown = sorted(set(table) - _ENTRY_KEYS)
    if unknown:
        raise _fail(where, f"unknown keys {', '.join(unknown)}")
    model_id, file = _str(table, "id", where), _str(table, "file", where)
    task = _str(table, "task", where)
    if task not in TASKS:
        raise _fail(where, f"task {task!r} is not one of {', '.join(TASKS)}")
    sha = _str(table, "sha256", where)
    if not _SHA_RE.fullmatch(sha):
        raise _fail(where, "'sha256' must be 64 lowercase hex digits")
    size = table.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise _fail(where, "'size' must be a positive number of bytes")
    urls = table.get("urls")
    if not isinstance(urls, list) or not urls:
        raise _fail(where, "'urls' must be a non-empty list")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.hostname:
            raise _fail(where, f"download URL {url!r} is not an https:// URL")
    archive = table.get("archive")
    if archive is not None and archive not in ARCHIVES:
        raise _fail(where, f"'archive' must be one of {', '.join(ARCHIVES)}")
    src = table.get("hash_source")
    if not isinstance(src, dict):
        raise _fail(where, "[hash_source] is missing: every published hash must name where it was read")
    source = HashSource(*(_str(src, k, f"{where} [hash_source]") for k in ("repo", "path", "commit", "kind")))
    if not _COMMIT_RE.fullmatch(source.commit):
        raise _fail(where, "[hash_source] 'commit' must be a 40-hex-digit commit id")
    labels_path = None
    if table.get("labels") is not None:
        name = _str(table, "labels", where)
        labels_path = labels_dir / name
        if "/" in name or "\\" in name or not labels_path.is_file():
            raise _fail(where, f"labels file {name!r} is not in {labels_dir}")
    _str(table, "license", where)
    entry = CatalogEntry(
        id=model_id, name=_str(table, "name", where), task=task, license=table["license"], file=file, size=size,
        sha256=sha, urls=tuple(urls), hash_source=source, labels_path=labels_path, archive=archive,
        card_fields=MappingProxyType({k: table[k] for k in _CARD_KEYS if k in table}),
    )
    try:  # the card the entry would install must validate too
        parse_card({"id": model_id, "file": file, "sha256": sha, **entry.card_overrides()}, Path(model_id))
    except ModelCardError as exc:
        raise _fail(where, f"its model card does not validate: {exc}") from None
    return entry


class Catalog:
    """The validated entries of one catalog file, looked up by id or matched by file hash."""

    def __init__(self, entries: tuple[CatalogEntry, ...], path: Path | None = None) -> None:
        self.entries = entries
        self.path = path
        ids = [e.id for e in entries]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise CatalogError(f"catalog: duplicate ids {', '.join(dupes)}")

    @classmethod
    def load(cls, path: Path, labels_dir: Path | None = None) -> Catalog:
        """Read and validate a catalog file; labels files are looked up in `labels_dir` (default: ./labels)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CatalogError(f"cannot read the catalog {path}: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(f"{path.name} is not valid TOML: {exc}") from None
        if data.get("schema") != 1:
            raise CatalogError(f"{path.name}: unsupported catalog schema {data.get('schema')!r}")
        tables = data.get("model", [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise CatalogError(f"{path.name}: [[model]] must be a list of tables")
        labels = labels_dir if labels_dir is not None else path.parent / "labels"
        return cls(tuple(parse_entry(t, labels, i) for i, t in enumerate(tables)), path)

    @classmethod
    def default(cls) -> Catalog:
        """The catalog shipped with the app (models/catalog.toml)."""
        from desktop_app.core.paths import bundled_models_dir

        return cls.load(bundled_models_dir() / "catalog.toml")

    def get(self, entry_id: str) -> CatalogEntry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        known = ", ".join(e.id for e in self.entries) or "none"
        raise CatalogError(f"no catalog entry '{entry_id}' (known: {known})")

    def match_by_hash(self, path: Path) -> CatalogEntry | None:
        """The entry whose published size and sha256 equal this file's, else None (size checked first)."""
        try:
            size = Path(path).stat().st_size
        except OSError as exc:
            raise ModelError(f"{Path(path).name}: cannot read: {exc.strerror or exc}") from None
        candidates = [e for e in self.entries if e.size == size]
        if not candidates:
            return None
        digest = sha256_file(Path(path))
        return next((e for e in candidates if e.sha256 == digest), None)


def extract_model(archive: Path, entry: CatalogEntry, into: Path) -> Path:
    """The single .onnx regular file of a verified tar.gz, written as `into/entry.file` (no links, no paths)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.lower().endswith(".onnx")]
            if len(members) != 1:
                raise ModelError(f"{archive.name}: expected one .onnx file in the archive, found {len(members)}")
            source = tar.extractfile(members[0])
            if source is None:
                raise ModelError(f"{archive.name}: cannot read {members[0].name} from the archive")
            target = into / entry.file
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise ModelError(f"{archive.name}: cannot unpack the archive: {exc}") from None
    return target


def import_entry_file(registry: ModelRegistry, entry: CatalogEntry, path: Path) -> ModelCard:
    """Install a verified download (or hand-downloaded file) of `entry` through the registry, with its card."""
    with tempfile.TemporaryDirectory(prefix=".catalog-", dir=_scratch_parent(registry)) as tmp:
        work = Path(tmp)
        if entry.archive:
            model = extract_model(path, entry, work)
        elif Path(path).name == entry.file:
            model = Path(path)
        else:
            model = work / entry.file  # the registry names the model after its file
            shutil.copyfile(path, model)
        extras: list[Path] = []
        if entry.labels_path is not None:
            extras.append(work / LABELS_NAME)
            shutil.copyfile(entry.labels_path, extras[-1])
        return registry.import_model(model, model_id=entry.id, task=entry.task,
                                     card_overrides=entry.card_overrides(), extra_files=extras)


def import_matched(registry: ModelRegistry, catalog: Catalog, path: Path) -> ModelCard:
    """Offline workflow: import a file downloaded by hand when its size and sha256 match an entry."""
    entry = catalog.match_by_hash(path)
    if entry is None:
        raise ModelError(f"{Path(path).name}: matches no catalog entry by size and sha256 "
                         "(a different version, a corrupt download, or not from the catalog)")
    return import_entry_file(registry, entry, Path(path))


def _scratch_parent(registry: ModelRegistry) -> Path:
    parent = Path(registry.user_dir).parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent
