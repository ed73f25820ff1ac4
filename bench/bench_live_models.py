"""The live models on a 30 FPS video through the camera's live path (CaptureThread + newest-frame buffer +
LiveDetector, as the camera panel's worker runs it), against a bare ONNX Runtime loop on the same frames'
pre-processed tensors, in the same run (interleaved rounds: bare loop, then live path).

Goals (live-models issue): processed FPS >= 0.9 x min(source FPS, bare FPS); capture-to-result latency p95 <=
bare p95 + 2 frame intervals. The UI-thread stall and the display side are measured with the camera panel by
bench/bench_live_modes_ui.py; memory and threads over 3,000 frames by bench/soak_live_modes.py.
Usage: .venv/bin/python bench/bench_live_models.py [--models nanodet,movenet-lightning,selfie-segmentation]
       [--seconds S] [--rounds N] [--fps F]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_camera import bare_loop, live_run  # noqa: E402
from bench.live_video import model_video  # noqa: E402
from desktop_app.core.models.registry import ModelRegistry  # noqa: E402
from desktop_app.core.pipeline import Pipeline  # noqa: E402
from desktop_app.core.runtime.session import SessionPool  # noqa: E402
from desktop_app.core.sources.live import LiveFrame, open_live_sessions  # noqa: E402
from desktop_app.core.tasks.image_prep import one_opencv_thread  # noqa: E402

SETTLE_S = 1.0  # each live round starts (capture open, first frames) before it is measured
MODELS = ("nanodet", "movenet-lightning", "selfie-segmentation")


def bare_tensors(pipeline: Pipeline, model_id: str, frames: list[np.ndarray]) -> tuple[ort.InferenceSession, str,
                                                                                        list[np.ndarray]]:
    """A plain CPU session of the model's file and the task's own pre-processed tensor of every frame."""
    task: Any = pipeline.task(model_id)
    prepare = getattr(task, "preprocess", None) or task.prep  # the face detector names its step `prep`
    tensors = [prepare(f)[0] for f in frames]
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    session = ort.InferenceSession(str(task.card.path), sess_options=opts, providers=["CPUExecutionProvider"])
    return session, session.get_inputs()[0].name, tensors


def bench_model(pipeline: Pipeline, model_id: str, folder: Path, seconds: float, rounds: int,
                fps: float) -> dict[str, float]:
    video, frames = model_video(folder, model_id, fps)
    session, name, tensors = bare_tensors(pipeline, model_id, frames)
    bare_loop(session, name, tensors[:5])
    for frame in frames[:3]:
        pipeline.run_data(frame, model_id, "warm-up")
    open_live_sessions(pipeline, model_id)
    bare_ms: list[float] = []
    live: list[LiveFrame] = []
    elapsed = 0.0
    ratios = []
    for _ in range(rounds):
        round_bare = bare_loop(session, name, tensors)
        bare_ms += round_bare
        got, span, _, _ = live_run(pipeline, video, seconds / rounds, emotion=False, model_id=model_id)
        live += got
        elapsed += span
        ratios.append(len(got) / span / min(fps, 1000.0 / float(np.mean(round_bare))))
    bare_fps = 1000.0 / float(np.mean(bare_ms))
    bare_p95 = float(np.percentile(bare_ms, 95))
    processed = len(live) / elapsed
    latency = np.array([f.latency_ms for f in live])
    lat_p50, lat_p95 = (float(v) for v in np.percentile(latency, [50, 95]))
    budget = bare_p95 + 2 * 1000.0 / fps
    target = min(fps, bare_fps)
    print(f"{model_id:20s} bare {bare_fps:6.1f} FPS (p50 {np.percentile(bare_ms, 50):5.1f}, p95 {bare_p95:5.1f} ms) | "
          f"live {processed:5.1f} FPS, ratio {processed / target:.3f} pooled / {float(np.median(ratios)):.3f} median "
          f"(goal >= 0.90: {'met' if processed / target >= 0.9 else 'NOT met'}) | latency p50 {lat_p50:5.1f}, "
          f"p95 {lat_p95:5.1f} ms (goal <= {budget:.1f}: {'met' if lat_p95 <= budget else 'NOT met'})")
    return {"bare_fps": bare_fps, "live_fps": processed, "ratio": processed / target, "latency_p95": lat_p95,
            "budget": budget}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--seconds", type=float, default=15.0, help="live seconds per model in all")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of bare loop + live path")
    parser.add_argument("--fps", type=float, default=30.0, help="source FPS of the generated video")
    args = parser.parse_args()
    one_opencv_thread()  # as AppServices.create does for the app
    folder = Path(tempfile.mkdtemp(prefix="bench-live-models-"))
    pipeline = Pipeline(ModelRegistry(ROOT / "models", folder / "user-models"), SessionPool("cpu"))
    print(f"source {args.fps:g} FPS 640x480, {args.seconds:g} s live per model in {args.rounds} rounds, "
          f"ONNX Runtime {ort.__version__} CPU")
    for model_id in args.models.split(","):
        bench_model(pipeline, model_id, folder, args.seconds, args.rounds, args.fps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
