"""Print, one per line, the runtime + test requirements minus Qt, for the Qt-free core test environment."""

from __future__ import annotations

import tomllib
from pathlib import Path

SKIP = ("pyside6", "pytest-qt", "shiboken6", "ruff", "mypy", "import-linter")

data = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
project = data["project"]
for req in list(project["dependencies"]) + list(project["optional-dependencies"]["dev"]):
    req = req.split("#")[0].strip()
    if req and not req.lower().startswith(SKIP):
        print(req)
