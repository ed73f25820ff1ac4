"""Drawing live results onto a frame with OpenCV (for snapshots, recordings, and any front end that
wants a ready-made picture). Always returns a new array; the input frame is never modified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from desktop_app.core.results import ClassificationResult

if TYPE_CHECKING:
    from desktop_app.core.sources.live import LiveFrame

BOX_RGB = (40, 220, 90)
LANDMARK_RGB = (255, 200, 0)
TEXT_RGB = (255, 255, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _label(frame: np.ndarray, text: str, x: int, y: int, scale: float) -> None:
    """White text on a filled box above (or, near the top edge, below) the point (x, y)."""
    (tw, th), base = cv2.getTextSize(text, FONT, scale, 1)
    top = y - th - base - 4 if y - th - base - 4 >= 0 else y
    x = int(np.clip(x, 0, max(0, frame.shape[1] - tw - 4)))
    cv2.rectangle(frame, (x, top), (x + tw + 4, top + th + base + 4), BOX_RGB, cv2.FILLED)
    cv2.putText(frame, text, (x + 2, top + th + 2), FONT, scale, TEXT_RGB, 1, cv2.LINE_AA)


def draw_overlay(frame_rgb: np.ndarray, live_frame: LiveFrame, boxes: bool = True, landmarks: bool = True,
                 labels: bool = True, mirror: bool = False) -> np.ndarray:
    """The frame (mirrored if asked) with the visible tracks' boxes, landmarks and labels drawn on it.

    Mirroring flips the picture and the coordinates, not the text. Classification results are drawn
    as their top classes in the top-left corner.
    """
    out = np.ascontiguousarray(frame_rgb[:, ::-1] if mirror else frame_rgb).copy()
    width = out.shape[1]
    scale = max(0.4, min(1.0, width / 1000))
    thick = max(1, round(width / 400))

    def fx(x: float) -> int:
        return round(width - 1 - x) if mirror else round(x)

    for track in live_frame.visible_tracks:
        x1, y1, x2, y2 = track.box
        a, b = sorted((fx(x1), fx(x2)))
        if boxes:
            cv2.rectangle(out, (a, round(y1)), (b, round(y2)), BOX_RGB, thick, cv2.LINE_AA)
        if landmarks:
            for px, py in track.landmarks:
                cv2.circle(out, (fx(px), round(py)), thick + 1, LANDMARK_RGB, cv2.FILLED, cv2.LINE_AA)
        if labels:
            text = f"{track.score:.2f}"
            if track.emotion is not None:
                text += f" {track.emotion.label}"
            _label(out, text, a, round(y1), scale)
    payload = live_frame.result.payload if live_frame.result is not None else None
    if labels and isinstance(payload, ClassificationResult):
        y = 4
        for cls in payload.top[:3]:
            _label(out, f"{cls.label} {cls.score:.2f}", 4, y, scale)
            y += int(30 * scale) + 4
    return out
