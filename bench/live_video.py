"""Test videos for the live models, made from the bundled sample photos: a slow pan and zoom over the photo
(so every frame differs, as a camera's do), 640x480, looped by the camera source. Shared by the live-model
benchmarks and soaks."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
#: The sample photo each live model is shown (what it should find there).
PHOTO_FOR = {"movenet-lightning": "portrait-astronaut.jpg", "selfie-segmentation": "portrait-astronaut.jpg",
             "nanodet": "coffee-cup.jpg", "centerface": "portrait-astronaut.jpg"}
SIZE = (640, 480)


def pan_frames(photo: Path, count: int = 90, size: tuple[int, int] = SIZE) -> list[np.ndarray]:
    """`count` RGB frames of `size`: a window of 85-95 % of the photo drifting around its centre."""
    bgr = cv2.imread(str(photo), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(photo)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    aspect = size[0] / size[1]
    frames = []
    for i in range(count):
        phase = 2 * math.pi * i / count
        scale = 0.90 + 0.05 * math.sin(phase)
        cw = min(w, int(h * scale * aspect))
        ch = int(cw / aspect)
        cx = (w - cw) / 2 + (w - cw) / 2 * 0.8 * math.sin(phase)
        cy = (h - ch) / 2 + (h - ch) / 2 * 0.8 * math.cos(phase)
        x, y = int(max(0, min(w - cw, cx))), int(max(0, min(h - ch, cy)))
        frames.append(cv2.resize(rgb[y:y + ch, x:x + cw], size, interpolation=cv2.INTER_AREA))
    return frames


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """An MJPG AVI of the RGB frames (OpenCV's FFmpeg reads it back on every platform)."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"cannot write {path}")
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def model_video(folder: Path, model_id: str, fps: float = 30.0, count: int = 90) -> tuple[Path, list[np.ndarray]]:
    """The video for one live model and its frames."""
    frames = pan_frames(SAMPLES / PHOTO_FOR.get(model_id, "portrait-astronaut.jpg"), count)
    return write_video(folder / f"{model_id}.avi", frames, fps), frames
