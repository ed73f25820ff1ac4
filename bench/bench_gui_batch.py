"""GUI batch throughput against the CLI-equivalent loop, on the same images in the same process.

CLI path: `Pipeline.run_path` for each file, sequentially. GUI path: the real files panel (offscreen
QApplication) running a folder drop: BatchWorker with decode prefetch, throttled rows into the table
model, proxy and view. Both use the same warmed-up session. Prints both throughputs and the ratio
(GUI / CLI; the goal is >= 0.8).
Usage: .venv/bin/python bench/bench_gui_batch.py [--images N] [--rounds R]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = ("cat-chelsea.jpg", "coffee-cup.jpg", "portrait-astronaut.jpg")


def make_folder(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        src = ROOT / "resources" / "samples" / SAMPLES[i % len(SAMPLES)]
        paths.append(folder / f"{i:05d}-{src.name}")
        shutil.copyfile(src, paths[-1])
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2, help="CLI and GUI alternate; the best of each counts")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices
    from desktop_app.core.tasks.image_prep import one_opencv_thread
    from desktop_app.qt.files.qt_files_panel import QtFilesPanel

    _app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    with tempfile.TemporaryDirectory(prefix="bench-gui-batch-") as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        paths = make_folder(folder, args.images)
        one_opencv_thread()  # as the app's entry point does
        services = AppServices.create(UserDirs.under(Path(tmp) / "home"))
        model_id = services.model_for("image")
        top_k = services.settings.top_k
        services.pipeline.run_path(paths[0], model_id, top_k=top_k)  # warm up: session, hash check

        panel = QtFilesPanel(services)
        panel.resize(900, 600)
        panel.show()
        cli_times, gui_times = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for path in paths:
                services.pipeline.run_path(path, model_id, top_k=top_k)
            cli_times.append(time.perf_counter() - start)

            panel.clear()
            loop = QEventLoop()
            panel.batch_finished.connect(loop.quit)
            start = time.perf_counter()
            panel.run_paths([folder])
            loop.exec()  # the real event loop runs while the batch does
            gui_times.append(time.perf_counter() - start)
            panel.batch_finished.disconnect(loop.quit)
            assert len(panel.model.rows) == args.images and all(r.ok for r in panel.model.rows)
        panel.shutdown()
        panel.close()
        del panel  # before the QApplication goes

    cli = args.images / min(cli_times)
    gui = args.images / min(gui_times)
    print(f"images: {args.images}, rounds: {args.rounds}, cores: {os.cpu_count()}")
    print(f"CLI loop (run_path, sequential): {cli:.1f} img/s")
    print(f"GUI batch (BatchWorker + table): {gui:.1f} img/s")
    print(f"ratio GUI/CLI: {gui / cli:.2f} (goal >= 0.8)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
