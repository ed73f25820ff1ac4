"""Synthetic training data for the user-export fixtures: shapes (detect/segment/classify) and stick figures (pose).

Everything is drawn with numpy + OpenCV from a fixed seed, so a rebuild draws the same pictures.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

SHAPE_NAMES: tuple[str, ...] = ("circle", "square", "triangle")
SHAPE_COLOURS: tuple[tuple[int, int, int], ...] = ((230, 60, 40), (40, 200, 60), (50, 90, 235), (240, 210, 40))
KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
FLIP_IDX: tuple[int, ...] = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)
LIMBS: tuple[tuple[int, int], ...] = (
    (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
)
IMAGE_W, IMAGE_H = 320, 240


def noisy_background(rng: np.random.Generator, width: int, height: int, noise: float = 18.0) -> np.ndarray:
    """An RGB picture: a random two-colour gradient plus Gaussian noise of std `noise` (uint8, HxWx3)."""
    a, b = rng.integers(40, 200, size=3), rng.integers(40, 200, size=3)
    t = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    img = a[None, None, :] * (1 - t) + b[None, None, :] * t
    img = np.repeat(img, height, axis=0) + rng.normal(0, noise, size=(height, width, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def shape_polygon(rng: np.random.Generator, kind: int, cx: float, cy: float, r: float) -> np.ndarray:
    """The exact outline of one shape as float polygon points (K x 2): circle 40-gon, rotated square, triangle."""
    if kind == 0:
        angles = np.linspace(0, 2 * math.pi, 40, endpoint=False)
    elif kind == 1:
        angles = rng.uniform(0, math.pi / 2) + np.arange(4) * math.pi / 2
    else:
        angles = rng.uniform(0, 2 * math.pi) + np.arange(3) * 2 * math.pi / 3
    return np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1)


def draw_shapes_image(
    rng: np.random.Generator, width: int = IMAGE_W, height: int = IMAGE_H, max_objects: int = 4, noise: float = 18.0
) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """A noisy picture with 1..max_objects non-overlapping shapes; returns (RGB image, [(class, polygon px)])."""
    img = noisy_background(rng, width, height, noise)
    objects: list[tuple[int, np.ndarray]] = []
    centres: list[tuple[float, float, float]] = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        for _attempt in range(20):
            r = float(rng.uniform(18, 48))
            cx, cy = float(rng.uniform(r + 2, width - r - 2)), float(rng.uniform(r + 2, height - r - 2))
            if all(math.hypot(cx - x, cy - y) > r + rr + 4 for x, y, rr in centres):
                break
        else:
            continue
        kind = int(rng.integers(0, len(SHAPE_NAMES)))
        poly = shape_polygon(rng, kind, cx, cy, r)
        colour = tuple(int(c) for c in SHAPE_COLOURS[int(rng.integers(0, len(SHAPE_COLOURS)))])
        cv2.fillPoly(img, [np.round(poly * 16).astype(np.int32)], colour, lineType=cv2.LINE_AA, shift=4)
        centres.append((cx, cy, r))
        objects.append((kind, poly))
    return img, objects


def stick_figure_keypoints(rng: np.random.Generator, cx: float, top: float, height: float) -> np.ndarray:
    """17 COCO-order keypoints (x, y) of an upright stick figure `height` px tall whose head top is at `top`."""
    s = height / 8.0
    head_y = top + 0.9 * s
    shoulder_y, hip_y = top + 2.2 * s, top + 4.6 * s
    sway = rng.uniform(-0.4, 0.4, size=8) * s
    pts = [
        (cx, head_y), (cx - 0.3 * s, head_y - 0.25 * s), (cx + 0.3 * s, head_y - 0.25 * s),
        (cx - 0.6 * s, head_y - 0.05 * s), (cx + 0.6 * s, head_y - 0.05 * s),
        (cx - 1.0 * s, shoulder_y), (cx + 1.0 * s, shoulder_y),
        (cx - 1.5 * s + sway[0], shoulder_y + 1.1 * s), (cx + 1.5 * s + sway[1], shoulder_y + 1.1 * s),
        (cx - 1.8 * s + sway[2], shoulder_y + 2.2 * s), (cx + 1.8 * s + sway[3], shoulder_y + 2.2 * s),
        (cx - 0.6 * s, hip_y), (cx + 0.6 * s, hip_y),
        (cx - 0.8 * s + sway[4], hip_y + 1.6 * s), (cx + 0.8 * s + sway[5], hip_y + 1.6 * s),
        (cx - 0.9 * s + sway[6], hip_y + 3.2 * s), (cx + 0.9 * s + sway[7], hip_y + 3.2 * s),
    ]
    return np.asarray(pts, dtype=np.float64)


def draw_pose_image(
    rng: np.random.Generator, width: int = IMAGE_W, height: int = IMAGE_H, max_people: int = 3, noise: float = 18.0
) -> tuple[np.ndarray, list[np.ndarray]]:
    """A noisy picture with 1..max_people stick figures side by side; returns (RGB image, [17x2 keypoints])."""
    img = noisy_background(rng, width, height, noise)
    count = int(rng.integers(1, max_people + 1))
    slot = width / count
    people: list[np.ndarray] = []
    for i in range(count):
        h = float(rng.uniform(0.55, 0.9) * height)
        h = min(h, slot * 1.6)
        cx = float(slot * (i + 0.5) + rng.uniform(-0.1, 0.1) * slot)
        top = float(rng.uniform(4, height - h - 4))
        kp = stick_figure_keypoints(rng, cx, top, h)
        colour = tuple(int(c) for c in SHAPE_COLOURS[int(rng.integers(0, len(SHAPE_COLOURS)))])
        thick = max(2, int(h / 40))
        for a, b in LIMBS:
            cv2.line(img, tuple(np.round(kp[a]).astype(int)), tuple(np.round(kp[b]).astype(int)), colour, thick,
                     cv2.LINE_AA)
        neck = (kp[5] + kp[6]) / 2
        cv2.line(img, tuple(np.round(neck).astype(int)), tuple(np.round(kp[0]).astype(int)), colour, thick,
                 cv2.LINE_AA)
        cv2.circle(img, tuple(np.round(kp[0]).astype(int)), int(h / 11), colour, thick, cv2.LINE_AA)
        for j in (1, 2):
            cv2.circle(img, tuple(np.round(kp[j]).astype(int)), max(1, thick // 2), (20, 20, 20), -1, cv2.LINE_AA)
        people.append(kp)
    return img, people


def save_rgb(path: Path, rgb: np.ndarray) -> None:
    """Write an RGB uint8 array as PNG/JPEG (by suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, 92] if path.suffix.lower() in (".jpg", ".jpeg") else []
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)


def _box(points: np.ndarray, width: int, height: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    x1, y1 = points.min(axis=0) - margin
    x2, y2 = points.max(axis=0) + margin
    x1, x2 = float(np.clip(x1, 0, width)), float(np.clip(x2, 0, width))
    y1, y2 = float(np.clip(y1, 0, height)), float(np.clip(y2, 0, height))
    return (x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height


def write_shapes_datasets(root: Path, seed: int, n_train: int, n_val: int) -> tuple[Path, Path]:
    """Draw the shapes set once; write a detect dataset (boxes) and a segment one (polygons). Returns both YAMLs."""
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("val", n_val)):
        for i in range(n):
            img, objects = draw_shapes_image(rng)
            name = f"{split}_{i:04d}"
            det_lines, seg_lines = [], []
            for kind, poly in objects:
                bx = _box(poly, IMAGE_W, IMAGE_H)
                det_lines.append(f"{kind} " + " ".join(f"{v:.6f}" for v in bx))
                norm = np.clip(poly / [IMAGE_W, IMAGE_H], 0, 1).reshape(-1)
                seg_lines.append(f"{kind} " + " ".join(f"{v:.6f}" for v in norm))
            for task, lines in (("detect", det_lines), ("segment", seg_lines)):
                save_rgb(root / task / "images" / split / f"{name}.png", img)
                lbl = root / task / "labels" / split / f"{name}.txt"
                lbl.parent.mkdir(parents=True, exist_ok=True)
                lbl.write_text("\n".join(lines) + "\n")
    names = "".join(f"  {i}: {n}\n" for i, n in enumerate(SHAPE_NAMES))
    yamls = []
    for task in ("detect", "segment"):
        y = root / f"{task}.yaml"
        y.write_text(f"path: {root / task}\ntrain: images/train\nval: images/val\nnames:\n{names}")
        yamls.append(y)
    return yamls[0], yamls[1]


def write_pose_dataset(root: Path, seed: int, n_train: int, n_val: int) -> Path:
    """Draw stick figures with 17 visible keypoints each; write an Ultralytics pose dataset; returns its YAML."""
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("val", n_val)):
        for i in range(n):
            img, people = draw_pose_image(rng)
            name = f"{split}_{i:04d}"
            lines = []
            for kp in people:
                bx = _box(kp, IMAGE_W, IMAGE_H, margin=float(np.ptp(kp[:, 1])) / 14)
                kps = " ".join(f"{x / IMAGE_W:.6f} {y / IMAGE_H:.6f} 2" for x, y in kp)
                lines.append("0 " + " ".join(f"{v:.6f}" for v in bx) + " " + kps)
            save_rgb(root / "pose" / "images" / split / f"{name}.png", img)
            lbl = root / "pose" / "labels" / split / f"{name}.txt"
            lbl.parent.mkdir(parents=True, exist_ok=True)
            lbl.write_text("\n".join(lines) + "\n")
    y = root / "pose.yaml"
    y.write_text(
        f"path: {root / 'pose'}\ntrain: images/train\nval: images/val\nkpt_shape: [17, 3]\n"
        f"flip_idx: {list(FLIP_IDX)}\nnames:\n  0: person\n"
    )
    return y


def draw_shape_crop(rng: np.random.Generator, kind: int, size: int = 96) -> np.ndarray:
    """A square crop holding one shape of class `kind` on a noisy background (RGB uint8)."""
    img = noisy_background(rng, size, size)
    r = float(rng.uniform(0.25, 0.42) * size)
    c = size / 2 + rng.uniform(-0.08, 0.08, size=2) * size
    poly = shape_polygon(rng, kind, float(c[0]), float(c[1]), r)
    colour = tuple(int(v) for v in SHAPE_COLOURS[int(rng.integers(0, len(SHAPE_COLOURS)))])
    cv2.fillPoly(img, [np.round(poly * 16).astype(np.int32)], colour, lineType=cv2.LINE_AA, shift=4)
    return img


def write_classify_dataset(root: Path, seed: int, n_train: int, n_val: int) -> Path:
    """An Ultralytics classification folder (train/<class>/, val/<class>/); returns the folder."""
    rng = np.random.default_rng(seed)
    base = root / "classify"
    for split, n in (("train", n_train), ("val", n_val)):
        for i in range(n):
            kind = i % len(SHAPE_NAMES)
            save_rgb(base / split / SHAPE_NAMES[kind] / f"{i:04d}.png", draw_shape_crop(rng, kind))
    return base
