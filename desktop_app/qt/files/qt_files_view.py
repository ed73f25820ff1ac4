"""The files panel's widgets and layout (no behaviour: QtFilesPanel connects them)."""

from __future__ import annotations

from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.batch import BatchProgress
from desktop_app.qt.files.qt_results_table import ERROR, FILTER_MODES, LABEL, THUMB

DROP_HINT = "Drop images, audio or CSV files, texts (.txt), or a folder — or press Ctrl+O"
COLUMN_WIDTHS = (48, 140, 150, 52, 110, 64, 56, 120)  # the Label column stretches to fill the rest
HINT_STYLE = ("QLabel { border: 2px dashed palette(mid); border-radius: 8px; padding: 24px; font-size: 15px;"
              " color: palette(placeholder-text); }")


def _named(widget: QWidget, name: str, tip: str = "") -> None:
    widget.setAccessibleName(name)
    if tip:
        widget.setToolTip(tip)


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    _named(button, name, tip)
    return button


class QtFilesView(QWidget):
    """Open buttons and image model, text row (text models only), filter row, drop hint or results table,
    progress, export row. The panel fills the model lists from the registry's snapshot."""

    def __init__(self, proxy: QSortFilterProxyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_files_button = _button("&Open files…", "Open files", "Choose image, audio or CSV files (Ctrl+O)")
        self.open_folder_button = _button("Open f&older…", "Open folder",
                                          "Run every supported file in a folder (Ctrl+Shift+O)")
        self.task_combo = QComboBox()
        _named(self.task_combo, "Image task", "What dropped images are run through: a classifier, detector, "
               "segmenter or pose model, or face detection")
        self.task_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.task_combo.setMinimumContentsLength(12)
        task_label = QLabel("&Images:")
        task_label.setBuddy(self.task_combo)
        self.model_note = QLabel()  # which model images go to, or why it cannot run
        _named(self.model_note, "Image model")
        self.model_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens
        self.model_note.setMinimumWidth(self.model_note.fontMetrics().horizontalAdvance("→ efficientnet"))
        self.text_row = QWidget()
        self.text_combo = QComboBox()
        _named(self.text_combo, "Text model", "The text classifier typed text and dropped .txt files go to")
        self.text_edit = QPlainTextEdit()
        _named(self.text_edit, "Text to classify", "Type or paste a text, then Classify text (Ctrl+Return)")
        self.text_edit.setPlaceholderText("Type a text to classify…")
        self.text_edit.setMaximumHeight(self.text_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.text_button = _button("Classify &text", "Classify text", "Run the text model on the typed text "
                                   "(Ctrl+Return)")

        self.filter_edit = QLineEdit()
        _named(self.filter_edit, "Filter rows", "Show rows whose file, label or error contains this text")
        self.filter_edit.setPlaceholderText("Filter by file, label or error")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_combo = QComboBox()
        _named(self.filter_combo, "Show rows", "Which rows the table shows")
        self.filter_combo.addItems([m.capitalize() for m in FILTER_MODES])

        self.rerun_bar = QFrame()  # "run the loaded files with the new model?" after a task/model change
        self.rerun_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.rerun_bar.setAccessibleName("Re-run offer")
        self.rerun_label = QLabel()
        self.rerun_label.setWordWrap(True)
        self.rerun_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.rerun_button = _button("Re-r&un", "Re-run loaded files", "Run the files the offer names again with "
                                    "the model now chosen for them (new rows; the old ones stay)")
        self.dismiss_button = _button("Dismiss", "Dismiss re-run offer", "Keep the table as it is")
        rerun = QHBoxLayout(self.rerun_bar)
        rerun.setContentsMargins(8, 2, 8, 2)
        rerun.addWidget(self.rerun_label, 1)
        rerun.addWidget(self.rerun_button)
        rerun.addWidget(self.dismiss_button)
        self.rerun_bar.hide()

        self.table = QTableView()
        self._setup_table(proxy)
        self.hint = QLabel(DROP_HINT)
        _named(self.hint, "Drop hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.table)

        self.progress_bar = QProgressBar()
        _named(self.progress_bar, "Batch progress")
        self.cancel_button = _button("Cancel", "Cancel batch", "Stop the batch (Esc); rows done so far stay")
        self.status_label = QLabel()
        _named(self.status_label, "Batch status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setWordWrap(True)
        self.export_button = _button("&Export…", "Export results",
                                     "Save every row, errors included, as CSV or JSON (Ctrl+E)")
        self.copy_button = _button("Cop&y JSON", "Copy result as JSON", "Copy the selected result as JSON (Ctrl+Shift+C)")
        self.clear_button = _button("C&lear", "Clear results", "Remove every row")
        self._lay_out(task_label)
        self.show_idle()

    def _lay_out(self, task_label: QLabel) -> None:
        top = QHBoxLayout()
        for widget in (self.open_files_button, self.open_folder_button, task_label, self.task_combo):
            top.addWidget(widget)
        top.addWidget(self.model_note, 1)  # the model's name takes the rest of the line
        text_layout = QHBoxLayout(self.text_row)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_label = QLabel("Te&xt:")
        text_label.setBuddy(self.text_edit)
        text_layout.addWidget(text_label, 0, Qt.AlignmentFlag.AlignTop)
        text_layout.addWidget(self.text_combo, 0, Qt.AlignmentFlag.AlignTop)
        text_layout.addWidget(self.text_edit, 1)
        text_layout.addWidget(self.text_button, 0, Qt.AlignmentFlag.AlignTop)
        self.text_row.hide()  # until a text model is installed
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.filter_combo)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.cancel_button)
        bottom = QHBoxLayout()  # the status line gets the full width above the buttons
        bottom.addStretch(1)
        for button in (self.export_button, self.copy_button, self.clear_button):
            bottom.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text_row)
        layout.addLayout(filters)
        layout.addWidget(self.rerun_bar)
        layout.addWidget(self.stack, 1)
        layout.addLayout(progress)
        layout.addWidget(self.status_label)
        layout.addLayout(bottom)

    def _setup_table(self, proxy: QSortFilterProxyModel) -> None:
        table = self.table
        _named(table, "Batch results", "One row per file (a CSV file gives one per CSV row)")
        table.setModel(proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setIconSize(QSize(40, 40))
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(44)
        metrics = table.horizontalHeader().fontMetrics()
        for column, width in enumerate(COLUMN_WIDTHS):  # never narrower than its heading and the sort arrow
            heading = str(proxy.headerData(column, Qt.Orientation.Horizontal) or "")
            table.setColumnWidth(column, max(width, metrics.horizontalAdvance(heading) + 28))
        # No sideways scrolling: the Label column takes what is left; a failure's reason is in its Label
        # ("failed: ...") and tooltip, so the Error column is hidden (exports keep it).
        table.horizontalHeader().setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        table.setColumnHidden(ERROR, True)
        table.setSortingEnabled(True)
        table.sortByColumn(THUMB, Qt.SortOrder.AscendingOrder)  # arrival order until the user sorts

    def show_table(self, shown: bool) -> None:
        self.stack.setCurrentWidget(self.table if shown else self.hint)

    def show_idle(self) -> None:
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Idle")
        self.status_label.setText("No files yet.")

    def show_progress(self, progress: BatchProgress) -> None:
        self.progress_bar.setRange(0, max(1, progress.total))
        self.progress_bar.setValue(progress.done)
        self.progress_bar.setFormat(progress.text())
