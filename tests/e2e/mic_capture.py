"""Run by the microphone end-to-end test in its own process (so PortAudio starts after PulseAudio):
captures from the default input through the app's MicrophoneSource, plays a WAV into the virtual
speaker once capture runs, feeds every block to the live VAD, and prints one JSON object."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import bundled_models_dir
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.sources.live_vad import LiveVad
from desktop_app.core.sources.microphone import MicrophoneSource, input_devices, load_sounddevice


def main(wav: str, device: str) -> int:
    sd = load_sounddevice()
    registry = ModelRegistry(bundled_models_dir(), Path("/nonexistent-user-models"))
    card = registry.get("silero-vad")
    vad = LiveVad(card, SessionPool("cpu").get(card.path, threads=card.threads))
    source = MicrophoneSource(sd, device, card.audio.sample_rate if card.audio else 16000)
    source.open()
    player = None
    offset_s = None
    segments = []
    levels = []
    captured = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            block = source.read(timeout=2.0)
            if block is None:
                continue
            update = vad.feed(block.samples)
            captured.append(block.samples)
            segments += [s.to_dict() for s in update.segments]
            levels.append(block.peak_dbfs)
            if player is None and update.position_s >= 0.5:
                offset_s = update.position_s  # audio captured before playback started
                player = subprocess.Popen(["paplay", "--device=vspk", wav])
            played = player is not None and player.poll() is not None
            if played and update.position_s - offset_s > _duration(wav) + 1.5:  # type: ignore[operator]
                break
        last = vad.finish()
        if last:
            segments.append(last.to_dict())
    finally:
        source.close()
    heard = np.concatenate(captured) if captured else np.zeros(0, np.float32)
    print(json.dumps({"offset_s": offset_s, "aligned_offset_s": _alignment(heard, wav, source.target_rate), "segments": segments, "native_rate": source.native_rate,
                      "channels": source.channels, "captured": source.captured, "dropped": source.dropped,
                      "max_peak_dbfs": max(levels) if levels else None,
                      "devices": [d.label for d in input_devices(sd)]}))
    return 0


def _alignment(heard: np.ndarray, wav: str, rate: int) -> float | None:
    """Where the WAV starts in what the microphone heard (cross-correlation), in seconds."""
    import soundfile as sf
    import soxr

    played, wav_rate = sf.read(wav, dtype="float32")
    played = soxr.resample(played, wav_rate, rate) if wav_rate != rate else played
    if len(heard) < len(played):
        return None
    n = 1 << int(np.ceil(np.log2(len(heard) + len(played))))
    corr = np.fft.irfft(np.fft.rfft(heard, n) * np.conj(np.fft.rfft(played, n)), n)[: len(heard) - len(played) + 1]
    return float(np.argmax(corr)) / rate


def _duration(wav: str) -> float:
    import soundfile as sf

    return float(sf.info(wav).duration)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
