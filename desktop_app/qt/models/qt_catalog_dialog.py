"""The "Catalog…" dialog of the model manager: browse catalog entries, download one (progress, Cancel),
show where a model lives, and import a file downloaded by hand (matched to its entry by sha256).

Nothing here opens a connection on its own: only the Download button starts network access.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import ModelNotFoundError
from desktop_app.core.models.catalog import Catalog, CatalogEntry, import_matched
from desktop_app.core.models.download import DownloadProgress, download_entry, staging_dir
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.qt.qt_focus_ring import QtFocusRing
from desktop_app.qt.qt_workers import Worker, WorkerController, failure_line

HEADERS = ("Name", "Task", "Size", "License", "Status")


class CatalogDownloadWorker(Worker):
    """Downloads, verifies and imports one entry; Cancel deletes the partial file."""

    progress = Signal(object)  # DownloadProgress
    installed = Signal(object)  # ModelCard

    def __init__(self, entry: CatalogEntry, registry: ModelRegistry, staging: Path) -> None:
        super().__init__()
        self.entry, self.registry, self.staging = entry, registry, staging

    def work(self) -> None:
        card = download_entry(self.entry, self.registry, staging=self.staging, progress=self.progress.emit,
                              cancel=self._cancel)
        self.installed.emit(card)


class CatalogMatchWorker(Worker):
    """Hashes a hand-downloaded file and imports it when it matches an entry."""

    installed = Signal(object)

    def __init__(self, catalog: Catalog, registry: ModelRegistry, path: Path) -> None:
        super().__init__()
        self.catalog, self.registry, self.path = catalog, registry, path

    def work(self) -> None:
        self.installed.emit(import_matched(self.registry, self.catalog, self.path))


class QtCatalogDialog(QDialog):
    """Catalog browser; emits `installed(model_id)` after a model was added to the registry."""

    installed = Signal(str)

    def __init__(self, catalog: Catalog, registry: ModelRegistry, staging: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model catalog")
        self.focus_ring = QtFocusRing(self)  # keyboard focus is always visible
        self.catalog, self.registry = catalog, registry
        self.staging = staging if staging is not None else staging_dir()
        self.controller = WorkerController("catalog", self)
        self.controller.stopped.connect(self._update_buttons)

        self.table = QTableWidget(len(catalog.entries), len(HEADERS))
        self.table.setAccessibleName("Catalog models")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.download_button = QPushButton("&Download")
        self.cancel_button = QPushButton("&Cancel")
        self.location_button = QPushButton("Show file &location")
        self.import_button = QPushButton("&Import a file downloaded by hand…")
        self.close_button = QPushButton("Close")
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.location_button.clicked.connect(self.show_location)
        self.import_button.clicked.connect(self.import_dialog)
        self.close_button.clicked.connect(self.close)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.status = QLabel("Downloads start only when you click Download; files are checked against "
                             "their published sha256 before they are installed.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Catalog status")

        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.location_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.refresh()
        self.resize(760, 380)

    # -- state -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        installed = {card.id for card in self.registry.list()}
        for row, e in enumerate(self.catalog.entries):
            tip = f"{e.urls[0]}\nsha256 {e.sha256}\nhash from {e.hash_source.describe()}"
            cells = (e.name, e.task, f"{e.size / 1e6:.1f} MB", e.license,
                     "installed" if e.id in installed else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.table.setItem(row, col, item)
        self._update_buttons()

    def selected_entry(self) -> CatalogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.catalog.entries[rows[0].row()] if rows else None

    def select(self, entry_id: str) -> None:
        ids = [e.id for e in self.catalog.entries]
        self.table.selectRow(ids.index(entry_id))

    def _update_buttons(self) -> None:
        busy = self.controller.busy
        entry = self.selected_entry()
        self.download_button.setEnabled(not busy and entry is not None)
        self.cancel_button.setEnabled(busy)
        self.location_button.setEnabled(entry is not None)
        self.import_button.setEnabled(not busy)

    def _start(self, worker: Worker, message: str) -> None:
        worker.cancelled.connect(self._on_cancelled)
        worker.installed.connect(self._on_installed)  # type: ignore[attr-defined]
        self.status.setText(message)
        self.controller.start(worker, on_failed=self._on_failed)
        self._update_buttons()

    # -- actions ---------------------------------------------------------------------------------

    def download_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None or self.controller.busy:
            return
        worker = CatalogDownloadWorker(entry, self.registry, self.staging)
        worker.progress.connect(self._on_progress)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self._start(worker, f"downloading {entry.name}…")

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a file downloaded by hand", "",
                                              "Models and archives (*.onnx *.tar.gz);;All files (*)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Match a file to its entry by size and sha256 (in a worker) and import it with the entry's card."""
        if self.controller.busy:
            return
        self.progress.setRange(0, 0)  # busy: hashing has no useful percentage
        self._start(CatalogMatchWorker(self.catalog, self.registry, path), f"checking {path.name}…")

    def file_location(self, entry: CatalogEntry) -> Path:
        """The installed model's folder, else the folder where downloads are staged."""
        try:
            return self.registry.get(entry.id).folder
        except ModelNotFoundError:
            return self.staging

    def show_location(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.open_folder(self.file_location(entry))

    def open_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # -- worker results (UI thread) --------------------------------------------------------------

    def _on_progress(self, p: DownloadProgress) -> None:
        self.progress.setValue(int(p.fraction * 1000))
        self.status.setText(f"{p.done / 1e6:.1f} of {p.total / 1e6:.1f} MB, {p.rate / 1e6:.2f} MB/s")

    def _on_installed(self, card: object) -> None:
        model_id = str(getattr(card, "id", ""))
        self.progress.setRange(0, 1000)
        self.progress.setValue(1000)
        self.status.setText(f"installed {model_id}: size and sha256 match the published ones")
        self.refresh()
        self.installed.emit(model_id)

    def _on_failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status.setText(failure_line("failed", exc))

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status.setText("cancelled; the partial file was deleted")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.controller.stop()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.controller.stop()
        super().done(result)
