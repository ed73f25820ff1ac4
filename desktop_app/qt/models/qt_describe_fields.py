"""The describe dialog's fields, declared as data: each is a card key (dotted, e.g. "image.layout"), a widget
kind, its choices and when it applies; sections group them per card table and say which tasks show them.

Widgets are made from WIDGETS by kind (no branching on fields); each converts between the widget and the
card's value, and raises ValueError with the field named for text it cannot read."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit, QSpinBox, QWidget

from desktop_app.core.models.card import COLORS, DTYPES, INTERPOLATIONS, LAYOUTS, RESIZE_MODES
from desktop_app.core.models.card_outputs import (
    ACTIVATIONS,
    COORDS,
    DETECT_LAYOUTS,
    POSE_LAYOUTS,
    SCORE_ACTIVATIONS,
    SEGMENT_ACTIVATIONS,
    SEGMENT_KINDS,
)

#: Tasks the dialog offers (a card may hold another, e.g. a bundled family's alias: it is kept and shown).
DESCRIBED_TASKS = ("classify", "detect", "segment", "pose", "text-classify", "raw")
DEFAULT_CHOICE = "(model's first)"
Values = Mapping[str, Any]


def _always(_values: Values) -> bool:
    return True


def _is(key: str, *allowed: Any) -> Callable[[Values], bool]:
    """Visible when the field `key` currently holds one of `allowed`."""
    return lambda values: values.get(key) in allowed


@dataclass(frozen=True)
class FieldSpec:
    """One card field in the dialog: dotted card key, label, widget kind, choices, when it applies, help."""

    key: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    when: Callable[[Values], bool] = _always
    tip: str = ""


@dataclass(frozen=True)
class SectionSpec:
    """A group of fields (one card table, mostly) shown for these tasks."""

    title: str
    tasks: tuple[str, ...]
    fields: tuple[FieldSpec, ...]


class FieldWidget(QObject):
    """Adapter between one spec's widget and its card value; `changed` fires on any edit."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> None:
        super().__init__()
        self.spec = spec
        self.widget = self.build(outputs, inputs)
        self.widget.setToolTip(spec.tip)
        self.widget.setAccessibleName(spec.key)

    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:  # pragma: no cover - abstract
        raise NotImplementedError

    def value(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def set_value(self, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ChoiceField(FieldWidget):
    """A fixed list of card values; a value the card holds that is not listed is added (and kept)."""

    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:
        self.combo = QComboBox()
        self.combo.addItems(list(self.items(outputs, inputs)))
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return self.combo

    def items(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> tuple[str, ...]:
        return self.spec.choices

    def value(self) -> Any:
        text = self.combo.currentText()
        return None if text == DEFAULT_CHOICE else text

    def set_value(self, value: Any) -> None:
        text = DEFAULT_CHOICE if value is None else str(value)
        if self.combo.findText(text) < 0:
            self.combo.addItem(text)
        self.combo.setCurrentText(text)


class OutputField(ChoiceField):
    """One of the model's outputs by name (or the first, left out of the card)."""

    def items(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> tuple[str, ...]:
        return (DEFAULT_CHOICE, *outputs)


class InputField(ChoiceField):
    """One of the model's inputs by name (or the first)."""

    def items(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> tuple[str, ...]:
        return (DEFAULT_CHOICE, *inputs)


class IntField(FieldWidget):
    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:
        self.spin = QSpinBox()
        self.spin.setRange(0, 100_000)
        self.spin.valueChanged.connect(lambda _v: self.changed.emit())
        return self.spin

    def value(self) -> Any:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0)


class FloatField(FieldWidget):
    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:
        self.spin = QDoubleSpinBox()
        self.spin.setRange(0.0, 255.0)
        self.spin.setDecimals(3)
        self.spin.setSingleStep(0.05)
        self.spin.valueChanged.connect(lambda _v: self.changed.emit())
        return self.spin

    def value(self) -> Any:
        return round(self.spin.value(), 6)

    def set_value(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.spin.setValue(float(value))


class BoolField(FieldWidget):
    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:
        self.check = QCheckBox()
        self.check.toggled.connect(lambda _b: self.changed.emit())
        return self.check

    def value(self) -> Any:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(value))


class TextField(FieldWidget):
    """Free text; empty is left out of the card."""

    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:
        self.edit = QLineEdit()
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        return self.edit

    def value(self) -> Any:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class NumbersField(TextField):
    """One number or one per channel, comma-separated ("0", "123.675, 116.28, 103.53")."""

    def value(self) -> Any:
        parts = [p for p in self.edit.text().replace(",", " ").split() if p]
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"{self.spec.key}: {self.edit.text()!r} is not a number or a list of numbers") from None
        numbers = [int(n) if n.is_integer() else n for n in numbers]
        return None if not numbers else numbers[0] if len(numbers) == 1 else numbers

    def set_value(self, value: Any) -> None:
        items = value if isinstance(value, (list, tuple)) else [] if value is None else [value]
        self.edit.setText(", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in items))


class ListField(TextField):
    """Names, comma-separated ("x1, y1, x2, y2, score, class")."""

    def value(self) -> Any:
        names = [p.strip() for p in self.edit.text().split(",") if p.strip()]
        return names or None

    def set_value(self, value: Any) -> None:
        self.edit.setText(", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else "")


class SkeletonField(TextField):
    """"coco17", "none", or pairs as JSON ([[0, 1], [0, 2]])."""

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text.startswith("["):
            return text or None
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{self.spec.key}: write pairs as [[0, 1], [0, 2]], or coco17, or none") from None

    def set_value(self, value: Any) -> None:
        self.edit.setText(json.dumps(value) if isinstance(value, list) else "" if value is None else str(value))


class SizeField(FieldWidget):
    """[width, height]; 0 × 0 leaves the size to the model's fixed input shape."""

    def build(self, outputs: tuple[str, ...], inputs: tuple[str, ...]) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin, name in ((self.width_spin, "width"), (self.height_spin, "height")):
            spin.setRange(0, 8192)
            spin.setSpecialValueText("auto")
            spin.setAccessibleName(f"{self.spec.key} {name}")
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            row.addWidget(spin, 1)
        return box

    def value(self) -> Any:
        w, h = self.width_spin.value(), self.height_spin.value()
        return [w, h] if w and h else None

    def set_value(self, value: Any) -> None:
        w, h = value if isinstance(value, (list, tuple)) and len(value) == 2 else (0, 0)
        self.width_spin.setValue(int(w))
        self.height_spin.setValue(int(h))


WIDGETS: dict[str, type[FieldWidget]] = {
    "choice": ChoiceField, "output": OutputField, "input": InputField, "int": IntField, "float": FloatField,
    "bool": BoolField, "text": TextField, "numbers": NumbersField, "list": ListField, "skeleton": SkeletonField,
    "size": SizeField,
}

#: Scaling presets: name -> (mean, std) on 0–255 pixels (docs/model-cards.md).
SCALES: dict[str, tuple[Any, Any]] = {
    "0-255": (0, 1), "0-1": (0, 255), "-1-1": (127.5, 127.5),
    "imagenet": ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375]),
}
IMAGE_TASKS = ("classify", "detect", "segment", "pose")
BOX_TASKS = ("detect", "segment", "pose")

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("Input picture", IMAGE_TASKS, (
        FieldSpec("image.name", "Input", "input", tip="Which input takes the picture"),
        FieldSpec("image.size", "Size (w × h)", "size", tip="The input size; auto: the model's fixed shape"),
        FieldSpec("image.layout", "Layout", "choice", LAYOUTS, tip="NCHW: channels first; NHWC: channels last"),
        FieldSpec("image.dtype", "Element type", "choice", DTYPES, tip="Must match the model's input type"),
        FieldSpec("image.color", "Colour order", "choice", COLORS),
        FieldSpec("image.scale", "Scaling", "choice", (*SCALES, "custom"),
                  tip="Fills mean and std: value = (pixel − mean) / std"),
        FieldSpec("image.mean", "Mean", "numbers", tip="One number, or one per channel"),
        FieldSpec("image.std", "Std", "numbers", tip="One number, or one per channel"),
        FieldSpec("image.resize", "Resize", "choice", RESIZE_MODES),
        FieldSpec("image.pad", "Letterbox fill", "int", when=_is("image.resize", "letterbox")),
        FieldSpec("image.crop_fraction", "Crop fraction", "float", when=_is("image.resize", "center-crop")),
        FieldSpec("image.size_multiple", "Size multiple", "int", when=_is("image.resize", "native")),
        FieldSpec("image.interpolation", "Interpolation", "choice", INTERPOLATIONS),
    )),
    SectionSpec("Text input", ("text-classify",), (
        FieldSpec("text.tokenizer", "Tokenizer file", "text", tip="A tokenizers file in the model's folder"),
        FieldSpec("text.max_length", "Max tokens", "int"),
        FieldSpec("text.lowercase", "Lowercase", "bool"),
    )),
    SectionSpec("Class scores", ("classify", "text-classify"), (
        FieldSpec("classify.output", "Output", "output", tip="The class scores output"),
        FieldSpec("classify.activation", "Activation", "choice", ACTIVATIONS,
                  tip="none: already probabilities; sigmoid: multi-label"),
    )),
    SectionSpec("Boxes", BOX_TASKS, (
        FieldSpec("detect.output", "Output", "output", when=lambda v: v.get("detect.layout") != "detr"),
        FieldSpec("detect.layout", "Layout", "choice", DETECT_LAYOUTS),
        FieldSpec("detect.columns", "Columns", "list", when=_is("detect.layout", "rows"),
                  tip="x1 y1 x2 y2 or cx cy w h, score, class, objectness, batch, - (skip)"),
        FieldSpec("detect.coords", "Coordinates", "choice", COORDS, when=_is("detect.layout", "rows")),
        FieldSpec("detect.class_offset", "Class offset", "int", tip="1 when class 0 is background"),
        FieldSpec("detect.scores", "Score activation", "choice", SCORE_ACTIVATIONS),
        FieldSpec("detect.logits", "Logits output", "output", when=_is("detect.layout", "detr")),
        FieldSpec("detect.boxes", "Boxes output", "output", when=_is("detect.layout", "detr")),
    )),
    SectionSpec("Masks", ("segment",), (
        FieldSpec("segment.kind", "Kind", "choice", SEGMENT_KINDS),
        FieldSpec("segment.protos", "Prototypes output", "output", when=_is("segment.kind", "instance")),
        FieldSpec("segment.output", "Class map output", "output", when=_is("segment.kind", "semantic")),
        FieldSpec("segment.layout", "Layout", "choice", LAYOUTS, when=_is("segment.kind", "semantic")),
        FieldSpec("segment.activation", "Activation", "choice", SEGMENT_ACTIVATIONS,
                  when=_is("segment.kind", "semantic")),
    )),
    SectionSpec("Keypoints", ("pose",), (
        FieldSpec("pose.layout", "Layout", "choice", POSE_LAYOUTS),
        FieldSpec("pose.output", "Output", "output", when=_is("pose.layout", "keypoints")),
        FieldSpec("pose.keypoints", "Keypoints", "int"),
        FieldSpec("pose.dims", "Values each", "choice", ("3", "2"), tip="x, y, score (3) or x, y (2)"),
        FieldSpec("pose.order", "Order", "choice", ("xy", "yx"), when=_is("pose.layout", "keypoints")),
        FieldSpec("pose.coords", "Coordinates", "choice", COORDS, when=_is("pose.layout", "keypoints")),
        FieldSpec("pose.skeleton", "Skeleton", "skeleton", tip="coco17, none, or pairs [[0, 1], [0, 2]]"),
    )),
    SectionSpec("Thresholds", BOX_TASKS, (
        FieldSpec("thresholds.score", "Score", "float", tip="Detections below are dropped"),
        FieldSpec("thresholds.nms_iou", "Overlap (NMS)", "float", when=lambda v: v.get("detect.layout") != "rows"),
        FieldSpec("thresholds.mask", "Mask cut-off", "float", when=_is("task", "segment")),
        FieldSpec("thresholds.keypoint", "Keypoint score", "float", when=_is("task", "pose")),
    )),
)

#: Values a new description starts from (what the card's parser assumes when a field is absent).
DEFAULTS: dict[str, Any] = {
    "image.layout": "NCHW", "image.dtype": "float32", "image.color": "RGB", "image.scale": "0-1", "image.mean": 0,
    "image.std": 255, "image.resize": "stretch", "image.pad": 114, "image.crop_fraction": 0.875,
    "image.size_multiple": 1, "image.interpolation": "auto", "text.tokenizer": "tokenizer.json",
    "text.max_length": 512, "classify.activation": "auto", "detect.layout": "yolo",
    "detect.columns": ["x1", "y1", "x2", "y2", "score", "class"], "detect.coords": "pixels",
    "detect.scores": "none", "segment.kind": "instance", "segment.layout": "NCHW", "segment.activation": "softmax",
    "pose.layout": "yolo", "pose.keypoints": 17, "pose.dims": "3", "pose.order": "xy", "pose.coords": "pixels",
    "pose.skeleton": "coco17", "thresholds.score": 0.25, "thresholds.nms_iou": 0.45, "thresholds.mask": 0.5,
    "thresholds.keypoint": 0.5,
}
#: Fields written as numbers although a combo shows them.
INT_CHOICES = ("pose.dims",)
#: Dialog-only fields that help fill others and are never written to the card.
HELPER_KEYS = ("image.scale",)


def scale_name(mean: Any, std: Any) -> str:
    """The preset whose mean and std these are, or "custom"."""
    return next((name for name, pair in SCALES.items() if pair == (mean, std)), "custom")
