"""The services the front ends share, built once by the composition root and handed down."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import UserDirs, bundled_models_dir
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.settings import Settings, SettingsStore

#: Which settings field names the model used for each kind of input.
MODEL_FOR_KIND = {"image": "image_model", "detect": "detect_model", "audio": "audio_model", "table": "table_model"}
TASKS_FOR_KIND = {"image": ("classify", "raw"), "detect": ("detect-faces",), "audio": ("vad", "raw"),
                  "table": ("tabular",)}


@dataclass
class AppServices:
    """Registry, pipeline and settings of one running app (tests build one in tmp_path)."""

    dirs: UserDirs
    registry: ModelRegistry
    pipeline: Pipeline
    store: SettingsStore
    settings: Settings

    @classmethod
    def create(cls, dirs: UserDirs | None = None, models_dir: Path | None = None) -> AppServices:
        dirs = dirs or UserDirs.default()
        store = SettingsStore(dirs.config / "settings.json")
        settings = store.load()
        registry = ModelRegistry(models_dir or bundled_models_dir(), dirs.models)
        return cls(dirs, registry, Pipeline(registry, SessionPool(settings.provider)), store, settings)

    def update_settings(self, **changes: Any) -> Settings:
        """Change and persist settings; a provider change applies to sessions created from now on."""
        self.settings = replace(self.settings, **changes).validated()
        self.pipeline.pool.choice = self.settings.provider
        self.store.save(self.settings)
        return self.settings

    def model_for(self, kind: str) -> str:
        return str(getattr(self.settings, MODEL_FOR_KIND[kind]))

    def models_for(self, kind: str) -> list[ModelCard]:
        return [c for c in self.registry.list() if c.task in TASKS_FOR_KIND[kind]]
