"""File dialogs of the microphone panel (kept apart so tests call the panel's methods with paths)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.core.media.audio import AUDIO_EXTENSIONS


def ask_recording_path(parent: QWidget) -> Path | None:
    """Where to record the WAV (a timestamped name in the home folder is offered)."""
    name = time.strftime("recording-%Y%m%d-%H%M%S.wav")
    path, _ = QFileDialog.getSaveFileName(parent, "Record to WAV", str(Path.home() / name), "WAV audio (*.wav)")
    if not path:
        return None
    return Path(path) if path.lower().endswith(".wav") else Path(path + ".wav")


def ask_export_path(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export segments", str(Path.home() / "speech-segments.csv"),
                                          "CSV (*.csv);;JSON (*.json)")
    return Path(path) if path else None


def ask_audio_file(parent: QWidget) -> Path | None:
    pattern = " ".join(f"*{ext}" for ext in AUDIO_EXTENSIONS)
    path, _ = QFileDialog.getOpenFileName(parent, "Analyse an audio file", str(Path.home()), f"Audio ({pattern})")
    return Path(path) if path else None
