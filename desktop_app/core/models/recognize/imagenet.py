"""Classic ImageNet classifiers (ONNX model zoo, torchvision, timm, Keras): a 1000- or 1001-way output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.core.models.recognize.base import ModelFacts, Recognition, fixed, image_guess, recogniser

IMAGENET_MEAN = [123.675, 116.28, 103.53]  # ImageNet mean/std of 0–1 values, on 0–255 pixels
IMAGENET_STD = [58.395, 57.12, 57.375]
DEFAULT_SIZE = 224


def imagenet_labels() -> list[str]:
    """The 1000 ImageNet class names the bundled EfficientNet-Lite0 ships (efficientnet-lite0/labels.txt);
    empty when that file cannot be read."""
    from desktop_app.core.paths import bundled_models_dir, install_root

    for root in (bundled_models_dir(), install_root() / "models"):
        path: Path = root / "efficientnet-lite0" / "labels.txt"
        try:
            names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError):
            continue
        if len(names) == 1000:
            return names
    return []


@recogniser("imagenet")
def recognise_imagenet(facts: ModelFacts) -> Recognition | None:
    """One image input and one output whose last dimension is 1000 or 1001 classes."""
    guess = image_guess(facts.info.inputs)
    outs = facts.info.outputs
    if guess is None or len(outs) != 1 or not outs[0].rank_known or len(outs[0].shape) not in (2, 4):
        return None
    shape = outs[0].shape
    classes = fixed(shape[-1]) if len(shape) == 2 else fixed(shape[1])
    if classes not in (1000, 1001) or (len(shape) == 4 and (fixed(shape[2]), fixed(shape[3])) != (1, 1)):
        return None
    labels = imagenet_labels()
    if labels and classes == 1001:
        labels = ["background", *labels]
    image: dict[str, Any] = guess.table()
    image.setdefault("size", [DEFAULT_SIZE, DEFAULT_SIZE])
    image.update({"color": "RGB", "resize": "center-crop", "crop_fraction": 0.875,
                  "mean": IMAGENET_MEAN, "std": IMAGENET_STD})
    card: dict[str, Any] = {"task": "classify", "image": image,
                            "classify": {"output": outs[0].name, "activation": "auto"}}
    extra = {"labels.txt": ("\n".join(labels) + "\n").encode("utf-8")} if labels else {}
    if labels:
        card["labels_file"] = "labels.txt"
    w, h = image["size"]
    first = ", background first" if classes == 1001 else ""
    first += "" if labels else ", ImageNet labels not found"
    summary = (f"ImageNet classifier ({classes}-way output{first}), {w}×{h} {guess.layout} center-crop, "
               "ImageNet mean/std (check the scaling if results look wrong)")
    return Recognition(card, summary, "imagenet", extra_files=extra)
