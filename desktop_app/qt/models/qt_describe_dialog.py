""""Describe this model": the card's fields pre-filled with what import recognised (or the card being edited),
the model's signature to choose outputs from, and a live preview. A description the card parser refuses shows
its one line and disables Import/Save."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import AppError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.inspect import ModelInfo
from desktop_app.core.models.preview import PreviewRunner, preview_card
from desktop_app.qt.models.qt_describe_form import QtDescribeForm
from desktop_app.qt.models.qt_describe_preview import QtDescribePreview
from desktop_app.qt.models.qt_model_format import format_shape
from desktop_app.qt.qt_focus_ring import QtFocusRing

_ERROR_STYLE = "QLabel { background: #5c1f1f; color: #ffd7d5; padding: 4px 6px; border-radius: 3px; }"
_NOTE_STYLE = "QLabel { padding: 4px 6px; border-radius: 3px; background: palette(alternate-base); }"


@dataclass(frozen=True)
class DescribeRequest:
    """What the dialog describes: the imported file or folder (or the installed model when editing), the ONNX
    file the preview runs, the fields to start from, what recognition said, the signature, and files import
    writes beside the model (labels from metadata)."""

    source: Path
    model_file: Path
    fields: dict[str, Any]
    summary: str = ""
    recognised: bool = False
    refused: str | None = None
    info: ModelInfo | None = None
    extra_files: dict[str, bytes] = field(default_factory=dict)
    card: ModelCard | None = None  # set when an installed model is edited

    @property
    def recognition_line(self) -> str:
        """One line saying what import recognised (or that nothing was)."""
        if self.card is not None:
            return f"Editing {self.card.id}: changes are saved to {self.card.folder.name}/model.toml"
        if self.refused:
            return f"Not supported: {self.refused}"
        return f"Recognised: {self.summary}" if self.recognised else "Not recognised: describe the model"


@dataclass(frozen=True)
class DescribeOutcome:
    """What the user accepted: the card fields, and a labels file to copy beside the model (or None)."""

    request: DescribeRequest
    fields: dict[str, Any]
    labels_file: Path | None = None


def signature_table(info: ModelInfo | None) -> QTableWidget:
    """Inputs and outputs (name, element type, shape), so outputs can be chosen by name."""
    tensors = [("in", t) for t in info.inputs] + [("out", t) for t in info.outputs] if info else []
    table = QTableWidget(len(tensors), 4)
    table.setAccessibleName("Signature")
    table.setHorizontalHeaderLabels(["", "name", "type", "shape"])
    for row, (kind, tensor) in enumerate(tensors):
        for col, text in enumerate((kind, tensor.name, tensor.dtype, format_shape(tensor))):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, col, item)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    rows = min(max(len(tensors), 1), 5)
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader()
                         .defaultSectionSize() + 2 * table.frameWidth() + 2)
    return table


class QtDescribeDialog(QDialog):
    """The describe dialog: form (scrolling) and signature on the left, live preview on the right."""

    described = Signal(object)  # DescribeOutcome, when Import/Save is pressed on a valid description

    def __init__(self, request: DescribeRequest, runner: PreviewRunner, inputs: list[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        editing = request.card is not None
        self.setWindowTitle(f"Describe this model — {request.source.name}")
        self.setAccessibleName("Describe this model")
        self.focus_ring = QtFocusRing(self)  # keyboard focus is always visible
        self.recognised_line = QLabel(request.recognition_line)
        self.recognised_line.setAccessibleName("Recognised")
        self.recognised_line.setWordWrap(True)
        self.recognised_line.setStyleSheet(_NOTE_STYLE)
        info = request.info
        self.form = QtDescribeForm(tuple(t.name for t in info.inputs) if info else (),
                                   tuple(t.name for t in info.outputs) if info else ())
        self.signature = signature_table(info)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("Signature"))
        left_layout.addWidget(self.signature)
        left_layout.addWidget(self.form, 1)
        self.form_scroll = QScrollArea()
        self.form_scroll.setAccessibleName("Model card fields")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(left)
        self.preview = QtDescribePreview(runner, request.model_file, request.extra_files, inputs)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.form_scroll)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.error_line = QLabel()
        self.error_line.setAccessibleName("Description error")
        self.error_line.setWordWrap(True)
        self.error_line.setTextFormat(Qt.TextFormat.PlainText)
        self.error_line.setStyleSheet(_ERROR_STYLE)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.accept_button: QPushButton = self.buttons.addButton(
            "&Save" if editing else "&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setAccessibleName("Save card" if editing else "Import model")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.recognised_line)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_line)
        layout.addWidget(self.buttons)
        self.form.changed.connect(self._on_changed)
        self.form.load(request.fields, request.card.folder if request.card else None, request.extra_files)
        self._fit_screen(splitter)

    def _fit_screen(self, splitter: QSplitter) -> None:
        """At most the screen's available size (1366×768 included); the form scrolls, the preview shrinks."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        width = min(1220, available.width() - 40) if available else 1220
        height = min(760, available.height() - 60) if available else 700
        self.resize(width, height)
        form_width = max(440, self.form.sizeHint().width() + self.form_scroll.verticalScrollBar().sizeHint().width() + 24)
        splitter.setSizes([form_width, max(300, width - form_width)])

    # -- validation and preview ----------------------------------------------------------------

    def fields(self) -> dict[str, Any]:
        """The card fields as described now (ValueError or AppError when they do not make a card)."""
        fields = self.form.card_fields()
        preview_card(fields, self.request.model_file, self._label_bytes(fields))
        return fields

    def _label_bytes(self, fields: Mapping[str, Any]) -> dict[str, bytes]:
        """Files the card may read that are not beside the model yet: metadata labels, a chosen labels file."""
        files = dict(self.request.extra_files)
        chosen = self.form.label_source_file()
        name = fields.get("labels_file")
        if chosen is not None and isinstance(name, str) and not (self.request.model_file.parent / name).is_file():
            try:
                files[name] = chosen.read_bytes()
            except OSError as exc:
                raise ValueError(f"labels file {chosen.name}: {exc.strerror or exc}") from None
        return files

    def _on_changed(self) -> None:
        try:
            fields = self.fields()
        except (ValueError, AppError) as exc:
            self.show_error(str(exc))
            self.preview.request(None, str(exc))
            return
        self.show_error("")
        self.preview.extra_files = self._label_bytes(fields)
        self.preview.request(fields)

    def show_error(self, text: str) -> None:
        """The one-line reason the description is refused (empty: none); Import/Save only when there is none."""
        self.error_line.setText(text)
        self.error_line.setVisible(bool(text))
        self.accept_button.setEnabled(not text)
        self.accept_button.setToolTip(text or "")

    # -- closing -------------------------------------------------------------------------------

    def accept(self) -> None:
        try:
            fields = self.fields()
        except (ValueError, AppError) as exc:
            self.show_error(str(exc))
            return
        chosen = self.form.label_source_file()
        name = fields.get("labels_file")
        copy = chosen if chosen is not None and name == chosen.name and chosen.parent != self.request.model_file.parent \
            else None
        self.described.emit(DescribeOutcome(self.request, fields, copy))
        super().accept()

    def done(self, result: int) -> None:
        self.preview.shutdown()
        super().done(result)
