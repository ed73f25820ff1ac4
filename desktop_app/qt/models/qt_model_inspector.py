"""Inspector view for one model: signature (inputs/outputs), file facts and the model card.

A pure view: it shows a ModelCard at once and the worker-computed ModelInfo when it arrives."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.inspect import ModelInfo
from desktop_app.qt.models.qt_model_format import card_html, format_shape, info_facts, signature_json


class QtModelInspector(QWidget):
    """Signature table, facts form and model card of the selected model; copies the signature as JSON."""

    copied = Signal(str)  # the JSON put on the clipboard

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Model inspector")
        self.card: ModelCard | None = None
        self.info: ModelInfo | None = None
        self.title = QLabel("Select a model to inspect it.")
        self.title.setAccessibleName("Inspected model")
        self.title.setWordWrap(True)
        self.state = QLabel()
        self.state.setAccessibleName("Inspection state")
        self.state.setWordWrap(True)
        self.copy_button = QPushButton("Copy si&gnature as JSON")
        self.copy_button.setAccessibleName("Copy signature as JSON")
        self.copy_button.setToolTip("Put the model's inputs, outputs and opsets on the clipboard as JSON")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_signature)

        self.io_table = QTableWidget(0, 4)
        self.io_table.setAccessibleName("Model inputs and outputs")
        self.io_table.setHorizontalHeaderLabels(["", "Name", "Type", "Shape"])
        self.io_table.verticalHeader().setVisible(False)
        self.io_table.verticalHeader().setDefaultSectionSize(self.io_table.fontMetrics().height() + 8)
        self.io_table.setWordWrap(False)
        self.io_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.io_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.io_table.horizontalHeader()
        # No sideways scrolling in a narrow dock: a long name is cut to a few words' width (see `show_info`), the
        # shape takes the rest, and what does not fit elides (the whole text is in each cell's tooltip and in
        # "Copy signature as JSON").
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Interactive,
                                       QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(column, mode)
        self.io_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.facts = QWidget()
        self.facts_form = QFormLayout(self.facts)
        self.facts_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.facts_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        facts_scroll = QScrollArea()
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setWidget(self.facts)
        facts_scroll.setAccessibleName("Model file facts")

        self.card_view = QTextBrowser()
        self.card_view.setAccessibleName("Model card")
        self.card_view.setOpenLinks(False)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Inspector sections")
        self.tabs.addTab(self.io_table, "Signature")
        self.tabs.addTab(facts_scroll, "File")
        self.tabs.addTab(self.card_view, "Card")
        self.tools_view = QPlainTextEdit()
        self.tools_view.setAccessibleName("Benchmark and int8 copy results")
        self.tools_view.setReadOnly(True)
        self.tools_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tools_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tools_view.setPlaceholderText("Tools → Benchmark or Make int8 copy… show their results here.")
        self.tools_tab = self.tabs.addTab(self.tools_view, "Benchmark")

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.tabs, 1)
        self.state.hide()

    # -- showing -------------------------------------------------------------------------------

    def show_card(self, card: ModelCard | None) -> None:
        """Show a card at once; its ModelInfo follows through show_info/show_error."""
        self.card, self.info = card, None
        self.copy_button.setEnabled(False)
        self.io_table.setRowCount(0)
        self._clear_facts()
        if card is None:
            self.title.setText("Select a model to inspect it.")
            self.card_view.clear()
            self._set_state("")
            return
        self.title.setText(f"<b>{escape(card.name)}</b> <span style='color: gray'>({escape(card.id)})</span>")
        self.card_view.setHtml(card_html(card))
        self._set_state("Inspecting…")

    def show_info(self, info: ModelInfo) -> None:
        self.info = info
        self._set_state("")
        rows = [("in", t) for t in info.inputs] + [("out", t) for t in info.outputs]
        self.io_table.setRowCount(len(rows))
        for r, (direction, tensor) in enumerate(rows):
            for c, text in enumerate((direction, tensor.name, tensor.dtype, format_shape(tensor))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.io_table.setItem(r, c, item)
        self.io_table.resizeColumnToContents(1)
        widest = self.io_table.fontMetrics().horizontalAdvance("x" * 16)
        self.io_table.setColumnWidth(1, min(self.io_table.columnWidth(1), widest))
        self._clear_facts()
        for label, value in info_facts(info):
            self.facts_form.addRow(label, self._value_widget(label, value))
        self.copy_button.setEnabled(True)

    def show_error(self, text: str) -> None:
        self.info = None
        self.copy_button.setEnabled(False)
        self._set_state(f"⚠ {text}")

    def show_tool_text(self, lines: list[str]) -> None:
        """A benchmark or int8 report (monospace text) in the Benchmark tab, brought to the front."""
        self.tools_view.setPlainText("\n".join(lines))
        self.tabs.setCurrentIndex(self.tools_tab)

    def copy_signature(self) -> None:
        if self.info is None:
            return
        text = signature_json(self.info)
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)

    # -- helpers -------------------------------------------------------------------------------

    def _set_state(self, text: str) -> None:
        self.state.setText(text)
        self.state.setToolTip(text)
        self.state.setVisible(bool(text))

    def _clear_facts(self) -> None:
        while self.facts_form.rowCount():
            self.facts_form.removeRow(0)

    @staticmethod
    def _value_widget(label: str, value: str) -> QWidget:
        if label == "SHA-256":  # one long token: a read-only line edit scrolls and copies cleanly
            edit = QLineEdit(value)
            edit.setReadOnly(True)
            edit.setAccessibleName(label)
            edit.setCursorPosition(0)
            return edit
        field = QLabel(value)
        field.setTextFormat(Qt.TextFormat.PlainText)
        field.setAccessibleName(label)
        field.setWordWrap(True)
        field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long unbreakable token (a path, a producer name) must not widen the dock and the window.
        field.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        field.setMinimumWidth(80)
        field.setToolTip(value)
        return field
