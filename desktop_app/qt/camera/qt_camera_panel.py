"""Camera panel: what to see on a camera, a video file or a stream: faces with expressions, people's poses,
objects (with a class filter), the background blurred or replaced, or any detector, segmenter, pose model
or classifier by name; with overlay toggles, a live threshold, a stats strip, snapshots and recording.

Widgets live in QtCameraView, running in QtCameraController (the worker owns capture and the model;
this thread only paints). Capture stops while the panel is hidden or the window minimised.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.core.errors import SourceError
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.results import ClassificationResult
from desktop_app.core.services import AppServices, SettingsChange
from desktop_app.core.sources.camera import parse_camera
from desktop_app.core.sources.capture import CaptureState
from desktop_app.core.sources.live import BackgroundEffect, LiveFrame, draw_overlay, save_snapshot
from desktop_app.core.sources.live_settings import THRESHOLD_TASKS
from desktop_app.qt.camera.qt_camera_controller import CameraRequest, QtCameraController
from desktop_app.qt.camera.qt_camera_dialogs import browse_video, record_dialog, save_snapshot_dialog
from desktop_app.qt.camera.qt_camera_modes import live_modes
from desktop_app.qt.camera.qt_camera_view import QtCameraView
from desktop_app.qt.camera.qt_live_recording import RecordingDone, shown
from desktop_app.qt.camera.qt_live_worker import CameraListWorker
from desktop_app.qt.qt_app_state import QtAppState
from desktop_app.qt.qt_workers import WorkerController, failure_handler

STATS_EVERY_S, RESULT_EVERY_S = 0.25, 1.0  # how often the stats strip and the status bar are fed
#: Seconds a stream may take to connect, and may stay silent before it counts as lost.
STREAM_OPEN_S, STREAM_READ_S = 5.0, 3.0


class QtCameraPanel(QWidget):
    """The Camera tab; `shutdown()` stops capture and joins every thread (call it when the window closes)."""

    message = Signal(str)
    result_ready = Signal(object)  # Result, at most once a second, for the status bar
    stats_changed = Signal(object)  # CameraPanelStats, a few times a second
    problem = Signal(str)  # the one-line message shown in the panel

    def __init__(self, services: AppServices, parent: QWidget | None = None, *,
                 state: QtAppState | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.state = QtAppState.of(services, state, self)
        self.controller = QtCameraController(services.pipeline, self)
        self.controller.suspended = True  # until first shown
        self.view = QtCameraView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._watched: QWidget | None = None
        self._write_problem = ""
        self._last_stats = self._last_result = 0.0
        self._snapshot: RegistrySnapshot = self.state.models  # the one the model list shows
        self._fill_models(self._snapshot)
        self._connect()
        self.device_lister = WorkerController("camera-list", self)
        self._list_cameras()
        self._sync_buttons()

    # -- setup ----------------------------------------------------------------------------------------
    def _fill_models(self, snapshot: RegistrySnapshot) -> None:
        """The modes and models (see `live_modes`), then one disabled line per broken card saying why."""
        combo = self.view.model_combo
        previous = combo.currentData()
        before = self._snapshot.card(str(previous[0])) if previous is not None else None
        self._snapshot = snapshot
        combo.blockSignals(True)
        combo.clear()
        for mode in live_modes(snapshot, self.services.model_for("detect")):
            combo.addItem(mode.text, mode.data)
        for problem in snapshot.problems:
            combo.addItem(f"⚠ {problem}", None)
            combo.model().item(combo.count() - 1).setEnabled(False)  # type: ignore[attr-defined]
        index = combo.findData(previous) if previous is not None else -1
        combo.setCurrentIndex(index if index >= 0 else 0 if self.services.settings.emotion else 1)
        combo.blockSignals(False)
        if previous is not None and combo.currentData() != previous:
            gone = str(previous[0])
            why = snapshot.why_missing(gone, "removed")
            self.message.emit(f"Camera: {gone} is no longer available ({why}); using {self._model()[0]}")
            self._model_changed()  # the chosen model went (removed or broken)
        elif previous is None or snapshot.card(str(previous[0])) != before:  # first filled, or its card edited
            self._sync_threshold()  # another card's change keeps the threshold the user set
            self._sync_mode()
            model_id, emotion = self._model()
            if self._is_detector(model_id):  # a live run picks up an edited card's threshold
                self.controller.set_model(model_id, emotion, self.threshold())

    def _on_settings_changed(self, change: SettingsChange) -> None:
        if change.changed("detect_model"):
            self._fill_models(self._snapshot)

    def _connect(self) -> None:
        v, c = self.view, self.controller
        v.start_button.clicked.connect(self.toggle)
        v.message.retry_button.clicked.connect(self.start)  # retry: the controls may have been fixed
        v.browse_button.clicked.connect(self.browse_dialog)
        v.snapshot_button.clicked.connect(self.snapshot_dialog)
        v.record_button.clicked.connect(self._record_clicked)
        v.model_combo.currentIndexChanged.connect(self._model_changed)
        v.mode_controls.classes_changed.connect(lambda _classes: self.controller.set_classes(self._classes()))
        v.mode_controls.background_changed.connect(lambda _effect: self.controller.set_background(self._background()))
        v.threshold_slider.valueChanged.connect(self._threshold_changed)
        for box in (v.boxes_check, v.landmarks_check, v.labels_check, v.mirror_check):
            box.toggled.connect(self._overlay_changed)
        v.canvas.displayed.connect(lambda live, t: c.display.record(live.t_capture, t))
        c.frame.connect(self._on_frame)
        c.problem.connect(self._on_problem)
        c.running_changed.connect(lambda _running: self._sync_buttons())
        c.recording_done.connect(self._on_recording_done)
        self.state.models_changed.connect(self._fill_models)
        self.state.settings_changed.connect(self._on_settings_changed)

    def _list_cameras(self) -> None:
        worker = CameraListWorker()
        worker.listed.connect(self._on_cameras)
        self.device_lister.start(worker, on_failed=failure_handler("Could not list the cameras", self.message.emit))

    def _on_cameras(self, cameras: list[tuple[int, str]]) -> None:
        combo = self.view.source_combo
        typed = combo.currentText()
        combo.clear()
        for index, name in cameras:
            combo.addItem(f"{index}: {name}", str(index))
        if typed or not cameras:
            combo.setEditText(typed)

    # -- what is selected -----------------------------------------------------------------------------
    def source_text(self) -> str:
        """What the source field names: a camera index for a listed camera, else the typed path or URL."""
        combo = self.view.source_combo
        index = combo.currentIndex()
        if index >= 0 and combo.currentText() == combo.itemText(index):
            return str(combo.itemData(index))
        return combo.currentText().strip()

    def set_source(self, text: str) -> None:
        self.view.source_combo.setEditText(text)

    def _model(self) -> tuple[str, bool]:
        model_id, emotion, _key = self.view.model_combo.currentData() or ("", False, "")
        return str(model_id), bool(emotion)

    def mode(self) -> str:
        """The chosen mode's key: "faces", "people", "objects", "background", or "" for a model by name."""
        data = self.view.model_combo.currentData()
        return str(data[2]) if data else ""

    def set_mode(self, key: str) -> None:
        """Choose the first entry of mode `key` (as picking it in the list does)."""
        combo = self.view.model_combo
        for i in range(combo.count()):
            data = combo.itemData(i)
            if data and data[2] == key:
                combo.setCurrentIndex(i)
                return
        raise ValueError(f"no camera mode {key!r} (its model is missing)")

    def _classes(self) -> frozenset[str] | None:
        return self.view.mode_controls.classes if self.mode() == "objects" else None

    def _background(self) -> BackgroundEffect | None:
        return self.view.mode_controls.effect() if self.mode() == "background" else None

    def _sync_mode(self) -> None:
        """Show the chosen mode's own controls (an object detector's classes, the background choice)."""
        key = self.mode()
        labels: tuple[str, ...] = ()
        if key == "objects":
            card = self._snapshot.card(self._model()[0])
            try:
                labels = card.labels() if card is not None else ()
            except Exception:  # a labels file gone since the card was read: the list stays empty
                labels = ()
        self.view.mode_controls.set_mode(key, labels)
        self.view.show_mode(key)

    def _is_detector(self, model_id: str) -> bool:
        """Whether the live threshold applies: face detectors, object detectors, segmenters, pose models."""
        card = self._snapshot.card(model_id)
        return card.task in THRESHOLD_TASKS if card else model_id == self.services.model_for("detect")

    def _card_threshold(self, model_id: str) -> float:
        card = self._snapshot.card(model_id)
        return card.threshold("score", 0.5) if card else 0.5

    def threshold(self) -> float:
        return self.view.threshold_slider.value() / 100.0

    def request(self) -> CameraRequest:
        """The request the controls describe (raises SourceError for an empty or invalid source)."""
        size = self.view.resolution_combo.currentData()
        width, height = size if size else (None, None)
        spec = parse_camera(self.source_text(), width=width, height=height, loop=self.view.loop_check.isChecked(),
                            open_timeout_s=STREAM_OPEN_S, read_timeout_s=STREAM_READ_S)
        model_id, emotion = self._model()
        return CameraRequest(spec, model_id, emotion, self.threshold() if self._is_detector(model_id) else None,
                             self._classes(), self._background())

    # -- running --------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start capture with the current controls (starts once the panel is visible)."""
        try:
            request = self.request()
        except SourceError as exc:
            self._on_problem(CaptureState.FAILED, str(exc))
            return
        self.view.message.clear()
        self.view.canvas.clear()
        self.view.stats.set_stats(None)
        self.controller.start(request)
        self._sync_buttons()

    def stop(self) -> None:
        self.controller.stop()
        self._sync_buttons()

    def toggle(self) -> None:
        self.stop() if self.controller.wanted else self.start()

    @property
    def running(self) -> bool:
        return self.controller.running

    def shutdown(self) -> None:
        """Stop capture, recording and the camera listing (the window's close joins their threads)."""
        self.controller.shutdown()
        self.device_lister.stop()
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        v, wanted = self.view, self.controller.wanted
        v.start_button.setText("St&op" if wanted else "St&art")
        v.start_button.setAccessibleName("Stop camera" if wanted else "Start camera")
        v.record_button.setChecked(self.controller.recording.active)

    # -- live changes ---------------------------------------------------------------------------------
    def _sync_threshold(self) -> None:
        model_id, _ = self._model()
        detector = self._is_detector(model_id)
        slider = self.view.threshold_slider
        slider.setEnabled(detector)
        if detector:
            slider.setValue(round(self._card_threshold(model_id) * 100))
        self.view.threshold_value.setText(f"{self.threshold():.2f}" if detector else "—")
        self.view.score_bars.setVisible(not detector)
        self.view.score_bars.set_scores(())

    def _model_changed(self) -> None:
        self._sync_threshold()
        self._sync_mode()
        model_id, emotion = self._model()
        self.controller.set_classes(self._classes())
        self.controller.set_background(self._background())
        self.controller.set_model(model_id, emotion, self.threshold() if self._is_detector(model_id) else None)

    def _threshold_changed(self, value: int) -> None:
        self.view.threshold_value.setText(f"{value / 100:.2f}")
        self.controller.set_threshold(value / 100)

    def _overlay_changed(self) -> None:
        v = self.view
        options = self.controller.recording.set_options(
            boxes=v.boxes_check.isChecked(), landmarks=v.landmarks_check.isChecked(),
            labels=v.labels_check.isChecked(), mirror=v.mirror_check.isChecked())
        v.canvas.set_layers(boxes=options.boxes, landmarks=options.landmarks, labels=options.labels)
        if (live := self.controller.latest) is not None:
            v.canvas.set_live(live, options.mirror)

    # -- frames ---------------------------------------------------------------------------------------
    def _on_frame(self, live: LiveFrame) -> None:
        v = self.view
        v.canvas.set_live(live, v.mirror_check.isChecked())
        payload = live.result.payload
        if isinstance(payload, ClassificationResult):
            v.score_bars.set_scores(payload.top[: self.services.settings.top_k])
        if not live.result.ok and live.result.error and not v.message.isVisible():
            v.message.show_problem(f"model error: {live.result.error}", retry=False)
        elif live.notice and v.message.text != live.notice:
            v.message.show_problem(live.notice, retry=False)
            self.message.emit(live.notice)
        now = time.perf_counter()
        if now - self._last_stats >= STATS_EVERY_S:
            self._last_stats = now
            stats = self.controller.stats()
            v.stats.set_stats(stats)
            self.stats_changed.emit(stats)
        if now - self._last_result >= RESULT_EVERY_S:
            self._last_result = now
            self.result_ready.emit(live.result)

    def _on_problem(self, state: CaptureState, text: str) -> None:
        prefix = {CaptureState.LOST: "Camera lost", CaptureState.ENDED: "Video ended"}.get(state, "Cannot start")
        line = f"{prefix}: {text}"
        self.view.message.show_problem(line)
        self._sync_buttons()
        self.problem.emit(line)
        self.message.emit(line)

    # -- snapshots and recording ------------------------------------------------------------------------
    def snapshot_to(self, path: Path, overlay: bool = True) -> Path:
        """Save the newest frame as shown (mirrored if the view is), with or without the overlay."""
        live = self.controller.latest
        if live is None:
            raise SourceError("no frame to save yet: start the camera first")
        live = shown(live)
        o = self.controller.recording.options
        picture = draw_overlay(live.frame, live, boxes=overlay and o.boxes, landmarks=overlay and o.landmarks,
                               labels=overlay and o.labels, mirror=o.mirror, masks=overlay)
        return save_snapshot(Path(path), picture)

    def record_to(self, path: Path) -> None:
        """Record the annotated stream (as shown) to an .mp4 or .avi until `stop_recording` or capture stops.
        A folder that cannot take it raises WriteError here; one that fills up later stops the recording
        (not the camera) and shows why."""
        self.controller.record_to(Path(path))
        self.clear_write_problem()
        self._sync_buttons()
        self.message.emit(f"recording to {path}")

    def stop_recording(self) -> RecordingDone | None:
        done = self.controller.stop_recording()
        self._sync_buttons()
        return done

    def _on_recording_done(self, done: RecordingDone) -> None:
        self._sync_buttons()
        if done.error:
            self.show_write_problem(done.error)
        elif done.path is None:
            self.message.emit("recording stopped: no frame was recorded")
        else:
            self.message.emit(f"recording saved: {done.path} ({done.frames} frames)")

    def show_write_problem(self, line: str) -> None:
        """A snapshot or recording that could not be written: in the panel (the camera keeps running) and
        the status bar, until the next write succeeds or capture restarts."""
        self._write_problem = line
        self.view.message.show_problem(line, retry=False)
        self.message.emit(line)

    def clear_write_problem(self) -> None:
        """A write succeeded: the last write problem, if still shown, goes."""
        if self._write_problem and self.view.message.text == self._write_problem:
            self.view.message.clear()
        self._write_problem = ""

    def browse_dialog(self) -> None:
        browse_video(self)

    def snapshot_dialog(self) -> None:
        save_snapshot_dialog(self)

    def _record_clicked(self) -> None:
        if self.controller.recording.active:
            self.stop_recording()
        else:
            record_dialog(self)
        self._sync_buttons()

    # -- visibility -----------------------------------------------------------------------------------
    def _suspend_check(self) -> None:
        window = self.window()
        self.controller.set_suspended(not self.isVisible() or window.isMinimized())
        self._sync_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        window = self.window()
        if window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window
        self._suspend_check()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        self.controller.set_suspended(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._watched and event.type() == QEvent.Type.WindowStateChange:
            self._suspend_check()
        return super().eventFilter(watched, event)
