"""Model manager panel: provider choice with health verdicts, the model list (bundled + user) with integrity
status, import (described in a dialog) / edit / remove, "use for" actions, and the inspector of the selected model.

The panel is a view: background work (verify, inspect, import, health) belongs to QtModelController, the
describe dialog's to QtDescribeFlow, and the actions on a model to QtModelActions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.services import MODEL_FOR_KIND, AppServices, SettingsChange
from desktop_app.core.settings import Settings
from desktop_app.qt.models.qt_describe_flow import QtDescribeFlow
from desktop_app.qt.models.qt_model_actions import QtModelActions, use_refusal
from desktop_app.qt.models.qt_model_controller import QtModelController
from desktop_app.qt.models.qt_model_dialogs import (
    confirm_dialog,
    folder_dialog,
    import_dialog_paths,
    item_dialog,
)
from desktop_app.qt.models.qt_model_format import model_choices
from desktop_app.qt.models.qt_model_table import ModelRow, file_size
from desktop_app.qt.models.qt_model_tool_runs import QtModelToolRuns
from desktop_app.qt.models.qt_model_tools import QtModelTools
from desktop_app.qt.models.qt_model_view import QtModelManagerView
from desktop_app.qt.models.qt_model_workers import ImportOutcome, InspectOutcome, VerifyState, VerifyStatus
from desktop_app.qt.qt_app_state import QtAppState


class QtModelManager(QtModelManagerView):
    """Bundled and user models, import/remove, inspector, provider choice with health verdicts."""

    models_changed = Signal()
    provider_changed = Signal(str)
    model_chosen = Signal(str, str)  # kind ("image", "detect", "audio", "table"), model id
    message = Signal(str)

    def __init__(self, services: AppServices, parent: QWidget | None = None, *,
                 state: QtAppState | None = None) -> None:
        super().__init__(services.settings.provider, parent)
        self.services = services
        self.state = QtAppState.of(services, state, self)
        self._select: str | None = None
        self._shown_snapshot: RegistrySnapshot | None = None  # the one the table shows
        #: Asks the user to confirm a removal; tests replace it with `lambda text: True`.
        self.confirm: Callable[[str], bool] = lambda text: confirm_dialog(self, text)
        #: Picks one of `items` (title, label, items) or None; tests replace it.
        self.ask_item: Callable[[str, str, list[str]], str | None] = self._ask_item_dialog
        self._import_errors: list[str] = []
        #: Picks the calibration folder for an int8 copy (None: cancelled); tests replace it.
        self.ask_folder: Callable[[str], Path | None] = lambda title: folder_dialog(self, title)
        #: Picks files or a model folder to import (empty: cancelled); tests replace it.
        self.ask_import: Callable[[], list[Path]] = lambda: import_dialog_paths(self)
        #: Opens a folder in the desktop's file manager; tests replace it to see the URL asked for.
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.controller = QtModelController(services.registry, self)
        self.describe = QtDescribeFlow(services.registry, self.controller, self, services.settings.provider)
        self.tools = QtModelTools(services.registry, services.dirs, self)
        self.tool_runs = QtModelToolRuns(self)
        self.model_actions = QtModelActions(self)
        self.use_actions = self.model_actions.use
        self.bench_action, self.quantize_action = self.model_actions.bench, self.model_actions.quantize
        self.tools_menu.addActions(self.model_actions.tools())
        self.use_menu.addActions(list(self.use_actions.values()))
        self._shown = False  # background work starts when the panel first shows
        self._connect()
        self.refresh()
        self.provider_box.show_checking()

    def _connect(self) -> None:
        a, c = self.model_actions, self.controller
        for kind, action in a.use.items():
            action.triggered.connect(lambda _=False, k=kind: self.use_selected_for(k))
        a.edit.triggered.connect(self.edit_selected)
        a.open_folder.triggered.connect(self.open_selected_folder)
        a.reload.triggered.connect(self.reload)
        a.bench.triggered.connect(self.bench_selected)
        a.quantize.triggered.connect(self.quantize_selected)
        a.remove.triggered.connect(self.remove_selected)
        self.describe.failed.connect(self.show_error)
        self.describe.message.connect(self.message)
        self.describe.saved.connect(self._on_card_saved)
        c.verified.connect(self._on_verified)
        c.inspected.connect(self._on_inspected)
        c.imported.connect(self._on_imported)
        c.imports_done.connect(self._on_imports_done)
        c.health_checked.connect(self.provider_box.show_health)
        c.health_failed.connect(self.provider_box.show_failure)
        c.failed.connect(self.show_error)
        self.provider_box.choice_changed.connect(self._on_provider_chosen)
        self.state.models_changed.connect(self._show_snapshot)
        self.state.provider_changed.connect(self.provider_box.set_choice)
        self.state.settings_changed.connect(self._on_settings_changed)
        self.provider_box.recheck_requested.connect(self.recheck_providers)
        self.import_button.clicked.connect(self.import_dialog)
        self.catalog_button.clicked.connect(self.catalog_dialog)
        self.remove_button.clicked.connect(self.remove_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.inspector.copied.connect(lambda _text: self.message.emit("signature copied as JSON"))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_selection_changed())
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.installEventFilter(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        """First show: verify every model, inspect the selection and check the providers in workers."""
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.controller.verify([row.card for row in self.list_model.rows])
            card = self.selected_card()
            if card is not None:
                self.controller.inspect(card)
            self.controller.check_health()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(640, 760)

    # -- list ----------------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """Re-scan the registry now (one stat per card when nothing changed), show its latest models and select
        `select`. An import or removal has already announced (and shown) its change: then only `select` applies."""
        self._select = select
        self.services.registry.refresh()
        self._show_snapshot(self.state.models)

    def _show_snapshot(self, snapshot: RegistrySnapshot) -> None:
        """Show the announced models and problems, keep known verdicts, verify the rest in a worker; the
        snapshot already shown is not rebuilt (only a pending selection is applied)."""
        if snapshot is self._shown_snapshot:
            select, self._select = self._select, None
            if select is not None:
                self.select_model(select)
            return
        self._shown_snapshot = snapshot
        current = self.selected_card()
        cards, problems = list(snapshot.cards), list(snapshot.problems)
        old = {row.card.id: row for row in self.list_model.rows}
        added = [card.id for card in cards if card.id not in old]
        keep = self._select or (added[0] if old and len(added) == 1 else current.id if current else None)
        self._select = None  # a model that just appeared is selected, wherever it came from
        rows = []
        for card in cards:
            prior = old.get(card.id)
            status = prior.status if prior and prior.card == card else VerifyStatus(
                card.id, VerifyState.PENDING)
            rows.append(ModelRow(card, file_size(card), (), status))
        self.list_model.set_rows(rows)
        self.refresh_uses()
        self.show_problems(problems)
        self.table.resizeColumnsToContents()
        row = self.list_model.row_of(keep) if keep else -1
        self.table.selectRow(row if row >= 0 else 0)
        self._on_selection_changed()
        if self._shown:
            self.controller.verify(cards)
        self.models_changed.emit()

    def _on_settings_changed(self, change: SettingsChange) -> None:
        if change.changed(*MODEL_FOR_KIND.values()):
            self.refresh_uses()

    def _choose(self, kind: str, model_id: str) -> None:
        """Send `kind` inputs to `model_id` (a setting every view is told about), then say so."""
        self.services.update_settings(**{MODEL_FOR_KIND[kind]: model_id})
        self.model_chosen.emit(kind, model_id)

    def _on_provider_chosen(self, choice: str) -> None:
        self.services.update_settings(provider=choice)
        self.provider_changed.emit(choice)

    def refresh_uses(self) -> None:
        """Recompute which input kind uses which model from the current settings."""
        uses: dict[str, tuple[str, ...]] = {}
        for kind in MODEL_FOR_KIND:
            model_id = self.services.model_for(kind)
            uses[model_id] = (*uses.get(model_id, ()), kind)
        self.list_model.set_uses(uses)

    def selected_card(self) -> ModelCard | None:
        index = self.table.currentIndex()
        return self.list_model.card_at(index.row()) if index.isValid() else None

    def select_model(self, model_id: str) -> bool:
        row = self.list_model.row_of(model_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _on_selection_changed(self) -> None:
        card = self.selected_card()
        self.inspector.show_card(card)
        self.model_actions.show_card(card)
        for button, action in ((self.remove_button, self.model_actions.remove), (self.edit_button, self.model_actions.edit)):
            button.setEnabled(action.isEnabled())
            button.setToolTip(action.toolTip())
        refusal = self.model_actions.use_refusal(card)
        self.use_button.setEnabled(not refusal)
        self.use_button.setToolTip(refusal or "Send images, faces, audio or tables to the selected model")
        if card is not None and self._shown:
            self.controller.inspect(card)

    def _on_verified(self, status: VerifyStatus) -> None:
        self.list_model.set_status(status)

    def _on_inspected(self, outcome: InspectOutcome) -> None:
        card = self.selected_card()
        if card is None or card.id != outcome.model_id:
            return  # the user moved on
        if outcome.info is not None:
            self.inspector.show_info(outcome.info)
        else:
            self.inspector.show_error(outcome.error)

    # -- import --------------------------------------------------------------------------------

    def catalog_dialog(self) -> None:
        """Open the catalog browser; models it installs show up here at once."""
        from desktop_app.core.errors import AppError
        from desktop_app.core.models.catalog import Catalog
        from desktop_app.qt.models.qt_catalog_dialog import QtCatalogDialog

        try:
            catalog = Catalog.default()
        except AppError as exc:
            self.show_error(f"Catalog: {exc}")
            return
        dialog = QtCatalogDialog(catalog, self.services.registry, parent=self)
        dialog.installed.connect(self._on_catalog_installed)
        dialog.finished.connect(self._on_catalog_closed)
        self.catalog_window: QtCatalogDialog | None = dialog
        dialog.open()

    def _on_catalog_closed(self) -> None:
        dialog, self.catalog_window = self.catalog_window, None
        if dialog is not None:
            dialog.deleteLater()

    def _on_catalog_installed(self, model_id: str) -> None:
        self.controller.forget(model_id)
        self.refresh(select=model_id)
        self.message.emit(f"installed {model_id} from the catalog")

    def import_dialog(self) -> None:
        """Pick .onnx files or a model folder; each is recognised and described in the dialog, then imported."""
        self.describe_paths(self.ask_import())

    def describe_paths(self, paths: list[Path]) -> None:
        """Recognise each file or model folder in a worker, open "Describe this model" pre-filled, then import."""
        if paths:
            self.show_error("")
            self.describe.describe_paths(list(paths))

    def import_paths(self, paths: list[Path], card: dict[str, Any] | None = None) -> None:
        """Import each file or model folder in a worker without asking (`card`: card fields such as task and
        [image]; default: what recognition finds); every path succeeds or fails on its own."""
        if not paths:
            return
        self._import_errors.clear()
        self.show_error("")
        self.import_button.setEnabled(False)
        self.message.emit(f"importing {len(paths)} model(s)…")
        self.controller.import_paths(list(paths), card)

    def _on_imported(self, outcome: ImportOutcome) -> None:
        if outcome.model_id is None:
            self._import_errors.append(outcome.error)
            more = f" (+{len(self._import_errors) - 1} more)" if len(self._import_errors) > 1 else ""
            self.show_error(f"Import failed: {outcome.error}{more}", "\n".join(self._import_errors))
            self.message.emit(f"not imported: {outcome.error}")
            return
        self.controller.forget(outcome.model_id)
        self.refresh(select=outcome.model_id)
        self.message.emit(f"imported {outcome.model_id}")

    def _on_imports_done(self) -> None:
        self.import_button.setEnabled(True)

    # -- edit / folder / reload / remove / use ---------------------------------------------------

    def edit_selected(self) -> bool:
        """Describe the selected user model again (the same dialog; Save rewrites its card)."""
        card = self.selected_card()
        if card is None or not self.model_actions.edit.isEnabled():
            return False
        self.describe.edit(card)
        return True

    def _on_card_saved(self, model_id: str) -> None:
        self.controller.forget(model_id)
        self.refresh(select=model_id)

    def open_selected_folder(self) -> bool:
        """Show the selected model's folder in the desktop's file manager."""
        card = self.selected_card()
        if card is None:
            return False
        self.open_url(QUrl.fromLocalFile(str(card.folder)))
        return True

    def reload(self) -> None:
        """Read every card again now (an edit in a text editor is otherwise seen within a second)."""
        self.refresh()
        self.message.emit("model cards reloaded")

    def remove_selected(self) -> bool:
        """Remove the selected user model after confirmation; True when it was removed."""
        card = self.selected_card()
        if card is None:
            return False
        if card.bundled:
            self.message.emit(f"{card.id} is bundled with the app and cannot be removed")
            return False
        if not self.confirm(f"Remove the user model '{card.name}' ({card.id})? Its files will be deleted."):
            return False
        try:
            self.services.registry.remove(card.id)
        except Exception as exc:  # a refusal or an OS error is one line in the strip, never a crash
            self.show_error(f"Remove failed: {exc}")
            return False
        self.controller.forget(card.id)
        defaults = Settings()
        for kind in MODEL_FOR_KIND:
            if self.services.model_for(kind) == card.id:
                self._choose(kind, getattr(defaults, MODEL_FOR_KIND[kind]))
        self.refresh()
        self.message.emit(f"removed {card.id}")
        return True

    def use_selected_for(self, kind: str) -> bool:
        """Emit model_chosen(kind, id) when the selected model's task fits that input kind."""
        card = self.selected_card()
        if card is None or use_refusal(card, kind) is not None:
            return False
        self._choose(kind, card.id)
        return True

    def choose_model_dialog(self) -> None:
        """Pick a model for any input kind; the current image kind's models come first."""
        choices = model_choices(self.services)
        items = list(choices)
        picked = self.ask_item("Choose model", "Model for:", items)
        if picked in choices:
            kind, model_id = choices[picked]
            self._choose(kind, model_id)
            self.select_model(model_id)

    # -- tools: benchmark, int8 copy (QtModelToolRuns) -------------------------------------------

    def bench_selected(self) -> bool:
        return self.tool_runs.bench_selected()

    def quantize_selected(self) -> bool:
        return self.tool_runs.quantize_selected()

    # -- providers -----------------------------------------------------------------------------

    def recheck_providers(self) -> None:
        self.provider_box.show_checking()
        self.controller.check_health()

    # -- dialogs and events --------------------------------------------------------------------

    def _ask_item_dialog(self, title: str, label: str, items: list[str]) -> str | None:
        if not items:
            self.message.emit("no models fit any input kind")
            return None
        return item_dialog(self, title, label, items)

    def _context_menu(self, pos: QPoint) -> None:
        if self.selected_card() is not None:
            self.model_actions.popup(self, self.table.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Delete:
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)

    def shutdown(self) -> None:
        """Stop every worker (the window calls this on close, then joins the threads)."""
        self.controller.shutdown()
        self.describe.shutdown()
        catalog = getattr(self, "catalog_window", None)
        if catalog is not None:
            catalog.controller.stop()
        self.tools.shutdown()

