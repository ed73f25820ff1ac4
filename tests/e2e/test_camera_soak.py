"""Soak: a small looping face video (320x240) paced at 30 FPS through the camera panel's whole live
path (capture thread, LiveDetector with CenterFace + expressions in the LiveWorker, newest-frame gate,
QImage conversion and painting in the UI thread). Resident memory must stay flat after warm-up and no
thread may be added while it runs; the numbers are printed (run with -s to see them)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import cv2
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.soak_report import os_threads, rss_mb  # noqa: E402
from desktop_app.core.paths import UserDirs  # noqa: E402
from desktop_app.core.services import AppServices  # noqa: E402
from desktop_app.core.sources.camera import parse_camera  # noqa: E402
from desktop_app.core.sources.live import LiveFrame  # noqa: E402
from desktop_app.qt.camera.qt_camera_controller import CameraRequest  # noqa: E402
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel  # noqa: E402
from desktop_app.qt.qt_workers import running_threads  # noqa: E402
from tests.core.sources.face_video import compose_frames, write_video  # noqa: E402

FRAMES = 3_000  # processed frames asked for
WARM_UP = 300
TIME_CAP_S = 240.0  # a loaded 2-core machine may not get through all of them: it stops here
MIN_FRAMES = 1_000  # ...but never counts as a soak with fewer than these
MAX_GROWTH_MB = 30.0


def none_refs_lost_per_void_call() -> float:
    """PySide6 6.12.0 under Python 3.11 (None not immortal) drops a reference to None on every call of a
    void method; a long run then aborts with "none_dealloc". Measured, so the soak fails with a reason."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        probe.setObjectName("probe")
    return (before - sys.getrefcount(None)) / 200


def small_video(folder: Path) -> Path:
    frames, _ = compose_frames(90)
    small = [cv2.resize(f, (320, 240), interpolation=cv2.INTER_AREA) for f in frames]
    path = folder / "faces-320.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (320, 240))
    for frame in small:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def test_camera_soak_memory_and_threads_stay_flat(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lost = none_refs_lost_per_void_call()
    if lost > 0.5:
        import PySide6

        pytest.fail(f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} loses a reference to None on "
                    f"every void Qt call ({lost:.2f}/call): a live panel aborts with 'none_dealloc' after a few "
                    "thousand calls. Use PySide6 < 6.12 (or Python >= 3.12, where None is immortal).")
    assert write_video  # the same generator as the other camera tests
    video = small_video(tmp_path)
    before = {t.ident for t in threading.enumerate()}
    panel = QtCameraPanel(AppServices.create(UserDirs.under(tmp_path / "home")))
    qtbot.addWidget(panel)
    panel.resize(640, 480)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: not panel.device_lister.busy, timeout=10_000)

    marks: dict[str, float] = {}
    faces = 0
    last: list[LiveFrame] = []

    def on_frame(live: LiveFrame) -> None:
        nonlocal faces
        faces += bool(live.visible_tracks)
        last[:] = [live]
        if live.stats.processed >= WARM_UP and "rss_warm" not in marks:
            marks.update(rss_warm=rss_mb(), threads_warm=os_threads(), py_warm=threading.active_count(),
                         t_warm=time.perf_counter(), n_warm=live.stats.processed)

    panel.controller.frame.connect(on_frame)
    spec = parse_camera(str(video), realtime=True, loop=True)  # paced at 30 FPS like a camera: capture needs no core of its own
    start = time.perf_counter()
    panel.controller.start(CameraRequest(spec, "centerface", emotion=True))
    qtbot.waitUntil(lambda: bool(last) and (last[0].stats.processed >= FRAMES
                                             or time.perf_counter() - start > TIME_CAP_S), timeout=int(TIME_CAP_S * 1000) + 60_000)
    end = {"rss": rss_mb(), "threads": os_threads(), "py": threading.active_count(), "t": time.perf_counter()}
    live = last[0]
    stats = panel.controller.stats()
    panel.shutdown()
    assert not running_threads()

    growth = end["rss"] - marks["rss_warm"]
    processed = live.stats.processed
    rate = (processed - marks["n_warm"]) / (end["t"] - marks["t_warm"])
    print(f"\ncamera soak: {processed} frames processed ({live.stats.captured} captured, {live.stats.dropped} skipped, "
          f"{stats.shown if stats else 0} shown, {faces} with a face) in {end['t'] - start:.1f} s, {rate:.1f} FPS after warm-up")
    print(f"RSS after {WARM_UP} frames {marks['rss_warm']:.1f} MB, at the end {end['rss']:.1f} MB: growth {growth:+.1f} MB "
          f"(limit {MAX_GROWTH_MB:g})")
    print(f"threads (OS) after warm-up {marks['threads_warm']:.0f}, at the end {end['threads']}; Python threads "
          f"{marks['py_warm']:.0f} -> {end['py']}")
    assert processed >= MIN_FRAMES, f"only {processed} frames in {TIME_CAP_S:g} s: machine too slow for a soak"
    assert faces > 0
    assert growth < MAX_GROWTH_MB
    assert end["threads"] <= marks["threads_warm"] and end["py"] <= marks["py_warm"]
    leaked = [t.name for t in threading.enumerate()
              if t.ident not in before and t.is_alive() and type(t).__name__ != "_DummyThread"]
    assert not leaked, leaked
