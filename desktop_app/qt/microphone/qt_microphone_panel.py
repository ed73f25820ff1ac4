"""Microphone panel: pick an input device, watch levels, the waveform and the live speech probability, list
the speech segments, record the raw input to WAV and export the segments. Capture stops while the panel is
hidden (another tab) and resumes when it is shown again. The sounddevice module is injected."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.core.errors import AppError
from desktop_app.core.fileio import describe_write_error
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.results import Result, SpeechSegment, Timings
from desktop_app.core.services import AppServices, SettingsChange
from desktop_app.core.sources.microphone import AudioDevice, input_devices, load_sounddevice
from desktop_app.core.tasks.vad import SegmentParams
from desktop_app.qt.microphone.qt_mic_controller import QtMicController
from desktop_app.qt.microphone.qt_mic_dialogs import ask_audio_file, ask_export_path, ask_recording_path
from desktop_app.qt.microphone.qt_mic_segments import write_segments
from desktop_app.qt.microphone.qt_mic_updates import (
    NO_DEVICE,
    MicOpened,
    MicUpdate,
    RecordingSaved,
    plain_error,
)
from desktop_app.qt.microphone.qt_mic_view import QtMicView
from desktop_app.qt.qt_app_state import QtAppState


class QtMicrophonePanel(QWidget):
    """Live voice activity from a microphone (and from a long audio file on request)."""

    message = Signal(str)
    result_ready = Signal(object)  # Result (model, provider, per-chunk inference time), at most once a second

    def __init__(self, services: AppServices, sounddevice_loader: Callable[[], ModuleType | Any] = load_sounddevice,
                 parent: QWidget | None = None, *, state: QtAppState | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.state = QtAppState.of(services, state, self)
        self._loader = sounddevice_loader
        self.sd: Any = None
        self.devices: list[AudioDevice] = []
        self.opened_info: MicOpened | None = None
        self.last_update: MicUpdate | None = None
        self.last_recording: RecordingSaved | None = None
        self.source_label = "microphone"
        self._error = ""
        self._write_error = ""
        self._warnings: tuple[str, ...] = ()
        self._resume = False
        self._recording = False
        self._result_at = 0.0
        self.view = QtMicView(self._default_params())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.controller = QtMicController(services, self)
        self._connect()
        self.state.models_changed.connect(self._check_model)
        self.state.settings_changed.connect(self._on_settings_changed)
        self._update_buttons()

    def _on_settings_changed(self, change: SettingsChange) -> None:
        if change.changed("audio_model"):
            self._check_model()

    def _check_model(self, snapshot: RegistrySnapshot | None = None) -> None:
        """Say at once when the audio model's card went or broke (capture would fail with the same reason)."""
        model_id = self.services.model_for("audio")
        snapshot = snapshot or self.state.models
        if snapshot.card(model_id) is None:
            why = snapshot.why_missing(model_id)
            self.message.emit(f"Microphone: {model_id} cannot run: {why}")

    def _default_params(self) -> SegmentParams:
        card = self.state.models.card(self.services.model_for("audio"))
        try:
            return SegmentParams.from_card(card) if card else SegmentParams()
        except Exception:  # a broken model is reported when capture starts
            return SegmentParams()

    def _connect(self) -> None:
        v, c = self.view, self.controller
        v.refresh_button.clicked.connect(lambda: self.refresh_devices(rescan=True))
        v.start_button.clicked.connect(self.toggle_capture)
        v.record_button.clicked.connect(self._record_clicked)
        v.export_button.clicked.connect(self._export_clicked)
        v.analyse_button.clicked.connect(self._analyse_clicked)
        c.opened.connect(self._on_opened)
        c.update.connect(self._on_update)
        c.failed.connect(self._on_failed)
        c.recorded.connect(self._on_recorded)
        c.stopped.connect(self._on_stopped)

    # -- devices ---------------------------------------------------------------------------------

    def refresh_devices(self, rescan: bool = False) -> list[AudioDevice]:
        """List the input devices (loading sounddevice on first use); keeps the selection by name."""
        try:
            if self.sd is None:
                self.sd = self._loader()
            elif rescan and not self.controller.device_in_use and hasattr(self.sd, "_terminate"):
                self.sd._terminate()  # PortAudio only sees devices plugged in since it was initialised
                self.sd._initialize()
            self.devices = input_devices(self.sd)
        except AppError as exc:
            self.devices = []
            self._show_error(str(exc))
        combo = self.view.device_combo
        keep = combo.currentText()
        combo.clear()
        for device in self.devices:
            combo.addItem(device.label, device.index)
        names = [d.label for d in self.devices]
        default = next((i for i, d in enumerate(self.devices) if d.is_default), 0)
        combo.setCurrentIndex(names.index(keep) if keep in names else default if self.devices else -1)
        if not self.devices and self.sd is not None and not self._error:
            self._show_error(NO_DEVICE)
        self._update_buttons()
        return self.devices

    # -- capture ---------------------------------------------------------------------------------

    @property
    def capturing(self) -> bool:
        return self.controller.capturing

    @property
    def segments(self) -> list[SpeechSegment]:
        return list(self.view.table.segments)

    def params(self) -> dict[str, float]:
        """The segment settings as overrides of the card's thresholds (offset never above onset)."""
        v = self.view
        onset = v.onset_spin.value()
        return {"onset": onset, "offset": min(v.offset_spin.value(), onset),
                "min_speech_ms": float(v.min_speech_spin.value()), "min_silence_ms": float(v.min_silence_spin.value())}

    def toggle_capture(self) -> None:
        self.stop() if self.capturing else self.start()

    def start(self, record_to: Path | None = None) -> bool:
        """Start capturing from the selected device; False (with a message) when there is none."""
        if self.sd is None:
            self.refresh_devices()
        device = self.view.device_combo.currentData()
        if self.sd is None or device is None:
            self._show_error(self._error or NO_DEVICE)
            return False
        self._reset_run("microphone", live=True)
        self._recording = record_to is not None
        self.controller.start_capture(self.sd, device, self.params(), record_to)
        self.view.stats_label.setText("Opening the microphone…")
        self._update_buttons()
        return True

    def stop(self) -> None:
        """Stop capturing (or analysing a file); a recording in progress is saved."""
        self._resume = False
        self.controller.stop()
        self._update_buttons()

    def shutdown(self) -> None:
        """Stop everything (the window is closing; it joins the threads)."""
        self.stop()

    def analyse_file(self, path: Path) -> None:
        """Run the VAD over an audio file in a worker; progress, waveform and segments as for the microphone."""
        self._resume = False
        self._reset_run(Path(path).name, live=False)
        self.controller.analyse_file(Path(path), self.params())
        self.view.progress.setValue(0)
        self.view.progress.show()
        self._update_buttons()

    def _reset_run(self, source: str, live: bool) -> None:
        self.controller.stop()
        self.source_label = source
        self.opened_info = self.last_update = None
        self._warnings, self._error = (), ""
        self.view.show_strip("", "")
        self.view.plot.reset(live=live, onset=self.params()["onset"])
        self.view.table.clear_segments()
        self.view.meter.reset()
        self._set_summary()

    # -- recording and export ----------------------------------------------------------------------

    def record_to(self, path: Path) -> None:
        """Record the raw input to `path` (starting capture if needed); finished by stop_recording()."""
        self._clear_write_error()
        if self.controller.start_recording(Path(path)):
            self._recording = True
        else:
            self.start(record_to=Path(path))
        self._update_buttons()

    def stop_recording(self) -> None:
        self.controller.stop_recording()

    def export_segments(self, path: Path) -> Path:
        """Write the segment list as CSV (.csv) or JSON (anything else), atomically (WriteError on failure)."""
        model = self.opened_info.model_id if self.opened_info else None
        saved = write_segments(Path(path), self.segments, self.source_label, model)
        self.message.emit(f"Exported {len(self.segments)} segment(s) to {saved}")
        return saved

    def export_to(self, path: Path) -> str | None:
        """Export the segments; a failure (disk full, read-only folder) is one line in the strip, returned
        too, and the segments stay in the table for a retry elsewhere."""
        try:
            self.export_segments(path)
        except (OSError, AppError) as exc:
            detail = exc if isinstance(exc, AppError) else describe_write_error(Path(path), exc)
            self._show_write_error(f"segments not exported: {detail}")
            return self._write_error
        self._clear_write_error()
        return None

    def _record_clicked(self) -> None:
        if self._recording:
            self.stop_recording()
        elif (path := ask_recording_path(self)) is not None:
            self.record_to(path)

    def _export_clicked(self) -> None:
        if (path := ask_export_path(self)) is not None:
            self.export_to(path)

    def _analyse_clicked(self) -> None:
        if (path := ask_audio_file(self)) is not None:
            self.analyse_file(path)

    # -- worker signals ----------------------------------------------------------------------------

    def _on_opened(self, info: MicOpened) -> None:
        self.opened_info = info
        self._set_stats()

    def _on_update(self, update: MicUpdate) -> None:
        self.last_update = update
        self.view.show_update(update)
        self._set_stats()
        if update.segments:
            self._set_summary()
        if update.warnings != self._warnings:
            for text in set(update.warnings) - set(self._warnings):
                self.message.emit(f"Warning: {text}")
            self._warnings = update.warnings
            self._show_warnings()
        self._emit_result(update)

    def _emit_result(self, update: MicUpdate) -> None:
        info = self.opened_info
        now = time.monotonic()
        if info is None or not update.probabilities or now - self._result_at < 1.0:
            return
        self._result_at = now
        per_chunk = update.inference_ms / len(update.probabilities)
        self.result_ready.emit(Result(self.source_label, True, info.model_id, info.model_sha256, info.provider,
                                      Timings(inference_ms=per_chunk), task="vad"))

    def _on_failed(self, exc: object) -> None:
        self._show_error(plain_error(exc))
        self.message.emit(plain_error(exc))

    def _on_recorded(self, saved: object) -> None:
        self._recording = False
        if isinstance(saved, RecordingSaved):
            self.last_recording = saved
            self.message.emit(f"Recording saved to {saved.path} ({saved.seconds:.1f} s, {saved.rate} Hz, "
                              f"{saved.channels} channel(s))")
        else:  # a full disk or a read-only folder: capture goes on, a new recording may go elsewhere
            self._show_write_error(plain_error(saved))
        self._update_buttons()

    def _on_stopped(self) -> None:
        self.view.show_idle()
        self._set_stats()
        self._update_buttons()

    # -- state shown -------------------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self._error = text
        self.view.show_strip(text, "error")

    def _show_write_error(self, text: str) -> None:
        """A file that could not be written: in the strip and the status bar, until a write succeeds."""
        self._write_error = text
        self._show_error(text)
        self.message.emit(text)

    def _clear_write_error(self) -> None:
        if self._write_error and self._error == self._write_error:
            self._error = ""
            self.view.show_strip("", "")
            self._show_warnings()
        self._write_error = ""

    def _show_warnings(self) -> None:
        if self._error:
            return  # an error stays until the next start
        self.view.show_strip("\n".join(f"Warning: {w}" for w in self._warnings), "warning" if self._warnings else "")

    @property
    def strip_text(self) -> tuple[str, str]:
        """(kind, text) of the warnings/errors strip: kind is 'error', 'warning' or ''."""
        return self.view.strip_state()

    def _set_stats(self) -> None:
        running = self.controller.capturing or self.controller.analysing
        self.view.show_stats(self.opened_info, self.last_update, running)

    def _set_summary(self) -> None:
        self.view.show_summary(self.view.table.segments)

    def _update_buttons(self) -> None:
        v, c = self.view, self.controller
        busy = c.capturing or c.analysing
        v.start_button.setText("&Stop" if busy else "&Start")
        v.start_button.setAccessibleName("Stop capture" if busy else "Start capture")
        v.start_button.setEnabled(busy or bool(self.devices) or self.sd is None)
        v.record_button.setText("Stop re&cording" if self._recording else "Re&cord…")
        v.record_button.setEnabled(self._recording or not c.analysing)
        v.device_combo.setEnabled(not busy)
        v.refresh_button.setEnabled(not busy)
        v.export_button.setEnabled(bool(v.table.segments) or busy)

    # -- visibility --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.sd is None and not self._error:
            self.refresh_devices()
        if self._resume and not event.spontaneous():
            self._resume = False
            self.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        if not event.spontaneous() and self.controller.capturing:  # another tab or a closed window, not minimised
            self.controller.stop()
            self._resume = True
            self._update_buttons()
