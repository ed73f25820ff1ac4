"""Mask arithmetic for the segment task: instance masks from prototypes (Ultralytics-style mask coefficients)
and semantic class maps, both sampled straight into original pixels through the pre-processing Geometry."""

from __future__ import annotations

import math

import cv2
import numpy as np

from desktop_app.core.tasks.image_prep import Geometry


def logit(p: float) -> float:
    """The score whose sigmoid is p (clamped away from 0 and 1)."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def source_coords(geo: Geometry, xs: np.ndarray, ys: np.ndarray, src_w: int, src_h: int) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """Original pixel centres -> continuous pixel coordinates of a map of (src_w, src_h) covering the model
    input (pixel-centre convention, as bilinear resizes with half-pixel centres use)."""
    xi = (xs + 0.5) * geo.scale_x + geo.pad_x - geo.crop_x
    yi = (ys + 0.5) * geo.scale_y + geo.pad_y - geo.crop_y
    return (xi * src_w / geo.input_width - 0.5).astype(np.float32), (yi * src_h / geo.input_height - 0.5).astype(
        np.float32)


def sample(plane: np.ndarray, geo: Geometry, x0: int, y0: int, x1: int, y1: int, *, nearest: bool = False) -> np.ndarray:
    """The original-pixel region [x0, x1) x [y0, y1) of a map covering the model input, bilinear (or nearest)."""
    src_h, src_w = plane.shape[:2]
    xs, ys = source_coords(geo, np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64), src_w, src_h)
    map_x = np.broadcast_to(xs[None, :], (y1 - y0, x1 - x0))
    map_y = np.broadcast_to(ys[:, None], (y1 - y0, x1 - x0))
    if nearest:
        cols = np.clip(np.floor(map_x + 0.5), 0, src_w - 1).astype(np.intp)
        rows = np.clip(np.floor(map_y + 0.5), 0, src_h - 1).astype(np.intp)
        return plane[rows, cols]
    return cv2.remap(np.ascontiguousarray(plane, dtype=np.float32), np.ascontiguousarray(map_x),
                     np.ascontiguousarray(map_y), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def box_region(box: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """The integer pixels a box covers: columns x with x1 <= x < x2, rows likewise (clipped to the image)."""
    x0 = min(width, max(0, math.ceil(float(box[0]))))
    y0 = min(height, max(0, math.ceil(float(box[1]))))
    x1 = min(width, max(x0, math.ceil(float(box[2]))))
    y1 = min(height, max(y0, math.ceil(float(box[3]))))
    return x0, y0, x1, y1


def instance_mask(coefficients: np.ndarray, protos: np.ndarray, box: np.ndarray, geo: Geometry,
                  size: tuple[int, int], threshold: float) -> tuple[np.ndarray, tuple[int, int]]:
    """One object's mask over its box in original pixels: coefficients x prototypes (mask logits at the
    prototypes' resolution), sampled bilinearly into the box and cut at the mask threshold."""
    nm, mh, mw = protos.shape
    logits = (coefficients.astype(np.float32) @ protos.reshape(nm, -1)).reshape(mh, mw)
    x0, y0, x1, y1 = box_region(box, *size)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 0), bool), (x0, y0)
    return sample(logits, geo, x0, y0, x1, y1) > logit(threshold), (x0, y0)


def semantic_map(scores: np.ndarray, activation: str, geo: Geometry, size: tuple[int, int],
                 threshold: float) -> np.ndarray:
    """Per-pixel scores (C, h, w) over the model input -> (height, width) class indices in original pixels;
    one channel with a sigmoid is a yes/no mask of the first class (-1 where no class)."""
    width, height = size
    if scores.shape[0] == 1:
        cut = logit(threshold) if activation == "sigmoid" else threshold
        plane = sample(scores[0], geo, 0, 0, width, height)
        return np.where(plane > cut, 0, -1).astype(np.int32)
    best = scores.argmax(axis=0).astype(np.int32)
    return sample(best, geo, 0, 0, width, height, nearest=True)


def class_areas(class_map: np.ndarray, names: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """Fraction of the picture each class covers, largest first (classes that cover nothing left out)."""
    total = max(1, class_map.size)
    counts = np.bincount(class_map[class_map >= 0].ravel(), minlength=len(names))
    pairs = [(names[i] if i < len(names) else f"class {i}", float(n) / total) for i, n in enumerate(counts) if n]
    return tuple(sorted(pairs, key=lambda p: -p[1]))
