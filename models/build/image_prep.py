"""The app's "center-crop" image recipe, re-implemented independently with numpy + cv2 for build scripts.

Used by build_efficientnet_lite0.py (ONNX vs torch check) and make_reference_efficientnet.py.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from wheel_files import ROOT

SAMPLES = ROOT / "resources" / "samples"
SAMPLE_IMAGES = ("cat-chelsea.jpg", "portrait-astronaut.jpg", "coffee-cup.jpg")


def read_rgb(path: Path) -> np.ndarray:
    """Decode an image file like the app does: cv2.imdecode(IMREAD_COLOR), then BGR -> RGB."""
    data = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"cannot decode {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


CENTER_CROP_RECIPE = (
    "cv2.imdecode(IMREAD_COLOR) -> BGR2RGB; scale = (224/0.875)/shorter_side; "
    "new_w, new_h = round(w*scale), round(h*scale); cv2.resize with INTER_AREA if scale < 1 else "
    "INTER_LINEAR; crop 224x224 at ((new_w-224)//2, (new_h-224)//2); float32; (x-127)/128; HWC->CHW; batch dim"
)


def center_crop_tensor(
    rgb: np.ndarray, size: int = 224, mean: float = 127.0, std: float = 128.0
) -> np.ndarray:
    """The app's "center-crop" recipe, written out independently: returns float32 [1, 3, size, size]."""
    h, w = rgb.shape[:2]
    scale = (size / 0.875) / min(h, w)
    new_w, new_h = round(w * scale), round(h * scale)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=interp)
    left, top = (new_w - size) // 2, (new_h - size) // 2
    crop = resized[top : top + size, left : left + size].astype(np.float32)
    chw = ((crop - mean) / std).transpose(2, 0, 1)
    return np.ascontiguousarray(chw[None])
