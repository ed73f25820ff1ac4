"""Drawing live results onto a frame with OpenCV (for snapshots, recordings, and the live view of any
task that is not smoothed face detection). Always returns a new array; the input frame is never modified.

A face detector's frame draws its smoothed, visible tracks; every other model's frame draws what its
payload sketches (`draw_on`: boxes, masks, skeletons, top classes) through `core/render`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from desktop_app.core.render import RenderOptions, Sketch, render

if TYPE_CHECKING:
    from desktop_app.core.sources.live import LiveFrame

BOX_RGB = (40, 220, 90)
LANDMARK_RGB = (255, 200, 0)


def live_sketch(live_frame: LiveFrame) -> Sketch:
    """What a live frame shows: its visible face tracks (smoothed detectors) or its payload's own drawing."""
    height, width = live_frame.frame.shape[:2]
    sketch = Sketch(width, height)
    if live_frame.smoothed:
        for track in live_frame.visible_tracks:
            text = f"{track.score:.2f}" + (f" {track.emotion.label}" if track.emotion is not None else "")
            sketch.add_box(track.box, text, BOX_RGB)
            for point in track.landmarks:
                sketch.add_dot(point, LANDMARK_RGB, kind="landmark")
        return sketch
    if live_frame.effect:  # the picture itself shows the model's mask (background blurred or replaced)
        return sketch
    payload = live_frame.result.payload if live_frame.result is not None else None
    hook = getattr(payload, "draw_on", None)
    if callable(hook):
        hook(sketch)
    return sketch


def draw_overlay(frame_rgb: np.ndarray, live_frame: LiveFrame, boxes: bool = True, landmarks: bool = True,
                 labels: bool = True, mirror: bool = False, masks: bool = True) -> np.ndarray:
    """The frame (mirrored if asked) with the live frame's overlay drawn on it: face tracks' boxes, landmarks
    and labels, or the payload's boxes, masks, skeletons and top classes. Mirroring flips the picture and
    the coordinates, not the text."""
    options = RenderOptions(boxes=boxes, labels=labels, landmarks=landmarks, masks=masks, mirror=mirror)
    return render(np.ascontiguousarray(frame_rgb), live_sketch(live_frame), options)
