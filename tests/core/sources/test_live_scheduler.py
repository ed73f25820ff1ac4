"""The in-flight scheduler on its own (a fake run function, frames put by hand) and the in-flight policy
on synthetic stats: one frame on the caller's thread, two on the pool in capture order, draining back to
one, and no pool thread left once the source ends or the scheduler is closed."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from desktop_app.core.runtime.parallel import ONE_CALL, CoreSplit
from desktop_app.core.sources.frame_buffer import BufferedFrame, FrameBuffer
from desktop_app.core.sources.live_scheduler import (
    BEHIND_FOR_WINDOWS,
    KEEP_UP,
    POOL_THREAD_PREFIX,
    SCALE_AFTER,
    InFlightPolicy,
    InFlightScheduler,
)
from desktop_app.core.sources.live_stats import LiveStatsSnapshot

TWO = CoreSplit(2, 1)
Ran = tuple[int, str, "int | None"]  # seq, thread name, threads


def _frame() -> np.ndarray:
    return np.zeros((2, 2, 3), np.uint8)


def _pool_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(POOL_THREAD_PREFIX)]


def _record(item: BufferedFrame, threads: int | None) -> Ran:
    return item.seq, threading.current_thread().name, threads


def test_one_in_flight_runs_the_newest_frame_on_the_callers_thread() -> None:
    buffer = FrameBuffer()
    scheduler = InFlightScheduler(buffer, _record)
    buffer.put(_frame())
    buffer.put(_frame())  # replaces the first: the newest wins
    assert scheduler.next(ONE_CALL, timeout=1) == (2, threading.current_thread().name, None)
    assert scheduler.next(ONE_CALL, timeout=0.01) is None  # nothing new: timeout
    assert not scheduler.pooled and not _pool_threads()


def test_two_in_flight_run_at_once_on_the_pool_and_come_back_in_capture_order() -> None:
    buffer = FrameBuffer()
    second_done = threading.Event()
    overlapped: list[bool] = []

    def run(item: BufferedFrame, threads: int | None) -> Ran:
        if item.seq == 1:  # the first frame's call is the slow one: it ends only after the second's
            buffer.put(_frame())
            overlapped.append(second_done.wait(10))
        else:
            second_done.set()
        return _record(item, threads)

    scheduler = InFlightScheduler(buffer, run)
    buffer.put(_frame())
    first = scheduler.next(TWO, timeout=10)
    second = scheduler.next(TWO, timeout=10)
    assert overlapped == [True], "the second frame did not run while the first was in flight"
    assert first is not None and second is not None
    assert [first[0], second[0]] == [1, 2]
    assert all(name.startswith(POOL_THREAD_PREFIX) and threads == 1 for _, name, threads in (first, second))
    assert scheduler.pooled
    scheduler.close()
    assert not scheduler.pooled and not _pool_threads()
    assert scheduler.next(TWO, timeout=0.01) is None


def test_back_at_one_the_jobs_still_out_drain_first_then_the_pool_ends() -> None:
    buffer = FrameBuffer()

    def run(item: BufferedFrame, threads: int | None) -> Ran:
        if item.seq < 4:  # the next frame is there before the next job looks for one
            buffer.put(_frame())
        return _record(item, threads)

    scheduler = InFlightScheduler(buffer, run)
    buffer.put(_frame())
    results = [scheduler.next(TWO, timeout=10)]  # seq 1; jobs for seq 2 and 3 are out
    results.append(scheduler.next(ONE_CALL, timeout=10))
    assert scheduler.pooled  # still draining
    results += [scheduler.next(ONE_CALL, timeout=10), scheduler.next(ONE_CALL, timeout=10)]
    me = threading.current_thread().name
    assert [r[0] if r else None for r in results] == [1, 2, 3, 4]
    assert [r[1].startswith(POOL_THREAD_PREFIX) if r else None for r in results] == [True, True, True, False]
    assert results[-1] == (4, me, None)
    assert not scheduler.pooled and not _pool_threads()


def test_the_pool_ends_with_the_source_without_close() -> None:
    buffer = FrameBuffer()
    scheduler = InFlightScheduler(buffer, _record)
    buffer.put(_frame())
    assert scheduler.next(TWO, timeout=10) is not None
    buffer.close()
    assert scheduler.next(TWO, timeout=10) is None
    assert not scheduler.pooled and not _pool_threads()


def test_close_ends_jobs_that_wait_for_their_turn_or_a_frame() -> None:
    buffer = FrameBuffer()
    scheduler = InFlightScheduler(buffer, _record)
    assert scheduler.next(CoreSplit(3, 1), timeout=0.05) is None  # three jobs out, no frame comes
    assert scheduler.pooled
    buffer.close()
    scheduler.close()
    scheduler.close()  # twice is fine
    assert scheduler.closed and not scheduler.pooled and not _pool_threads()


def _stats(processed: int, capture_fps: float, processed_fps: float) -> LiveStatsSnapshot:
    return LiveStatsSnapshot(capture_fps=capture_fps, processed_fps=processed_fps, skipped_fps=0.0,
                             inference_ms_p50=0.0, inference_ms_p95=0.0, latency_ms_p50=0.0, latency_ms_p95=0.0,
                             captured=processed, processed=processed, dropped=0, window_s=3.0)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_policy_scales_up_only_once_the_model_stays_behind_the_source() -> None:
    looked_up: list[str] = []

    def plan_for(model_id: str) -> CoreSplit:
        looked_up.append(model_id)
        return TWO

    clock = _Clock()
    policy = InFlightPolicy(plan_for, clock=clock)
    assert policy.before_frame("m") == ONE_CALL and not policy.releasing
    behind = KEEP_UP * 30.0 - 1.0
    policy.observe("m", _stats(SCALE_AFTER - 1, 30.0, behind))
    clock.now += 10.0
    policy.observe("m", _stats(SCALE_AFTER - 1, 30.0, behind))
    assert policy.before_frame("m") == ONE_CALL  # too early to judge
    policy.observe("m", _stats(SCALE_AFTER, 30.0, KEEP_UP * 30.0))  # keeps up
    # one stall: behind for just under BEHIND_FOR_WINDOWS windows of 3 s, then caught up again
    for _ in range(5):
        policy.observe("m", _stats(SCALE_AFTER, 30.0, behind))
        clock.now += BEHIND_FOR_WINDOWS * 3.0 / 5 - 0.01
    policy.observe("m", _stats(SCALE_AFTER, 30.0, KEEP_UP * 30.0))
    policy.observe("m", _stats(SCALE_AFTER, 30.0, behind))
    assert policy.before_frame("m") == ONE_CALL and not policy.releasing
    # behind all along: the next frame runs alone on the one-call session, releasing it, then two
    clock.now += BEHIND_FOR_WINDOWS * 3.0
    policy.observe("m", _stats(SCALE_AFTER, 30.0, behind))
    assert policy.before_frame("m") == ONE_CALL and policy.releasing
    assert policy.before_frame("m") == TWO and not policy.releasing
    policy.observe("m", _stats(SCALE_AFTER, 30.0, KEEP_UP * 30.0))
    assert policy.before_frame("m") == TWO  # never back down on its own
    policy.reset()
    assert policy.current == ONE_CALL and policy.before_frame("m") == ONE_CALL
    policy.observe("m", _stats(SCALE_AFTER, 30.0, behind))
    clock.now += BEHIND_FOR_WINDOWS * 3.0
    policy.observe("m", _stats(SCALE_AFTER, 30.0, behind))
    assert policy.before_frame("m") == ONE_CALL and policy.releasing and policy.current == TWO
    assert looked_up == ["m"]  # the plan is looked up once per model


def test_a_model_with_a_one_call_plan_never_releases_its_session() -> None:
    clock = _Clock()
    policy = InFlightPolicy(lambda _: ONE_CALL, clock=clock)
    for _ in range(3):
        policy.observe("m", _stats(SCALE_AFTER, 30.0, 1.0))
        clock.now += BEHIND_FOR_WINDOWS * 3.0
    assert policy.before_frame("m") == ONE_CALL and not policy.releasing


@pytest.mark.parametrize(("fixed", "expected"), [(1, CoreSplit(1, None)), (2, TWO), (3, CoreSplit(3, 1))])
def test_a_fixed_number_applies_from_the_first_frame_and_never_scales(fixed: int, expected: CoreSplit) -> None:
    policy = InFlightPolicy(lambda _: TWO, fixed=fixed)
    assert policy.before_frame("m") == expected
    policy.observe("m", _stats(SCALE_AFTER, 30.0, 1.0))
    assert policy.current == expected


def test_a_model_that_cannot_be_loaded_stays_at_one_and_is_looked_up_again() -> None:
    answers: list[CoreSplit | None] = [None, TWO]
    policy = InFlightPolicy(lambda _: answers.pop(0), fixed=2)
    assert policy.before_frame("m") == ONE_CALL
    assert policy.before_frame("m") == TWO and answers == []
