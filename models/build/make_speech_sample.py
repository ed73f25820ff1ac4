"""Make resources/samples/speech-espeak.wav: silence, two spoken phrases, silence, at 16 kHz mono.

The layout (where speech was placed) is written next to it as speech-espeak.json, so tests know
where the speech is. Needs Debian's espeak-ng. Run with the app's environment (numpy, soundfile, soxr).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

RATE = 16000
ROOT = Path(__file__).resolve().parents[2]
PHRASES = (
    "The quick brown fox jumps over the lazy dog.",
    "Offline inference runs on this laptop without any network.",
)
LEAD_S, GAP_S, TAIL_S = 1.0, 1.5, 1.0


def speak(text: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "phrase.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        data, rate = sf.read(wav, dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    mono = soxr.resample(mono, rate, RATE) if rate != RATE else mono
    # Trim espeak's own leading/trailing near-silence so the layout is exact.
    voiced = np.flatnonzero(np.abs(mono) > 0.01)
    return mono[voiced[0] : voiced[-1] + 1].astype(np.float32)


def main() -> None:
    parts: list[np.ndarray] = [np.zeros(int(LEAD_S * RATE), np.float32)]
    segments = []
    t = LEAD_S
    for i, phrase in enumerate(PHRASES):
        speech = speak(phrase)
        segments.append({"start_s": round(t, 3), "end_s": round(t + len(speech) / RATE, 3), "text": phrase})
        parts.append(speech)
        t += len(speech) / RATE
        gap = GAP_S if i < len(PHRASES) - 1 else TAIL_S
        parts.append(np.zeros(int(gap * RATE), np.float32))
        t += gap
    audio = np.concatenate(parts)
    audio = 0.7 * audio / np.max(np.abs(audio))
    out = ROOT / "resources" / "samples" / "speech-espeak.wav"
    sf.write(out, audio, RATE, subtype="PCM_16")
    layout = {"sample_rate": RATE, "duration_s": round(len(audio) / RATE, 3), "speech": segments,
              "made_with": "espeak-ng -v en-us -s 150"}
    out.with_suffix(".json").write_text(json.dumps(layout, indent=2) + "\n")
    print(out, layout["duration_s"], "s", segments)


if __name__ == "__main__":
    main()
