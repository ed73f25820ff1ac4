"""The models the app knows: bundled ones (install folder) and the user's imported ones (user data folder).

Model files are never executed here (no onnxruntime import); this module reads cards, checks hashes,
and imports or removes user models with atomic folder renames. An imported model is validated
(inspect, ONNX checker, an ONNX Runtime CPU session) in a child process with a time and memory limit
(models/isolation.py), so that a model that crashes ONNX Runtime or eats all memory becomes a message.
"""

from __future__ import annotations

import builtins
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import AppError, ModelError, ModelNotFoundError
from desktop_app.core.fileio import sha256_file
from desktop_app.core.models.card import ModelCard, load_card
from desktop_app.core.observable import Observable

#: (folder, (mtime_ns, size) of its model.toml or None) for every model folder: what refresh() compares.
_Stamp = tuple[tuple[str, tuple[int, int] | None], ...]


@dataclass(frozen=True)
class RegistrySnapshot:
    """The models listed at one moment: cards (bundled then user, by id) and one line per broken folder."""

    cards: tuple[ModelCard, ...] = ()
    problems: tuple[str, ...] = ()

    def ids(self) -> builtins.list[str]:
        return [card.id for card in self.cards]

    def card(self, model_id: str) -> ModelCard | None:
        return next((card for card in self.cards if card.id == model_id), None)

    def why_missing(self, model_id: str, default: str = "no such model") -> str:
        """The problem line naming `model_id` (its card is broken or clashes), else `default`."""
        return next((problem for problem in self.problems if model_id in problem), default)


class ModelRegistry:
    """Bundled + user model cards, looked up by id; imports into and removes from the user folder."""

    def __init__(self, bundled_dir: Path, user_dir: Path) -> None:
        self.bundled_dir = Path(bundled_dir)
        self.user_dir = Path(user_dir)
        self._problems: builtins.list[str] = []
        self._verified: dict[Path, tuple[int, int, str]] = {}
        # parsed cards by folder, reused while model.toml keeps its size and mtime: the live paths
        # look cards up on every frame, and parsing TOML each time cost milliseconds per frame
        self._cards: dict[tuple[Path, bool], tuple[tuple[int, int], ModelCard]] = {}
        self._cards_lock = threading.Lock()
        #: Announces a new RegistrySnapshot whenever refresh() finds the models changed (any thread).
        self.changed: Observable[RegistrySnapshot] = Observable("model registry")
        self._refresh_lock = threading.RLock()
        self._stamp: _Stamp | None = None
        self._snapshot: RegistrySnapshot | None = None

    @classmethod
    def default(cls) -> ModelRegistry:
        from desktop_app.core.paths import UserDirs, bundled_models_dir

        return cls(bundled_models_dir(), UserDirs.default().models)

    # -- listing -------------------------------------------------------------------------------

    def list(self) -> builtins.list[ModelCard]:
        """Bundled cards then user cards, each sorted by id; broken or clashing cards go to problems()."""
        problems: builtins.list[str] = []
        bundled = self._scan(self.bundled_dir, bundled=True, problems=problems)
        user = self._scan(self.user_dir, bundled=False, problems=problems)
        ids = {card.id for card in bundled}
        kept = []
        for card in user:
            if card.id in ids:
                problems.append(f"{card.folder.name}: id '{card.id}' is already used by another model; skipped")
                continue
            ids.add(card.id)
            kept.append(card)
        self._problems = problems
        return bundled + kept

    def problems(self) -> builtins.list[str]:
        """One line per model folder that could not be listed, from the latest scan."""
        self.list()
        return builtins.list(self._problems)

    # -- change announcements -------------------------------------------------------------------

    def snapshot(self) -> RegistrySnapshot:
        """The latest announced snapshot (scanning once if there is none yet); no disk access after that, and
        no waiting for a refresh in progress (the UI thread reads this while the card watcher scans)."""
        snapshot = self._snapshot
        if snapshot is not None:
            return snapshot
        with self._refresh_lock:
            if self._snapshot is None:
                self.refresh()
            assert self._snapshot is not None
            return self._snapshot

    def refresh(self) -> RegistrySnapshot | None:
        """Re-scan when a model folder appeared or went, or a model.toml changed (mtime_ns, size); announce
        and return the new snapshot when cards or problems differ, else None. Cheap when nothing changed:
        one stat per folder, no parsing. Called by the card watcher about once a second, off the UI thread."""
        with self._refresh_lock:
            stamp = self._stamp_now()
            if stamp == self._stamp and self._snapshot is not None:
                return None
            self._stamp = stamp
            cards = self.list()
            snapshot = RegistrySnapshot(tuple(cards), tuple(self._problems))
            if snapshot == self._snapshot:
                return None
            self._snapshot = snapshot
            self.changed.emit(snapshot)  # under the lock: subscribers see snapshots in order
            return snapshot

    def _stamp_now(self) -> _Stamp:
        entries: builtins.list[tuple[str, tuple[int, int] | None]] = []
        for root in (self.bundled_dir, self.user_dir):
            for folder in self._children(root):
                try:
                    st = (folder / "model.toml").stat()
                except OSError:
                    entries.append((str(folder), None))
                    continue
                entries.append((str(folder), (st.st_mtime_ns, st.st_size)))
        return tuple(sorted(entries))

    def _load(self, folder: Path, *, bundled: bool) -> ModelCard:
        """load_card, cached while the card file's size and mtime stay the same."""
        try:
            st = (folder / "model.toml").stat()
        except OSError:
            return load_card(folder, bundled=bundled)  # raises the card error with its reason
        stamp = (st.st_mtime_ns, st.st_size)
        key = (folder, bundled)
        with self._cards_lock:
            cached = self._cards.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        card = load_card(folder, bundled=bundled)
        with self._cards_lock:
            self._cards[key] = (stamp, card)
        return card

    def _scan(self, root: Path, *, bundled: bool, problems: builtins.list[str]) -> builtins.list[ModelCard]:
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        except FileNotFoundError:
            return []
        except OSError as exc:
            problems.append(f"{root}: cannot list models: {exc.strerror or exc}")
            return []
        cards: dict[str, ModelCard] = {}
        for folder in folders:
            if not (folder / "model.toml").is_file():
                continue  # e.g. models/build: not a model
            try:
                card = self._load(folder, bundled=bundled)
            except AppError as exc:
                problems.append(str(exc))
                continue
            if card.id in cards:
                problems.append(f"{folder.name}: id '{card.id}' is already used by another model; skipped")
                continue
            cards[card.id] = card
        return [cards[key] for key in sorted(cards)]

    def get(self, model_id: str) -> ModelCard:
        """The card with this id; ModelNotFoundError naming the known ids otherwise."""
        cards = self.list()
        for card in cards:
            if card.id == model_id:
                return card
        problem = self._problem_naming(model_id)
        if problem is not None:  # the card is there but broken or clashing: say why, not "no model"
            raise ModelNotFoundError(problem)
        known = ", ".join(card.id for card in cards) or "none"
        raise ModelNotFoundError(f"no model with id '{model_id}' (known: {known})")

    def _problem_naming(self, model_id: str) -> str | None:
        """The latest scan's problem line about `model_id`: its folder's card error, or its id clash."""
        for problem in self._problems:
            if problem.startswith((f"{model_id}/", f"{model_id}:")) or f"'{model_id}'" in problem:
                return problem
        return None

    def find(self, id_or_path: str) -> ModelCard | Path:
        """For "inspect ID_OR_PATH": a model folder's card, a model file's path, or a registered id."""
        candidate = Path(id_or_path)
        if candidate.is_dir() and (candidate / "model.toml").is_file():
            bundled = candidate.resolve().is_relative_to(self.bundled_dir.resolve())
            return load_card(candidate, bundled=bundled)
        if candidate.is_file():
            return candidate
        looks_like_path = candidate.suffix.lower() == ".onnx" or any(sep in id_or_path for sep in "/\\")
        if looks_like_path:
            raise ModelError(f"{candidate.name}: file not found")
        return self.get(id_or_path)

    # -- integrity -----------------------------------------------------------------------------

    def verify(self, card: ModelCard) -> None:
        """Check the model file against card.sha256; unchanged files (size, mtime) are not rehashed."""
        path = card.path
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise ModelError(f"{card.file}: model file is missing from {card.folder}") from None
        except OSError as exc:
            raise ModelError(f"{card.file}: cannot read the model file: {exc.strerror or exc}") from None
        if card.sha256 is None:
            return
        key = path.resolve()
        cached = self._verified.get(key)
        if cached is not None and cached[:2] == (stat.st_size, stat.st_mtime_ns):
            actual = cached[2]
        else:
            try:
                actual = sha256_file(path)
            except OSError as exc:
                raise ModelError(f"{card.file}: cannot read the model file: {exc.strerror or exc}") from None
            self._verified[key] = (stat.st_size, stat.st_mtime_ns, actual)
        if actual != card.sha256:
            raise ModelError(
                f"{card.file}: sha256 mismatch (expected {card.sha256[:8]}…, got {actual[:8]}…) "
                "— the file was modified or corrupted"
            )

    # -- import / remove -----------------------------------------------------------------------

    def import_model(
        self,
        path: Path,
        *,
        model_id: str | None = None,
        task: str | None = None,
        name: str | None = None,
        card_overrides: Mapping[str, Any] | None = None,
        extra_files: Sequence[Path] = (),
        recognise: bool | None = None,
        validate_timeout_s: float = 60.0,
        validate_memory_mb: int | None = None,
    ) -> ModelCard:
        """Validate an ONNX file (or a folder holding one with its config/tokenizer files), recognise it unless
        a task is given, and install it with its card; see importer.import_model (which also returns the
        recognition summary, kept in the card's `recognised` field)."""
        from desktop_app.core.models.importer import import_model

        return import_model(self, path, model_id=model_id, task=task, name=name, card_overrides=card_overrides,
                            extra_files=extra_files, recognise=recognise, validate_timeout_s=validate_timeout_s,
                            validate_memory_mb=validate_memory_mb).card

    def taken_ids(self) -> set[str]:
        """Ids a new user model cannot take: every listed card's, and every user folder's name."""
        return {card.id for card in self.list()} | {p.name for p in self._children(self.user_dir)}

    @staticmethod
    def _children(root: Path) -> builtins.list[Path]:
        try:
            return [p for p in root.iterdir() if not p.name.startswith(".")]
        except OSError:
            return []

    def remove(self, model_id: str) -> None:
        """Delete a user model's folder; bundled models cannot be removed."""
        card = self.get(model_id)
        if card.bundled:
            raise ModelError(f"'{model_id}': bundled models cannot be removed")
        folder = card.folder.resolve()
        root = self.user_dir.resolve()
        if folder == root or not folder.is_relative_to(root):
            raise ModelError(f"'{model_id}' is not inside the user models folder; not removed")
        trash = Path(tempfile.mkdtemp(prefix=".remove-", dir=root)) / folder.name
        try:
            os.rename(folder, trash)  # vanish from list() at once, then delete at leisure
        except OSError as exc:
            shutil.rmtree(trash.parent, ignore_errors=True)
            raise ModelError(f"'{model_id}': cannot remove: {exc.strerror or exc}") from None
        shutil.rmtree(trash.parent, ignore_errors=True)
        self._verified = {k: v for k, v in self._verified.items() if not k.is_relative_to(folder)}
        self.refresh()  # announce the removal at once
