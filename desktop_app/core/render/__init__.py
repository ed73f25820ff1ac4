"""Drawing results onto pictures, Qt-free: payloads describe their shapes on a `Sketch` (in the original
image's pixels) and `render` draws it with OpenCV onto an RGB uint8 array of any size."""

from desktop_app.core.render.draw import RenderOptions, draw_payload, render
from desktop_app.core.render.sketch import PALETTE, Sketch, colour_for, colour_of_label

__all__ = ["PALETTE", "RenderOptions", "Sketch", "colour_for", "colour_of_label", "draw_payload", "render"]
