"""The soak's microphone half (bench/soak.py): `MicrophoneSource` -> `LiveVad` on a worker thread, and the
sources that feed it: the PulseAudio virtual microphone (`vmic`) with the bundled espeak-ng speech sample
played into `vspk` again and again, or, without PulseAudio, a fake sounddevice module fed in real time.

PortAudio lists its devices when `sounddevice` is imported, so the PulseAudio path needs a process that
has not imported it yet (`microphone` refuses otherwise).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.sources.live_vad import LiveVad
from desktop_app.core.sources.microphone import MicrophoneSource
from desktop_app.core.tasks.vad import SegmentParams

ROOT = Path(__file__).resolve().parents[1]
SPEECH_WAV = ROOT / "resources" / "samples" / "speech-espeak.wav"
VAD_MODEL = "silero-vad"
#: Seconds allowed for each soak thread (and a player's process) to end.
JOIN_S = 10.0


class MicLoop:
    """MicrophoneSource -> LiveVad on a worker thread, as the microphone panel's MicWorker runs them."""

    def __init__(self, pipeline: Pipeline, sd: Any, device: int | str | None, failed: threading.Event) -> None:
        task = pipeline.task(VAD_MODEL)
        card = task.card
        assert card.audio is not None
        self.params = SegmentParams.from_card(card)
        self.vad = LiveVad(card, task.session, self.params)
        self.source = MicrophoneSource(sd, device, card.audio.sample_rate)
        self.thread = threading.Thread(target=self._run, name="soak-microphone")
        self._stop = threading.Event()
        self._failed = failed
        self._lock = threading.Lock()
        self.chunks = self.speech_chunks = self.segments = 0
        self.queued_max = 0
        self.error: str | None = None

    def start(self) -> None:
        self.source.open()
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                depth = self.source.queued
                block = self.source.read(timeout=0.05)
                if block is None:
                    continue
                update = self.vad.feed(block.samples)
                speech = sum(p >= self.params.onset for p in update.probabilities)
                with self._lock:
                    self.queued_max = max(self.queued_max, depth)
                    self.chunks += len(update.probabilities)
                    self.speech_chunks += speech
                    self.segments += len(update.segments)
        except Exception as exc:
            self.error = f"microphone: {type(exc).__name__}: {exc}"
            self._failed.set()
        finally:
            self.source.close()

    def take(self) -> tuple[int, int, int, int]:
        """(VAD chunks, speech chunks, segments, deepest queue since the last take)."""
        with self._lock:
            deepest, self.queued_max = max(self.queued_max, self.source.queued), 0
            return self.chunks, self.speech_chunks, self.segments, deepest

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(JOIN_S)


class _Repeating:
    """A thread that plays the speech sample again and again until `stop`; `plays` counts the times it
    started over."""

    def __init__(self, name: str) -> None:
        self.plays = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        if self.thread.ident is not None:  # started
            self.thread.join(JOIN_S)


class LoopingPlayer(_Repeating):
    """Plays the speech WAV into the virtual speaker again and again (paplay restarted by a thread).
    Spawning holds `spawn_lock`, so a sample never counts the short-lived descriptors of a spawn."""

    def __init__(self, wav: Path, env: dict[str, str], spawn_lock: threading.Lock) -> None:
        super().__init__("soak-player")
        self.wav, self.env, self.spawn_lock = wav, env, spawn_lock

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.spawn_lock:
                proc = subprocess.Popen(["paplay", "--device=vspk", str(self.wav)], env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
            try:
                while proc.poll() is None and not self._stop.wait(0.1):
                    pass  # polls "played to the end or asked to stop"
            finally:
                if proc.poll() is None:
                    proc.terminate()
                proc.wait(JOIN_S)
            self.plays += 1


class RealTimeFeeder(_Repeating):
    """Without PulseAudio: pushes the speech sample (48 kHz stereo) into the fake sounddevice module's
    stream in blocks of the size the source asks for, paced by the wall clock, looping, like a device
    would. Start it once `MicrophoneSource` has opened the stream."""

    def __init__(self, sd: Any, audio: np.ndarray, rate: int, block: int) -> None:
        super().__init__("soak-fake-mic")
        self.sd, self.audio, self.rate, self.block = sd, audio, rate, block

    def _run(self) -> None:
        stream = self.sd.stream
        start, pushed, position = time.perf_counter(), 0, 0
        while not self._stop.wait(max(0.0, start + pushed * self.block / self.rate - time.perf_counter())):
            if position + self.block > len(self.audio):
                position, self.plays = 0, self.plays + 1
            stream.push(self.audio[position : position + self.block])
            position, pushed = position + self.block, pushed + 1


@contextlib.contextmanager
def _pulse_environment(env: dict[str, str]) -> Iterator[None]:
    """Point this process (PortAudio's ALSA PulseAudio plugin) at the test daemon, then restore."""
    names = ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER")
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update({k: env[k] for k in names})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _fake_microphone() -> tuple[Any, RealTimeFeeder]:
    """A fake sounddevice module and a player that feeds its stream in real time."""
    import soundfile as sf
    import soxr

    from tests.fake_sounddevice import BLOCK, RATE, FakeSoundDevice

    sd = FakeSoundDevice()
    speech, rate = sf.read(str(SPEECH_WAV), dtype="float32")
    stereo = np.repeat(soxr.resample(speech, rate, RATE)[:, None], 2, axis=1).astype(np.float32)
    return sd, RealTimeFeeder(sd, stereo, RATE, BLOCK)


@contextlib.contextmanager
def microphone(mode: str, workdir: Path, spawn_lock: threading.Lock) -> Iterator[tuple[str, Any, Any, Any]]:
    """(mode description, sounddevice module, device, looping player) for "pulse", "fake" or "auto"
    ("auto": PulseAudio when it starts, else the fake, said in the description)."""
    reason = ""
    with contextlib.ExitStack() as stack:
        if mode in ("pulse", "auto"):
            from tests.e2e.pulse import virtual_microphone

            try:
                env: dict[str, str] | None = stack.enter_context(virtual_microphone(workdir / "pulse"))
            except AssertionError as exc:  # pulse.py asserts on missing tools or a daemon that does not start
                if mode == "pulse":
                    raise
                env, reason = None, str(exc).splitlines()[0]
            if env is not None:
                if "sounddevice" in sys.modules:
                    raise RuntimeError("sounddevice was imported before PulseAudio started: run the soak in a "
                                       "new process")
                stack.enter_context(_pulse_environment(env))
                from desktop_app.core.sources.microphone import load_sounddevice

                yield ("pulseaudio (sounddevice on the virtual microphone)", load_sounddevice(), "pulse",
                       LoopingPlayer(SPEECH_WAV, env, spawn_lock))
                return
        sd, player = _fake_microphone()
        why = f"PulseAudio unavailable: {reason}" if reason else "asked for"
        yield f"FAKE sounddevice fed in real time ({why})", sd, 0, player
