"""Hugging Face models exported by Optimum: `config.json` (labels, architecture), `preprocessor_config.json`
(size, crop, resampling, scaling) and `tokenizer.json` beside the ONNX file. All three are untrusted JSON:
size-limited, and a malformed one fails with one line naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop_app.core.errors import ModelError
from desktop_app.core.models.recognize.base import (
    ModelFacts,
    Recognition,
    image_guess,
    labels_text,
    recogniser,
)
from desktop_app.core.models.safe_literal import (
    MAX_CONFIG_BYTES,
    MAX_TOKENIZER_BYTES,
    read_json_object,
    read_limited_bytes,
)

#: Sibling files copied with the model (when present), with their size limits.
SIBLINGS = {"config.json": MAX_CONFIG_BYTES, "preprocessor_config.json": MAX_CONFIG_BYTES,
            "tokenizer.json": MAX_TOKENIZER_BYTES, "tokenizer_config.json": MAX_CONFIG_BYTES,
            "special_tokens_map.json": MAX_CONFIG_BYTES}
#: Pillow resampling codes in `resample` → the card's interpolation.
PIL_RESAMPLE = {0: "pil-nearest", 1: "pil-lanczos", 2: "pil-bilinear", 3: "pil-bicubic"}
DEFAULT_MAX_LENGTH = 512
FAMILY = "Hugging Face (Optimum)"

_Builder = Callable[[ModelFacts, dict[str, Any], list[str]], tuple[dict[str, Any], str]]


def _labels(config: dict[str, Any]) -> list[str]:
    """Class names by number from `id2label`; numbers it skips (DETR's COCO table does) are named "class N"."""
    raw = config.get("id2label")
    if raw is None:
        return []
    try:
        table = {int(k): str(v) for k, v in dict(raw).items()}
    except (TypeError, ValueError):
        raise ModelError("config.json: 'id2label' must map class numbers to names") from None
    if table and (min(table) < 0 or max(table) >= 100_000):
        raise ModelError("config.json: 'id2label' class numbers must be between 0 and 99999")
    return [table.get(i, f"class {i}") for i in range(max(table) + 1)] if table else []


def _number(table: dict[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ModelError(f"{where}: '{key}' must be a positive number")
    return float(value)


def _triple(table: dict[str, Any], key: str, default: float) -> list[float]:
    value = table.get(key, default)
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ModelError(f"preprocessor_config.json: '{key}' must be a number or a list of numbers")
    return [float(v) for v in values]


def _side(value: Any, key: str) -> dict[str, int]:
    """A size field as a dict: an int n is {height: n, width: n}."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"height": value, "width": value}
    if isinstance(value, dict) and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value.values()):
        return {str(k): int(v) for k, v in value.items()}
    raise ModelError(f"preprocessor_config.json: '{key}' must be a size (a number or height/width)")


def _image_table(facts: ModelFacts, proc: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """`[image]` from preprocessor_config.json: resize, crop, resampling, rescale and normalisation."""
    guess = image_guess(facts.info.inputs)
    if guess is None:
        raise ModelError(f"{facts.path.name}: no image input (pixel_values) in its signature")
    table = guess.table()
    rescale = _number(proc, "rescale_factor", 1 / 255, "preprocessor_config.json") if proc.get("do_rescale", True) else 1.0
    if proc.get("do_normalize", True):
        mean, std = _triple(proc, "image_mean", 0.5), _triple(proc, "image_std", 0.5)
    else:
        mean, std = [0.0], [1.0]
    table["mean"] = [round(m / rescale, 6) for m in mean]
    table["std"] = [round(s / rescale, 6) for s in std]
    table["color"] = "RGB"
    resample = proc.get("resample", 2)
    table["interpolation"] = PIL_RESAMPLE.get(resample, "pil-bilinear") if isinstance(resample, int) else "pil-bilinear"
    table.update(_resize(guess.width, guess.height, proc, notes))
    return table


def _resize(width: int | None, height: int | None, proc: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    size = _side(proc.get("size", 224), "size")
    crop = _side(proc["crop_size"], "crop_size") if proc.get("do_center_crop") and "crop_size" in proc else None
    if "shortest_edge" in size:
        edge = size["shortest_edge"]
        if crop is not None:  # resize the shorter side, then cut out the crop
            cw, ch = crop.get("width", edge), crop.get("height", edge)
            return {"size": [cw, ch], "resize": "center-crop", "crop_fraction": round(min(cw, ch) / edge, 6)}
        if "crop_pct" in proc and edge < 384:  # ConvNeXt: shorter side to edge / crop_pct, crop edge × edge
            pct = _number(proc, "crop_pct", 0.875, "preprocessor_config.json")
            return {"size": [edge, edge], "resize": "center-crop", "crop_fraction": pct}
        w, h = width or edge, height or edge
        notes.append(f"the processor resizes the shorter side to {edge}; stretched to {w}×{h}")
        return {"size": [w, h], "resize": "stretch"}
    w, h = size.get("width", width or 224), size.get("height", height or 224)
    if crop is not None:
        cw, ch = crop.get("width", w), crop.get("height", h)
        return {"size": [cw, ch], "resize": "center-crop", "crop_fraction": round(min(cw, ch) / min(w, h), 6)}
    return {"size": [w, h], "resize": "stretch"}


def _image_classifier(facts: ModelFacts, config: dict[str, Any], notes: list[str]) -> tuple[dict[str, Any], str]:
    proc = _preprocessor(facts)
    image = _image_table(facts, proc, notes)
    activation = "sigmoid" if config.get("problem_type") == "multi_label_classification" else "softmax"
    card = {"task": "classify", "image": image, "classify": {"output": _output(facts, "logits"), "activation": activation}}
    w, h = image["size"]
    return card, f"image classification, {w}×{h} {image['resize']} {image['interpolation']}"


def _detr(facts: ModelFacts, config: dict[str, Any], notes: list[str]) -> tuple[dict[str, Any], str]:
    names = {o.name for o in facts.info.outputs}
    if not {"logits", "pred_boxes"} <= names:
        raise ModelError(f"{facts.path.name}: object detection without 'logits' and 'pred_boxes' outputs")
    proc = _preprocessor(facts)
    image = _image_table(facts, proc, notes)
    card = {"task": "detect", "image": image, "thresholds": {"score": 0.5},
            "detect": {"layout": "detr", "logits": "logits", "boxes": "pred_boxes"}}
    w, h = image["size"]
    return card, f"DETR-style object detection, {w}×{h} {image['resize']}"


def _text_classifier(facts: ModelFacts, config: dict[str, Any], notes: list[str]) -> tuple[dict[str, Any], str]:
    if facts.sibling("tokenizer.json") is None:
        raise ModelError(f"{facts.path.name}: a text classifier needs tokenizer.json beside it")
    tokenizer_config = _optional_json(facts, "tokenizer_config.json")
    limits = [v for v in (tokenizer_config.get("model_max_length"), config.get("max_position_embeddings"))
              if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 1_000_000]
    max_length = min(limits) if limits else DEFAULT_MAX_LENGTH
    activation = "sigmoid" if config.get("problem_type") == "multi_label_classification" else "softmax"
    card = {"task": "text-classify", "text": {"tokenizer": "tokenizer.json", "max_length": max_length},
            "classify": {"output": _output(facts, "logits"), "activation": activation}}
    return card, f"text classification, tokenizer.json, up to {max_length} tokens"


#: Architecture-name endings → the card builder of that kind of model.
ARCHITECTURES: dict[str, _Builder] = {
    "ForImageClassification": _image_classifier,
    "ForObjectDetection": _detr,
    "ForSequenceClassification": _text_classifier,
}


def _output(facts: ModelFacts, name: str) -> str:
    return name if any(o.name == name for o in facts.info.outputs) else facts.info.outputs[0].name


def _preprocessor(facts: ModelFacts) -> dict[str, Any]:
    path = facts.sibling("preprocessor_config.json")
    return read_json_object(path) if path is not None else {}


def _optional_json(facts: ModelFacts, name: str) -> dict[str, Any]:
    path = facts.sibling(name)
    return read_json_object(path) if path is not None else {}


def _builder(facts: ModelFacts, config: dict[str, Any]) -> _Builder | None:
    archs = config.get("architectures")
    for arch in archs if isinstance(archs, list) else []:
        for ending, builder in ARCHITECTURES.items():
            if isinstance(arch, str) and arch.endswith(ending):
                return builder
    inputs = {i.name for i in facts.info.inputs}
    outputs = {o.name for o in facts.info.outputs}
    if {"logits", "pred_boxes"} <= outputs:
        return _detr
    if "input_ids" in inputs and "logits" in outputs:
        return _text_classifier
    if "pixel_values" in inputs and "logits" in outputs:
        return _image_classifier
    return None


def _check_tokenizer(facts: ModelFacts) -> None:
    """tokenizer.json must be size-limited JSON that the tokenizers library reads."""
    path = facts.sibling("tokenizer.json")
    if path is None:
        return
    read_json_object(path, MAX_TOKENIZER_BYTES)
    from tokenizers import Tokenizer

    try:
        Tokenizer.from_str(path.read_text(encoding="utf-8"))
    except Exception as exc:  # the Rust side raises plain Exceptions with long messages
        reason = " ".join(str(exc).split())[:200]
        raise ModelError(f"tokenizer.json: not a tokenizer file the tokenizers library reads ({reason})") from None


@recogniser("optimum")
def recognise_optimum(facts: ModelFacts) -> Recognition | None:
    """A model with a Hugging Face config.json beside it (architectures or model_type)."""
    path = facts.sibling("config.json")
    if path is None:
        return None
    config = read_json_object(path)
    if "architectures" not in config and "model_type" not in config:
        return None
    builder = _builder(facts, config)
    if builder is None:
        return None
    notes: list[str] = []
    card, what = builder(facts, config, notes)
    _check_tokenizer(facts)
    extra = {name: read_limited_bytes(p, limit) for name, limit in SIBLINGS.items() if (p := facts.sibling(name))}
    labels = _labels(config)
    label_note = "no labels"
    if labels:
        extra["labels.txt"] = labels_text(labels)
        card["labels_file"] = "labels.txt"
        label_note = f"{len(labels)} labels from config.json"
    archs = config.get("architectures")
    arch = str(archs[0]) if isinstance(archs, list) and archs else str(config.get("model_type", "model"))
    summary = f"{FAMILY} {arch}: {what}, {label_note}"
    if notes:
        summary += "; " + "; ".join(notes)
    return Recognition(card, summary, FAMILY, extra_files=extra)
