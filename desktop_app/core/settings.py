"""Typed user settings, stored as JSON in the user config folder and written atomically."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from desktop_app.core.fileio import atomic_write_text
from desktop_app.core.runtime.providers import CHOICES

log = logging.getLogger(__name__)
THEMES = ("system", "light", "dark")
#: What dropped images run: the image model (a classifier, detector, segmenter or pose model) or faces.
IMAGE_TASK_CHOICES = ("classify", "detect-faces", "detect", "segment", "pose")


@dataclass(frozen=True)
class Settings:
    """Choices that persist between runs (window geometry lives in QSettings)."""

    provider: str = "auto"
    theme: str = "system"
    image_model: str = "efficientnet-lite0"
    detect_model: str = "centerface"
    audio_model: str = "silero-vad"
    table_model: str = "adult-income"
    image_task: str = "classify"  # the image model's task, or "detect-faces" (IMAGE_TASK_CHOICES)
    text_model: str = ""  # the text classifier .txt files and typed text go to ("" until one is chosen)
    emotion: bool = True
    top_k: int = 5
    low_confidence: float = 0.3
    last_folder: str = ""
    recent: tuple[str, ...] = field(default_factory=tuple)

    def validated(self) -> Settings:
        """Unknown or out-of-range values fall back to defaults instead of breaking the app."""
        d = Settings()
        return replace(
            self,
            provider=self.provider if self.provider in CHOICES else d.provider,
            theme=self.theme if self.theme in THEMES else d.theme,
            image_task=self.image_task if self.image_task in IMAGE_TASK_CHOICES else d.image_task,
            top_k=self.top_k if 1 <= self.top_k <= 20 else d.top_k,
            low_confidence=self.low_confidence if 0.0 <= self.low_confidence <= 1.0 else d.low_confidence,
            recent=tuple(self.recent)[:10],
        )


class SettingsStore:
    """Loads and saves Settings at `path`; a broken file is kept aside and defaults are used."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        try:
            raw: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", self.path, exc)
            return Settings()
        if not isinstance(raw, dict):
            return Settings()
        known = {f.name: f for f in fields(Settings)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            f = known.get(key)
            if f is None:
                continue
            default = getattr(Settings(), key)
            if isinstance(default, tuple) and isinstance(value, list):
                values[key] = tuple(str(v) for v in value)
            elif isinstance(default, bool) is isinstance(value, bool) and isinstance(value, type(default)):
                values[key] = value
            elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                values[key] = float(value)
        return Settings(**values).validated()

    def save(self, settings: Settings) -> None:
        """Write atomically; a full disk or a read-only config folder raises WriteError, the old file stays."""
        data = asdict(settings)
        data["recent"] = list(settings.recent)
        atomic_write_text(self.path, json.dumps(data, indent=2) + "\n")
