"""The describe dialog's form: name, task, the sections of qt_describe_fields (shown for the chosen task, rows
shown when they apply) and the labels. It reads a card's fields and writes the described ones back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.qt.models.qt_describe_fields import (
    DEFAULTS,
    DESCRIBED_TASKS,
    HELPER_KEYS,
    INT_CHOICES,
    SCALES,
    SECTIONS,
    WIDGETS,
    FieldWidget,
    SectionSpec,
    scale_name,
)

LABEL_SOURCES = ("none", "typed", "file")
_LABEL_TASKS = ("classify", "detect", "segment", "pose", "text-classify")


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"image": {"size": [..]}} -> {"image.size": [..]} (tables only; lists stay values)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _same(value: Any) -> Any:
    """[0, 0, 0] -> 0: a per-channel list of one value is that value (how presets are written)."""
    if isinstance(value, (list, tuple)) and value and all(v == value[0] for v in value):
        return value[0]
    return list(value) if isinstance(value, tuple) else value


class QtDescribeForm(QWidget):
    """Every described card field; `changed` fires on each edit, `card_fields()` gives the card's tables."""

    changed = Signal()

    def __init__(self, inputs: tuple[str, ...], outputs: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("name")
        self.task_combo = QComboBox()
        self.task_combo.setAccessibleName("task")
        self.task_combo.addItems(list(DESCRIBED_TASKS))
        general = QFormLayout()
        general.addRow("Name", self.name_edit)
        general.addRow("Task", self.task_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(general)
        self.fields: dict[str, FieldWidget] = {}
        self.forms: dict[str, QFormLayout] = {}
        self.boxes: list[tuple[SectionSpec, QGroupBox]] = []
        for section in SECTIONS:
            box = QGroupBox(section.title)
            form = QFormLayout(box)
            for spec in section.fields:
                field = WIDGETS[spec.kind](spec, outputs, inputs)
                field.changed.connect(lambda key=spec.key: self._on_field_changed(key))
                form.addRow(spec.label, field.widget)
                self.fields[spec.key] = field
                self.forms[spec.key] = form
            self.boxes.append((section, box))
            layout.addWidget(box)
        self.heads_note = QLabel()
        self.heads_note.setWordWrap(True)
        layout.addWidget(self.heads_note)
        layout.addWidget(self._labels_box())
        layout.addStretch(1)
        self._heads: list[Any] = []
        self._recognised_labels: tuple[str, str] | None = None  # (file name import writes, its text)
        self._loading = False
        self.name_edit.textChanged.connect(lambda _t: self._emit())
        self.task_combo.currentTextChanged.connect(lambda _t: self._emit())

    def _labels_box(self) -> QGroupBox:
        self.labels_box = QGroupBox("Labels")
        self.labels_source = QComboBox()
        self.labels_source.setAccessibleName("labels source")
        self.labels_source.addItems(list(LABEL_SOURCES))
        self.labels_text = QPlainTextEdit()
        self.labels_text.setAccessibleName("labels")
        self.labels_text.setPlaceholderText("one class name per line, in class-index order")
        self.labels_text.setFixedHeight(self.fontMetrics().height() * 6)
        self.labels_file = QLineEdit()
        self.labels_file.setAccessibleName("labels file")
        self.labels_browse = QPushButton("Browse…")
        self.labels_browse.clicked.connect(self._browse_labels)
        file_row = QHBoxLayout()
        file_row.addWidget(self.labels_file, 1)
        file_row.addWidget(self.labels_browse)
        self.labels_form = QFormLayout(self.labels_box)
        self.labels_form.addRow("From", self.labels_source)
        self.labels_form.addRow("Names", self.labels_text)
        self.labels_form.addRow("File", file_row)
        self.labels_source.currentTextChanged.connect(lambda _t: self._emit())
        self.labels_text.textChanged.connect(self._emit)
        self.labels_file.textChanged.connect(lambda _t: self._emit())
        return self.labels_box

    def _browse_labels(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Labels file", "", "Text files (*.txt);;All files (*)")
        if name:
            self.labels_file.setText(name)

    # -- reading a card ------------------------------------------------------------------------

    def load(self, data: Mapping[str, Any], model_folder: Path | None, extra_files: Mapping[str, bytes]) -> None:
        """Show a card's fields (defaults where absent); labels import will write from metadata go to Names."""
        self._loading = True
        try:
            flat = flatten(data)
            task = str(data.get("task") or "raw")
            if self.task_combo.findText(task) < 0:
                self.task_combo.addItem(task)
            self.task_combo.setCurrentText(task)
            self.name_edit.setText(str(data.get("name") or ""))
            for key, field in self.fields.items():
                value = flat.get(key, DEFAULTS.get(key))
                field.set_value(str(value) if key in INT_CHOICES and value is not None else value)
            has_scaling = "image.mean" in flat or "image.std" in flat
            mean, std = _same(flat.get("image.mean", 0)), _same(flat.get("image.std", 1))
            if not has_scaling:
                mean, std = DEFAULTS["image.mean"], DEFAULTS["image.std"]
            self.fields["image.mean"].set_value(mean)
            self.fields["image.std"].set_value(std)
            self.fields["image.scale"].set_value(scale_name(mean, std))
            heads = (data.get("classify") or {}).get("heads") if isinstance(data.get("classify"), Mapping) else None
            self._heads = list(heads or [])
            self.heads_note.setText(f"{len(self._heads)} classifier heads, each shown; edit them in model.toml"
                                    if self._heads else "")
            self.heads_note.setVisible(bool(self._heads))
            self._load_labels(data, model_folder, extra_files)
        finally:
            self._loading = False
        self._emit()

    def _load_labels(self, data: Mapping[str, Any], folder: Path | None, extra: Mapping[str, bytes]) -> None:
        labels, labels_file = data.get("labels"), data.get("labels_file")
        self._recognised_labels = None
        self.labels_text.setPlainText("")
        self.labels_file.setText("")
        if isinstance(labels, list):
            self.labels_source.setCurrentText("typed")
            self.labels_text.setPlainText("\n".join(str(v) for v in labels))
        elif isinstance(labels_file, str) and labels_file in extra:
            text = extra[labels_file].decode("utf-8", "replace")
            self._recognised_labels = (labels_file, text)
            self.labels_source.setCurrentText("typed")
            self.labels_text.setPlainText(text.strip("\n"))
        elif isinstance(labels_file, str):
            self.labels_source.setCurrentText("file")
            self.labels_file.setText(str(folder / labels_file) if folder else labels_file)
        else:
            self.labels_source.setCurrentText("none")

    # -- writing the card ----------------------------------------------------------------------

    @property
    def task(self) -> str:
        return self.task_combo.currentText()

    def flat_values(self) -> dict[str, Any]:
        """Every field's current value by dotted key (unreadable text counts as absent here)."""
        values: dict[str, Any] = {"task": self.task}
        for key, field in self.fields.items():
            try:
                values[key] = field.value()
            except ValueError:
                values[key] = None
        return values

    def visible_keys(self) -> list[str]:
        """The fields that apply to the chosen task and the other fields' values."""
        values = self.flat_values()
        return [spec.key for section, _box in self.boxes if self.task in section.tasks
                for spec in section.fields if spec.when(values)]

    def card_fields(self) -> dict[str, Any]:
        """The described card fields as card tables; ValueError names a field whose text cannot be read."""
        data: dict[str, Any] = {"task": self.task}
        if self.name_edit.text().strip():
            data["name"] = self.name_edit.text().strip()
        for key in self.visible_keys():
            if key in HELPER_KEYS:
                continue
            value = self.fields[key].value()
            if value is None:
                continue
            table, _, name = key.partition(".")
            data.setdefault(table, {})[name] = int(value) if key in INT_CHOICES else value
        if self._heads and self.task in ("classify", "text-classify"):
            data.setdefault("classify", {})["heads"] = self._heads
        if self.task in _LABEL_TASKS:
            data.update(self.label_fields())
        return data

    def label_fields(self) -> dict[str, Any]:
        """`labels` (typed), `labels_file` (a file's name; label_source_file() says where it is now), or none."""
        source = self.labels_source.currentText()
        if source == "typed":
            text = self.labels_text.toPlainText()
            if self._recognised_labels and text.strip("\n") == self._recognised_labels[1].strip("\n"):
                return {"labels_file": self._recognised_labels[0]}
            names = [line.strip() for line in text.splitlines() if line.strip()]
            return {"labels": names} if names else {}
        if source == "file" and self.labels_file.text().strip():
            return {"labels_file": Path(self.labels_file.text().strip()).name}
        return {}

    def label_source_file(self) -> Path | None:
        """The labels file the user chose (to copy beside the model), or None."""
        text = self.labels_file.text().strip()
        return Path(text) if self.labels_source.currentText() == "file" and text else None

    # -- reacting to edits ---------------------------------------------------------------------

    def _on_field_changed(self, key: str) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            if key == "image.scale" and self.fields[key].value() in SCALES:
                mean, std = SCALES[self.fields[key].value()]
                self.fields["image.mean"].set_value(mean)
                self.fields["image.std"].set_value(std)
            elif key in ("image.mean", "image.std"):
                values = self.flat_values()
                self.fields["image.scale"].set_value(scale_name(values["image.mean"], values["image.std"]))
        finally:
            self._loading = False
        self._emit()

    def _emit(self) -> None:
        if self._loading:
            return
        self._update_visibility()
        self.changed.emit()

    def _update_visibility(self) -> None:
        visible = set(self.visible_keys())
        for section, box in self.boxes:
            box.setVisible(self.task in section.tasks)
        for key, form in self.forms.items():
            form.setRowVisible(self.fields[key].widget, key in visible)
        self.labels_box.setVisible(self.task in _LABEL_TASKS)
        source = self.labels_source.currentText()
        self.labels_form.setRowVisible(1, source == "typed")
        self.labels_form.setRowVisible(2, source == "file")
