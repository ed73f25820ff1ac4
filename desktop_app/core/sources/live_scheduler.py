"""Frames in flight on the live path: how many may be (`InFlightPolicy`) and a scheduler that keeps that
many handed to the model and gives the results back in capture order (`InFlightScheduler`).

A frame is in flight from the moment it is taken from the buffer for the model until its result is
handed back. A run starts with one: the frame is taken and run on the caller's thread, the lowest latency.
With more, a ticketed pool runs them: each job waits for its ticket's turn, takes the newest frame, and
runs the model on a pool thread (`live-infer_*`), so results in ticket order are in capture order.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Generic, TypeVar

from desktop_app.core.runtime.parallel import ONE_CALL, CoreSplit
from desktop_app.core.sources.frame_buffer import BufferedFrame, FrameBuffer
from desktop_app.core.sources.live_stats import LiveStatsSnapshot

#: How long a pool job waits for a frame before it ends (so a stopped source frees its thread).
TAKE_POLL_S = 0.25
#: Frames processed one at a time before the policy judges whether the model keeps up with the source.
SCALE_AFTER = 30
#: The share of captured frames the model must process to count as keeping up.
KEEP_UP = 0.8
#: How long the model must stay behind, in stats windows, before it scales up: one stall (a page of memory
#: swapped in, another program's burst) keeps the rolling window below `KEEP_UP` for less than one window
#: after it, so it never scales up a model that keeps up; a model slower than its source is behind all along.
BEHIND_FOR_WINDOWS = 1.5
#: Name prefix of the pool's threads.
POOL_THREAD_PREFIX = "live-infer"

T = TypeVar("T")


class InFlightPolicy:
    """How many frames may be in flight now: one at first; the model's plan once, after `SCALE_AFTER`
    frames, it has processed fewer than `KEEP_UP` of the captured frames for `BEHIND_FOR_WINDOWS` stats
    windows on end; or a fixed number from the start.

    Scaling up hands the work to sessions of their own (one intra-op thread each on a small CPU), so the
    last frame before it runs alone and `releasing` is true for it: the caller lets the one-call session
    give its spare memory back after that call, as it stands idle from then on."""

    def __init__(self, plan_for: Callable[[str], CoreSplit | None], fixed: int | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._plan_for = plan_for  # None: the model cannot be loaded (look again next time)
        self._fixed = fixed
        self._clock = clock
        self._plans: dict[str, CoreSplit] = {}
        self._behind_since: float | None = None
        self._scale_to: CoreSplit | None = None  # decided: from the frame after the next one
        self.current = ONE_CALL
        self.releasing = False  # the frame about to run is the one-call session's last

    def plan(self, model_id: str) -> CoreSplit:
        """How `model_id` runs once it falls behind (looked up once per model; a fixed number wins)."""
        known = self._plans.get(model_id)
        if known is not None:
            return known
        found = self._plan_for(model_id)
        if found is None:  # unknown or broken model: reported on the frame; look again next time
            return ONE_CALL
        if self._fixed is not None:
            found = CoreSplit(max(1, self._fixed), found.threads if self._fixed > 1 else None)
        self._plans[model_id] = found
        return found

    def before_frame(self, model_id: str) -> CoreSplit:
        """The plan for the next frame: a fixed number applies from the first frame; a decided scale-up
        from the frame after this one (this one runs alone, with `releasing` set)."""
        self.releasing = False
        if self._fixed is not None and self._fixed > 1 and self.current.calls == 1:
            self.current = self.plan(model_id)
        elif self._scale_to is not None:
            self.current, self._scale_to = self._scale_to, None
            self.releasing = True
            return ONE_CALL
        return self.current

    def observe(self, model_id: str, stats: LiveStatsSnapshot) -> None:
        """One frame finished: scale up to the model's plan once it has stayed behind the source."""
        if self._fixed is not None or self.current.calls > 1 or self._scale_to is not None:
            return
        behind = stats.capture_fps > 0 and stats.processed_fps < KEEP_UP * stats.capture_fps
        if stats.processed < SCALE_AFTER or not behind:
            self._behind_since = None
            return
        now = self._clock()
        if self._behind_since is None:
            self._behind_since = now
        elif now - self._behind_since >= BEHIND_FOR_WINDOWS * stats.window_s:
            plan = self.plan(model_id)
            if plan.calls > 1:
                self._scale_to = plan

    def reset(self) -> None:
        """Back to one frame in flight (a new model, source or retry)."""
        self.current = ONE_CALL
        self._behind_since = self._scale_to = None
        self.releasing = False


class InFlightScheduler(Generic[T]):
    """Keeps up to `plan.calls` frames of `buffer` in flight (one model call each) through
    `run(frame, threads)` and hands the results back in capture order (one consumer thread at a time)."""

    def __init__(self, buffer: FrameBuffer, run: Callable[[BufferedFrame, int | None], T]) -> None:
        self.buffer = buffer
        self._run = run
        self._jobs: collections.deque[Future[T | None]] = collections.deque()
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self._turn = threading.Condition()  # jobs take frames in ticket order
        self._tickets = 0  # the next job's ticket
        self._taking = 0  # the ticket whose job may take a frame now

    @property
    def closed(self) -> bool:
        """Whether `close` was called (`next` then returns None)."""
        return self._closed

    @property
    def pooled(self) -> bool:
        """Whether the pool (and its threads) exists now."""
        return self._executor is not None

    def next(self, plan: CoreSplit, timeout: float | None = 0.5) -> T | None:
        """The next result, in capture order -> None on timeout, closed buffer or after `close`.

        With one frame in flight this waits for the newest frame and runs it on the caller's thread.
        With more, that many jobs each take the newest frame as soon as their turn comes and run it on a
        pool thread; a finished job is replaced before its result is returned, so the model never waits.
        Back at one, the jobs still out are drained first and the pool ends.
        """
        if self._closed:
            return None
        width = plan.calls
        if width <= 1 and not self._jobs:
            self._release()  # no-op unless more were in flight before
            item = self.buffer.get(timeout)
            return None if item is None else self._run(item, plan.threads)
        if width > 1:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=width, thread_name_prefix=POOL_THREAD_PREFIX)
            while len(self._jobs) < width and not self.buffer.closed:
                self._submit(plan.threads)
        while self._jobs:
            try:
                done = self._jobs[0].result(timeout)
            except FutureTimeout:
                return None
            self._jobs.popleft()
            if width > 1 and not self.buffer.closed:
                self._submit(plan.threads)
            if done is not None:
                return done
            if not self.buffer.closed:
                return None  # the job's wait for a frame timed out
            # the source ended; a later job may still hold a frame taken just before the end
        self._release()  # the source ended: no thread is kept for frames that will not come
        return None

    def close(self) -> None:
        """End the jobs and the pool's threads (close the buffer first so none waits for a frame). Safe
        to call twice; `next` returns None afterwards."""
        with self._turn:
            self._closed = True
            self._turn.notify_all()
        jobs, self._jobs = list(self._jobs), collections.deque()
        for job in jobs:
            job.cancel()
        self._release()

    def _submit(self, threads: int | None) -> None:
        assert self._executor is not None
        ticket, self._tickets = self._tickets, self._tickets + 1
        self._jobs.append(self._executor.submit(self._take_and_run, ticket, threads))

    def _take_and_run(self, ticket: int, threads: int | None) -> T | None:
        """One pool job: on its ticket's turn, the newest frame not yet taken, then the model on it."""
        with self._turn:
            self._turn.wait_for(lambda: self._taking == ticket or self._closed)
            if self._closed:
                return None
            try:
                item = self.buffer.get(TAKE_POLL_S)
            finally:
                self._taking += 1
                self._turn.notify_all()
        return None if item is None else self._run(item, threads)

    def _release(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
