"""Microphone source: a PortAudio input stream (through an injected `sounddevice` module) at the device's
native rate and channel count, a bounded queue that drops the oldest blocks when the consumer falls
behind, and conversion to mono float32 at the model's rate with a streaming soxr resampler."""

from __future__ import annotations

import collections
import math
import threading
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import soxr

from desktop_app.core.errors import AppError

MAX_CHANNELS = 2  # devices such as PulseAudio's ALSA bridge report 32; two are plenty for speech
CLIP_LEVEL = 0.999
# Seconds per captured block: 64 ms (two Silero chunks) halves the per-block costs of the callback, the
# queue, the resampler and the level meter against 32 ms (measured by bench/bench_vad.py) and wakes the
# laptop half as often; the meter still updates about 16 times a second.
BLOCK_S = 0.064


class MicrophoneError(AppError):
    """The microphone cannot be opened or stopped working; the message says what to try."""


#: PortAudio error codes -> plain words and what to try.
PORTAUDIO_ERRORS = {
    -9996: "the selected input device does not exist any more (unplugged?); pick another device and retry",
    -9997: "the device rejected the sample rate; pick another device or its default rate",
    -9998: "the device does not offer that many input channels; pick another device",
    -9999: "the audio system reported an internal error (device busy or driver problem); close other "
    "programs using the microphone and retry",
    -9985: "the device is busy or unavailable; close other programs using the microphone and retry",
    -9986: "the device is busy or unavailable; close other programs using the microphone and retry",
}


def explain_portaudio_error(exc: BaseException) -> str:
    """One line for a PortAudio failure: the code's meaning, or permission advice, or the raw text."""
    text = " ".join(str(exc).split())
    code = getattr(exc, "args", (None, None))
    for value in code:
        if isinstance(value, int) and value in PORTAUDIO_ERRORS:
            return f"microphone: {PORTAUDIO_ERRORS[value]} ({text})"
    for number, meaning in PORTAUDIO_ERRORS.items():
        if f"[PaErrorCode {number}]" in text or f"{number}" in text.split():
            return f"microphone: {meaning} ({text})"
    lowered = text.lower()
    if "permission" in lowered or "access denied" in lowered or "not authorized" in lowered:
        return ("microphone: permission denied; allow this app to use the microphone in the system privacy "
                f"settings and retry ({text})")
    return f"microphone: {text}"


def load_sounddevice() -> ModuleType:
    """Import sounddevice (the composition root injects it); a missing PortAudio becomes a MicrophoneError."""
    try:
        import sounddevice
    except OSError as exc:
        raise MicrophoneError(f"microphone: the PortAudio library is missing ({exc}); install libportaudio2") from exc
    return sounddevice


@dataclass(frozen=True)
class AudioDevice:
    """An input device as PortAudio lists it."""

    index: int
    name: str
    host_api: str
    channels: int
    default_rate: float
    is_default: bool

    @property
    def label(self) -> str:
        star = " (default)" if self.is_default else ""
        return f"{self.name} — {self.host_api}{star}"


def input_devices(sd: Any) -> list[AudioDevice]:
    """Every device with input channels, with its host API name."""
    try:
        apis = sd.query_hostapis()
        default_in = sd.default.device[0] if isinstance(sd.default.device, (list, tuple)) else sd.default.device
        return [
            AudioDevice(i, d["name"], apis[d["hostapi"]]["name"], int(d["max_input_channels"]),
                        float(d["default_samplerate"]), i == default_in)
            for i, d in enumerate(sd.query_devices()) if d["max_input_channels"] > 0
        ]
    except Exception as exc:  # PortAudio raises its own error type
        raise MicrophoneError(explain_portaudio_error(exc)) from exc


@dataclass(frozen=True)
class AudioBlock:
    """Captured audio: mono float32 at the target rate, the raw native-rate frames, and levels."""

    samples: np.ndarray
    raw: np.ndarray  # (frames, channels) float32 at the device rate, for recording
    index: int
    t_capture: float  # time.monotonic() when the block arrived
    rms_dbfs: float
    peak_dbfs: float
    clipped: bool


_WEIGHTS: dict[int, np.ndarray] = {}  # channel count -> downmix weights, made once


def downmix(raw: np.ndarray) -> np.ndarray:
    """(frames, channels) float32 -> mono float32; a matrix product is ~4x faster than mean(axis=1) on
    the small blocks a microphone delivers."""
    channels = raw.shape[1]
    if channels == 1:
        return raw[:, 0]
    weights = _WEIGHTS.get(channels)
    if weights is None:
        weights = _WEIGHTS.setdefault(channels, np.full(channels, 1.0 / channels, dtype=np.float32))
    return raw @ weights


def levels(raw: np.ndarray) -> tuple[float, float, bool]:
    """(RMS dBFS, peak dBFS, clipped) of a float32 block, any shape; -200 dBFS for silence or no samples.

    One pass each: max/min and a dot product, no temporary arrays (a third of the cost of abs/square/mean
    on a microphone block; the live path pays it on every block)."""
    flat = raw.reshape(-1)
    if not flat.size:
        return _dbfs(0.0), _dbfs(0.0), False
    peak = max(float(flat.max()), -float(flat.min()))
    rms = math.sqrt(float(np.dot(flat, flat)) / flat.size)
    return _dbfs(rms), _dbfs(peak), peak >= CLIP_LEVEL


def _dbfs(value: float) -> float:
    return 20.0 * math.log10(max(value, 1e-10))


class MicrophoneSource:
    """Opens an input stream at the device's own rate; `read()` gives mono blocks at `target_rate`.

    Each block is converted where it arrives, in PortAudio's callback thread: copied, mixed to mono,
    resampled (streaming soxr, so the resampler always sees the continuous signal, even when the
    consumer falls behind and old blocks are dropped) and measured (peak, RMS). The consumer's thread
    then only runs the model: on two cores the conversion of one block overlaps the inference of the
    previous one. The conversion costs about 40 microseconds per 64 ms block.
    """

    def __init__(self, sd: Any, device: int | str | None, target_rate: int, *, block_s: float = BLOCK_S,
                 max_blocks: int = 64) -> None:
        self.sd = sd
        self.device = device
        self.target_rate = target_rate
        self.block_s = block_s
        self._queue: collections.deque[AudioBlock] = collections.deque(maxlen=max_blocks)
        self._ready = threading.Condition()
        self._convert = threading.Lock()
        self._stream: Any = None
        self._resampler: soxr.ResampleStream | None = None
        self.native_rate = 0
        self.channels = 0
        self.captured = 0
        self.dropped = 0
        self.overflows = 0
        self._index = 0
        self.error: str | None = None

    def open(self) -> None:
        """Start capturing at the device's default rate and (up to two of) its channels."""
        try:
            info = self.sd.query_devices(self.device, "input")
            self.native_rate = int(round(float(info["default_samplerate"])))
            self.channels = max(1, min(MAX_CHANNELS, int(info["max_input_channels"])))
            # ready before the first callback can arrive
            self._resampler = soxr.ResampleStream(self.native_rate, self.target_rate, 1, dtype="float32",
                                                  quality="HQ")
            self._stream = self.sd.InputStream(
                device=self.device, samplerate=self.native_rate, channels=self.channels, dtype="float32",
                blocksize=max(1, int(self.native_rate * self.block_s)), callback=self._callback,
                finished_callback=self._finished)
            self._stream.start()
        except MicrophoneError:
            raise
        except Exception as exc:  # PortAudioError, ValueError for unknown devices
            self._stream = None
            self._resampler = None
            raise MicrophoneError(explain_portaudio_error(exc)) from exc

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        t_capture = time.monotonic()
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        resampler = self._resampler
        if resampler is None:  # closing
            return
        raw = indata.copy()  # PortAudio reuses its buffer after this returns
        with self._convert:  # PortAudio never overlaps callbacks; the lock keeps soxr safe if a host did
            try:
                samples = resampler.resample_chunk(downmix(raw))
            except Exception as exc:  # an exception here would end the stream with no word to the consumer
                with self._ready:
                    self.error = f"microphone: cannot convert the input to {self.target_rate} Hz mono: {exc}"
                    self._ready.notify_all()
                raise
            index = self._index
            self._index += 1
        block = AudioBlock(samples, raw, index, t_capture, *levels(raw))
        with self._ready:
            if len(self._queue) == self._queue.maxlen:
                self.dropped += 1  # the deque drops the oldest block itself
            self._queue.append(block)
            self.captured += 1
            self._ready.notify()

    def _finished(self) -> None:
        with self._ready:
            if self._stream is not None and self.error is None and not getattr(self, "_closing", False):
                self.error = "microphone: the input stream stopped (device unplugged?); pick a device and retry"
            self._ready.notify_all()

    def read(self, timeout: float = 1.0) -> AudioBlock | None:
        """The oldest queued block (mono, at the target rate), or None after `timeout`; raises when the
        stream died (e.g. the device was unplugged)."""
        with self._ready:
            if not self._queue:
                self._ready.wait(timeout)
            if not self._queue:
                if self.error:
                    raise MicrophoneError(self.error)
                return None
            return self._queue.popleft()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def close(self) -> None:
        """Stop and close the stream (safe to call twice)."""
        stream, self._stream = self._stream, None
        self._closing = True
        self._resampler = None  # native soxr state is freed now, not whenever a reference cycle is collected
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # closing a dead device may fail; nothing more to release
                pass
        with self._ready:
            self._ready.notify_all()
