"""What recognition found about a model, the facts it reads, and the registry of recognisers (one per family)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.models.inspect import ModelInfo, TensorInfo

#: Element types an image input may have (the card's `[image] dtype` values).
IMAGE_DTYPES = ("float32", "float16", "uint8", "int32", "int64")


@dataclass(frozen=True)
class Recognition:
    """A card recognised for a model: its fields (task included), files to write beside it (labels.txt made
    from metadata, sibling config/tokenizer files), one summary line, the family, whether anything beyond the
    signature was recognised, and a reason when the model is refused (e.g. oriented boxes)."""

    card: dict[str, Any]
    summary: str
    family: str
    recognised: bool = True
    extra_files: dict[str, bytes] = field(default_factory=dict, repr=False)
    refused: str | None = None


@dataclass(frozen=True)
class ModelFacts:
    """What a recogniser may read: the ONNX file's declared signature and metadata, and its folder."""

    path: Path
    info: ModelInfo

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def metadata(self) -> dict[str, str]:
        return self.info.metadata

    def sibling(self, name: str) -> Path | None:
        """A regular file of that name beside the model, or None."""
        candidate = self.folder / name
        return candidate if candidate.is_file() else None


Recogniser = Callable[[ModelFacts], Recognition | None]
#: Recognisers by family name, asked in this order; the first that answers wins ("signature" always answers).
RECOGNISERS: dict[str, Recogniser] = {}


def recogniser(family: str) -> Callable[[Recogniser], Recogniser]:
    """Decorator registering a family's recogniser under its name."""

    def add(function: Recogniser) -> Recogniser:
        RECOGNISERS[family] = function
        return function

    return add


def fixed(dim: int | str | None) -> int | None:
    """A dimension's value when it is a fixed positive integer, else None (symbolic or unknown)."""
    return dim if isinstance(dim, int) and dim > 0 else None


@dataclass(frozen=True)
class ImageGuess:
    """An image input as read from the signature: name, layout, element type, size (None when dynamic)."""

    name: str
    layout: str
    dtype: str
    channels: int
    width: int | None
    height: int | None

    def table(self) -> dict[str, Any]:
        """The `[image]` fields the signature tells."""
        out: dict[str, Any] = {"name": self.name, "layout": self.layout, "dtype": self.dtype}
        if self.channels == 1:
            out["color"] = "GRAY"
        if self.width and self.height:
            out["size"] = [self.width, self.height]
        return out

    def describe(self) -> str:
        size = f"{self.width}×{self.height}" if self.width and self.height else "any size"
        return f"{size} {self.layout} {self.dtype}"


def image_guess(inputs: tuple[TensorInfo, ...]) -> ImageGuess | None:
    """The first rank-4 input with 1 or 3 channels first (NCHW) or last (NHWC), as an image; else None."""
    for tensor in inputs:
        if tensor.dtype not in IMAGE_DTYPES or not tensor.rank_known or len(tensor.shape) != 4:
            continue
        _, d1, d2, d3 = tensor.shape
        if fixed(d1) in (1, 3) or (fixed(d3) is None and _channels_named(d1, tensor.name)):
            return ImageGuess(tensor.name, "NCHW", tensor.dtype, fixed(d1) or 3, fixed(d3), fixed(d2))
        if fixed(d3) in (1, 3) or (fixed(d1) is None and _channels_named(d3, "")):
            return ImageGuess(tensor.name, "NHWC", tensor.dtype, fixed(d3) or 3, fixed(d2), fixed(d1))
    return None


def _channels_named(dim: int | str | None, input_name: str) -> bool:
    """A symbolic channel dimension ("num_channels"), or Hugging Face's `pixel_values` input (channels first)."""
    return (isinstance(dim, str) and "channel" in dim.lower()) or input_name == "pixel_values"


def labels_text(names: list[str]) -> bytes:
    """labels.txt content: one name per line, line breaks inside names made spaces, empty names numbered."""
    lines = [" ".join(str(name).split()) or f"class {i}" for i, name in enumerate(names)]
    return ("\n".join(lines) + "\n").encode("utf-8")
