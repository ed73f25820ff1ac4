"""Draw the app icon (a small layered network on a rounded tile) into resources/icons/.

Writes desktop-app-<N>.png for N in 16..256, desktop-app.png (256), desktop-app.ico (Windows) and
desktop-app.icns (macOS). The outputs are committed; run this again only to change the design:

    .venv/bin/python packaging/make_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)
CANVAS = 1024  # drawn large, then downsampled: cheap anti-aliasing

TOP = (37, 99, 235)  # blue
BOTTOM = (13, 148, 136)  # teal
EDGE = (255, 255, 255, 110)
NODE = (255, 255, 255, 255)
HOT = (251, 191, 36, 255)  # the "answer" node


def _gradient_tile(size: int) -> Image.Image:
    """A rounded square filled with a vertical blue-to-teal gradient."""
    column = Image.new("RGB", (1, size))
    for y in range(size):
        t = y / (size - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True)))
    fill = column.resize((size, size))
    mask = Image.new("L", (size, size), 0)
    margin = size // 16
    ImageDraw.Draw(mask).rounded_rectangle(
        (margin, margin, size - margin, size - margin), radius=size // 5, fill=255
    )
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    tile.paste(fill, (0, 0), mask)
    return tile


def _layers(size: int) -> list[list[tuple[float, float]]]:
    """Node centres of a 3-4-2 network, left to right."""
    xs = (0.28, 0.5, 0.72)
    counts = (3, 4, 2)
    layers = []
    for x, n in zip(xs, counts, strict=True):
        span = 0.44 if n > 2 else 0.24
        ys = [0.5 - span / 2 + span * i / (n - 1) for i in range(n)]
        layers.append([(x * size, y * size) for y in ys])
    return layers


def draw_master() -> Image.Image:
    """The icon at CANVAS x CANVAS pixels."""
    img = _gradient_tile(CANVAS)
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    layers = _layers(CANVAS)
    width = CANVAS // 64
    for left, right in zip(layers, layers[1:], strict=False):
        for a in left:
            for b in right:
                draw.line((a, b), fill=EDGE, width=width)
    radius = CANVAS // 18
    for i, layer in enumerate(layers):
        for j, (x, y) in enumerate(layer):
            colour = HOT if (i == len(layers) - 1 and j == 0) else NODE
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    return Image.alpha_composite(img, overlay)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    master = draw_master()
    images = {n: master.resize((n, n), Image.Resampling.LANCZOS) for n in SIZES}
    for n, im in images.items():
        im.save(OUT / f"desktop-app-{n}.png", optimize=True)
    images[256].save(OUT / "desktop-app.png", optimize=True)
    master.save(OUT / "desktop-app.ico", sizes=[(n, n) for n in SIZES])
    master.resize((512, 512), Image.Resampling.LANCZOS).save(OUT / "desktop-app.icns")
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
