"""A fake `sounddevice` module for the microphone panel tests: one 48 kHz stereo input device whose stream
callback is driven from a feeder thread the test controls, in real-sized blocks, with backpressure so the
test never loses blocks to the source's bounded queue."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np

RATE = 48_000
BLOCK = 1536  # 32 ms at 48 kHz, what MicrophoneSource asks for


class FakePortAudioError(Exception):
    """Shaped like sounddevice.PortAudioError: (message, code)."""


class FakeStream:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    @property
    def queued(self) -> int:
        return int(self.kwargs["callback"].__self__.queued)  # the MicrophoneSource behind the callback

    def push(self, block: np.ndarray, overflow: bool = False) -> None:
        self.kwargs["callback"](block, len(block), None, SimpleNamespace(input_overflow=overflow))

    def die(self) -> None:
        """What PortAudio does when the device goes away: the stream finishes on its own."""
        self.kwargs["finished_callback"]()


class FakeSoundDevice:
    """`query_hostapis`, `query_devices`, `default`, `InputStream` as sounddevice has them."""

    def __init__(self, fail_with: Exception | None = None, rate: int = RATE) -> None:
        self.fail_with = fail_with
        self.stream: FakeStream | None = None
        self.streams: list[FakeStream] = []
        self.default = SimpleNamespace(device=[0, 1])
        self._devices = [
            {"name": "USB Mic", "hostapi": 0, "max_input_channels": 2, "default_samplerate": float(rate)},
            {"name": "Speaker", "hostapi": 0, "max_input_channels": 0, "default_samplerate": 44100.0},
        ]

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": "ALSA"}]

    def query_devices(self, device: Any = None, kind: str | None = None) -> Any:
        if device is None:
            return self._devices
        if device not in (0, "USB Mic"):
            raise ValueError(f"No input device matching {device!r}")
        return self._devices[0]

    def InputStream(self, **kwargs: Any) -> FakeStream:  # noqa: N802 (sounddevice's API)
        if self.fail_with is not None:
            raise self.fail_with
        self.stream = FakeStream(**kwargs)
        self.streams.append(self.stream)
        return self.stream


class Feeder:
    """Pushes (frames, channels) audio into a fake stream in BLOCK-sized pieces from its own thread."""

    def __init__(self, stream: FakeStream, audio: np.ndarray, max_queued: int = 8) -> None:
        self.stream = stream
        self.audio = np.ascontiguousarray(audio, dtype=np.float32)
        self.max_queued = max_queued
        self.blocks = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="fake-mic-feeder", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for start in range(0, len(self.audio), BLOCK):
            while self.stream.queued > self.max_queued and not self._stop.is_set():
                self._stop.wait(0.001)  # backpressure: the worker reads, then we push more
            if self._stop.is_set() or self.stream.closed:
                return
            self.stream.push(self.audio[start : start + BLOCK])
            self.blocks += 1

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()

    def stop(self) -> None:
        """Stop early (if still feeding) and join the thread."""
        self._stop.set()
        self.thread.join(10)
