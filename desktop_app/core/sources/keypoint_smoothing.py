"""Keypoint smoothing for live pose: a One Euro filter per keypoint coordinate.

The One Euro filter (Casiez, Roussel and Vogel, "1€ Filter: A Simple Speed-based Low-pass Filter for Noisy
Input in Interactive Systems", CHI 2012) is a low-pass filter whose cut-off rises with the signal's speed:
a keypoint that stands still is smoothed hard (no jitter), one that moves follows with little lag. Per
coordinate, with `dt` the time since the previous frame:

    dx  = (x - x_prev) / dt, smoothed with a fixed cut-off `d_cutoff`
    fc  = min_cutoff + beta * |dx|
    x'  = x_prev' + alpha(fc, dt) * (x - x_prev'),  alpha = 1 / (1 + 1 / (2 pi fc dt))

Values used here, in pixels of the frame and seconds: `min_cutoff` 1.0 Hz (a still wrist jittering by a
pixel or two at 30 FPS is reduced about fivefold), `beta` 0.05 (at 200 px/s, a brisk arm movement, the
cut-off is 11 Hz and the lag under one frame), `d_cutoff` 1.0 Hz (the authors' default). A keypoint whose
score falls below the pose model's threshold is passed through and its filter restarts when it comes back,
so a joint hidden for a while does not glide in from where it was last seen. People are matched from frame
to frame by box overlap (single-person models: the one person).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from desktop_app.core.payloads.pose import Keypoint, PosedPerson, PoseResult
from desktop_app.core.sources.smoothing import greedy_match, iou_matrix

MIN_CUTOFF_HZ = 1.0
BETA = 0.05
D_CUTOFF_HZ = 1.0
MAX_MISSED = 5  # frames a person may go unmatched before its filters are dropped


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over an array of values (all filtered independently, as one keypoint set's x and y)."""

    def __init__(self, min_cutoff: float = MIN_CUTOFF_HZ, beta: float = BETA, d_cutoff: float = D_CUTOFF_HZ) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t = 0.0

    def reset(self) -> None:
        self._x = self._dx = None

    def __call__(self, values: np.ndarray, t: float, fresh: np.ndarray | None = None) -> np.ndarray:
        """The filtered values at time `t` (seconds). `fresh`: a mask of values whose filter restarts now."""
        x = np.asarray(values, dtype=np.float64)
        if self._x is None or self._dx is None or self._x.shape != x.shape or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        dx = (x - self._x) / dt
        dx_hat = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        x_hat = self._x + _alpha(cutoff, dt) * (x - self._x)
        if fresh is not None and fresh.any():
            x_hat = np.where(fresh, x, x_hat)
            dx_hat = np.where(fresh, 0.0, dx_hat)
        self._x, self._dx, self._t = x_hat, dx_hat, t
        return x_hat.copy()


class _PersonTrack:
    def __init__(self, person: PosedPerson) -> None:
        self.box = person.box
        self.filter = OneEuroFilter()
        self.visible = np.zeros(len(person.keypoints), dtype=bool)
        self.missed = 0


class PoseSmoother:
    """Smooths the keypoints of successive PoseResults (one consumer thread, frames in capture order)."""

    def __init__(self, max_missed: int = MAX_MISSED) -> None:
        self.max_missed = max_missed
        self._tracks: list[_PersonTrack] = []

    def reset(self) -> None:
        self._tracks = []

    def _match(self, people: tuple[PosedPerson, ...]) -> list[_PersonTrack | None]:
        matched: list[_PersonTrack | None] = [None] * len(people)
        if len(people) == 1 and len(self._tracks) == 1:
            matched[0] = self._tracks[0]
        elif people and self._tracks and all(p.box is not None for p in people) and \
                all(t.box is not None for t in self._tracks):
            new = np.array([p.box for p in people], dtype=np.float64)
            old = np.array([t.box for t in self._tracks], dtype=np.float64)
            for i, j in greedy_match(iou_matrix(new, old), 0.3):
                matched[i] = self._tracks[j]
        return matched

    def update(self, pose: PoseResult, t: float) -> PoseResult:
        """The same result with each matched person's keypoints filtered (boxes and scores unchanged)."""
        matched = self._match(pose.people)
        people, kept = [], []
        for person, track in zip(pose.people, matched, strict=True):
            if track is None or len(track.visible) != len(person.keypoints):
                track = _PersonTrack(person)
            scores = np.array([k.score for k in person.keypoints])
            seen = scores >= pose.keypoint_threshold
            coords = np.array([(k.x, k.y) for k in person.keypoints], dtype=np.float64).reshape(-1, 2)
            fresh = np.repeat((seen & ~track.visible)[:, None], 2, axis=1)
            smooth = track.filter(coords, t, fresh)
            smooth = np.where(np.repeat(seen[:, None], 2, axis=1), smooth, coords)
            track.visible, track.box, track.missed = seen, person.box, 0
            kept.append(track)
            points = tuple(Keypoint(float(x), float(y), k.score) for (x, y), k in zip(smooth, person.keypoints,
                                                                                      strict=True))
            people.append(replace(person, keypoints=points))
        for track in self._tracks:
            if all(track is not k for k in kept):
                track.missed += 1
                if track.missed <= self.max_missed:
                    kept.append(track)
        self._tracks = kept
        return replace(pose, people=tuple(people))
