"""Background work of the microphone panel: live capture (MicWorker) and a long file (FileVadWorker), both
feeding the streaming Silero VAD and emitting throttled MicUpdates. Device failures are emitted as the
exception object by the Worker base; silence and clipping are warnings inside the updates."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal

from desktop_app.core.errors import AppError, TaskError
from desktop_app.core.media.audio import audio_info, iter_audio_blocks
from desktop_app.core.models.card import ModelCard
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.services import AppServices
from desktop_app.core.sources.live_vad import LiveVad
from desktop_app.core.sources.microphone import MicrophoneSource, levels
from desktop_app.core.sources.wav_recorder import WavRecorder
from desktop_app.core.tasks.vad import SegmentParams
from desktop_app.qt.microphone.qt_mic_updates import MicOpened, MicUpdate, RecordingSaved, UpdateBuilder
from desktop_app.qt.qt_workers import Worker

READ_TIMEOUT_S = 0.05  # how long a read waits for audio before the loop checks for cancellation
_STOP = object()  # recording request: finish the current file


def open_vad(services: AppServices, params: dict[str, float]) -> tuple[ModelCard, ModelSession, LiveVad]:
    """The audio model of the settings as a live VAD (on the worker thread: this may hash and load it)."""
    task = services.pipeline.task(services.model_for("audio"))
    card = task.card
    if card.task != "vad" or card.audio is None:
        raise TaskError(f"{card.id} is not a voice activity model; pick one (e.g. silero-vad) as the audio model "
                        "in the model manager")
    return card, task.session, LiveVad(card, task.session, SegmentParams.from_card(card, **params))


class MicWorker(Worker):
    """Opens the microphone, feeds every block to the live VAD, records the raw input on request."""

    opened = Signal(object)  # MicOpened
    update = Signal(object)  # MicUpdate
    recorded = Signal(object)  # RecordingSaved, or the exception when recording failed

    def __init__(self, services: AppServices, sd: Any, device: int | str | None, params: dict[str, float],
                 record_to: Path | None = None) -> None:
        super().__init__()
        self.services = services
        self.sd = sd
        self.device = device
        self.params = dict(params)
        self._lock = threading.Lock()
        self._request: object = record_to  # a Path to start, _STOP to finish, None for nothing
        self._recorder: WavRecorder | None = None

    def start_recording(self, path: Path) -> None:
        """Record the raw input to `path` from the next block on (thread-safe)."""
        with self._lock:
            self._request = Path(path)

    def stop_recording(self) -> None:
        """Finish the recording; `recorded` follows (thread-safe)."""
        with self._lock:
            self._request = _STOP

    def work(self) -> None:
        card, session, vad = open_vad(self.services, self.params)
        assert card.audio is not None
        source = MicrophoneSource(self.sd, self.device, card.audio.sample_rate)
        builder = UpdateBuilder(card.audio.sample_rate, card.audio.chunk)
        source.open()
        try:
            self.opened.emit(MicOpened(source.native_rate, source.channels, source.target_rate, card.id,
                                       card.sha256, session.report))
            while True:
                self.check_cancelled()
                self._apply_request(source)
                block = source.read(timeout=READ_TIMEOUT_S)
                if block is not None:
                    self._record(block.raw)
                    builder.add(block.samples, vad.feed(block.samples), block.rms_dbfs, block.peak_dbfs, block.clipped)
                if builder.due():
                    self.update.emit(self._take(builder, source))
        finally:
            source.close()
            builder.add_segment(vad.finish())
            self._finish_recording()
            self.update.emit(self._take(builder, source, final=True))

    def _take(self, builder: UpdateBuilder, source: MicrophoneSource, final: bool = False) -> MicUpdate:
        rec = self._recorder.duration_s if self._recorder is not None else None
        return builder.take(captured=source.captured, dropped=source.dropped, overflows=source.overflows,
                            recording_s=rec, final=final)

    def _apply_request(self, source: MicrophoneSource) -> None:
        with self._lock:
            request, self._request = self._request, None
        if request is None:
            return
        self._finish_recording()
        if isinstance(request, Path):
            try:
                self._recorder = WavRecorder(request, source.native_rate, source.channels)
            except AppError as exc:
                self.recorded.emit(exc)

    def _record(self, raw: np.ndarray) -> None:
        if self._recorder is None:
            return
        try:
            self._recorder.write(raw)
        except AppError as exc:  # a full disk stops the recording, not the capture
            self._recorder = None
            self.recorded.emit(exc)

    def _finish_recording(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        try:
            path = recorder.close()
        except AppError as exc:
            self.recorded.emit(exc)
            return
        self.recorded.emit(RecordingSaved(path, recorder.duration_s, recorder.rate, recorder.channels))


class FileVadWorker(Worker):
    """The same live VAD over a (long) audio file streamed in blocks, with progress."""

    opened = Signal(object)  # MicOpened (native rate and channels of the file)
    update = Signal(object)  # MicUpdate with progress

    def __init__(self, services: AppServices, path: Path, params: dict[str, float], block_s: float = 0.5) -> None:
        super().__init__()
        self.services = services
        self.path = Path(path)
        self.params = dict(params)
        self.block_s = block_s

    def work(self) -> None:
        card, session, vad = open_vad(self.services, self.params)
        assert card.audio is not None
        rate = card.audio.sample_rate
        duration, native_rate, channels = audio_info(self.path)
        bucket = max(160, int(duration * rate / 20_000))  # at most ~20k envelope points for the whole file
        builder = UpdateBuilder(rate, card.audio.chunk, bucket)
        self.opened.emit(MicOpened(native_rate, channels, rate, card.id, card.sha256, session.report))
        progress = 0.0
        for samples, progress in iter_audio_blocks(self.path, rate, self.block_s):
            self.check_cancelled()
            builder.add(samples, vad.feed(samples), *levels(samples))
            if builder.due():
                self.update.emit(builder.take(progress=progress))
        builder.add_segment(vad.finish())
        self.update.emit(builder.take(progress=progress, final=True))
