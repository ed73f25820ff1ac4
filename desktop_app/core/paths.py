"""Where the app's files live: bundled resources (checkout or frozen app) and per-user folders."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "DesktopApp"
APP_AUTHOR = "DesktopApp"


def install_root() -> Path:
    """Folder holding `models/` and `resources/`: the frozen bundle's folder or the source checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def bundled_models_dir() -> Path:
    """Folder of the models that ship with the app (override: DESKTOP_APP_MODELS_DIR)."""
    override = os.environ.get("DESKTOP_APP_MODELS_DIR")
    return Path(override) if override else install_root() / "models"


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, found the same way in a checkout and in the frozen app."""
    return install_root().joinpath("resources", *parts)


@dataclass(frozen=True)
class UserDirs:
    """Per-user folders (never inside the install folder); tests point them at tmp_path."""

    data: Path
    config: Path
    logs: Path

    @property
    def models(self) -> Path:
        return self.data / "models"

    @classmethod
    def default(cls) -> UserDirs:
        override = os.environ.get("DESKTOP_APP_HOME")
        if override:
            root = Path(override)
            return cls(data=root / "data", config=root / "config", logs=root / "logs")
        import platformdirs

        return cls(
            data=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            config=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
            logs=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        )

    @classmethod
    def under(cls, root: Path) -> UserDirs:
        return cls(data=root / "data", config=root / "config", logs=root / "logs")
