"""The one batch engine: files -> Results, for the command line and the files panel alike.

A small thread pool decodes (and, for tasks with split steps, pre-processes) a bounded number of files
ahead while the model runs. Runs of consecutive inputs for the same model, options and tensor shape are
stacked into one session call when the model's batch dimension is dynamic, at a size chosen by
measurement (`batch_sizing`); on CPU two such stacks run at once, each on a one-thread session
(`runtime.parallel.core_split`), which keeps two cores busier than one call split over both. Results
come out in input order; a file that cannot be decoded is one error Result, and a stacked run that fails
is retried item by item so only the bad input fails. Every thread the engine uses is started and joined
inside `run`, on the thread that iterates it.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np

from desktop_app.core.batch import BatchJob
from desktop_app.core.batch_sizing import CANDIDATES, BatchSizer
from desktop_app.core.pipeline import Attributes, Pipeline, Prepared, input_attributes, item_error
from desktop_app.core.results import Result
from desktop_app.core.runtime.parallel import ONE_CALL, CoreSplit, core_split, lower_thread_priority
from desktop_app.core.tasks.base import StageClock, Task
from desktop_app.core.tasks.steps import BatchSteps

#: Work a caller wants done on the decode thread with each decoded input (e.g. thumbnails).
Extra = Callable[[Prepared], Any]
T = TypeVar("T")
WAIT_S = 0.05  # how often a wait for a decode looks for a cancel
AHEAD = 4  # files decoded ahead of a model that runs one at a time (decoded images can be large)


@dataclass(frozen=True)
class BatchOutput:
    """One finished file: its job, its Results (a CSV gives one per row) and the caller's extra."""

    job: BatchJob
    results: tuple[Result, ...]
    extra: Any = None


@dataclass(frozen=True)
class _Running:
    """A group's model run (done, or going on a lane) and the size it measures for the probe, if any."""

    future: Future[list[BatchOutput]]
    probe: int | None


@dataclass(frozen=True)
class _Ready:
    """A file after the decode thread: decoded (and its tensor, for split-step tasks) or failed."""

    job: BatchJob
    prepared: Prepared | None  # None when the job could not run at all
    tensor: np.ndarray | None = None
    context: Any = None
    attributes: Attributes = ()
    extra: Any = None


def default_decode_threads() -> int:
    """1 on small machines (ONNX Runtime already uses every core there), 2 from 8 cores on."""
    return 2 if (os.cpu_count() or 1) >= 8 else 1


def _stackable(head: _Ready, other: _Ready) -> bool:
    a, b = head.prepared, other.prepared
    return (a is not None and b is not None and a.task is b.task and head.job.options == other.job.options
            and head.tensor is not None and other.tensor is not None
            and head.tensor.shape == other.tensor.shape and head.tensor.dtype == other.tensor.dtype)


class BatchEngine:
    """Runs BatchJobs through a Pipeline with decode-ahead, dynamic batching and cancellation.

    `batch_size` None measures the size per (model, provider) and runs stacks concurrently where the
    provider gains from it (CPU); 1 runs one input per call, one call at a time; a larger number fixes
    the size. `check_cancelled` is called between steps and raises (the typed `Cancelled`). `background`
    lowers the priority of the engine's threads, for a run beside a UI thread."""

    def __init__(self, pipeline: Pipeline, *, batch_size: int | None = None, decode_threads: int | None = None,
                 ahead: int | None = None, extra: Extra | None = None,
                 check_cancelled: Callable[[], None] | None = None, background: bool = False) -> None:
        self.pipeline = pipeline
        self.batch_size = batch_size
        self.decode_threads = decode_threads or default_decode_threads()
        # Stacked inputs are small tensors, so room for two stacks: the next decodes while this one runs.
        self.ahead = ahead or max(AHEAD, 2 * (batch_size or CANDIDATES[-1]))
        self._limit = min(AHEAD, self.ahead)  # raised once an input turns out to be stackable
        self.extra = extra
        self.check_cancelled = check_cancelled or (lambda: None)
        #: Beside a UI: the engine's threads yield to the others (`lower_thread_priority`).
        self._start_thread = lower_thread_priority if background else None

    def run(self, jobs: Iterable[BatchJob]) -> Generator[BatchOutput, None, None]:
        """One BatchOutput per job, in job order. The decode threads end (cancelled decodes dropped,
        running ones waited for) before the iterator finishes or is closed; use `contextlib.closing`."""
        jobs = list(jobs)
        self._open_sessions(jobs)
        todo = iter(jobs)
        self._limit = min(AHEAD, self.ahead)
        queue: deque[Future[_Ready]] = deque()
        running: deque[_Running] = deque()  # groups in input order, done or running
        probing: Counter[int] = Counter()  # probe runs still running, by size (kept on this thread only)
        pool = ThreadPoolExecutor(self.decode_threads, thread_name_prefix="batch-decode",
                                  initializer=self._start_thread)
        lanes: ThreadPoolExecutor | None = None
        try:
            self._fill(pool, queue, todo)
            first = True  # the first result never waits for a stack, even when the size is known
            while queue:
                self.check_cancelled()
                head = self._result(queue.popleft())
                sizer = self._sizer(head)
                if first or sizer is None:
                    size: int | None = 1 if first else self._fixed_size(head)
                else:
                    size = sizer.next_size(probing)
                    while size is None and running:  # every size the probe needs is running: wait for one
                        yield from self._collect(running.popleft(), probing)
                        size = sizer.next_size(probing)
                size, first = size or 1, False
                probe = size if sizer is not None and sizer.chosen is None else None
                if probe is not None:
                    probing[probe] += 1
                group = self._gather(head, size, pool, queue, todo)
                split = self._split(head, sizer)
                if split.calls > 1:
                    lanes = lanes or ThreadPoolExecutor(split.calls, thread_name_prefix="batch-infer",
                                                        initializer=self._start_thread)
                    future = lanes.submit(self._run_group, group, size, sizer, split.threads)
                else:
                    future = Future()
                    future.set_result(self._run_group(group, size, sizer, split.threads))
                running.append(_Running(future, probe))
                while running and (running[0].future.done() or len(running) > split.calls):
                    yield from self._collect(running.popleft(), probing)
            while running:
                yield from self._collect(running.popleft(), probing)
        finally:
            for item in running:
                item.future.cancel()
            if lanes is not None:
                lanes.shutdown(wait=True, cancel_futures=True)
            pool.shutdown(wait=True, cancel_futures=True)

    def _gather(self, head: _Ready, size: int, pool: ThreadPoolExecutor, queue: deque[Future[_Ready]],
                todo: Iterator[BatchJob]) -> list[_Ready]:
        """`head` and the decoded inputs right after it that stack with it, up to `size`."""
        group = [head]
        self._limit = self.ahead if head.tensor is not None else min(AHEAD, self.ahead)
        while len(group) < size:
            self._fill(pool, queue, todo)
            if not queue:
                break
            following = self._result(queue[0])
            if not _stackable(head, following):
                break
            group.append(following)
            queue.popleft()
        self._fill(pool, queue, todo)
        return group

    def _open_sessions(self, jobs: list[BatchJob]) -> None:
        """Open the jobs' models on the calling thread: ONNX Runtime's pool threads take the priority of the
        thread that creates them, and must not inherit the lowered one of a background decode thread."""
        for model_id in dict.fromkeys(job.model_id for job in jobs if job.error is None):
            with contextlib.suppress(Exception):  # a model that cannot open is reported on its files
                self.pipeline.task(model_id)

    def _result(self, future: Future[T]) -> T:
        """A decode's or a model run's result, looking for a cancel while it is still going."""
        while True:
            try:
                return future.result(timeout=WAIT_S)
            except FutureTimeout:
                self.check_cancelled()

    def _collect(self, item: _Running, probing: Counter[int]) -> list[BatchOutput]:
        outputs = self._result(item.future)
        if item.probe is not None:  # recorded when its stack was full; a short one leaves the size to a later run
            probing[item.probe] -= 1
        return outputs

    # -- decode side (pool threads) ---------------------------------------------------------------

    def _fill(self, pool: ThreadPoolExecutor, queue: deque[Future[_Ready]], todo: Iterator[BatchJob]) -> None:
        while len(queue) < self._limit:
            job = next(todo, None)
            if job is None:
                return
            queue.append(pool.submit(self._decode, job))

    def _decode(self, job: BatchJob) -> _Ready:
        """Runs on a decode thread: decode, the caller's extra, and the tensor for split-step tasks.
        Never raises: whatever goes wrong is this file's error Result."""
        if job.error is not None:
            return _Ready(job, None)
        try:
            return self._decode_file(job)
        except Exception as exc:
            failed = Prepared(job.path, job.model_id, None, StageClock(), None, item_error(job.path, exc, "decoding"))
            return _Ready(job, failed)

    def _decode_file(self, job: BatchJob) -> _Ready:
        prepared = self.pipeline.prepare(job.path, job.model_id)
        extra = self.extra(prepared) if self.extra is not None else None
        task = prepared.task
        if prepared.error is not None or not isinstance(task, BatchSteps) or not task.batch_dynamic:
            return _Ready(job, prepared, extra=extra)
        try:
            with prepared.clock.stage("preprocess"):
                tensor, context = task.preprocess(prepared.data)
        except Exception as exc:
            return _Ready(job, replace(prepared, data=None, error=item_error(job.path, exc)), extra=extra)
        # The decoded input is not needed once its tensor exists: a bounded queue of tensors, not images.
        return _Ready(job, replace(prepared, data=None), tensor, context, input_attributes(prepared.data), extra)

    # -- model side (the calling thread) ----------------------------------------------------------

    def _sizer(self, ready: _Ready) -> BatchSizer | None:
        """The measuring sizer of this input's model, when its size is measured (not fixed)."""
        task = ready.prepared.task if ready.prepared is not None else None
        if self.batch_size is not None or task is None or ready.tensor is None:
            return None
        return self.pipeline.batch_sizes.sizer(task.card.id, task.session.report.choice)

    def _split(self, head: _Ready, sizer: BatchSizer | None) -> CoreSplit:
        """Measured stacks run two at a time on one-thread sessions where the provider gains from it (CPU),
        the probe's runs included (measured as they will run); a fixed size, and anything without a
        tensor, runs one call at a time as asked."""
        if sizer is None or head.prepared is None or head.prepared.task is None:
            return ONE_CALL
        return core_split(head.prepared.task.session.report.used)

    def _fixed_size(self, head: _Ready) -> int:
        return 1 if head.tensor is None else max(1, self.batch_size or 1)

    def _run_group(self, group: list[_Ready], size: int, sizer: BatchSizer | None = None,
                   threads: int | None = None) -> list[BatchOutput]:
        """One model call on the group's stacked tensors (on a session with `threads` intra-op threads when
        given), then post-processing per input; inputs without a tensor run alone."""
        head = group[0]
        if head.tensor is None or head.prepared is None:
            return [self._run_one(ready) for ready in group]
        task = head.prepared.task
        assert isinstance(task, BatchSteps)
        n = len(group)
        try:
            runner = task if threads is None else self._threaded(task, threads)
            stacked = head.tensor if n == 1 else np.concatenate([r.tensor for r in group if r.tensor is not None])
            outputs, ms = runner.infer(stacked)
            if any(o.ndim == 0 or o.shape[0] != n for o in outputs):
                raise ValueError(f"the model's outputs do not have a leading batch dimension of {n}")
        except Exception as exc:
            if n > 1:  # one bad input must not fail its neighbours: run each alone
                return [out for ready in group for out in self._run_group([ready], 1, sizer, threads)]
            return [self._output(head, error=item_error(head.job.path, exc))]
        if sizer is not None and n == size:
            sizer.record(n, ms / n)
        return [self._finish_row(ready, task, [o[i : i + 1] for o in outputs], ms / n)
                for i, ready in enumerate(group)]

    def _threaded(self, task: BatchSteps, threads: int) -> BatchSteps:
        """The same model's task on a session with `threads` intra-op threads (opened once, then pooled)."""
        assert isinstance(task, Task)
        threaded = self.pipeline.task(task.card.id, task.session.report.choice, threads=threads)
        assert isinstance(threaded, BatchSteps)
        return threaded

    def _finish_row(self, ready: _Ready, task: BatchSteps, outputs: list[np.ndarray], ms: float) -> BatchOutput:
        assert ready.prepared is not None
        clock = ready.prepared.clock
        clock.add("inference", ms)  # the stacked run's time, shared evenly
        try:
            with clock.stage("postprocess"):
                payload = task.postprocess(outputs, ready.context, **ready.job.options)
        except Exception as exc:
            return self._output(ready, error=item_error(ready.job.path, exc))
        return self._output(ready, payload=payload)

    def _output(self, ready: _Ready, payload: Any = None, error: str | None = None) -> BatchOutput:
        assert ready.prepared is not None
        result = self.pipeline.complete(ready.prepared, payload, ready.attributes, error)
        return BatchOutput(ready.job, (result,), ready.extra)

    def _run_one(self, ready: _Ready) -> BatchOutput:
        """An input the model runs alone (a task without split steps, or one that failed to decode)."""
        if ready.prepared is None:
            return BatchOutput(ready.job, (ready.job.error_result(),), ready.extra)
        return BatchOutput(ready.job, tuple(self.pipeline.finish(ready.prepared, **ready.job.options)), ready.extra)
