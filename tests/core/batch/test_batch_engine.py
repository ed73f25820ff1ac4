"""The batch engine on the bundled classifier: order, stacked runs equal single runs, measured sizes,
a bad file or a failing stack failing alone, honest timings, cancellation, and no thread left behind."""

from __future__ import annotations

import contextlib
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from desktop_app.core.batch import BatchJob
from desktop_app.core.batch_engine import BatchEngine, BatchOutput
from desktop_app.core.batch_sizing import BatchSizer
from desktop_app.core.errors import Cancelled
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import ClassificationResult
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.tasks.classify import ClassifyTask
from tests.builders import sample_copies
from tests.conftest import MODELS, SAMPLES

IMAGES = sorted(SAMPLES.glob("*.jpg"))
MODEL = "efficientnet-lite0"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(ModelRegistry(MODELS, tmp_path_factory.mktemp("user")), SessionPool("cpu"))


@pytest.fixture
def task(pipeline: Pipeline) -> ClassifyTask:
    found = pipeline.task(MODEL)
    assert isinstance(found, ClassifyTask) and found.batch_dynamic
    return found


def jobs_for(paths: list[Path], **options: Any) -> list[BatchJob]:
    return [BatchJob(i, p, "image", MODEL, dict(options)) for i, p in enumerate(paths)]


def run_all(engine: BatchEngine, jobs: list[BatchJob]) -> list[BatchOutput]:
    with closing(engine.run(jobs)) as outputs:
        return list(outputs)


def decode_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("batch-decode")]


def record_stacks(monkeypatch: pytest.MonkeyPatch, task: ClassifyTask, fail_if: Any = None) -> list[int]:
    """Wrap the classifier's session run (on any of its sessions: the engine may run stacks on one-thread
    sessions of the same model): records each stack's size, optionally failing some stacks."""
    sizes: list[int] = []
    real = ClassifyTask.infer
    assert task.card.id == MODEL

    def infer(self: ClassifyTask, tensor: np.ndarray) -> tuple[list[np.ndarray], float]:
        sizes.append(int(tensor.shape[0]))
        if fail_if is not None and fail_if(tensor):
            raise RuntimeError("this stack holds a bad input")
        return real(self, tensor)

    monkeypatch.setattr(ClassifyTask, "infer", infer)
    return sizes


def test_stacked_runs_give_the_single_run_results_in_input_order(tmp_path: Path, pipeline: Pipeline,
                                                                  task: ClassifyTask,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sample_copies(tmp_path, 10)
    broken = tmp_path / "005-broken.jpg"
    broken.write_bytes(b"not a jpeg at all")
    paths.insert(5, broken)
    single = [pipeline.run_path(p, MODEL, top_k=3)[0] for p in paths]
    sizes = record_stacks(monkeypatch, task)
    outputs = run_all(BatchEngine(pipeline, batch_size=4), jobs_for(paths, top_k=3))
    assert [o.job.path for o in outputs] == paths
    assert max(sizes) == 4 and sum(sizes) == len(paths) - 1  # the broken file never reached the model
    for alone, output in zip(single, outputs, strict=True):
        (result,) = output.results
        assert result.ok == alone.ok and result.source == alone.source
        if not alone.ok:
            assert result.error == alone.error and "broken" in str(result.error)
            continue
        assert isinstance(result.payload, ClassificationResult) and isinstance(alone.payload, ClassificationResult)
        assert [c.index for c in result.payload.top] == [c.index for c in alone.payload.top]
        assert np.allclose([c.score for c in result.payload.top], [c.score for c in alone.payload.top], atol=1e-4)
        assert result.attributes == alone.attributes and result.provider == alone.provider
    assert not decode_threads()


def test_measured_size_probes_from_one_then_keeps_its_choice(tmp_path: Path, pipeline: Pipeline,
                                                              task: ClassifyTask,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.batch_sizes.clear()
    sizes = record_stacks(monkeypatch, task)
    outputs = run_all(BatchEngine(pipeline), jobs_for(sample_copies(tmp_path, 40)))
    assert len(outputs) == 40 and all(o.results[0].ok for o in outputs)
    # the first result never waits for a stack; two probe runs may go at once, so they may start in either order
    assert sorted(sizes[:8]) == [1, 1, 2, 2, 4, 4, 8, 8] and sizes[0] == 1
    sizer = pipeline.batch_sizes.sizer(MODEL, task.session.report.choice)
    assert sizer.chosen in (1, 2, 4, 8) and set(sizer.timings()) == {1, 2, 4, 8}
    rest = sorted(sizes[8:])  # the last stack may be short (and run beside the one before it)
    assert set(rest[1:]) == {sizer.chosen} and rest[0] <= sizer.chosen, str((sizes, sizer.timings()))
    sizes.clear()
    run_all(BatchEngine(pipeline), jobs_for(sample_copies(tmp_path / "again", 1 + 2 * sizer.chosen)))
    assert sorted(sizes) == sorted([1, sizer.chosen, sizer.chosen])  # measured once per (model, provider), reused;
    # the first result of every run comes alone, at once


def test_the_sizer_picks_the_smallest_size_near_the_best_time() -> None:
    sizer = BatchSizer((1, 2, 4), repeats=2, tolerance=0.05)
    timed = {1: [10.0, 9.0], 2: [7.0, 6.0], 4: [6.2, 5.9]}
    for size, samples in timed.items():
        for ms in samples:
            assert sizer.chosen is None and sizer.next_size() == size
            sizer.record(size, ms)
    assert sizer.chosen == 2 and sizer.next_size() == 2  # 4 is faster, but by less than 5 %
    sizer.record(4, 0.1)
    assert sizer.chosen == 2  # a decision stands


def test_a_failing_stack_is_retried_one_by_one_so_only_the_bad_input_fails(tmp_path: Path, pipeline: Pipeline,
                                                                          task: ClassifyTask,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sample_copies(tmp_path, 8)
    black = tmp_path / "003-black.png"
    cv2.imwrite(str(black), np.zeros((64, 64, 3), np.uint8))
    paths[3] = black
    black_tensor = task.preprocess(np.zeros((64, 64, 3), np.uint8))[0][0]
    sizes = record_stacks(monkeypatch, task,
                          fail_if=lambda t: any(np.array_equal(row, black_tensor) for row in t))
    outputs = run_all(BatchEngine(pipeline, batch_size=4), jobs_for(paths))
    assert [o.job.path for o in outputs] == paths
    assert [o.results[0].ok for o in outputs] == [i != 3 for i in range(8)]
    assert "bad input" in str(outputs[3].results[0].error)
    assert sizes == [1, 4, 1, 1, 1, 1, 3]  # the first alone; a failed stack of four, its four retries; the rest


def test_a_stacked_run_shares_its_inference_time_per_input(tmp_path: Path, pipeline: Pipeline, task: ClassifyTask,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = ClassifyTask.infer
    monkeypatch.setattr(task, "infer", lambda tensor: (real(task, tensor)[0], 80.0))
    outputs = run_all(BatchEngine(pipeline, batch_size=4), jobs_for(sample_copies(tmp_path, 5)))
    timings = [o.results[0].timings for o in outputs]
    assert [t.inference_ms if t else None for t in timings] == pytest.approx([80.0, 20.0, 20.0, 20.0, 20.0])
    assert all(t is not None and t.decode_ms > 0 and t.preprocess_ms > 0 for t in timings)


def test_cancel_stops_between_stacks_and_joins_the_decode_threads(tmp_path: Path, pipeline: Pipeline) -> None:
    stop = threading.Event()

    def check() -> None:
        if stop.is_set():
            raise Cancelled()

    engine = BatchEngine(pipeline, batch_size=2, decode_threads=2, check_cancelled=check)
    seen = []
    with pytest.raises(Cancelled), closing(engine.run(jobs_for(sample_copies(tmp_path, 30)))) as outputs:
        for output in outputs:
            seen.append(output)
            if len(seen) == 3:
                stop.set()
    assert 3 <= len(seen) < 30
    assert not decode_threads()


def test_a_job_that_cannot_run_and_a_csv_run_item_by_item(tmp_path: Path, pipeline: Pipeline) -> None:
    csv_path = SAMPLES / "adult-test-sample.csv"
    jobs = [BatchJob(0, IMAGES[0], "image", MODEL, {}),
            BatchJob(1, tmp_path / "gone.mp3", None, "", error="gone.mp3: not an image, audio or CSV file"),
            BatchJob(2, csv_path, "table", "adult-income", {}),
            BatchJob(3, IMAGES[1], "image", MODEL, {})]
    outputs = run_all(BatchEngine(pipeline, batch_size=4, extra=lambda prepared: prepared.path.name), jobs)
    assert [o.job.index for o in outputs] == [0, 1, 2, 3]
    assert not outputs[1].results[0].ok and "not an image" in str(outputs[1].results[0].error)
    assert len(outputs[2].results) > 1 and [r.row for r in outputs[2].results][:2] == [1, 2]
    assert outputs[0].extra == IMAGES[0].name and outputs[1].extra is None


def test_an_unexpected_failure_on_a_decode_thread_fails_that_file_only(tmp_path: Path, pipeline: Pipeline) -> None:
    paths = sample_copies(tmp_path, 5)

    def extra(prepared: Any) -> str:
        if prepared.path == paths[2]:
            raise MemoryError("no room for the thumbnail")
        return prepared.path.name

    outputs = run_all(BatchEngine(pipeline, batch_size=2, extra=extra), jobs_for(paths))
    assert [o.job.path for o in outputs] == paths
    assert [o.results[0].ok for o in outputs] == [True, True, False, True, True]
    assert outputs[2].results[0].error == f"{paths[2].name}: unexpected MemoryError: no room for the thumbnail"


def test_measured_stacks_run_two_at_a_time_on_one_thread_sessions_in_input_order(
        tmp_path: Path, pipeline: Pipeline, task: ClassifyTask, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.runtime.parallel import core_split

    split = core_split(task.session.report.used, cores=2)
    monkeypatch.setattr("desktop_app.core.batch_engine.core_split", lambda provider: split)
    assert split.calls == 2 and split.threads == 1  # CPU on two cores
    pipeline.batch_sizes.clear()
    sizer = pipeline.batch_sizes.sizer(MODEL, task.session.report.choice)
    for size in sizer.candidates:  # measured already: stacks of 2
        for _ in range(sizer.repeats):
            sizer.record(size, 1.0 if size == 2 else 5.0)
    assert sizer.chosen == 2
    real = ClassifyTask.infer
    active, most, calls, sessions = [0], [0], [0], set()
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=30)  # two calls must be running together at least once

    def infer(self: ClassifyTask, tensor: np.ndarray) -> tuple[list[np.ndarray], float]:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
            sessions.add(id(self.session))
            calls[0] += 1
            early = calls[0] <= 2
        try:
            if early:  # the first two calls wait for each other: they can only meet if they overlap
                with contextlib.suppress(threading.BrokenBarrierError):
                    both.wait()
            return real(self, tensor)
        finally:
            with lock:
                active[0] -= 1

    paths = sample_copies(tmp_path, 21)
    single = {p: pipeline.run_path(p, MODEL)[0] for p in paths[:3]}
    monkeypatch.setattr(ClassifyTask, "infer", infer)
    outputs = run_all(BatchEngine(pipeline), jobs_for(paths))
    assert [o.job.path for o in outputs] == paths and all(o.results[0].ok for o in outputs)
    assert most[0] == 2  # two stacks at once, never more
    threaded = pipeline.task(MODEL, task.session.report.choice, threads=1)
    assert sessions == {id(threaded.session)} and threaded.session is not task.session
    for path, alone in single.items():
        (result,) = next(o.results for o in outputs if o.job.path == path)
        assert isinstance(result.payload, ClassificationResult) and isinstance(alone.payload, ClassificationResult)
        assert result.payload.best.index == alone.payload.best.index
    assert not [t for t in threading.enumerate() if t.name.startswith(("batch-infer", "batch-decode"))]


def test_a_background_run_lowers_its_threads_priority_only(tmp_path: Path, pipeline: Pipeline) -> None:
    import os
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("per-thread priorities are a Linux facility")

    def nice(_prepared: object) -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = nice(None)
    paths = sample_copies(tmp_path, 4)
    background = run_all(BatchEngine(pipeline, batch_size=2, extra=nice, background=True), jobs_for(paths))
    assert {o.extra for o in background} == {min(19, mine + 10)}  # the decode threads yield to a UI thread
    plain = run_all(BatchEngine(pipeline, batch_size=2, extra=nice), jobs_for(paths))
    assert {o.extra for o in plain} == {mine} and nice(None) == mine  # the command line's, and the caller's, stay
