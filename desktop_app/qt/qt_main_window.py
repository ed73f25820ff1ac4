"""The main window: input panels (Files, Camera, Microphone), the result view, the model manager dock,
the monitor dock, menus with shortcuts, and a status bar saying which model and provider really ran."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from desktop_app import __version__
from desktop_app.core.errors import AppError
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from desktop_app.core.monitor.events import GroupValue, monitored_results
from desktop_app.core.results import Result
from desktop_app.core.services import AppServices, SettingsChange
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from desktop_app.qt.files.qt_files_panel import QtFilesPanel
from desktop_app.qt.microphone.qt_microphone_panel import QtMicrophonePanel
from desktop_app.qt.models.qt_model_manager import QtModelManager
from desktop_app.qt.monitor import QtMonitorPanel
from desktop_app.qt.qt_app_state import QtAppState
from desktop_app.qt.qt_background import DiagnosticsWorker, SelfTestWorker, WarmupWorker
from desktop_app.qt.qt_focus_ring import QtFocusRing
from desktop_app.qt.qt_theme import apply_theme
from desktop_app.qt.qt_window_layout import QtWindowLayout
from desktop_app.qt.qt_window_menus import build_menus, shortcuts_text
from desktop_app.qt.qt_window_status import QtWindowStatus
from desktop_app.qt.qt_workers import (
    WorkerController,
    failure_handler,
    failure_line,
    join_all,
    running_threads,
)
from desktop_app.qt.results.qt_result_view import QtResultView

log = logging.getLogger(__name__)

MODEL_SUFFIXES = {".onnx"}


def per_prediction(result: Result, emotion_classes: int) -> list[Result]:
    """Results the monitor counts: classifications as they are, and each face's expression of a detection
    (one per face; the camera panel emits at most one result a second, so a face counts once a second)."""
    return monitored_results(result, emotion_classes)


def is_model_folder(path: Path) -> bool:
    """A folder holding an exported model (model.onnx, e.g. with its config and tokenizer files)."""
    return path.is_dir() and (path / "model.onnx").is_file()


def split_drop(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Dropped paths -> (models to import: .onnx files and model folders, inputs to run)."""
    models = [p for p in paths if (p.is_file() and p.suffix.lower() in MODEL_SUFFIXES) or is_model_folder(p)]
    return models, [p for p in paths if p not in models]


class QtMainWindow(QMainWindow):
    """Top-level window; composes the panels and routes drops, menus and status."""

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle(f"Desktop App {__version__} — offline ONNX workbench")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.state = QtAppState(services, self)  # every view subscribes; nothing is pushed by hand
        self.window_layout = QtWindowLayout(self)  # first-start sizes, saved geometry and docks, screen fit

        self.files_panel = QtFilesPanel(services, state=self.state)
        self.result_view = QtResultView()
        self.model_manager = QtModelManager(services, state=self.state)
        self.inputs = QTabWidget()
        self.inputs.setAccessibleName("Input panels")
        self.inputs.addTab(self.files_panel, "&Files")
        self.camera_panel = QtCameraPanel(services, state=self.state)
        self.inputs.addTab(self.camera_panel, "&Camera")
        self.microphone_panel = QtMicrophonePanel(services, state=self.state)
        self.inputs.addTab(self.microphone_panel, "&Microphone")
        self.window_layout.on_input_tab(self.inputs.currentIndex())
        self.splitter = QSplitter()
        self.splitter.addWidget(self.inputs)
        self.splitter.addWidget(self.result_view)
        self.splitter.setStretchFactor(0, 1)  # a wider window widens the inputs, not the result pane
        self.splitter.setSizes([700, 580])
        self.setCentralWidget(self.splitter)

        self.models_dock = self._dock("Models", self.model_manager, Qt.DockWidgetArea.RightDockWidgetArea)
        self.monitor_engine = MonitorEngine(MonitorConfig(low_confidence=services.settings.low_confidence))
        self.monitor_panel = QtMonitorPanel(self.monitor_engine)
        self.monitor_dock = self._dock("Monitor", self.monitor_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._build_status_bar()
        self.focus_ring = QtFocusRing(self)  # keyboard focus is always visible
        self.provider_actions, self.theme_actions = build_menus(self)
        self._connect()
        self.window_layout.restore()
        self.background = WorkerController("background", self)
        self.warmup = WorkerController("warmup", self)
        self.self_test_lines: list[str] = []
        self._monitored_model: str | None = None
        self._emotion_classes = self._count_emotion_classes()
        QTimer.singleShot(0, self._start_warmup)

    # -- construction ------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}-dock")
        dock.setWidget(widget)
        dock.setAccessibleName(f"{title} dock")
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.status = QtWindowStatus(self.statusBar(), self.state)
        s = self.status
        self.model_label, self.provider_label, self.latency_label = s.model_label, s.provider_label, s.latency_label
        self.settings_label, self.problems_label = s.settings_label, s.problems_label

    def show_panel(self, panel: QWidget) -> None:
        """Bring an input panel to the front and give it keyboard focus (View > Files/Camera/Microphone tab)."""
        self.inputs.setCurrentWidget(panel)
        panel.setFocus()

    def toggle_monitor_details(self) -> None:
        """Open the monitor's numbers and charts, or fold them to the summary line (View > Monitor details)."""
        self.monitor_dock.show()
        view = self.monitor_panel.view
        view.set_folded(not view.folded)

    def shortcuts_text(self) -> str:
        """Every menu action with its shortcut, and how to reach the panels' controls (Help > Keyboard shortcuts)."""
        return shortcuts_text(self.menuBar())

    def _connect(self) -> None:
        self.files_panel.result_selected.connect(self.result_view.show_result)
        self.files_panel.result_ready.connect(self._on_result)
        self.files_panel.message.connect(self.show_message)
        self.files_panel.results_added.connect(lambda results: self._monitor(results, "file"))
        self.files_panel.results_added.connect(self._mark_ran)
        self.microphone_panel.message.connect(self.show_message)
        self.microphone_panel.result_ready.connect(self._on_result)
        self.monitor_panel.message.connect(self.show_message)
        self.monitor_panel.flagged_selected.connect(self._show_flagged)
        self.camera_panel.message.connect(self.show_message)
        self.camera_panel.result_ready.connect(self._on_result)
        self.camera_panel.result_ready.connect(lambda result: self._monitor([result], "camera"))
        self.model_manager.message.connect(self.show_message)
        self.model_manager.describe.extra_inputs = self._selected_file  # the describe preview offers it
        self.state.provider_changed.connect(self._check_provider_action)
        self.state.models_changed.connect(self._on_models_changed)
        self.state.settings_changed.connect(self._on_settings_changed)
        self.inputs.currentChanged.connect(self.window_layout.on_input_tab)
        self.monitor_panel.view.folded_changed.connect(self.window_layout.on_monitor_folded)

    # -- state -------------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.status.show_message(text)

    def _on_result(self, result: Result) -> None:
        self.status.show_result(result)
        self._mark_ran([result])

    def _mark_ran(self, results: list[Result]) -> None:
        """Models that produced a result say so in the Models list ("ran ✓" instead of "not run yet")."""
        for result in results:
            if result.ok and result.model_id:
                self.model_manager.list_model.mark_ran(result.model_id)

    def _on_models_changed(self, _snapshot: RegistrySnapshot) -> None:
        """A card changed: look the monitored model's positive class and the expression count up again."""
        self._monitored_model = None
        self._emotion_classes = self._count_emotion_classes()

    def _on_settings_changed(self, change: SettingsChange) -> None:
        if change.changed("detect_model"):  # another detector, maybe another expression model (or none)
            self._emotion_classes = self._count_emotion_classes()

    def _monitor(self, results: list[Result], kind: str) -> None:
        """Count finished predictions in the monitor, with the groups their inputs carry."""
        for result in (r for item in results for r in per_prediction(item, self._emotion_classes)):
            if result.model_id != self._monitored_model:
                self._monitored_model = result.model_id
                card = self.state.models.card(result.model_id) if result.model_id else None
                positive = card.tabular.positive_label if card and card.tabular else None
                self.monitor_panel.set_positive_label(positive)
            groups = tuple(GroupValue(a, v, p) for a, v, p in result.attributes)  # type: ignore[arg-type]
            self.monitor_panel.add_result(result, groups, kind)  # type: ignore[arg-type]

    def _count_emotion_classes(self) -> int:
        models = self.state.models
        detect = models.card(self.services.model_for("detect"))
        second = models.card(detect.second_stage) if detect and detect.second_stage else None
        try:
            return len(second.labels()) if second else 0
        except AppError:
            return 0

    def _show_flagged(self, source: str) -> None:
        path = Path(source.split("#row")[0])
        if path.is_file():
            self.inputs.setCurrentWidget(self.files_panel)
            self.files_panel.run_paths([path])

    def set_provider(self, choice: str) -> None:
        """The Model menu's choice; every view showing the provider follows the settings change."""
        self.services.update_settings(provider=choice)

    def _check_provider_action(self, choice: str) -> None:
        for action in self.provider_actions.actions():
            action.setChecked(action.text().replace("&", "").lower().replace(" ", "-") == choice)

    def set_theme(self, theme: str) -> None:
        self.services.update_settings(theme=theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    # -- drops -------------------------------------------------------------------------------

    def _selected_file(self) -> list[Path]:
        """The file selected in the files panel (the describe dialog previews on it), if any."""
        row = self.files_panel.current_row()
        return [Path(row.result.source)] if row is not None else []

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            self.show_message("only local files and folders can be dropped")
            return
        event.acceptProposedAction()
        self.open_paths(paths)

    def open_paths(self, paths: list[Path]) -> None:
        """Route paths: .onnx files and model folders to the model manager (recognised, then described in its
        dialog), everything else to the files panel."""
        models, inputs = split_drop(paths)
        if models:
            self.models_dock.show()
            self.model_manager.describe_paths(models)
        if inputs:
            self.inputs.setCurrentWidget(self.files_panel)
            self.files_panel.run_paths(inputs)

    # -- background jobs ---------------------------------------------------------------------

    def _start_warmup(self) -> None:
        """Load the default models' sessions in a worker once the window is on screen."""
        ids = list(dict.fromkeys(self.services.model_for(kind) for kind in ("image", "detect", "audio", "table")))
        worker = WarmupWorker(self.services.pipeline, ids, live_ids=(self.services.model_for("detect"),))
        worker.problem.connect(lambda model_id, why: self.show_message(f"{model_id}: {why}"))
        self.warmup.start(worker, on_failed=failure_handler("warm-up failed", self.show_message))

    def copy_diagnostics(self) -> None:
        worker = DiagnosticsWorker()
        worker.ready.connect(self._diagnostics_ready)
        self.background.start(worker, on_failed=failure_handler("diagnostics failed", self.show_message))

    def _diagnostics_ready(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.show_message("system information copied to the clipboard")
        self.last_diagnostics = text

    def run_self_test(self) -> None:
        self.self_test_lines = []
        worker = SelfTestWorker(self.services.pipeline)
        worker.line.connect(self.self_test_lines.append)
        worker.line.connect(self.show_message)
        worker.done.connect(self._self_test_done)
        self.background.start(worker, on_failed=self._self_test_failed)

    def _self_test_done(self, ok: bool) -> None:
        self.show_message("self-test passed" if ok else "self-test FAILED — see Help ▸ Run self-test details")
        self.self_test_passed = ok

    def _self_test_failed(self, exc: BaseException) -> None:
        self.self_test_passed = False
        self.show_message(failure_line("self-test could not run", exc))

    # -- misc --------------------------------------------------------------------------------

    def open_settings_folder(self) -> None:
        """Show the folder holding the settings and window.ini in the file manager."""
        folder = self.services.dirs.config
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about(self) -> None:
        """Help > About."""
        QMessageBox.about(self, "About Desktop App",
                          f"<b>Desktop App {__version__}</b><p>Offline ONNX inference workbench. "
                          "Nothing leaves this machine.</p>")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.window_layout.save()
        self.files_panel.shutdown()
        self.camera_panel.shutdown()
        self.microphone_panel.shutdown()
        self.monitor_panel.shutdown()
        self.model_manager.shutdown()
        self.warmup.stop()
        self.background.stop()
        if not join_all(timeout_s=10.0):  # closing the window joins every thread the workers started
            log.warning("threads still running after closing: %s", [t.objectName() for t in running_threads()])
        self.state.close()
        super().closeEvent(event)
