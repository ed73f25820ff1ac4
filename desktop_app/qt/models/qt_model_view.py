"""Layout of the model manager panel: provider box, action buttons, error strip, problems line, the model
table and the inspector in a splitter. Behaviour lives in QtModelManager."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.qt.models.qt_model_inspector import QtModelInspector
from desktop_app.qt.models.qt_model_table import COLUMNS, QtModelTableModel
from desktop_app.qt.models.qt_provider_box import QtProviderBox

_ERROR_STYLE = "QLabel { background: #5c1f1f; color: #ffd7d5; padding: 4px 6px; border-radius: 3px; }"
_WARN_STYLE = "QLabel { background: #5a4a12; color: #fff1c2; padding: 4px 6px; border-radius: 3px; }"


class QtElidedLabel(QLabel):
    """A one-line label that elides its text at the right instead of widening the panel."""

    def __init__(self) -> None:
        super().__init__()
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        margins = self.contentsMargins().left() + self.contentsMargins().right() + 16  # + stylesheet padding
        width = max(40, self.width() - margins)
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width))


class QtModelManagerView(QWidget):
    """The panel's widgets and their order; no background work and no registry calls here."""

    def __init__(self, provider: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Model manager")
        self.provider_box = QtProviderBox(provider)

        self.import_button = QPushButton("&Import…")
        self.import_button.setAccessibleName("Import model")
        self.import_button.setToolTip("Import ONNX files or a model folder: recognised, then described in a dialog "
                                      "with a live preview (Ctrl+I); you can also drop them on the window")
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setAccessibleName("Edit model card")
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove model")
        self.use_button = QPushButton("&Use for…")
        self.use_button.setAccessibleName("Use model for an input kind")
        self.use_button.setToolTip("Send images, faces, audio or tables to the selected model")
        self.use_menu = QMenu(self.use_button)
        self.use_menu.setToolTipsVisible(True)  # a disabled kind says why
        self.use_button.setMenu(self.use_menu)
        self.tools_button = QPushButton("&Tools")
        self.tools_button.setAccessibleName("Model tools")
        self.tools_button.setToolTip("Edit the card, open the model's folder, reload the cards, benchmark the "
                                     "model on every provider, or make an int8 copy of it")
        self.tools_menu = QMenu(self.tools_button)
        self.tools_menu.setToolTipsVisible(True)
        self.tools_button.setMenu(self.tools_menu)
        self.catalog_button = QPushButton("Cata&log…")
        self.catalog_button.setAccessibleName("Model catalog")
        self.catalog_button.setToolTip("Download a public model (checked against its published sha256), "
                                       "or import one you downloaded by hand")
        buttons = QGridLayout()  # two rows of three: the dock stays narrow enough for a 1366-pixel screen
        for i, button in enumerate((self.import_button, self.catalog_button, self.use_button, self.edit_button,
                                    self.remove_button, self.tools_button)):
            buttons.addWidget(button, i // 3, i % 3)
        buttons.setColumnStretch(3, 1)

        self.error_strip = QtElidedLabel()
        self.error_strip.setAccessibleName("Model manager error")
        self.error_strip.setStyleSheet(_ERROR_STYLE)
        self.error_close = QToolButton()
        self.error_close.setText("✕")
        self.error_close.setAccessibleName("Dismiss error")
        self.error_close.setToolTip("Dismiss")
        self.error_close.clicked.connect(lambda: self.show_error(""))
        error_row = QHBoxLayout()
        error_row.addWidget(self.error_strip, 1)
        error_row.addWidget(self.error_close)
        self.problems_line = QLabel()
        self.problems_line.setAccessibleName("Model problems")
        self.problems_line.setStyleSheet(_WARN_STYLE)
        self.problems_line.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_line.setWordWrap(True)

        self.list_model = QtModelTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Models")
        self.table.setModel(self.list_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Used for"), QHeaderView.ResizeMode.Stretch)  # never scrolled
        for hidden in ("Size", "License", "Origin"):  # in the Model tooltip and the inspector; the dock is narrow
            self.table.setColumnHidden(COLUMNS.index(hidden), True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

        self.inspector = QtModelInspector()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.inspector)
        self.splitter.setStretchFactor(0, 3)  # the list gets most of the extra height: imported models stay in view
        self.splitter.setStretchFactor(1, 2)
        self.table.setMinimumHeight(self._table_height(4))
        self.splitter.setSizes([self._table_height(9), 300])

        layout = QVBoxLayout(self)
        layout.addWidget(self.provider_box)
        layout.addLayout(buttons)
        layout.addLayout(error_row)
        layout.addWidget(self.problems_line)
        layout.addWidget(self.splitter, 1)
        self.show_error("")
        self.show_problems([])
        self._tab_order()

    def _table_height(self, rows: int) -> int:
        """Height showing `rows` rows with the header (the table never scrolls sideways)."""
        table = self.table
        return (table.verticalHeader().defaultSectionSize() * rows + table.horizontalHeader().sizeHint().height()
                + 2 * table.frameWidth())

    def _tab_order(self) -> None:
        box, ins = self.provider_box, self.inspector
        chain: list[QWidget] = [box.combo, box.recheck, self.import_button, self.catalog_button, self.edit_button,
                                self.remove_button, self.use_button,
                                self.tools_button, self.error_close, self.table, ins.copy_button, ins.tabs, ins.io_table]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def show_error(self, text: str, details: str = "") -> None:
        """One line in the error strip (empty text hides it); the full story is the tooltip."""
        line = " ".join(text.split())
        self.error_strip.set_full_text(line)
        self.error_strip.setToolTip(details or line)
        self.error_strip.setVisible(bool(line))
        self.error_close.setVisible(bool(line))

    def show_problems(self, problems: list[str]) -> None:
        """Model folders the registry could not list, as one warning line (all of them in the tooltip)."""
        if not problems:
            self.problems_line.hide()
            return
        first = problems[0] if len(problems) == 1 else f"{problems[0]} (+{len(problems) - 1} more)"
        self.problems_line.setText(f"⚠ {first}")
        self.problems_line.setToolTip("\n".join(problems))
        self.problems_line.show()
