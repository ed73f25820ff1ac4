"""Files panel: drop or open files and folders, run them as a batch, browse, filter, export.

Layout lives here; batches, previews and export live in QtBatchController. A batch dropped while
another runs is queued behind it; Cancel (Esc) stops the running one and clears the queue."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog, QVBoxLayout, QWidget

from desktop_app.core.batch import KIND_BY_EXTENSION, BatchProgress, BatchSummary
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.results import Result
from desktop_app.core.serialize import result_to_dict
from desktop_app.core.services import AppServices, SettingsChange
from desktop_app.qt.files import qt_rerun_offer as rerun
from desktop_app.qt.files.qt_batch_controller import QtBatchController
from desktop_app.qt.files.qt_batch_worker import BatchItem
from desktop_app.qt.files.qt_files_view import QtFilesView
from desktop_app.qt.files.qt_results_table import (
    FILTER_MODES,
    BatchRow,
    QtBatchFilterProxy,
    QtBatchTableModel,
)
from desktop_app.qt.qt_app_state import QtAppState

#: Image models offered for dropped images, in list order, with the word their line starts with.
IMAGE_MODEL_TASKS = {"classify": "Classify", "detect": "Detect", "segment": "Segment", "pose": "Pose"}
FACES = "detect-faces"
NEWEST_EVERY_MS = 400  # while results arrive, the result pane follows the newest this often


class QtFilesPanel(QWidget):
    """Batch of dropped files: table of results, progress, cancel, export."""

    result_selected = Signal(object, object)  # Result, decoded image (np.ndarray) or None
    result_ready = Signal(object)  # Result, for the status bar
    results_added = Signal(object)  # list[Result]: every result of the rows just added, for the monitor
    message = Signal(str)
    batch_finished = Signal(object)  # BatchSummary, after its rows are in the table

    def __init__(self, services: AppServices, parent: QWidget | None = None, *,
                 state: QtAppState | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.state = QtAppState.of(services, state, self)
        self.model = QtBatchTableModel(self)
        self.proxy = QtBatchFilterProxy(services.settings.low_confidence, self)
        self.proxy.setSourceModel(self.model)
        self.controller = QtBatchController(services, self.model, self)
        self._autoselect: int | None = None
        self.follow_newest = True  # the result pane shows each new result until the user picks a row
        self._rerun_kind = "image"  # the kind of loaded file the re-run offer names
        self._selecting = False
        self._newest: int | None = None  # the newest item to show, at most every NEWEST_EVERY_MS
        self._newest_timer = QTimer(self)
        self._newest_timer.setSingleShot(True)
        self._newest_timer.setInterval(NEWEST_EVERY_MS)
        self._newest_timer.timeout.connect(self._show_newest)
        self._shown: tuple[int, int] | None = None  # (item index, row) last sent to the result view
        self._build()
        self._connect()

    def _build(self) -> None:
        self.view = QtFilesView(self.proxy)
        v = self.view
        self.table = v.table
        for button, slot in ((v.open_files_button, self.open_files_dialog), (v.open_folder_button, self.open_folder_dialog),
                             (v.cancel_button, self.cancel), (v.export_button, self.export_dialog),
                             (v.copy_button, self.copy_current), (v.clear_button, self.clear)):
            button.clicked.connect(slot)
        QVBoxLayout(self).addWidget(v)
        self.cancel_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        self.cancel_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.text_shortcut = QShortcut(QKeySequence("Ctrl+Return"), v.text_edit, self.run_typed_text)
        self._fill_models(self.state.models)
        self._update_buttons()

    def _connect(self) -> None:
        c = self.controller
        c.batch_started.connect(self._on_started)
        c.items_added.connect(self._on_items)
        c.batch_finished.connect(self._on_finished)
        c.preview_ready.connect(self._on_preview)
        c.message.connect(self.message)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.view.task_combo.currentIndexChanged.connect(self._on_task)
        self.view.text_combo.currentIndexChanged.connect(self._on_text_model)
        self.view.text_button.clicked.connect(self.run_typed_text)
        self.view.rerun_button.clicked.connect(self.rerun_loaded)
        self.view.dismiss_button.clicked.connect(self.view.rerun_bar.hide)
        self.view.filter_edit.textChanged.connect(lambda text: self.proxy.set_filter(text=text))
        self.view.filter_combo.currentIndexChanged.connect(self._on_filter_mode)
        self.state.settings_changed.connect(self._on_settings_changed)
        self.state.models_changed.connect(self._fill_models)
        self._show_model_note()

    # -- batches ---------------------------------------------------------------------------------

    def run_paths(self, paths: list[Path]) -> None:
        """Run files and folders (folders expand recursively); queued if a batch is running."""
        first = self.controller.run_paths([Path(p) for p in paths])
        self.follow_newest = True  # new files: their results show as they arrive
        if first is not None and len(paths) == 1 and Path(paths[0]).is_file():
            self._autoselect = first  # a single file: show it as soon as its row arrives
        self.view.show_table(True)
        self._update_buttons()

    def run_typed_text(self) -> int | None:
        """Classify the text box's text with the chosen text model (one new row) -> its item index."""
        text, model_id = self.view.text_edit.toPlainText(), str(self.view.text_combo.currentData() or "")
        if not model_id:
            self.message.emit("no text model: import a text classifier first")
            return None
        if not text.strip():
            self.message.emit("type a text to classify first")
            return None
        self._autoselect = self.controller.run_text(text, model_id)
        self.view.show_table(True)
        return self._autoselect

    def cancel(self) -> None:
        """Cancel the running batch (and the queue) and join its thread; done rows stay."""
        if self.controller.cancel():
            self.view.status_label.setText("Cancelling…")
        self._update_buttons()

    def shutdown(self) -> None:
        """Cancel and join every thread of the panel (the window is closing)."""
        self.controller.shutdown()

    def clear(self) -> None:
        if self.controller.busy:
            return
        self.controller.clear()
        self._shown = None
        self.follow_newest = True
        self.view.rerun_bar.hide()
        self.view.show_table(False)
        self.view.show_idle()
        self._update_buttons()

    def _on_started(self, total: int, queued: int) -> None:
        self.view.show_progress(BatchProgress(0, total, None, None))
        behind = f" ({queued} more batch(es) queued)" if queued else ""
        self.view.status_label.setText(f"Running {total} file(s){behind}…")
        self._update_buttons()

    def _on_items(self, first_row: int, items: list[BatchItem], progress: BatchProgress) -> None:
        self.view.show_progress(progress)
        added = [r for item in items for r in item.results]
        if added:
            self.results_added.emit(added)
        if items and items[-1].results:
            self.result_ready.emit(items[-1].results[-1])
        if self._autoselect is not None and any(i.index == self._autoselect for i in items):
            self._select_item(self._autoselect)
            self._autoselect = None
        elif self.follow_newest and items:
            self._newest = items[-1].index  # a batch of 500 must not redraw the pane 500 times
            if not self._newest_timer.isActive():
                self._newest_timer.start()
        self._update_buttons()

    def _show_newest(self) -> None:
        if self.follow_newest and self._newest is not None:
            self._select_item(self._newest)
        self._newest = None

    def _on_finished(self, summary: BatchSummary) -> None:
        self._newest_timer.stop()
        self._show_newest()  # the batch's last result, at once
        queued = self.controller.queued
        more = f" · {queued} batch(es) queued" if queued else ""
        self.view.status_label.setText(summary.text() + more)
        self.message.emit(summary.text())
        self._update_buttons()
        self.batch_finished.emit(summary)

    def _update_buttons(self) -> None:
        busy = self.controller.busy
        self.view.cancel_button.setEnabled(busy)
        self.cancel_shortcut.setEnabled(busy)
        has_rows = bool(self.model.rows)
        self.view.export_button.setEnabled(has_rows)
        self.view.copy_button.setEnabled(has_rows)
        self.view.clear_button.setEnabled(has_rows and not busy)

    # -- selection -------------------------------------------------------------------------------

    def _select_item(self, item_index: int) -> None:
        for source_row, row in enumerate(self.model.rows):
            if row.item_index == item_index:
                index = self.proxy.mapFromSource(self.model.index(source_row, 1))
                if index.isValid():
                    self._selecting = True
                    try:
                        self.table.selectionModel().setCurrentIndex(
                            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                    finally:
                        self._selecting = False
                    self.table.scrollTo(index)
                return

    def current_row(self) -> BatchRow | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        if not self._selecting:
            self.follow_newest = False  # the user picked a row: new results no longer take the pane
        source_row = self.proxy.mapToSource(current).row()
        row = self.model.row_at(source_row)
        key = (row.item_index, source_row)
        if key == self._shown:
            return
        self._shown = key
        if row.image is None:  # audio, CSV rows, failures: nothing to draw
            self.result_selected.emit(row.result, None)
            return
        image = self.controller.cached_preview(row.item_index)
        if image is not None:
            self.result_selected.emit(row.result, image)
        else:
            self.controller.request_preview(row.item_index, Path(row.result.source))

    def _on_preview(self, item_index: int, image: np.ndarray | None) -> None:
        row = self.current_row()
        if row is not None and row.item_index == item_index:
            self.result_selected.emit(row.result, image)

    # -- settings and filters ----------------------------------------------------------------------

    def _fill_models(self, snapshot: RegistrySnapshot | None = None) -> None:
        """The image models (classifiers, detectors, segmenters, pose models) and face detection for dropped
        images, and the text classifiers for typed text and .txt files, from the registry's snapshot."""
        snapshot = snapshot or self.state.models
        combo = self.view.task_combo
        combo.blockSignals(True)
        combo.clear()
        for task, word in IMAGE_MODEL_TASKS.items():
            for card in snapshot.cards:
                if card.task == task:
                    combo.addItem(f"{word}: {card.name}", f"model:{card.id}")
            if task == "classify":
                combo.addItem("Detect faces", FACES)
        combo.blockSignals(False)
        texts = self.view.text_combo
        texts.blockSignals(True)
        texts.clear()
        for card in snapshot.cards:
            if card.task == "text-classify":
                texts.addItem(card.name, card.id)
        texts.blockSignals(False)
        self.view.text_row.setVisible(texts.count() > 0)
        self._select_models()
        if texts.count() and texts.currentData() != self.services.settings.text_model:
            self._on_text_model(texts.currentIndex())  # the only (or first) text model becomes the one used
        self._show_model_note(snapshot)

    def _select_models(self) -> None:
        """Show the settings' choices in both lists (without announcing a change)."""
        settings = self.services.settings
        for combo, data in ((self.view.task_combo, FACES if settings.image_task == FACES
                             else f"model:{settings.image_model}"), (self.view.text_combo, settings.text_model)):
            index = combo.findData(data)
            if index >= 0 and index != combo.currentIndex():
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)

    def _on_task(self, _index: int) -> None:
        combo = self.view.task_combo
        data = str(combo.currentData() or "")
        card = self.state.models.card(data.removeprefix("model:")) if data != FACES else None
        if card is not None:
            self.services.update_settings(image_task=card.task, image_model=card.id)
        else:
            self.services.update_settings(image_task=FACES)
        self.message.emit(f"dropped images now run: {combo.currentText()}")

    def _on_text_model(self, _index: int) -> None:
        model_id = self.view.text_combo.currentData()
        if model_id:
            self.services.update_settings(text_model=str(model_id))

    def _on_settings_changed(self, change: SettingsChange) -> None:
        self._select_models()
        if change.changed("low_confidence"):
            self._on_filter_mode(self.view.filter_combo.currentIndex())
        if change.changed("image_task", "image_model", "detect_model"):
            self._show_model_note()
        for kind in rerun.changed_kinds(change):
            self._offer_rerun(kind)

    def loaded_pictures(self) -> list[Path]:
        """The picture files in the table, once each, in arrival order (the ones still on disk)."""
        return rerun.loaded_files((row.result for row in self.model.rows), "image")

    def _offer_rerun(self, kind: str) -> None:
        """After a kind of file's model changed: offer to run its loaded files again (never on its own)."""
        files = rerun.loaded_files((row.result for row in self.model.rows), kind)
        if not files:
            if kind == self._rerun_kind:
                self.view.rerun_bar.hide()
            return
        self._rerun_kind = kind
        model = self.services.model_for("detect" if kind == "image" and self.services.settings.image_task == FACES
                                        else kind)
        self.view.rerun_label.setText(rerun.offer_text(kind, model, len(files)))
        self.view.rerun_bar.show()

    def rerun_loaded(self) -> None:
        """Run the loaded files the offer names again with their kind's current model (new rows are added)."""
        self.view.rerun_bar.hide()
        files = rerun.loaded_files((row.result for row in self.model.rows), self._rerun_kind)
        if files:
            self.run_paths(files)

    def _show_model_note(self, snapshot: RegistrySnapshot | None = None) -> None:
        """'→ model' for the model dropped images go to, or '⚠ model: why' when its card is missing or broken."""
        kind = "detect" if self.services.settings.image_task == "detect-faces" else "image"
        model_id = self.services.model_for(kind)
        snapshot = snapshot or self.state.models
        note = self.view.model_note
        if snapshot.card(model_id) is not None:
            note.setText(f"→ {model_id}")
            note.setToolTip(f"dropped images run on {model_id}")
            return
        why = snapshot.why_missing(model_id)
        note.setText(f"⚠ {model_id}: {why}")
        note.setToolTip(why)

    def _on_filter_mode(self, index: int) -> None:
        self.proxy.set_filter(mode=FILTER_MODES[index], threshold=self.services.settings.low_confidence)

    # -- dialogs, export, clipboard ------------------------------------------------------------------

    def _start_dir(self) -> str:
        folder = self.services.settings.last_folder
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def _remember_folder(self, folder: Path) -> None:
        self.services.update_settings(last_folder=str(folder))

    def open_files_dialog(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(KIND_BY_EXTENSION))
        names, _ = QFileDialog.getOpenFileNames(self, "Open files", self._start_dir(),
                                                f"Images, audio, CSV and text ({patterns});;All files (*)")
        if names:
            self._remember_folder(Path(names[0]).parent)
            self.run_paths([Path(n) for n in names])

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open folder", self._start_dir())
        if folder:
            self._remember_folder(Path(folder))
            self.run_paths([Path(folder)])

    def export_dialog(self) -> None:
        if not self.model.rows:
            self.message.emit("nothing to export yet")
            return
        start = str(Path(self._start_dir()) / "results.csv")
        name, chosen = QFileDialog.getSaveFileName(self, "Export results", start, "CSV (*.csv);;JSON (*.json)")
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_suffix(".json" if "json" in chosen.lower() else ".csv")
        self.export_to(path)

    def export_to(self, path: Path) -> str | None:
        """Export every row to `path` (.csv or .json); returns None or the one-line error (also shown)."""
        error = self.controller.export_to(Path(path))
        self.view.status_label.setText(f"Export failed: {error}" if error else f"Exported {len(self.model.rows)} rows to {path}")
        return error

    def copy_current(self) -> None:
        """Copy the selected row's result, as the CLI's JSON, to the clipboard."""
        row = self.current_row()
        if row is None:
            self.message.emit("select a row to copy its result")
            return
        QApplication.clipboard().setText(json.dumps(result_to_dict(row.result), ensure_ascii=False, indent=2))
        self.message.emit(f"copied the result of {row.name} as JSON")

    def current_result(self) -> Result | None:
        row = self.current_row()
        return row.result if row else None
