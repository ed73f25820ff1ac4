"""Frames in flight: one at a time while the model keeps up with the source, two on CPU once it falls
behind, results always in capture order, and no thread left behind when the source ends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.parallel import CoreSplit, core_split
from desktop_app.core.sources.camera import CameraSource, parse_camera
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live import LiveDetector, LiveFrame, open_live_sessions
from desktop_app.core.sources.live_scheduler import POOL_THREAD_PREFIX, SCALE_AFTER
from tests.core.sources.face_video import FaceVideo, compose_frames, iou, write_video


def test_the_live_plan_splits_the_cores_on_cpu_only() -> None:
    assert core_split(prov.CPU, cores=2) == CoreSplit(2, 1)
    assert core_split(prov.CPU, cores=4) == CoreSplit(2, 1)
    assert core_split(prov.CPU, cores=16) == CoreSplit(2, 4)
    assert core_split(prov.CPU, cores=1) == CoreSplit(1, None)
    assert core_split(prov.CUDA, cores=16) == CoreSplit(1, None)
    assert core_split(prov.DML, cores=16) == CoreSplit(1, None)


def _play(video: Path, detector: LiveDetector, buffer: FrameBuffer,
          enough: Callable[[list[int]], bool] | None = None) -> tuple[list[LiveFrame], list[int]]:
    """Play the video in real time through the detector until it ends (or, looped, until `enough` of
    the most-frames-in-flight values seen so far, then the source is stopped) -> frames and those values."""
    capture = CaptureThread(CameraSource(parse_camera(str(video), realtime=True, loop=enough is not None)), buffer)
    capture.start()
    frames, limits = [], []
    while (live := detector.next(timeout=10)) is not None:
        frames.append(live)
        limits.append(detector.max_in_flight)
        if enough is not None and enough(limits):
            capture.stop(timeout=10)  # the source ends (its buffer closes); the frames in flight still come
    capture.join(10)
    assert capture.state is (CaptureState.ENDED if enough is None else CaptureState.STOPPED)
    return frames, limits


def _pooled_for(frames_after: int, cap: int = 2000) -> Callable[[list[int]], bool]:
    """`enough` for `_play`: that many frames once two are in flight (or `cap` frames in all)."""
    return lambda limits: len(limits) >= cap or (2 in limits and len(limits) - limits.index(2) >= frames_after)


@pytest.fixture(scope="module")
def fast_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, FaceVideo]:
    """The face video played at 120 FPS: faster than CenterFace runs on a CPU."""
    frames, faces = compose_frames(360)  # the face comes and goes every 90 frames
    path = write_video(tmp_path_factory.mktemp("fast") / "faces-120fps.avi", frames, 120.0)
    return path, FaceVideo(path, tuple(frames), tuple(faces), 120.0)


def test_a_model_behind_its_source_goes_two_in_flight_in_capture_order(fast_video: tuple[Path, FaceVideo],
                                                                       pipeline: Pipeline) -> None:
    path, video = fast_video
    threads_before = {t.ident for t in threading.enumerate()}
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer)
    frames, limits = _play(path, detector, buffer, _pooled_for(45))  # as many frames on a loaded machine
    assert limits[: SCALE_AFTER - 1] == [1] * (SCALE_AFTER - 1)  # judged only after SCALE_AFTER frames
    assert 2 in limits, "the model never fell behind a 120 FPS source?"
    after = frames[limits.index(2) + 3 :]
    assert len(after) >= 10
    seqs = [f.seq for f in frames]
    assert seqs == sorted(set(seqs)), "results out of capture order"
    assert all(f.result.ok for f in frames)
    # two calls at once, each on one thread of its own session (2 cores here: core_split gives 1 each)
    assert pipeline.task("centerface", threads=core_split(prov.CPU).threads).session is not pipeline.task("centerface").session
    def face(seq: int) -> tuple[float, float, float, float] | None:  # the looped video's truth
        return video.faces[(seq - 1) % len(video.faces)]

    hits = [f for f in after if (truth := face(f.seq)) is not None
            and any(iou(t.box, truth) >= 0.4 for t in f.visible_tracks)]
    assert len(hits) >= 0.7 * sum(face(f.seq) is not None for f in after)
    # away from the face (none in this processed frame and the ones before it that the smoothing holds a
    # missed track for, however many source frames they skip on a loaded machine): no box
    hold = detector.smoother.max_missed
    start = limits.index(2) + 3
    away = [f for k, f in enumerate(frames) if k >= start and all(face(g.seq) is None for g in frames[k - hold : k + 1])]
    assert len(away) >= 5 and sum(bool(f.visible_tracks) for f in away) <= 1
    assert all(0 < f.latency_ms < 2000 for f in frames), sorted(round(f.latency_ms) for f in frames)[-5:]
    # the source ended: the pool let its threads go without close()
    assert {t.ident for t in threading.enumerate()} <= threads_before
    detector.close()
    assert detector.next(timeout=0.01) is None


def test_a_model_that_keeps_up_stays_one_frame_at_a_time(tmp_path: Path, pipeline: Pipeline) -> None:
    frames, _ = compose_frames(SCALE_AFTER + 15)
    # 6 FPS: CenterFace keeps up even on a loaded 2-core machine (it must process 80%: 210 ms a frame)
    path = write_video(tmp_path / "faces-6fps.avi", frames, 6.0)
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer)
    played, limits = _play(path, detector, buffer, lambda limits: len(limits) >= SCALE_AFTER + 10)
    assert len(played) >= SCALE_AFTER + 10
    assert set(limits) == {1}
    assert not any(t.name.startswith(POOL_THREAD_PREFIX) for t in threading.enumerate())


def test_close_ends_the_in_flight_jobs_while_the_source_still_runs(fast_video: tuple[Path, FaceVideo],
                                                                   pipeline: Pipeline) -> None:
    path, _ = fast_video
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer, max_in_flight=2)
    capture = CaptureThread(CameraSource(parse_camera(str(path), realtime=True, loop=True)), buffer)
    capture.start()
    try:
        got = 0
        while detector.max_in_flight < 2 or got < 5:
            assert detector.next(timeout=10) is not None
            got += detector.max_in_flight > 1
    finally:
        capture.stop(timeout=10)
        detector.close()
    assert not any(t.name.startswith(POOL_THREAD_PREFIX) for t in threading.enumerate())
    detector.reset()
    assert detector.max_in_flight == 1


def test_the_warm_up_opens_the_two_in_flight_sessions_and_a_bad_model_is_left_to_the_frames(
        pipeline: Pipeline) -> None:
    plan = open_live_sessions(pipeline, "centerface")
    assert plan == core_split(prov.CPU)
    if plan.calls > 1:  # on this CPU the detector and its expression model get their own sessions now
        opened = {key for key in pipeline._tasks if key[2] == plan.threads}
        assert {("centerface", "cpu", plan.threads), ("fer-emotion", "cpu", plan.threads)} <= opened
    assert open_live_sessions(pipeline, "no-such-model") == CoreSplit(1, None)


def test_back_to_one_in_flight_drains_the_jobs_and_ends_the_pool(fast_video: tuple[Path, FaceVideo],
                                                                 pipeline: Pipeline) -> None:
    path, _ = fast_video
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer)
    capture = CaptureThread(CameraSource(parse_camera(str(path), realtime=True, loop=True)), buffer)
    capture.start()
    try:
        while detector.max_in_flight < 2:
            assert detector.next(timeout=10) is not None
        assert detector.next(timeout=10) is not None  # now from the pool
        assert any(t.name.startswith(POOL_THREAD_PREFIX) for t in threading.enumerate())
        detector.reset()  # what a new model or a retry does: one frame at a time again
        seqs = []
        for _ in range(6):  # the jobs still out come first, then frames run on this thread
            live = detector.next(timeout=10)
            assert live is not None and live.result.ok
            seqs.append(live.seq)
        assert seqs == sorted(set(seqs)) and detector.max_in_flight == 1
        assert not any(t.name.startswith(POOL_THREAD_PREFIX) for t in threading.enumerate())
    finally:
        capture.stop(timeout=10)
        detector.close()
