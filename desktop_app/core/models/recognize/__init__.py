"""Recognition on import: one recogniser per model family, asked in order; the first that answers writes the card.

`recognise(path)` takes an ONNX file or a folder holding one (an Optimum export) and never runs the model:
it reads the declared signature, `metadata_props` and the files beside it, all as untrusted data.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.errors import ModelError
from desktop_app.core.models.inspect import inspect_model
from desktop_app.core.models.recognize import imagenet, optimum, signature, ultralytics  # noqa: F401  (registration)
from desktop_app.core.models.recognize.base import RECOGNISERS, ModelFacts, Recognition

__all__ = ["RECOGNISERS", "ModelFacts", "Recognition", "model_file", "recognise", "recognise_facts"]

#: The order families are asked in (the signature fallback always answers, so it is last).
ORDER = ("ultralytics", "optimum", "imagenet", "signature")


def model_file(path: Path) -> Path:
    """The ONNX file to import: `path` itself, or the one .onnx file in a folder (model.onnx when several)."""
    path = Path(path)
    if not path.is_dir():
        return path
    try:
        found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".onnx" and p.is_file())
    except OSError as exc:
        raise ModelError(f"{path.name}: cannot list the folder: {exc.strerror or exc}") from None
    if len(found) == 1:
        return found[0]
    if not found:
        raise ModelError(f"{path.name}: no .onnx file in this folder")
    if (path / "model.onnx") in found:
        return path / "model.onnx"
    names = ", ".join(p.name for p in found[:5])
    raise ModelError(f"{path.name}: several .onnx files ({names}); import one of them")


def recognise_facts(facts: ModelFacts) -> Recognition:
    """Ask each family in ORDER; the first answer wins."""
    for family in ORDER:
        found = RECOGNISERS[family](facts)
        if found is not None:
            return found
    raise AssertionError("the signature recogniser always answers")


def recognise(path: Path) -> Recognition:
    """What `path` (an ONNX file, or a folder with one) is, as a card; ModelError for an unreadable model or a
    malformed sibling file (one line naming it)."""
    onnx_path = model_file(path)
    return recognise_facts(ModelFacts(onnx_path, inspect_model(onnx_path)))
