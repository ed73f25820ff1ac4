"""What the live view does with a model's result beyond drawing it: keep only chosen object classes, and
blur or replace the background behind the people a person-mask model finds (as video-call apps do).

Both run on the live worker's thread, in `LiveFinisher`, so the UI thread only paints; the composited
picture becomes the frame that is shown, saved by Snapshot and written by Record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from desktop_app.core.media.image import load_image
from desktop_app.core.results import DetectionResult, Result

BLUR_STRENGTHS = {"light": 0.02, "strong": 0.05}  # blur sigma as a share of the frame's longer side
FEATHER = 0.006  # mask edge softening, sigma as a share of the frame's longer side
WORK_SIDE = 320  # the background is blurred at this size and scaled back (same look, a fraction of the cost)


@dataclass(frozen=True)
class BackgroundEffect:
    """Blur the background (`kind` "blur", `strength` "light" or "strong") or replace it with the picture
    at `image` (`kind` "replace"). The person is what the model's mask calls anything but background."""

    kind: str = "blur"
    strength: str = "strong"
    image: Path | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("blur", "replace"):
            raise ValueError(f"background effect {self.kind!r}: expected blur or replace")
        if self.kind == "replace" and self.image is None:
            raise ValueError("replacing the background needs a picture")
        if self.strength not in BLUR_STRENGTHS:
            raise ValueError(f"blur strength {self.strength!r}: expected {' or '.join(BLUR_STRENGTHS)}")

    def describe(self) -> str:
        return f"background replaced by {self.image.name}" if self.kind == "replace" and self.image \
            else f"background blurred ({self.strength})"


def keep_classes(result: Result, classes: frozenset[str] | None) -> Result:
    """The result with only the detections whose label is in `classes` (None: all; other payloads as they are)."""
    payload = result.payload
    if classes is None or not isinstance(payload, DetectionResult):
        return result
    kept = tuple(d for d in payload.detections if d.label in classes)
    if len(kept) == len(payload.detections):
        return result
    return replace(result, payload=replace(payload, detections=kept))


def person_mask(result: Result) -> np.ndarray | None:
    """A float32 mask in [0, 1] of the frame's people (1 = person) from a semantic segmenter's payload
    (`person_mask`); None for other payloads."""
    hook = getattr(result.payload, "person_mask", None)
    return hook() if callable(hook) else None


def _cover(picture: np.ndarray, width: int, height: int) -> np.ndarray:
    """The picture scaled to cover width x height and cropped at the centre."""
    h, w = picture.shape[:2]
    scale = max(width / w, height / h)
    size = (max(width, round(w * scale)), max(height, round(h * scale)))
    scaled = cv2.resize(picture, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    x, y = (size[0] - width) // 2, (size[1] - height) // 2
    return np.ascontiguousarray(scaled[y:y + height, x:x + width])


def _blurred(frame: np.ndarray, strength: str) -> np.ndarray:
    h, w = frame.shape[:2]
    factor = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(frame, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)
    sigma = BLUR_STRENGTHS[strength] * max(small.shape[:2])
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


class BackgroundCompositor:
    """Composites frames for one `BackgroundEffect` at a time, on the live finisher's (single) thread; the
    replacement picture is decoded there once per (path, frame size), never on the UI thread."""

    def __init__(self) -> None:
        self._backdrop: tuple[tuple[Path, int, int], np.ndarray] | None = None  # one picture at one size

    def backdrop(self, effect: BackgroundEffect, frame: np.ndarray) -> np.ndarray:
        """What replaces the background of `frame` (raises MediaError/OSError for a picture that cannot be read)."""
        h, w = frame.shape[:2]
        if effect.kind == "blur" or effect.image is None:
            return _blurred(frame, effect.strength)
        key = (effect.image, w, h)
        if self._backdrop is None or self._backdrop[0] != key:
            self._backdrop = (key, _cover(load_image(effect.image), w, h))
        return self._backdrop[1]

    def composite(self, frame: np.ndarray, mask: np.ndarray, effect: BackgroundEffect) -> np.ndarray:
        """A new RGB frame: the people of `mask` (any size, 1 = person) over the effect's background."""
        h, w = frame.shape[:2]
        alpha = mask if mask.shape[:2] == (h, w) else cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR)
        alpha = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), sigmaX=max(1.0, FEATHER * max(h, w)))
        back = self.backdrop(effect, frame)
        a = alpha[..., None]
        out = frame.astype(np.float32) * a + back.astype(np.float32) * (1.0 - a)
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)
