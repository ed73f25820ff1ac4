"""Small background jobs of the main window: model warm-up after the window shows, diagnostics, self-test."""

from __future__ import annotations

from PySide6.QtCore import Signal

from desktop_app.core.errors import AppError
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.sources.live import open_live_sessions
from desktop_app.qt.qt_workers import Worker


class WarmupWorker(Worker):
    """Opens the sessions of the models the panels use, so the first drop does not wait for them; for
    the live models (`live_ids`) also the sessions of two frames in flight (see `open_live_sessions`)."""

    loaded = Signal(str, object)  # model id, ProviderReport
    problem = Signal(str, str)  # model id, one-line reason

    def __init__(self, pipeline: Pipeline, model_ids: list[str], live_ids: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.model_ids = model_ids
        self.live_ids = live_ids

    def work(self) -> None:
        for model_id in self.model_ids:
            self.check_cancelled()
            try:
                task = self.pipeline.task(model_id)
            except AppError as exc:
                self.problem.emit(model_id, str(exc))
                continue
            self.loaded.emit(model_id, task.session.report)
        for model_id in self.live_ids:
            self.check_cancelled()
            open_live_sessions(self.pipeline, model_id)


class DiagnosticsWorker(Worker):
    """Collects system information (audio device queries can block) off the UI thread."""

    ready = Signal(str)

    def work(self) -> None:
        from desktop_app.core.diagnostics import system_info_text

        self.ready.emit(system_info_text())


class SelfTestWorker(Worker):
    """Runs the same self-test as `desktop-app --self-test`, one verdict line at a time."""

    line = Signal(str)
    done = Signal(bool)

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__()
        self.pipeline = pipeline

    def work(self) -> None:
        from desktop_app.core.selftest import run_checks

        ok = True
        for check in run_checks(self.pipeline):
            self.check_cancelled()
            ok &= check.ok
            self.line.emit(check.line())
        self.done.emit(ok)
