"""Committed sample inputs of the user-export fixtures (drawn pictures, short texts) and the framework versions."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import numpy as np
from user_exports_data import SHAPE_NAMES, draw_pose_image, draw_shape_crop, draw_shapes_image, save_rgb

# (file name, width, height): sizes differ from the training size so letterbox padding is exercised both ways.
# PNGs (lossless, decoder-independent) are drawn with milder noise to stay under 100 KB.
SHAPE_SAMPLES = (("shapes-1.png", 256, 192), ("shapes-2.jpg", 400, 300), ("shapes-3.png", 192, 256))
POSE_SAMPLES = (("pose-1.png", 256, 192), ("pose-2.jpg", 360, 300))
PNG_NOISE, JPEG_NOISE = 2.5, 18.0
CROP_SAMPLES = (("crop-circle.png", 0), ("crop-triangle.png", 2))
TEXT_SAMPLES = {
    "text-happy.txt": "what a wonderful sunny day, the team loved the great results",
    "text-sad.txt": "the delivery was late again and the broken parts made everyone unhappy",
    "text-neutral.txt": "the meeting is scheduled for tuesday at ten in room four",
}
FRAMEWORKS = ("ultralytics", "torch", "torchvision", "onnx", "onnxruntime", "onnxslim", "transformers", "optimum",
              "optimum-onnx", "tokenizers", "numpy", "opencv-python-headless", "pillow")


def write_samples(folder: Path, seed: int) -> dict[str, object]:
    """Draw the sample pictures and texts into `folder`; writes samples.json with the drawn ground truth."""
    rng = np.random.default_rng(seed)
    truth: dict[str, object] = {}
    for name, w, h in SHAPE_SAMPLES:
        noise = PNG_NOISE if name.endswith(".png") else JPEG_NOISE
        img, objects = draw_shapes_image(rng, w, h, max_objects=4, noise=noise)
        while len(objects) < 3:
            img, objects = draw_shapes_image(rng, w, h, max_objects=4, noise=noise)
        save_rgb(folder / name, img)
        truth[name] = [{"class": SHAPE_NAMES[k], "polygon": np.round(p, 2).tolist()} for k, p in objects]
    for name, w, h in POSE_SAMPLES:
        noise = PNG_NOISE if name.endswith(".png") else JPEG_NOISE
        img, people = draw_pose_image(rng, w, h, max_people=2, noise=noise)
        save_rgb(folder / name, img)
        truth[name] = [{"keypoints": np.round(kp, 2).tolist()} for kp in people]
    for name, kind in CROP_SAMPLES:
        save_rgb(folder / name, draw_shape_crop(rng, kind))
        truth[name] = {"class": SHAPE_NAMES[kind]}
    for name, text in TEXT_SAMPLES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / "samples.json").write_text(json.dumps({"drawn_ground_truth": truth}, indent=1) + "\n")
    return truth


def samples_for(task: str, folder: Path) -> list[Path]:
    """The committed sample files a YOLO task is referenced on."""
    names = {"detect": SHAPE_SAMPLES, "segment": SHAPE_SAMPLES, "pose": POSE_SAMPLES}.get(task)
    if names is None:
        return [folder / n for n, _ in CROP_SAMPLES]
    return [folder / n for n, _w, _h in names]


def text_samples(folder: Path) -> list[Path]:
    """The committed .txt samples."""
    return [folder / n for n in TEXT_SAMPLES]


def framework_versions() -> dict[str, str]:
    """Installed versions of the build frameworks (recorded next to the fixtures)."""
    found: dict[str, str] = {}
    for name in FRAMEWORKS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found
