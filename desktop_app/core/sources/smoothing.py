"""Per-box smoothing for live detection (faces, and objects class by class): boxes are tracked frame to
frame by IoU (greedy matching, a box only ever continuing a track of its own label), each track's score is
the median of its last N raw scores, and a track is shown with hysteresis, so a box whose score wobbles
around the threshold, or that the detector misses for a frame, does not flicker.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from desktop_app.core.results import Box, ClassScore, Detection, Point


@dataclass(frozen=True)
class Track:
    """A face or object followed over frames: stable id, smoothed box and score, and whether to show it."""

    id: int
    box: Box
    score: float  # median of the last N raw scores
    raw_score: float  # this frame's raw score (0.0 when unseen this frame)
    landmarks: tuple[Point, ...]
    emotion: ClassScore | None
    hits: int  # frames it was detected in
    missed: int  # consecutive frames it was not detected (0: seen now)
    visible: bool
    label: str = ""  # the detector's class ("face" for a face detector)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in a (N,4) against every box in b (M,4), x1y1x2y2 -> (N,M)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0).astype(np.float32)


def greedy_match(iou: np.ndarray, min_iou: float) -> list[tuple[int, int]]:
    """Pairs (row, col) taken best IoU first, each row and column at most once, IoU >= min_iou."""
    pairs: list[tuple[int, int]] = []
    if iou.size == 0:
        return pairs
    order = np.argsort(-iou, axis=None, kind="stable")
    used_r: set[int] = set()
    used_c: set[int] = set()
    for flat in order:
        r, c = divmod(int(flat), iou.shape[1])
        if iou[r, c] < min_iou:
            break
        if r not in used_r and c not in used_c:
            pairs.append((r, c))
            used_r.add(r)
            used_c.add(c)
    return pairs


class _TrackState:
    """Mutable per-track memory behind the frozen `Track`s handed out."""

    def __init__(self, track_id: int, det: Detection, window: int) -> None:
        self.id = track_id
        self.box = np.asarray(det.box, np.float64)
        self.scores: deque[float] = deque([det.score], maxlen=window)
        self.det = det
        self.hits = 1
        self.missed = 0
        self.visible = False

    def update(self, det: Detection, box_alpha: float) -> None:
        self.box = box_alpha * np.asarray(det.box, np.float64) + (1.0 - box_alpha) * self.box
        self.scores.append(det.score)
        self.det = det
        self.hits += 1
        self.missed = 0

    def freeze(self, raw: float) -> Track:
        box = (float(self.box[0]), float(self.box[1]), float(self.box[2]), float(self.box[3]))
        return Track(self.id, box, float(np.median(self.scores)), raw, self.det.landmarks, self.det.emotion,
                     self.hits, self.missed, self.visible, self.det.label)


class BoxSmoother:
    """Tracks boxes (faces, or objects of any class) over frames and smooths their scores; `update` once per
    processed frame. A detection continues only a track of its own label.

    window: raw scores per median; min_iou: greedy matching threshold; max_missed: frames a track
    survives undetected (its last box stays shown meanwhile); hysteresis: a shown track stays shown
    until its smoothed score falls below threshold - hysteresis; box_alpha: weight of the new box (1 = raw).
    """

    def __init__(self, window: int = 5, min_iou: float = 0.3, max_missed: int = 2, hysteresis: float = 0.1,
                 box_alpha: float = 0.7) -> None:
        if window < 1 or max_missed < 0 or not 0 < box_alpha <= 1:
            raise ValueError("window >= 1, max_missed >= 0 and 0 < box_alpha <= 1 are required")
        self.window, self.min_iou, self.max_missed = window, min_iou, max_missed
        self.hysteresis, self.box_alpha = hysteresis, box_alpha
        self._tracks: list[_TrackState] = []
        self._ids = itertools.count(1)

    def reset(self) -> None:
        """Forget every track (new source, new model)."""
        self._tracks = []

    def update(self, detections: Sequence[Detection], threshold: float) -> tuple[Track, ...]:
        """Match this frame's raw detections to tracks -> every live track, visible or not, by id."""
        boxes = np.asarray([d.box for d in detections], np.float64).reshape(-1, 4)
        known = np.asarray([t.box for t in self._tracks], np.float64).reshape(-1, 4)
        overlap = iou_matrix(known, boxes)
        if overlap.size:  # a cup never continues a person's track
            track_labels = np.asarray([t.det.label for t in self._tracks], dtype=object)
            det_labels = np.asarray([d.label for d in detections], dtype=object)
            overlap[track_labels[:, None] != det_labels[None, :]] = 0.0
        pairs = greedy_match(overlap, self.min_iou)
        raw: dict[int, float] = {}
        matched_tracks = {r for r, _ in pairs}
        matched_dets = {c for _, c in pairs}
        for r, c in pairs:
            self._tracks[r].update(detections[c], self.box_alpha)
            raw[self._tracks[r].id] = detections[c].score
        for r, state in enumerate(self._tracks):
            if r not in matched_tracks:
                state.missed += 1
        self._tracks = [t for t in self._tracks if t.missed <= self.max_missed]
        for c, det in enumerate(detections):
            if c not in matched_dets:
                state = _TrackState(next(self._ids), det, self.window)
                self._tracks.append(state)
                raw[state.id] = det.score
        out = []
        for state in self._tracks:
            smoothed = float(np.median(state.scores))
            bar = threshold - self.hysteresis if state.visible else threshold
            state.visible = smoothed >= bar
            out.append(state.freeze(raw.get(state.id, 0.0)))
        return tuple(sorted(out, key=lambda t: t.id))
