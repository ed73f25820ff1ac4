"""A test video made in code from real photos: background-only frames, then the astronaut portrait
moving across, then background again. Used by the sources tests and by bench/bench_camera.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

SAMPLES = Path(__file__).resolve().parents[3] / "resources" / "samples"
WIDTH, HEIGHT, FPS = 640, 480, 30.0
FACE_FRAMES = range(30, 60)
PORTRAIT_SIZE = 256
#: The face in portrait-astronaut.jpg (512x512), as CenterFace finds it, in portrait pixels.
PORTRAIT_FACE = (181.5, 58.0, 270.0, 178.0)

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class FaceVideo:
    """The file, its frames (RGB) and where the face is on each frame (None: no face)."""

    path: Path
    frames: tuple[np.ndarray, ...]
    faces: tuple[Box | None, ...]
    fps: float = FPS


def _rgb(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(SAMPLES / name)), cv2.COLOR_BGR2RGB)


def compose_frames(count: int = 90) -> tuple[list[np.ndarray], list[Box | None]]:
    """Frames 0-29 and 60-89: blurred coffee-cup background; 30-59: the portrait pasted, moving right."""
    background = cv2.GaussianBlur(cv2.resize(_rgb("coffee-cup.jpg"), (WIDTH, HEIGHT)), (15, 15), 0)
    portrait = cv2.resize(_rgb("portrait-astronaut.jpg"), (PORTRAIT_SIZE, PORTRAIT_SIZE), interpolation=cv2.INTER_AREA)
    k = PORTRAIT_SIZE / 512
    frames: list[np.ndarray] = []
    faces: list[Box | None] = []
    for i in range(count):
        frame = background.copy()
        face: Box | None = None
        if i % 90 in FACE_FRAMES:
            step = i % 90 - FACE_FRAMES.start
            x, y = 40 + step * 10, 120 + int(20 * np.sin(step / 5))
            frame[y : y + PORTRAIT_SIZE, x : x + PORTRAIT_SIZE] = portrait
            fx1, fy1, fx2, fy2 = PORTRAIT_FACE
            face = (x + fx1 * k, y + fy1 * k, x + fx2 * k, y + fy2 * k)
        frames.append(frame)
        faces.append(face)
    return frames, faces


def write_video(path: Path, frames: list[np.ndarray], fps: float = FPS) -> Path:
    """Motion-JPEG .avi (every frame a keyframe, decodes exactly the same everywhere) of the frames' size."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "this OpenCV build cannot write MJPG .avi"
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def make_face_video(folder: Path, count: int = 90) -> FaceVideo:
    frames, faces = compose_frames(count)
    path = write_video(folder / "faces.avi", frames)
    return FaceVideo(path, tuple(frames), tuple(faces))


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
