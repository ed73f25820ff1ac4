"""Batch throughput of the CLI and the files panel against a sequential bare loop, on the same images in
one process, plus the UI thread's responsiveness during a 500-image batch in the window.

Four ways to classify the same N files, in interleaved rounds (the order rotates each round):
- bare loop: OpenCV decode, resize and centre crop, normalise, ONNX Runtime at batch 1, one after another;
- CLI, one call at a time (`--batch-size 1`: decode-ahead only) and CLI, dynamic batching (the default:
  stacks of a measured size, two at a time on one-thread sessions on CPU): in-process calls of
  `cli.run_items` (what `desktop-app classify` runs once its pipeline is built: the session is open, so
  start-up is excluded; the output lines are written to memory; the batch-size probe runs again in
  every round, as in every new CLI process);
- files panel: the real main window offscreen, a folder drop, timed from the drop to the batch summary.
The CLI and the panel share one pipeline (one session); the bare loop has its own session. Ratios are
taken within each round (the machine's speed drifts between rounds) and their median is printed, with
the ratio of the median rates beside it.
Then a 500-image folder drop in the window with a 5 ms UI timer: worst gap and 99th percentile.

Goals (issue 14): CLI >= 1.0x bare, CLI with batching >= 1.3x bare on efficientnet-lite0, files panel
>= 0.95x the CLI (with batching, its default), UI worst gap < 50 ms and p99 < 16 ms.
Usage: .venv/bin/python bench/bench_batch.py [--images 200] [--rounds 5] [--ui-images 500]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = ("cat-chelsea.jpg", "coffee-cup.jpg", "portrait-astronaut.jpg")
MODES = ("bare loop", "CLI, one call at a time", "CLI, dynamic batching", "files panel")


def make_folder(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        src = ROOT / "resources" / "samples" / SAMPLES[i % len(SAMPLES)]
        paths.append(folder / f"{i:05d}-{src.name}")
        shutil.copyfile(src, paths[-1])
    return paths


class BareLoop:
    """The baseline: OpenCV decode, shorter side to 256, centre crop 224, (x - mean) / std, batch 1."""

    def __init__(self, model: Path, mean: tuple[float, ...], std: tuple[float, ...], size: int,
                 providers: list[str]) -> None:
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(model), sess_options=opts, providers=providers)
        self.name = self.session.get_inputs()[0].name
        self.mean = np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
        self.std = np.asarray(std, np.float32).reshape(1, 3, 1, 1)
        self.size = size

    def one(self, path: Path) -> int:
        image = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        h, w = image.shape[:2]
        scale = self.size / 0.875 / min(h, w)
        new_w, new_h = max(self.size, round(w * scale)), max(self.size, round(h * scale))
        image = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
        top, left = (new_h - self.size) // 2, (new_w - self.size) // 2
        crop = image[top : top + self.size, left : left + self.size]
        x = (crop.transpose(2, 0, 1)[None].astype(np.float32) - self.mean) / self.std
        return int(np.argmax(self.session.run(None, {self.name: x})[0]))

    def __call__(self, paths: list[Path]) -> None:
        for path in paths:
            self.one(path)


def ui_gaps(app: Any, window: Any, folder: Path, n: int) -> tuple[float, float, int, float]:
    """Drop `folder` on the window and tick a 5 ms timer until the batch ends: worst gap, p99, ticks, s."""
    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    window.files_panel.batch_finished.connect(loop.quit)
    timer.start()
    start = time.perf_counter()
    window.files_panel.run_paths([folder])
    loop.exec()
    elapsed = time.perf_counter() - start
    timer.stop()
    window.files_panel.batch_finished.disconnect(loop.quit)
    assert len(window.files_panel.model.rows) >= n
    gaps = np.diff(np.asarray(ticks)) * 1000.0
    return float(gaps.max()), float(np.percentile(gaps, 99)), len(ticks), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ui-images", type=int, default=500, help="images of the UI responsiveness batch (0: skip)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from desktop_app import cli
    from desktop_app.app import freeze_startup_objects
    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices
    from desktop_app.core.tasks.classify import ClassifyTask
    from desktop_app.core.tasks.image_prep import one_opencv_thread
    from desktop_app.qt.qt_main_window import QtMainWindow

    one_opencv_thread()  # what the app's and the CLI's entry points set for the process
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp) / "images"
        paths = make_folder(folder, args.images)
        services = AppServices.create(UserDirs.under(Path(tmp) / "home"))
        pipeline = services.pipeline
        model_id = services.model_for("image")
        top_k = services.settings.top_k
        task = pipeline.task(model_id)
        assert isinstance(task, ClassifyTask), "the batch bench needs a classification model"
        spec = task.prep.spec
        bare = BareLoop(task.card.path, spec.mean, spec.std, task.prep.width or 224,
                        list(task.session.report.obtained))

        probes: list[tuple[int | None, dict[int, float]]] = []  # each measured CLI round's choice

        def cli_run(batch_size: int) -> Callable[[list[Path]], None]:
            ns = cli.build_parser().parse_args(["classify", *map(str, paths[:1]), "--batch-size", str(batch_size)])

            def run(files: list[Path]) -> None:
                pipeline.batch_sizes.clear()  # every round measures its batch size again
                with contextlib.redirect_stdout(io.StringIO()):
                    cli.run_items(ns, pipeline, [(p, model_id) for p in files], top_k=top_k)
                if batch_size == 0:
                    sizer = pipeline.batch_sizes.sizer(model_id, task.session.report.choice)
                    probes.append((sizer.chosen, sizer.timings()))
            return run

        window = QtMainWindow(services)
        window.resize(1200, 800)
        window.show()

        def panel_run(files: list[Path]) -> None:
            pipeline.batch_sizes.clear()
            window.files_panel.clear()
            loop = QEventLoop()
            window.files_panel.batch_finished.connect(loop.quit)
            window.files_panel.run_paths([folder])
            loop.exec()
            window.files_panel.batch_finished.disconnect(loop.quit)
            rows = window.files_panel.model.rows
            assert len(rows) == len(files) and all(r.ok for r in rows)

        runs: dict[str, Callable[[list[Path]], None]] = {
            MODES[0]: bare, MODES[1]: cli_run(1), MODES[2]: cli_run(0), MODES[3]: panel_run}
        for mode in MODES:  # warm up: sessions, first runs at each shape, caches
            runs[mode](paths[: min(20, len(paths))] if mode != MODES[3] else paths)
        freeze_startup_objects()  # as the app does once its window is up
        rates: dict[str, list[float]] = {mode: [] for mode in MODES}
        for r in range(args.rounds):
            for mode in MODES[r % 4 :] + MODES[: r % 4]:
                start = time.perf_counter()
                runs[mode](paths)
                rates[mode].append(len(paths) / (time.perf_counter() - start))

        ui = None
        if args.ui_images:
            ui_folder = Path(tmp) / "ui-images"
            make_folder(ui_folder, args.ui_images)
            window.files_panel.clear()
            pipeline.batch_sizes.clear()
            ui = ui_gaps(app, window, ui_folder, args.ui_images)
        window.close()  # joins every worker thread

    median = {mode: statistics.median(v) for mode, v in rates.items()}

    def ratio(mode: str, base: str, goal: float) -> str:
        per_round = [a / b for a, b in zip(rates[mode], rates[base], strict=True)]
        rounds = ", ".join(f"{v:.2f}" for v in per_round)
        return (f"{statistics.median(per_round):.2f} median of rounds ({rounds}); "
                f"{median[mode] / median[base]:.2f} of the median rates  (goal >= {goal})")

    print(f"model {model_id}, {args.images} images x {args.rounds} rounds (median), provider "
          f"{task.session.report.used_short}, {os.cpu_count()} cores, ONNX Runtime {ort.__version__}")
    print("CLI = in-process cli.run_items with the session open (start-up excluded, batch-size probe included)")
    for mode in MODES:
        rounds = ", ".join(f"{v:.1f}" for v in rates[mode])
        print(f"{mode:<24}: {median[mode]:7.1f} img/s   (rounds: {rounds})")
    print(f"CLI, one call at a time / bare : {ratio(MODES[1], MODES[0], 1.0)}")
    print(f"CLI, dynamic batching / bare   : {ratio(MODES[2], MODES[0], 1.3)}")
    print(f"files panel / CLI (batching)   : {ratio(MODES[3], MODES[2], 0.95)}")
    for chosen, per_size in probes[1:]:  # the first was the warm-up's
        timing = ", ".join(f"{size}: {ms:.1f}" for size, ms in sorted(per_size.items()))
        print(f"CLI round: measured batch size {chosen}  (best inference ms per image by size: {timing})")
    if ui is not None:
        worst, p99, ticks, elapsed = ui
        print(f"UI thread during a {args.ui_images}-image batch in the window: worst gap {worst:.1f} ms "
              f"(goal < 50), p99 {p99:.1f} ms (goal < 16); {ticks} ticks of 5 ms, "
              f"{args.ui_images / elapsed:.1f} img/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
