"""Classification throughput: the full pipeline (pre-processing + inference + post-processing, decode
excluded) against a bare ONNX Runtime loop on pre-decoded, pre-processed tensors, in the same run.

Prints the ratio (pipeline / bare; 1.0 = no overhead) and where the pipeline's extra time goes.
Usage: .venv/bin/python bench/bench_classify.py [--images N] [--rounds R] [--model ID]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.models.registry import ModelRegistry  # noqa: E402
from desktop_app.core.pipeline import Pipeline  # noqa: E402
from desktop_app.core.runtime.session import SessionPool  # noqa: E402
from desktop_app.core.tasks import StageClock  # noqa: E402
from desktop_app.core.tasks.classify import ClassifyTask  # noqa: E402

SAMPLES = ("cat-chelsea.jpg", "coffee-cup.jpg", "portrait-astronaut.jpg")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", default="efficientnet-lite0")
    args = parser.parse_args()

    registry = ModelRegistry(ROOT / "models", ROOT / "build" / "bench-user-models")
    task = Pipeline(registry, SessionPool("cpu")).task(args.model)
    assert isinstance(task, ClassifyTask), "the classification bench needs a classify model"
    images = [task.decode(ROOT / "resources" / "samples" / SAMPLES[i % len(SAMPLES)]) for i in range(args.images)]
    tensors = [task.prep(im)[0] for im in images]

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    bare = ort.InferenceSession(str(task.card.path), sess_options=opts, providers=["CPUExecutionProvider"])
    name = bare.get_inputs()[0].name
    for t in tensors[:3]:  # warm both up
        bare.run(None, {name: t})
        task.run(images[0], StageClock())

    pipe_s, bare_s, stages = [], [], {"preprocess": 0.0, "inference": 0.0, "postprocess": 0.0}
    for _ in range(args.rounds):  # interleaved rounds so machine noise hits both sides alike
        start = time.perf_counter()
        for t in tensors:
            bare.run(None, {name: t})
        bare_s.append(time.perf_counter() - start)
        clock = StageClock()
        start = time.perf_counter()
        for im in images:
            task.run(im, clock, top_k=5)
        pipe_s.append(time.perf_counter() - start)
        for key in stages:
            stages[key] += clock.ms.get(key, 0.0)

    n = args.images
    bare_ips, pipe_ips = n / statistics.median(bare_s), n / statistics.median(pipe_s)
    per_image = {k: v / (n * args.rounds) for k, v in stages.items()}
    bare_ms = 1000 / bare_ips
    pipe_ms = 1000 / pipe_ips
    print(f"model {args.model}, {n} images x {args.rounds} rounds, provider {task.session.report.used_short}, "
          f"ONNX Runtime {ort.__version__}")
    print(f"bare ONNX Runtime loop : {bare_ips:7.1f} images/s  ({bare_ms:6.2f} ms/image)")
    print(f"pipeline (no decode)   : {pipe_ips:7.1f} images/s  ({pipe_ms:6.2f} ms/image)")
    print(f"ratio pipeline / bare  : {pipe_ips / bare_ips:.3f}  (goal >= 0.90)")
    print("where the pipeline's time goes, per image: " + ", ".join(f"{k} {v:.2f} ms" for k, v in per_image.items())
          + f"; inference vs bare run: {per_image['inference'] - bare_ms:+.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
