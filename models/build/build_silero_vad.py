"""Build models/silero-vad/silero-vad.onnx: a verified copy of PyPI silero-vad 6.2.3's `silero_vad/data/silero_vad.onnx`.

The file is used unchanged (it is what `load_silero_vad(onnx=True)` loads). We check its sha256, run
onnx.checker and a short stream of chunks through onnxruntime, and copy the package's MIT license.

Run with the build venv:  .venv-build/bin/python models/build/build_silero_vad.py
"""

from __future__ import annotations

import shutil

import numpy as np
import onnx
import onnxruntime as ort
from wheel_files import ROOT, dist_info, set_card_sha256, sha256_of, unpacked_wheel

PACKAGE, VERSION = "silero-vad", "6.2.3"
SOURCE_FILE = "silero_vad/data/silero_vad.onnx"
SOURCE_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
OUT_DIR = ROOT / "models" / "silero-vad"
RATE, CHUNK, CONTEXT = 16000, 512, 64


def describe(session: ort.InferenceSession) -> None:
    for arg in session.get_inputs():
        print(f"  input  {arg.name}: {arg.type} {arg.shape}")
    for arg in session.get_outputs():
        print(f"  output {arg.name}: {arg.type} {arg.shape}")


def smoke_test(session: ort.InferenceSession) -> None:
    """Feed 20 chunks of a tone with the wrapper's context handling; check shapes and value ranges."""
    t = np.arange(20 * CHUNK, dtype=np.float32) / RATE
    audio = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    state = np.zeros((2, 1, 128), np.float32)
    context = np.zeros((1, CONTEXT), np.float32)
    for start in range(0, audio.size, CHUNK):
        x = np.concatenate([context, audio[None, start : start + CHUNK]], axis=1)
        prob, state = session.run(None, {"input": x, "state": state, "sr": np.array(RATE, np.int64)})
        context = x[:, -CONTEXT:]
        assert prob.shape == (1, 1) and 0.0 <= float(prob[0, 0]) <= 1.0, prob
        assert state.shape == (2, 1, 128), state.shape


def main() -> None:
    wheel = unpacked_wheel(PACKAGE, VERSION)
    src = wheel / SOURCE_FILE
    if sha256_of(src) != SOURCE_SHA256:
        raise SystemExit(f"{src}: sha256 {sha256_of(src)} is not the pinned {SOURCE_SHA256}")
    onnx.checker.check_model(onnx.load(str(src)), full_check=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "silero-vad.onnx"
    shutil.copyfile(src, out)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    describe(session)
    smoke_test(session)
    shutil.copyfile(dist_info(wheel, PACKAGE, VERSION) / "licenses" / "LICENSE", OUT_DIR / "LICENSE.txt")
    set_card_sha256(OUT_DIR / "model.toml", sha256_of(out))
    print(f"wrote {out} ({out.stat().st_size} bytes) sha256 {sha256_of(out)}")


if __name__ == "__main__":
    main()
