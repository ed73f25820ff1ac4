"""Print, one per line, the app's runtime requirements for the CUDA flavour: every dependency except the CPU
ONNX Runtime wheel, which the `cuda` extra's onnxruntime-gpu (with PyPI's CUDA and cuDNN libraries) replaces."""

from __future__ import annotations

import tomllib
from pathlib import Path

data = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
project = data["project"]
for req in list(project["dependencies"]) + list(project["optional-dependencies"]["cuda"]):
    req = req.split("#")[0].strip()
    if req and not req.lower().startswith(("onnxruntime>", "onnxruntime=", "onnxruntime-directml")):
        print(req)
