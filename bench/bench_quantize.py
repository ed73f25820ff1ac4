"""int8 copy of a classifier: size, CPU latency ratio (fp32 / int8, interleaved on the same input) and top-1
agreement with the original on the sample images plus flips, crops and brightness changes.

With --sweep, tries the static-quantization settings listed in SWEEP and prints one line each, so the
choice of defaults in desktop_app/core/models/quantize.py can be re-checked on another machine.
The user folders go to a temporary directory; nothing is added to your own models.
Usage: .venv/bin/python bench/bench_quantize.py [--model ID] [--runs N] [--sweep]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.models.quantize import QuantizeOptions, make_int8_copy  # noqa: E402
from desktop_app.core.models.registry import ModelRegistry  # noqa: E402

SWEEP = {
    "minmax, per-tensor": QuantizeOptions(per_channel=False, method="minmax"),
    "minmax, per-channel": QuantizeOptions(method="minmax"),
    "minmax, per-channel, reduce-range": QuantizeOptions(method="minmax", reduce_range=True),
    "minmax, per-channel, first Conv + last Gemm float": QuantizeOptions(method="minmax", exclude_first_conv=True,
                                                                        exclude_last_gemm=True),
    "entropy, per-channel": QuantizeOptions(method="entropy"),
    "percentile 99.99, per-channel": QuantizeOptions(percentile=99.99),
    "percentile 99.999, per-channel (default)": QuantizeOptions(),
    "percentile 99.999, per-channel, first Conv float": QuantizeOptions(exclude_first_conv=True),
}


def calibration_folder(folder: Path) -> Path:
    """The sample photos and five variants each (flip, crop, darker, brighter, flipped corner crop)."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = ROOT / "resources" / "samples"
    for path in sorted(samples.glob("*.jpg")) + sorted(samples.glob("*.png")):
        image = Image.open(path).convert("RGB")
        w, h = image.size
        for name, variant in {
            "orig": image, "flip": ImageOps.mirror(image), "crop": image.crop((w // 8, h // 8, w - w // 8, h - h // 8)),
            "dark": ImageEnhance.Brightness(image).enhance(0.7), "bright": ImageEnhance.Brightness(image).enhance(1.3),
            "flipcrop": ImageOps.mirror(image.crop((0, 0, w * 3 // 4, h * 3 // 4))),
        }.items():
            variant.save(folder / f"{path.stem}-{name}.png")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="efficientnet-lite0")
    parser.add_argument("--runs", type=int, default=100, help="interleaved timed runs of each model")
    parser.add_argument("--sweep", action="store_true", help="try several static settings, one line each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-quantize-") as tmp:
        os.environ["DESKTOP_APP_HOME"] = str(Path(tmp) / "home")
        registry = ModelRegistry.default()
        folder = calibration_folder(Path(tmp) / "calibration")
        if not args.sweep:
            report = make_int8_copy(registry, args.model, folder, latency_runs=args.runs)
            print("\n".join(report.lines()))
            print(f"goals: >= 1.5x faster: {report.latency_ratio:.2f}x; >= 95 % top-1 agreement: "
                  f"{report.top1_agreement:.1%}")
            return 0
        print(f"{'settings':<52} {'agree':>6} {'max dp':>7} {'speed':>6} {'MB':>6}")
        for name, options in SWEEP.items():
            report = make_int8_copy(registry, args.model, folder, mode="static", options=options,
                                    latency_runs=args.runs)
            print(f"{name:<52} {report.top1_agreement:>6.1%} {report.max_prob_diff:>7.3f} "
                  f"{report.latency_ratio:>5.2f}x {report.int8_bytes / 1e6:>6.2f}", flush=True)
            registry.remove(report.copy_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
