"""`render`: a `Sketch` drawn with OpenCV onto a copy of an RGB uint8 picture, scaled from the sketch's
coordinates to the picture's size (a preview may be smaller than the original) and optionally mirrored
(the picture and the coordinates flip, text stays readable). Shapes are clipped to the picture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from desktop_app.core.render.sketch import RGB, Sketch, SketchClassMap, SketchMask

FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class RenderOptions:
    """Which layers are drawn: boxes, labels (box labels and corner notes), landmarks (keypoints, skeleton
    lines, face landmarks), masks (instance masks and class maps); `alpha` is the masks' opacity."""

    boxes: bool = True
    labels: bool = True
    landmarks: bool = True
    masks: bool = True
    mirror: bool = False
    alpha: float = 0.45


class _Frame:
    """Maps sketch coordinates to output pixels (scale, then mirror)."""

    def __init__(self, out: np.ndarray, sketch: Sketch, mirror: bool) -> None:
        self.h, self.w = out.shape[:2]
        self.sx = self.w / sketch.width if sketch.width > 0 else 1.0
        self.sy = self.h / sketch.height if sketch.height > 0 else 1.0
        self.mirror = mirror

    def x(self, x: float) -> float:
        scaled = x * self.sx
        return self.w - scaled if self.mirror else scaled

    def point(self, p: tuple[float, float]) -> tuple[int, int]:
        return _pixel(self.x(p[0])), _pixel(p[1] * self.sy)


def _pixel(v: float) -> int:
    """A coordinate OpenCV can take (huge or non-finite values are pulled in; drawing clips the rest)."""
    return int(round(float(np.clip(np.nan_to_num(v, nan=-1e5), -1e5, 1e5))))


def _text_colour(colour: RGB) -> RGB:
    return (0, 0, 0) if 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2] > 150 else (255, 255, 255)


def _label(out: np.ndarray, text: str, x: int, y: int, scale: float, colour: RGB, *, below: bool = False,
           taken: list[tuple[int, int, int, int]] | None = None) -> int:
    """Text on a filled tag above (or, near the top edge or when asked, below) the point (x, y), kept inside
    the picture and moved down past the tags already in `taken` (boxes sharing a corner) -> its bottom row."""
    (tw, th), base = cv2.getTextSize(text, FONT, scale, 1)
    top = y - th - base - 4 if y - th - base - 4 >= 0 and not below else max(0, y)
    top = min(top, max(0, out.shape[0] - th - base - 4))
    x = int(np.clip(x, 0, max(0, out.shape[1] - tw - 4)))
    if taken is not None:
        height = th + base + 4
        for _ in range(len(taken)):
            hit = next((t for t in taken if x < t[2] and t[0] < x + tw + 4 and top < t[3] and t[1] < top + height), None)
            if hit is None:
                break
            top = min(hit[3], max(0, out.shape[0] - height))
        taken.append((x, top, x + tw + 4, top + height))
    cv2.rectangle(out, (x, top), (x + tw + 4, top + th + base + 4), colour, cv2.FILLED)
    cv2.putText(out, text, (x + 2, top + th + 2), FONT, scale, _text_colour(colour), 1, cv2.LINE_AA)
    return top + th + base + 4


def _blend(region: np.ndarray, where: np.ndarray, colour: RGB, alpha: float) -> None:
    """Tint the `where` pixels of `region` (a view into the picture) towards `colour`."""
    if where.any():
        pixels = region[where].astype(np.float32)
        region[where] = np.clip(pixels * (1 - alpha) + np.asarray(colour, np.float32) * alpha, 0, 255).astype(np.uint8)


def _class_map(out: np.ndarray, cmap: SketchClassMap, frame: _Frame, alpha: float) -> None:
    classes = cmap.classes
    if classes.ndim != 2 or classes.size == 0:
        return
    rows = np.clip((np.arange(frame.h) + 0.5) * classes.shape[0] / frame.h, 0, classes.shape[0] - 1).astype(np.intp)
    cols = np.clip((np.arange(frame.w) + 0.5) * classes.shape[1] / frame.w, 0, classes.shape[1] - 1).astype(np.intp)
    if frame.mirror:
        cols = cols[::-1]
    scaled = classes[rows[:, None], cols[None, :]]
    for cls, colour in cmap.colours.items():
        _blend(out, scaled == cls, colour, alpha)


def _mask(out: np.ndarray, item: SketchMask, frame: _Frame, alpha: float) -> None:
    mask = item.mask
    if mask.ndim != 2 or mask.size == 0:
        return
    x0, y0 = item.origin
    left, right = sorted((frame.x(x0), frame.x(x0 + mask.shape[1])))
    x1, x2 = _pixel(left), _pixel(right)
    y1, y2 = _pixel(y0 * frame.sy), _pixel((y0 + mask.shape[0]) * frame.sy)
    cx1, cx2, cy1, cy2 = max(0, x1), min(frame.w, x2), max(0, y1), min(frame.h, y2)
    if cx2 <= cx1 or cy2 <= cy1:
        return
    scaled = cv2.resize(mask.astype(np.uint8), (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST)
    if frame.mirror:
        scaled = scaled[:, ::-1]
    visible = np.ascontiguousarray(scaled[cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1])
    region = out[cy1:cy2, cx1:cx2]
    _blend(region, visible.astype(bool), item.colour, alpha)
    contours, _ = cv2.findContours(visible, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(region, contours, -1, item.colour, 1, cv2.LINE_AA)


def render(rgb: np.ndarray, sketch: Sketch, options: RenderOptions = RenderOptions()) -> np.ndarray:
    """A new HxWx3 uint8 picture: `rgb` (mirrored if asked) with the sketch drawn on it; `rgb` is unchanged."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"render needs an HxWx3 uint8 RGB picture, got {rgb.dtype} {rgb.shape}")
    out = np.ascontiguousarray(rgb[:, ::-1] if options.mirror else rgb).copy()
    if sketch.is_empty() or out.size == 0:
        return out
    frame = _Frame(out, sketch, options.mirror)
    scale = max(0.4, min(1.0, frame.w / 1000))
    thick = max(1, round(frame.w / 400))
    if options.masks:
        if sketch.class_map is not None:
            _class_map(out, sketch.class_map, frame, options.alpha)
        for mask in sketch.masks:
            _mask(out, mask, frame, options.alpha)
    if options.landmarks:
        for line in sketch.lines:
            cv2.line(out, frame.point(line.a), frame.point(line.b), line.colour, thick + 1, cv2.LINE_AA)
        for dot in sketch.dots:  # a dark ring keeps a dot visible on a limb of its own colour
            cv2.circle(out, frame.point(dot.at), thick + 3, (20, 20, 20), cv2.FILLED, cv2.LINE_AA)
            cv2.circle(out, frame.point(dot.at), thick + 2, dot.colour, cv2.FILLED, cv2.LINE_AA)
    corners = [(frame.point((b.box[0], b.box[1])), frame.point((b.box[2], b.box[3])), b) for b in sketch.boxes]
    if options.boxes:
        for a, c, item in corners:
            cv2.rectangle(out, a, c, item.colour, thick, cv2.LINE_8)  # axis-aligned: crisp
    if options.labels:
        taken: list[tuple[int, int, int, int]] = []
        for a, c, item in corners:  # labels last so no box crosses them
            if item.text:
                _label(out, item.text, min(a[0], c[0]), min(a[1], c[1]), scale, item.colour, taken=taken)
        y = 4
        for note in sketch.notes:
            y = _label(out, note, 4, y, scale, (40, 40, 40), below=True) + 3
    return out


def draw_payload(rgb: np.ndarray, payload: Any, options: RenderOptions = RenderOptions()) -> np.ndarray:
    """A payload's own drawing (its `draw_on(sketch)` hook) over a copy of `rgb`; payloads without the
    hook (speech, tensors) leave the picture as it is."""
    sketch = Sketch(rgb.shape[1] if rgb.ndim >= 2 else 0, rgb.shape[0] if rgb.ndim >= 2 else 0)
    hook = getattr(payload, "draw_on", None)
    if callable(hook):
        hook(sketch)
    return render(rgb, sketch, options)
