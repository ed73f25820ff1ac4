"""What to draw, as plain data in the original image's pixel coordinates: boxes with labels, instance
masks, a semantic class map, skeleton lines, keypoint dots and corner notes. Payloads fill a `Sketch`
(their `draw_on` method); `draw.render` turns it into pixels at whatever size the picture is shown."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

RGB = tuple[int, int, int]
Point = tuple[float, float]
BoxXYXY = tuple[float, float, float, float]

#: Vivid colours that read over photos, one per class index (cycled); 0 is the app's box green.
PALETTE: tuple[RGB, ...] = (
    (40, 220, 90), (255, 80, 80), (60, 140, 255), (255, 200, 0), (200, 80, 255), (0, 220, 220),
    (255, 130, 0), (255, 90, 200), (150, 230, 40), (120, 100, 255), (0, 170, 120), (230, 230, 230),
    (180, 120, 60), (255, 160, 160), (90, 200, 255), (200, 200, 0), (160, 0, 220), (0, 120, 255),
    (255, 0, 120), (120, 255, 180),
)


def colour_for(index: int) -> RGB:
    """The palette colour of a class index (cycled; negative indices wrap too)."""
    return PALETTE[int(index) % len(PALETTE)]


def colour_of_label(label: str) -> RGB:
    """A stable colour for a class known only by name (the same name always gets the same colour)."""
    return colour_for(zlib.crc32(label.encode("utf-8")))


@dataclass(frozen=True)
class SketchBox:
    """A rectangle (x1, y1, x2, y2) with its label text (empty: no label)."""

    box: BoxXYXY
    text: str
    colour: RGB


@dataclass(frozen=True)
class SketchMask:
    """A boolean mask whose top-left pixel sits at `origin` (x, y) in the sketch's coordinates."""

    mask: np.ndarray = field(compare=False)
    origin: tuple[int, int]
    colour: RGB


@dataclass(frozen=True)
class SketchClassMap:
    """A per-pixel class map (H x W int) covering the whole sketch; only classes in `colours` are tinted."""

    classes: np.ndarray = field(compare=False)
    colours: dict[int, RGB]


@dataclass(frozen=True)
class SketchLine:
    a: Point
    b: Point
    colour: RGB


@dataclass(frozen=True)
class SketchDot:
    at: Point
    colour: RGB
    kind: str = "keypoint"  # "keypoint" (pose) or "landmark" (face): both follow the landmarks toggle


@dataclass
class Sketch:
    """Shapes collected for one picture whose coordinates run over width x height (0: the picture's own size)."""

    width: int = 0
    height: int = 0
    boxes: list[SketchBox] = field(default_factory=list)
    masks: list[SketchMask] = field(default_factory=list)
    class_map: SketchClassMap | None = None
    lines: list[SketchLine] = field(default_factory=list)
    dots: list[SketchDot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_box(self, box: BoxXYXY, text: str = "", colour: RGB = PALETTE[0]) -> None:
        self.boxes.append(SketchBox(tuple(float(v) for v in box), text, colour))  # type: ignore[arg-type]

    def add_mask(self, mask: np.ndarray, origin: tuple[int, int], colour: RGB) -> None:
        self.masks.append(SketchMask(np.asarray(mask, dtype=bool), (int(origin[0]), int(origin[1])), colour))

    def set_class_map(self, classes: np.ndarray, colours: dict[int, RGB]) -> None:
        self.class_map = SketchClassMap(np.asarray(classes), dict(colours))

    def add_line(self, a: Point, b: Point, colour: RGB) -> None:
        self.lines.append(SketchLine((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), colour))

    def add_dot(self, at: Point, colour: RGB, kind: str = "keypoint") -> None:
        self.dots.append(SketchDot((float(at[0]), float(at[1])), colour, kind))

    def add_note(self, text: str) -> None:
        """A line of text for the top-left corner (a classifier's top classes)."""
        self.notes.append(text)

    def is_empty(self) -> bool:
        return not (self.boxes or self.masks or self.class_map is not None or self.lines or self.dots or self.notes)
