"""Each camera mode through the real camera panel (offscreen QApplication: capture thread, live worker,
newest-frame gate, QImage conversion and painting on the UI thread) on a 30 FPS video panned over a sample
photo, for 3,000 processed frames per mode, with a bare ONNX Runtime loop on the same frames' tensors before and
after each soak as the baseline.

Per mode it prints: processed FPS against min(source FPS, bare FPS) (goal >= 0.9), capture-to-display p95
against bare p95 + 2 frame intervals, the longest UI-thread stall (gap between ticks of a 5 ms timer; goal
< 50 ms), resident memory growth after the first 300 frames (goal < 30 MB) and the OS thread counts seen
after the warm-up (goal: one value). Not a test: run it on a quiet machine and quote the figures.
Usage: .venv/bin/python bench/soak_live_modes.py [--frames 3000] [--modes faces,people,objects,background]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_camera import bare_loop  # noqa: E402
from bench.bench_live_models import bare_tensors  # noqa: E402
from bench.live_video import model_video  # noqa: E402
from bench.soak_report import os_threads, rss_mb  # noqa: E402

MODE_MODEL = {"faces": "centerface", "people": "movenet-lightning", "objects": "nanodet",
              "background": "selfie-segmentation"}
WARM_UP = 300
SAMPLE_EVERY = 100


def soak_mode(app: Any, services: Any, mode: str, frames: int, fps: float, folder: Path) -> dict[str, Any]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from desktop_app.core.sources.live import LiveFrame, open_live_sessions
    from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
    from desktop_app.qt.qt_workers import join_all

    model_id = MODE_MODEL[mode]
    video, clip = model_video(folder, model_id if mode != "faces" else "centerface", fps)
    pipeline = services.pipeline
    session, name, tensors = bare_tensors(pipeline, model_id, clip)
    bare_loop(session, name, tensors[:5])
    open_live_sessions(pipeline, model_id)
    bare_ms = bare_loop(session, name, tensors) + bare_loop(session, name, tensors)

    panel = QtCameraPanel(services)
    panel.resize(900, 700)
    panel.show()
    panel.set_mode(mode)
    panel.set_source(str(video))
    seen: list[LiveFrame] = []
    display_ms: list[float] = []
    samples: list[tuple[int, float, int, int]] = []  # (processed, rss MB, threads, frames in flight)
    gaps: list[float] = []
    panel.controller.frame.connect(lambda live: seen.__setitem__(slice(None), [live]))
    panel.view.canvas.displayed.connect(
        lambda live, t: display_ms.append((t - live.t_capture) * 1000.0) if live.stats.processed > WARM_UP else None)
    clock = QElapsedTimer()
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        if seen and seen[0].stats.processed > WARM_UP:
            gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(tick)
    loop = QEventLoop()
    t_warm = [0.0, 0]

    def poll() -> None:
        if not seen:
            return
        done = seen[0].stats.processed
        if done > WARM_UP and not t_warm[0]:
            t_warm[0], t_warm[1] = time.perf_counter(), done
        if done > WARM_UP and (not samples or done - samples[-1][0] >= SAMPLE_EVERY):
            worker = panel.controller.worker
            samples.append((done, rss_mb(), os_threads(), worker.detector.max_in_flight if worker else 0))
        if done >= frames:
            loop.quit()

    poller = QTimer()
    poller.setInterval(50)
    poller.timeout.connect(poll)
    clock.start()
    ticker.start()
    poller.start()
    panel.start()
    QTimer.singleShot(int(frames / fps * 3 * 1000) + 60_000, loop.quit)  # never hang
    loop.exec()
    t_end = time.perf_counter()
    processed = seen[0].stats.processed if seen else 0
    ticker.stop()
    poller.stop()
    panel.shutdown()
    join_all()
    panel.close()
    app.processEvents()
    bare_ms += bare_loop(session, name, tensors)

    bare_fps = 1000.0 / float(np.mean(bare_ms))
    bare_p95 = float(np.percentile(bare_ms, 95))
    steady_fps = (processed - t_warm[1]) / (t_end - t_warm[0]) if t_warm[0] else 0.0
    target = min(fps, bare_fps)
    disp_p95 = float(np.percentile(display_ms, 95)) if display_ms else float("nan")
    budget = bare_p95 + 2 * 1000.0 / fps
    growth = samples[-1][1] - samples[0][1] if len(samples) >= 2 else float("nan")
    threads = sorted({s[2] for s in samples})
    # The live path may scale once to two frames in flight when the model falls behind (a second session and
    # its threads: a one-time step); after the last such change memory and threads must stay flat.
    changes = [i for i in range(1, len(samples)) if samples[i][3] != samples[i - 1][3]]
    settled = samples[changes[-1]:] if changes else samples
    steady_growth = settled[-1][1] - settled[0][1] if len(settled) >= 2 else float("nan")
    steady_threads = sorted({s[2] for s in settled})
    step = (f"scaled to {samples[changes[-1]][3]} in flight at frame {samples[changes[-1]][0]}: "
            f"{samples[changes[-1]][1] - samples[changes[-1] - 1][1]:+.1f} MB; " if changes else "")
    stall = max(gaps, default=0.0)
    result = {"mode": mode, "model": model_id, "frames": processed, "bare_fps": bare_fps, "live_fps": steady_fps,
              "ratio": steady_fps / target if target else 0.0, "display_p95": disp_p95, "budget": budget,
              "stall_ms": stall, "rss_growth_mb": growth, "threads": threads, "rss_first": samples[0][1] if samples
              else float("nan"), "steady_growth_mb": steady_growth, "steady_threads": steady_threads}
    print(f"{mode:10s} {model_id:20s} {processed:5d} frames | bare {bare_fps:6.1f} FPS, live {steady_fps:5.1f} FPS, "
          f"ratio {result['ratio']:.3f} ({'met' if result['ratio'] >= 0.9 else 'NOT met'}) | display p95 "
          f"{disp_p95:5.1f} ms <= {budget:.1f} ({'met' if disp_p95 <= budget else 'NOT met'}) | UI stall {stall:4.1f} ms "
          f"({'met' if stall < 50 else 'NOT met'}) | RSS {samples[0][1] if samples else 0:.0f} MB, {step}growth "
          f"{steady_growth:+.1f} MB over {settled[-1][0] - settled[0][0] if settled else 0} frames "
          f"({'met' if steady_growth < 30 else 'NOT met'}; {growth:+.1f} MB in all) | threads first/last/max "
          f"{settled[0][2] if settled else 0}/{settled[-1][2] if settled else 0}/{max(steady_threads, default=0)} "
          f"({'flat' if settled and settled[-1][2] <= settled[0][2] else 'GROWING'}; OpenCV's decoder may start "
          f"threads for a moment when the file loops)", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000, help="processed frames per mode")
    parser.add_argument("--modes", default=",".join(MODE_MODEL))
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import freeze_startup_objects
    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices
    from desktop_app.core.tasks.image_prep import one_opencv_thread

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="soak-live-modes-"))
    one_opencv_thread()
    services = AppServices.create(UserDirs.under(folder / "home"))
    services.update_settings(provider="cpu")
    freeze_startup_objects()
    print(f"camera panel offscreen, source {args.fps:g} FPS 640x480, {args.frames} frames per mode, ONNX Runtime "
          f"{ort.__version__} CPU, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    for mode in args.modes.split(","):
        soak_mode(app, services, mode, args.frames, args.fps, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
