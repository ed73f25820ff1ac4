"""The services the front ends share, built once by the composition root and handed down."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop_app.core.errors import WriteError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.observable import Observable
from desktop_app.core.paths import UserDirs, bundled_models_dir
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.settings import Settings, SettingsStore

log = logging.getLogger(__name__)

#: Which settings field names the model used for each kind of input.
MODEL_FOR_KIND = {"image": "image_model", "detect": "detect_model", "audio": "audio_model", "table": "table_model",
                  "text": "text_model"}
TASKS_FOR_KIND = {"image": ("classify", "detect", "segment", "pose", "raw"), "detect": ("detect-faces",),
                  "audio": ("vad", "raw"), "table": ("tabular",), "text": ("text-classify",)}


@dataclass(frozen=True)
class SettingsChange:
    """What update_settings announces: the settings before and after, and why the save failed (None: saved)."""

    old: Settings
    new: Settings
    save_error: str | None = None

    @property
    def provider_changed(self) -> bool:
        return self.old.provider != self.new.provider

    def changed(self, *names: str) -> bool:
        """Whether any of these fields differ (all fields when none are named)."""
        if not names:
            return self.old != self.new
        return any(getattr(self.old, name) != getattr(self.new, name) for name in names)


@dataclass
class AppServices:
    """Registry, pipeline and settings of one running app (tests build one in tmp_path)."""

    dirs: UserDirs
    registry: ModelRegistry
    pipeline: Pipeline
    store: SettingsStore
    settings: Settings
    #: Why the last save failed; None once a save succeeds.
    save_error: str | None = None
    #: Announces every update_settings (also a failed save, with its reason), in the calling thread.
    settings_changed: Observable[SettingsChange] = field(default_factory=lambda: Observable("settings"))

    @classmethod
    def create(cls, dirs: UserDirs | None = None, models_dir: Path | None = None) -> AppServices:
        dirs = dirs or UserDirs.default()
        store = SettingsStore(dirs.config / "settings.json")
        settings = store.load()
        registry = ModelRegistry(models_dir or bundled_models_dir(), dirs.models)
        pipeline = Pipeline(registry, SessionPool(settings.provider))
        registry.changed.subscribe(lambda snapshot: pipeline.drop_stale(snapshot.cards))
        return cls(dirs, registry, pipeline, store, settings)

    def update_settings(self, **changes: Any) -> Settings:
        """Change and persist settings; a provider change applies to sessions created from now on. A save that
        fails (disk full, read-only config folder) keeps the change for this run and reports why. A new image
        model without an image task ("Use for images") also makes dropped images go to it, not to faces."""
        old = self.settings
        if "image_model" in changes and "image_task" not in changes:
            card = self.registry.snapshot().card(str(changes["image_model"]))
            changes["image_task"] = card.task if card is not None else old.image_task
        self.settings = replace(self.settings, **changes).validated()
        self.pipeline.pool.choice = self.settings.provider
        try:
            self.store.save(self.settings)
        except WriteError as exc:
            self.save_error = f"settings not saved (they apply until the app closes): {exc}"
            log.warning("%s", self.save_error)
        else:
            self.save_error = None
        self.settings_changed.emit(SettingsChange(old, self.settings, self.save_error))
        return self.settings

    def model_for(self, kind: str) -> str:
        return str(getattr(self.settings, MODEL_FOR_KIND[kind]))

    def models_for(self, kind: str) -> list[ModelCard]:
        """The announced models that take `kind` inputs (no disk access: the registry's latest snapshot)."""
        return [c for c in self.registry.snapshot().cards if c.task in TASKS_FOR_KIND[kind]]
