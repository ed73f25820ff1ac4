"""The worker contract: every failure is logged and shown as one line; stop() never waits; a running
thread is never released; a start without a failure handler is an error."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from desktop_app.qt.qt_workers import Worker, WorkerController, join_all, running_threads

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "resources" / "samples" / "speech-espeak.wav"


class BlockingWorker(Worker):
    """Blocks for up to `seconds` on an event (not on its cancel flag): a worker stuck in a library call."""

    reached = Signal()

    def __init__(self, release: threading.Event, seconds: float = 5.0) -> None:
        super().__init__()
        self.release, self.seconds = release, seconds

    def work(self) -> None:
        self.reached.emit()
        self.release.wait(self.seconds)
        self.check_cancelled()


class FailingWorker(Worker):
    def __init__(self, release: threading.Event | None = None) -> None:
        super().__init__()
        self.release = release

    def work(self) -> None:
        if self.release is not None:
            self.release.wait(5)
        raise RuntimeError("late failure")


def test_a_start_without_a_failure_handler_is_an_error(qtbot: Any) -> None:
    controller = WorkerController("contract")
    with pytest.raises(TypeError, match="failure handler"):
        controller.start(FailingWorker(), on_failed=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        controller.start(FailingWorker())  # type: ignore[call-arg]
    assert not controller.busy and not running_threads()


def test_stop_returns_at_once_and_the_thread_is_joined_when_it_ends(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    release, failures = threading.Event(), []
    controller = WorkerController("blocking")
    worker = BlockingWorker(release)
    with qtbot.waitSignal(worker.reached, timeout=5000):
        controller.start(worker, on_failed=failures.append)
    waited: list[QThread] = []
    wait = QThread.wait

    def recorded_wait(thread: QThread, *args: Any) -> bool:
        waited.append(thread)
        return wait(thread, *args)

    with monkeypatch.context() as patch:
        patch.setattr(QThread, "wait", recorded_wait)
        started = time.perf_counter()
        controller.stop()
        elapsed = time.perf_counter() - started
    # What proves stop() did not wait: it waited on no thread, and returned while the worker is still blocked
    # (only the test releases it) on a thread that is still running and still referenced.
    assert waited == [] and not release.is_set()
    assert controller.retiring == 1 and len(running_threads()) == 1
    assert not controller.busy and controller.worker is None
    # A sanity bound, not the goal (stop() takes microseconds): generous for a preempted test on a loaded
    # 2-core machine, and still far below the 5 s a stop() that waited for this worker would take.
    assert elapsed < 1.0, f"stop() took {elapsed * 1000:.1f} ms"
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    # the work blocks its full 5 s; meanwhile the UI thread keeps running its event loop
    qtbot.waitUntil(lambda: not running_threads() and controller.retiring == 0, timeout=15_000)
    timer.stop()
    ended = time.perf_counter() - started
    assert ended > 4.5, f"the worker ended after {ended:.1f} s: it was not blocked"
    assert len(ticks) > 100 and max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 1.0
    assert failures == [] and not release.is_set()


def test_a_stopped_workers_late_failure_is_logged_but_never_reaches_the_next_run(
        qtbot: Any, caplog: pytest.LogCaptureFixture) -> None:
    release, shown = threading.Event(), []
    controller = WorkerController("restart")
    controller.start(FailingWorker(release), on_failed=lambda exc: shown.append(("old", str(exc))))
    controller.start(BlockingWorker(threading.Event(), seconds=0.0), on_failed=lambda exc: shown.append(("new", "")))
    release.set()
    qtbot.waitUntil(lambda: not running_threads() and controller.retiring == 0 and not controller.busy,
                    timeout=10_000)
    assert shown == []
    assert any(r.levelno == logging.ERROR and "late failure" in r.getMessage() for r in caplog.records)


def test_an_exclusive_controller_starts_the_next_worker_once_the_last_has_ended(qtbot: Any) -> None:
    release = threading.Event()
    controller = WorkerController("device", exclusive=True)
    first = BlockingWorker(release)
    with qtbot.waitSignal(first.reached, timeout=5000):
        controller.start(first, on_failed=pytest.fail)
    second = BlockingWorker(threading.Event(), seconds=0.0)
    controller.start(second, on_failed=pytest.fail)
    assert controller.busy and controller.worker is second
    assert len(running_threads()) == 1  # the second waits for the device
    with qtbot.waitSignal(second.reached, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: not running_threads() and not controller.busy, timeout=10_000)


def test_join_all_waits_for_every_thread(qtbot: Any) -> None:
    release = threading.Event()
    controller = WorkerController("join")
    worker = BlockingWorker(release, seconds=0.3)
    with qtbot.waitSignal(worker.reached, timeout=5000):
        controller.start(worker, on_failed=pytest.fail)
    controller.stop()
    assert join_all(timeout_s=10.0)
    assert not running_threads() and controller.retiring == 0


# -- every background worker of the app -----------------------------------------------------------------


def _boom(name: str) -> Callable[..., Any]:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"boom-{name}\nsecond line of detail")
    return boom


def _shown_texts() -> list[str]:
    """Every text the app shows: status bar messages and labels (with the tooltip an elided one carries)."""
    texts = []
    for top in QApplication.topLevelWidgets():
        if isinstance(top, QMainWindow):
            texts.append(top.statusBar().currentMessage())
        for label in top.findChildren(QLabel):
            texts.extend((label.text(), label.toolTip()))
    return texts


def _card(window: Any, model_id: str = "efficientnet-lite0") -> Any:
    return window.services.registry.get(model_id)


def _image(tmp_path: Path) -> Path:
    import cv2

    path = tmp_path / "picture.png"
    cv2.imwrite(str(path), np.full((32, 32, 3), 127, np.uint8))
    return path


def _catalog(window: Any) -> Any:
    window.model_manager.catalog_dialog()
    dialog = window.model_manager.catalog_window
    assert dialog is not None
    return dialog


def _trigger(name: str, window: Any, mp: pytest.MonkeyPatch, tmp_path: Path) -> None:
    boom = _boom(name)
    manager, mic = window.model_manager, window.microphone_panel
    if name == "WarmupWorker":
        mp.setattr("desktop_app.qt.qt_background.open_live_sessions", boom)
        window._start_warmup()
    elif name == "DiagnosticsWorker":
        mp.setattr("desktop_app.core.diagnostics.system_info_text", boom)
        window.copy_diagnostics()
    elif name == "SelfTestWorker":
        mp.setattr("desktop_app.core.selftest.run_checks", boom)
        window.run_self_test()
    elif name == "VerifyWorker":
        mp.setattr("desktop_app.qt.models.qt_model_workers.verify_card", boom)
        manager.controller.verify([_card(window)])
    elif name == "InspectWorker":
        mp.setattr("desktop_app.qt.models.qt_model_workers.inspect_model", boom)
        manager.controller.forget("efficientnet-lite0")
        manager.controller.inspect(_card(window))
    elif name == "ImportWorker":
        mp.setattr("desktop_app.qt.models.qt_model_workers.ImportOutcome", boom)
        manager.controller.import_paths([tmp_path / "missing.onnx"])
    elif name == "HealthWorker":
        mp.setattr("desktop_app.qt.models.qt_model_workers.health.check_provider", boom)
        manager.controller.check_health()
    elif name == "BenchWorker":
        mp.setattr("desktop_app.qt.models.qt_model_tools.run_bench", boom)
        manager.tools.bench(_card(window))
    elif name == "QuantizeWorker":
        mp.setattr("desktop_app.core.models.quantize.make_int8_copy", boom)
        manager.tools.quantize(_card(window), None)
    elif name == "CatalogDownloadWorker":
        mp.setattr("desktop_app.qt.models.qt_catalog_dialog.download_entry", boom)
        dialog = _catalog(window)
        dialog.table.selectRow(0)
        dialog.download_selected()
    elif name == "CatalogMatchWorker":
        mp.setattr("desktop_app.qt.models.qt_catalog_dialog.import_matched", boom)
        _catalog(window).import_file(_image(tmp_path))
    elif name == "SnapshotWorker":
        mp.setattr(window.monitor_engine, "snapshot", boom)
        window.monitor_panel.controller.dirty = True
        window.monitor_panel.controller.tick()
    elif name == "LiveWorker":
        from desktop_app.core.sources.camera import parse_camera
        from desktop_app.qt.camera.qt_camera_controller import CameraRequest

        mp.setattr("desktop_app.qt.camera.qt_live_worker.CaptureThread", boom)
        controller = window.camera_panel.controller
        controller.set_suspended(False)
        controller.start(CameraRequest(parse_camera(str(tmp_path / "video.avi")), "centerface"))
    elif name == "CameraListWorker":
        mp.setattr("desktop_app.qt.camera.qt_live_worker.enumerate_cameras", boom)
        window.camera_panel._list_cameras()
    elif name == "MicWorker":
        mp.setattr("desktop_app.qt.microphone.qt_mic_worker.open_vad", boom)
        mic.controller.start_capture(None, 0, mic.params())
    elif name == "FileVadWorker":
        mp.setattr("desktop_app.qt.microphone.qt_mic_worker.open_vad", boom)
        mic.controller.analyse_file(SPEECH, mic.params())
    elif name == "BatchWorker":
        mp.setattr("desktop_app.qt.files.qt_batch_worker.BatchEngine", boom)
        window.files_panel.controller.run_paths([_image(tmp_path)])
    elif name == "PreviewWorker":
        mp.setattr("desktop_app.qt.files.qt_batch_worker.load_image", boom)
        window.files_panel.controller.request_preview(0, _image(tmp_path))
    elif name == "DescribeRequestWorker":
        mp.setattr("desktop_app.qt.models.qt_describe_flow.recognised_request", boom)
        manager.describe_paths([tmp_path / "model.onnx"])
    elif name == "SaveCardWorker":
        from desktop_app.qt.models.qt_describe_dialog import DescribeOutcome
        from desktop_app.qt.models.qt_describe_flow import edit_request

        mp.setattr("desktop_app.qt.models.qt_describe_flow.save_described", boom)
        card = _card(window)
        manager.describe._on_described(DescribeOutcome(edit_request(card), {"name": card.name}))
    elif name == "TextWorker":
        mp.setattr(window.services.pipeline, "run_data", boom)
        window.files_panel.controller.run_text("some words", "efficientnet-lite0")
    else:  # pragma: no cover - a new worker class needs a case here
        raise AssertionError(f"no failure case for {name}")


WORKERS = ["WarmupWorker", "DiagnosticsWorker", "SelfTestWorker", "VerifyWorker", "InspectWorker", "ImportWorker",
           "HealthWorker", "BenchWorker", "QuantizeWorker", "CatalogDownloadWorker", "CatalogMatchWorker",
           "SnapshotWorker", "LiveWorker", "CameraListWorker", "MicWorker", "FileVadWorker", "BatchWorker",
           "PreviewWorker", "DescribeRequestWorker", "SaveCardWorker", "TextWorker"]


def test_every_worker_class_of_the_app_has_a_failure_case() -> None:
    import desktop_app.qt  # noqa: F401  (the classes below are imported by the window)
    from desktop_app.qt import qt_main_window  # noqa: F401

    def subclasses(cls: type) -> set[type]:
        return {c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))}

    ours = {c.__name__ for c in subclasses(Worker) if c.__module__.startswith("desktop_app.")}
    assert ours <= set(WORKERS), f"workers without a failure case: {sorted(ours - set(WORKERS))}"


@pytest.mark.parametrize("name", WORKERS)
def test_a_failing_worker_is_logged_and_shown_as_one_line(
        name: str, main_window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, qtbot: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="desktop_app")
    qtbot.waitUntil(lambda: not main_window.warmup.busy, timeout=60_000)  # the start-up warm-up is done
    _trigger(name, main_window, monkeypatch, tmp_path)
    marker = f"boom-{name}"

    def shown() -> list[str]:
        return [text for text in _shown_texts() if marker in text]

    qtbot.waitUntil(lambda: bool(shown()), timeout=20_000)
    assert all("\n" not in text for text in shown()), shown()
    logged = [r for r in caplog.records if r.name == "desktop_app" and r.levelno == logging.ERROR
              and name in r.getMessage() and marker in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # with the traceback
    catalog = getattr(main_window.model_manager, "catalog_window", None)
    if catalog is not None:
        catalog.close()


def test_a_stopped_worker_is_still_referenced_until_its_thread_ends(qtbot: Any) -> None:
    release = threading.Event()
    controller = WorkerController("references")
    worker = BlockingWorker(release)
    with qtbot.waitSignal(worker.reached, timeout=5000):
        controller.start(worker, on_failed=pytest.fail)
    controller.stop()
    del worker
    import gc

    gc.collect()
    assert running_threads() and all(isinstance(t, QObject) for t in running_threads())
    release.set()
    qtbot.waitUntil(lambda: not running_threads(), timeout=10_000)
