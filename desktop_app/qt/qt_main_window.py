"""The main window: input panels (Files, Camera, Microphone), the result view, the model manager dock,
the monitor dock, menus with shortcuts, and a status bar saying which model and provider really ran."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from desktop_app import __version__
from desktop_app.core.errors import AppError
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from desktop_app.core.monitor.events import GroupValue
from desktop_app.core.results import ClassificationResult, DetectionResult, Result
from desktop_app.core.runtime import providers as prov
from desktop_app.core.services import AppServices
from desktop_app.core.settings import THEMES
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from desktop_app.qt.files.qt_files_panel import QtFilesPanel
from desktop_app.qt.microphone.qt_microphone_panel import QtMicrophonePanel
from desktop_app.qt.models.qt_model_manager import QtModelManager
from desktop_app.qt.monitor import QtMonitorPanel
from desktop_app.qt.qt_background import DiagnosticsWorker, SelfTestWorker, WarmupWorker
from desktop_app.qt.qt_theme import apply_theme
from desktop_app.qt.qt_workers import WorkerController
from desktop_app.qt.results.qt_result_view import QtResultView

MODEL_SUFFIXES = {".onnx"}


def per_prediction(result: Result, emotion_classes: int) -> list[Result]:
    """Results the monitor counts: classifications as they are, and each face's expression of a detection
    (one per face; the camera panel emits at most one result a second, so a face counts once a second)."""
    if not result.ok:
        return []
    if isinstance(result.payload, ClassificationResult):
        return [result]
    if isinstance(result.payload, DetectionResult):
        return [replace(result, payload=ClassificationResult(top=(d.emotion,), num_classes=emotion_classes))
                for d in result.payload.detections if d.emotion is not None]
    return []


def split_drop(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Dropped paths -> (models to import, inputs to run)."""
    models = [p for p in paths if p.is_file() and p.suffix.lower() in MODEL_SUFFIXES]
    return models, [p for p in paths if p not in models]


class QtMainWindow(QMainWindow):
    """Top-level window; composes the panels and routes drops, menus and status."""

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle(f"Desktop App {__version__} — offline ONNX workbench")
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.files_panel = QtFilesPanel(services)
        self.result_view = QtResultView()
        self.model_manager = QtModelManager(services)
        self.inputs = QTabWidget()
        self.inputs.setAccessibleName("Input panels")
        self.inputs.addTab(self.files_panel, "&Files")
        self.camera_panel = QtCameraPanel(services)
        self.inputs.addTab(self.camera_panel, "&Camera")
        self.microphone_panel = QtMicrophonePanel(services)
        self.inputs.addTab(self.microphone_panel, "&Microphone")
        splitter = QSplitter()
        splitter.addWidget(self.inputs)
        splitter.addWidget(self.result_view)
        splitter.setSizes([700, 580])
        self.setCentralWidget(splitter)

        self.models_dock = self._dock("Models", self.model_manager, Qt.DockWidgetArea.RightDockWidgetArea)
        self.monitor_engine = MonitorEngine(MonitorConfig(low_confidence=services.settings.low_confidence))
        self.monitor_panel = QtMonitorPanel(self.monitor_engine)
        self.monitor_dock = self._dock("Monitor", self.monitor_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._build_status_bar()
        self._build_menus()
        self._connect()
        self._restore_geometry()
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
        self.model_label = QLabel()
        self.provider_label = QLabel()
        self.latency_label = QLabel("—")
        self.settings_label = QLabel("⚠ settings not saved")  # shown while the settings file cannot be written
        for label, name in ((self.settings_label, "Settings not saved"), (self.model_label, "Active model"),
                            (self.provider_label, "Provider used"), (self.latency_label, "Last latency")):
            label.setAccessibleName(name)
            self.statusBar().addPermanentWidget(label)
        self.settings_label.hide()
        self._show_model(self.services.model_for("image"))
        self._show_provider(None)

    def _action(self, menu: Any, text: str, slot: Any,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Open files…", self.files_panel.open_files_dialog, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Open &folder…", self.files_panel.open_folder_dialog, "Ctrl+Shift+O")
        file_menu.addSeparator()
        self._action(file_menu, "&Export results…", self.files_panel.export_dialog, "Ctrl+E")
        self._action(file_menu, "&Copy result", self.files_panel.copy_current, "Ctrl+Shift+C")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        model_menu = bar.addMenu("&Model")
        self._action(model_menu, "&Choose model…", self.model_manager.choose_model_dialog, "Ctrl+M")
        self._action(model_menu, "&Import model…", self.model_manager.import_dialog, "Ctrl+I")
        provider_menu = model_menu.addMenu("&Provider")
        self.provider_actions = QActionGroup(self)
        labels = {"auto": "&Auto", "directml": "&DirectML", "cuda": "C&UDA", "cpu": "&CPU", "strict-gpu": "&Strict GPU"}
        for choice in prov.CHOICES:
            action = QAction(labels[choice], self, checkable=True)
            action.setChecked(choice == self.services.settings.provider)
            action.triggered.connect(lambda _=False, c=choice: self.set_provider(c))
            self.provider_actions.addAction(action)
            provider_menu.addAction(action)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.models_dock.toggleViewAction())
        view_menu.addAction(self.monitor_dock.toggleViewAction())
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for theme in THEMES:
            action = QAction(theme.capitalize(), self, checkable=True)
            action.setChecked(theme == self.services.settings.theme)
            action.triggered.connect(lambda _=False, t=theme: self.set_theme(t))
            self.theme_actions.addAction(action)
            theme_menu.addAction(action)

        settings_menu = bar.addMenu("&Settings")
        self._action(settings_menu, "Open &settings folder", self._open_settings_folder, "Ctrl+,")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Diagnostics: copy system info", self.copy_diagnostics)
        self._action(help_menu, "Run &self-test", self.run_self_test)
        help_menu.addSeparator()
        self._action(help_menu, "&About", self._about, QKeySequence.StandardKey.HelpContents)

    def _connect(self) -> None:
        self.files_panel.result_selected.connect(self.result_view.show_result)
        self.files_panel.result_ready.connect(self._on_result)
        self.files_panel.message.connect(self.show_message)
        self.files_panel.results_added.connect(lambda results: self._monitor(results, "file"))
        self.microphone_panel.message.connect(self.show_message)
        self.microphone_panel.result_ready.connect(self._on_result)
        self.monitor_panel.message.connect(self.show_message)
        self.monitor_panel.flagged_selected.connect(self._show_flagged)
        self.camera_panel.message.connect(self.show_message)
        self.camera_panel.result_ready.connect(self._on_result)
        self.camera_panel.result_ready.connect(lambda result: self._monitor([result], "camera"))
        self.model_manager.message.connect(self.show_message)
        self.model_manager.provider_changed.connect(self.set_provider)
        self.model_manager.model_chosen.connect(self._on_model_chosen)
        self.services.on_settings_saved = self._on_settings_saved

    # -- state -------------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_settings_saved(self, error: str | None) -> None:
        """A settings file that cannot be written (disk full, read-only folder): a lasting mark with the
        reason in its tooltip, and the reason in the status bar once."""
        self.settings_label.setVisible(bool(error))
        self.settings_label.setToolTip(error or "")
        if error:
            self.show_message(error)

    def _show_model(self, model_id: str) -> None:
        self.model_label.setText(f"Model: {model_id}")

    def _show_provider(self, result: Result | None) -> None:
        report = result.provider if result else None
        if report is None:
            self.provider_label.setText(f"Provider: {self.services.settings.provider} (not run yet)")
            self.provider_label.setToolTip("")
            return
        text = f"Provider: {report.used_short}"
        if report.fallback_reason:
            text += " ⚠ fallback"
            self.provider_label.setToolTip(report.fallback_reason)
        else:
            self.provider_label.setToolTip(f"asked for {self.services.settings.provider}; got {report.used_short}")
        self.provider_label.setText(text)

    def _on_result(self, result: Result) -> None:
        if result.model_id:
            self._show_model(result.model_id)
        self._show_provider(result)
        self.latency_label.setText(f"{result.timings.total_ms:.1f} ms" if result.ok else "last item failed")

    def _monitor(self, results: list[Result], kind: str) -> None:
        """Count finished predictions in the monitor, with the groups their inputs carry."""
        for result in (r for item in results for r in per_prediction(item, self._emotion_classes)):
            if result.model_id != self._monitored_model:
                self._monitored_model = result.model_id
                card = self.services.registry.get(result.model_id) if result.model_id else None
                positive = card.tabular.positive_label if card and card.tabular else None
                self.monitor_panel.set_positive_label(positive)
            groups = tuple(GroupValue(a, v, p) for a, v, p in result.attributes)  # type: ignore[arg-type]
            self.monitor_panel.add_result(result, groups, kind)  # type: ignore[arg-type]

    def _count_emotion_classes(self) -> int:
        try:
            detect = self.services.registry.get(self.services.model_for("detect"))
            return len(self.services.registry.get(detect.second_stage).labels()) if detect.second_stage else 0
        except AppError:
            return 0

    def _show_flagged(self, source: str) -> None:
        path = Path(source.split("#row")[0])
        if path.is_file():
            self.inputs.setCurrentWidget(self.files_panel)
            self.files_panel.run_paths([path])

    def _on_model_chosen(self, kind: str, model_id: str) -> None:
        from desktop_app.core.services import MODEL_FOR_KIND

        self.services.update_settings(**{MODEL_FOR_KIND[kind]: model_id})
        self._show_model(model_id)
        self.show_message(f"{kind} inputs now go to {model_id}")

    def set_provider(self, choice: str) -> None:
        self.services.update_settings(provider=choice)
        for action in self.provider_actions.actions():
            action.setChecked(action.text().replace("&", "").lower().replace(" ", "-") == choice)
        self.model_manager.sync_provider(choice)
        self._show_provider(None)
        self.show_message(f"provider set to {choice}; it applies to the next run")

    def set_theme(self, theme: str) -> None:
        self.services.update_settings(theme=theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    # -- drops -------------------------------------------------------------------------------

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
        """Route paths: .onnx files to the model manager, everything else to the files panel."""
        models, inputs = split_drop(paths)
        if models:
            self.models_dock.show()
            self.model_manager.import_paths(models)
        if inputs:
            self.inputs.setCurrentWidget(self.files_panel)
            self.files_panel.run_paths(inputs)

    # -- background jobs ---------------------------------------------------------------------

    def _start_warmup(self) -> None:
        """Load the default models' sessions in a worker once the window is on screen."""
        ids = list(dict.fromkeys(self.services.model_for(kind) for kind in ("image", "detect", "audio", "table")))
        worker = WarmupWorker(self.services.pipeline, ids, live_ids=(self.services.model_for("detect"),))
        worker.problem.connect(lambda model_id, why: self.show_message(f"{model_id}: {why}"))
        self.warmup.start(worker)

    def copy_diagnostics(self) -> None:
        worker = DiagnosticsWorker()
        worker.ready.connect(self._diagnostics_ready)
        worker.failed.connect(lambda exc: self.show_message(f"diagnostics failed: {exc}"))
        self.background.start(worker)

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
        self.background.start(worker)

    def _self_test_done(self, ok: bool) -> None:
        self.show_message("self-test passed" if ok else "self-test FAILED — see Help ▸ Run self-test details")
        self.self_test_passed = ok

    # -- misc --------------------------------------------------------------------------------

    def _open_settings_folder(self) -> None:
        folder = self.services.dirs.config
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _about(self) -> None:
        QMessageBox.about(self, "About Desktop App",
                          f"<b>Desktop App {__version__}</b><p>Offline ONNX inference workbench. "
                          "Nothing leaves this machine.</p>")

    def _qsettings(self) -> QSettings:
        return QSettings(str(self.services.dirs.config / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        store = self._qsettings()
        geometry, state = store.value("geometry"), store.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        store = self._qsettings()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("state", self.saveState())
        store.sync()
        self.files_panel.shutdown()
        self.camera_panel.shutdown()
        self.microphone_panel.shutdown()
        self.monitor_panel.shutdown()
        self.model_manager.shutdown()
        self.warmup.stop()
        self.background.stop()
        self.services.on_settings_saved = None
        super().closeEvent(event)
