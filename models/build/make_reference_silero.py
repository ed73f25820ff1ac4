"""Write tests/data/reference/silero-vad.json: speech segments from silero-vad 6.2.3's own Python code.

Exactly these package calls produced the reference (defaults everywhere else):

    model = silero_vad.load_silero_vad(onnx=True)        # OnnxWrapper over silero_vad/data/silero_vad.onnx, CPU
    get_speech_timestamps(wav, model, sampling_rate=16000, return_seconds=True)   # 0.1 s resolution
    get_speech_timestamps(wav, model, sampling_rate=16000)                        # same, in samples

`wav` is resources/samples/speech-espeak.wav as float32 (int16 / 32768), which is what the package's
read_audio gives; we decode with the standard library so torchaudio is not needed. The per-chunk
probabilities come from calling the same wrapper chunk by chunk after reset_states(), as
get_speech_timestamps does internally (last chunk zero-padded to 512 samples).

Run with the build venv:  .venv-build/bin/python models/build/make_reference_silero.py
"""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np
import torch
from wheel_files import ROOT, unpacked_wheel

PACKAGE, VERSION = "silero-vad", "6.2.3"
RATE, CHUNK = 16000, 512
WAV = ROOT / "resources" / "samples" / "speech-espeak.wav"
OUT = ROOT / "tests" / "data" / "reference" / "silero-vad.json"


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wf:
        assert wf.getframerate() == RATE and wf.getnchannels() == 1 and wf.getsampwidth() == 2
        pcm = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def chunk_probs(model: Any, wav: torch.Tensor) -> list[float]:
    model.reset_states()
    probs = []
    for start in range(0, wav.numel(), CHUNK):
        chunk = wav[start : start + CHUNK]
        if chunk.numel() < CHUNK:
            chunk = torch.nn.functional.pad(chunk, (0, CHUNK - chunk.numel()))
        probs.append(float(model(chunk, RATE).item()))
    return probs


def main() -> None:
    sys.path.insert(0, str(unpacked_wheel(PACKAGE, VERSION)))
    import silero_vad  # type: ignore[import-not-found]
    from silero_vad import get_speech_timestamps, load_silero_vad

    wav = torch.from_numpy(read_wav(WAV))
    try:
        model, backend = load_silero_vad(onnx=True), "onnx (OnnxWrapper, silero_vad.onnx)"
    except Exception as exc:  # the ONNX wrapper needs onnxruntime; fall back to the TorchScript model
        print(f"onnx wrapper failed ({exc}); using the jit model")
        model, backend = load_silero_vad(onnx=False), "jit (silero_vad.jit)"
    seconds = get_speech_timestamps(wav, model, sampling_rate=RATE, return_seconds=True)
    samples = get_speech_timestamps(wav, model, sampling_rate=RATE)
    probs = chunk_probs(model, wav)
    layout = json.loads(WAV.with_suffix(".json").read_text(encoding="utf-8"))
    result = {
        "model": "silero-vad",
        "package": PACKAGE,
        "version": getattr(silero_vad, "__version__", VERSION),
        "backend": backend,
        "audio": "resources/samples/speech-espeak.wav",
        "audio_samples": int(wav.numel()),
        "produced_by": "get_speech_timestamps(wav, load_silero_vad(onnx=True), sampling_rate=16000, return_seconds=True)",
        "parameters": {
            "threshold": 0.5,
            "neg_threshold": 0.35,
            "min_speech_duration_ms": 250,
            "min_silence_duration_ms": 100,
            "speech_pad_ms": 30,
            "max_speech_duration_s": "inf",
            "time_resolution": 1,
            "chunk": CHUNK,
            "context": 64,
            "sampling_rate": RATE,
        },
        "segments": [{"start_s": s["start"], "end_s": s["end"]} for s in seconds],
        "segments_samples": [{"start": s["start"], "end": s["end"]} for s in samples],
        "layout_speech": [{"start_s": s["start_s"], "end_s": s["end_s"]} for s in layout["speech"]],
        "chunk_probs_first_40": [round(p, 6) for p in probs[:40]],
        "chunk_probs": [round(p, 6) for p in probs],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("segments (s):", result["segments"])
    print("segments (samples):", result["segments_samples"])
    print("layout:", result["layout_speech"])
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
