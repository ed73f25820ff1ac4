"""Frames in flight: one at a time while the model keeps up with the source, two on CPU once it falls
behind, results always in capture order, and no thread left behind when the source ends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime import providers as prov
from desktop_app.core.sources.camera import CameraSource, parse_camera
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live import (
    SCALE_AFTER,
    LiveDetector,
    LiveFrame,
    LivePlan,
    live_plan,
    open_live_sessions,
)
from tests.core.sources.face_video import FaceVideo, compose_frames, iou, write_video


def test_live_plan_splits_the_cores_on_cpu_only() -> None:
    assert live_plan(prov.CPU, cores=2) == LivePlan(2, 1)
    assert live_plan(prov.CPU, cores=4) == LivePlan(2, 1)
    assert live_plan(prov.CPU, cores=16) == LivePlan(2, 4)
    assert live_plan(prov.CPU, cores=1) == LivePlan(1, None)
    assert live_plan(prov.CUDA, cores=16) == LivePlan(1, None)
    assert live_plan(prov.DML, cores=16) == LivePlan(1, None)


def _play(video: Path, detector: LiveDetector, buffer: FrameBuffer) -> tuple[list[LiveFrame], list[int]]:
    """Play the video in real time through the detector until it ends -> frames and in-flight counts."""
    capture = CaptureThread(CameraSource(parse_camera(str(video), realtime=True)), buffer)
    capture.start()
    frames, in_flight = [], []
    while (live := detector.next(timeout=10)) is not None:
        frames.append(live)
        in_flight.append(detector.in_flight)
    capture.join(10)
    assert capture.state is CaptureState.ENDED
    return frames, in_flight


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
    frames, in_flight = _play(path, detector, buffer)
    assert in_flight[: SCALE_AFTER - 1] == [1] * (SCALE_AFTER - 1)  # judged only after SCALE_AFTER frames
    assert 2 in in_flight, "the model never fell behind a 120 FPS source?"
    after = frames[in_flight.index(2) + 3 :]
    assert len(after) >= 10
    seqs = [f.seq for f in frames]
    assert seqs == sorted(set(seqs)), "results out of capture order"
    assert all(f.result.ok for f in frames)
    # two calls at once, each on one thread of its own session (2 cores here: live_plan gives 1 each)
    assert pipeline.task("centerface", threads=live_plan(prov.CPU).threads).session is not pipeline.task("centerface").session
    hits = [f for f in after if (truth := video.faces[f.seq - 1]) is not None
            and any(iou(t.box, truth) >= 0.4 for t in f.visible_tracks)]
    assert len(hits) >= 0.7 * sum(video.faces[f.seq - 1] is not None for f in after)
    # away from the face (none in the last 20 source frames, which outlasts the smoothing's hold): no box
    away = [f for f in after if all(video.faces[s - 1] is None for s in range(max(1, f.seq - 20), f.seq + 1))]
    assert len(away) >= 5 and sum(bool(f.visible_tracks) for f in away) <= 1
    assert all(0 < f.latency_ms < 2000 for f in frames)
    # the source ended: the in-flight pool let its threads go without close()
    assert {t.ident for t in threading.enumerate()} <= threads_before
    detector.close()
    assert detector.next(timeout=0.01) is None


def test_a_model_that_keeps_up_stays_one_frame_at_a_time(tmp_path: Path, pipeline: Pipeline) -> None:
    frames, _ = compose_frames(SCALE_AFTER + 15)
    path = write_video(tmp_path / "faces-12fps.avi", frames, 12.0)
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer)
    played, in_flight = _play(path, detector, buffer)
    assert len(played) >= SCALE_AFTER + 5
    assert set(in_flight) == {1}
    assert not any(t.name.startswith("live-infer") for t in threading.enumerate())


def test_close_ends_the_in_flight_jobs_while_the_source_still_runs(fast_video: tuple[Path, FaceVideo],
                                                                   pipeline: Pipeline) -> None:
    path, _ = fast_video
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer, in_flight=2)
    capture = CaptureThread(CameraSource(parse_camera(str(path), realtime=True, loop=True)), buffer)
    capture.start()
    try:
        got = 0
        while detector.in_flight < 2 or got < 5:
            assert detector.next(timeout=10) is not None
            got += detector.in_flight > 1
    finally:
        capture.stop(timeout=10)
        detector.close()
    assert not any(t.name.startswith("live-infer") for t in threading.enumerate())
    detector.reset()
    assert detector.in_flight == 1


def test_the_warm_up_opens_the_two_in_flight_sessions_and_a_bad_model_is_left_to_the_frames(
        pipeline: Pipeline) -> None:
    plan = open_live_sessions(pipeline, "centerface")
    assert plan == live_plan(prov.CPU)
    if plan.in_flight > 1:  # on this CPU the detector and its expression model get their own sessions now
        opened = {key for key in pipeline._tasks if key[2] == plan.threads}
        assert {("centerface", "cpu", plan.threads), ("fer-emotion", "cpu", plan.threads)} <= opened
    assert open_live_sessions(pipeline, "no-such-model") == LivePlan(1, None)


def test_back_to_one_in_flight_drains_the_jobs_and_ends_the_pool(fast_video: tuple[Path, FaceVideo],
                                                                 pipeline: Pipeline) -> None:
    path, _ = fast_video
    buffer = FrameBuffer()
    detector = LiveDetector(pipeline, "centerface", buffer=buffer)
    capture = CaptureThread(CameraSource(parse_camera(str(path), realtime=True, loop=True)), buffer)
    capture.start()
    try:
        while detector.in_flight < 2:
            assert detector.next(timeout=10) is not None
        assert detector.next(timeout=10) is not None  # now from the pool
        assert any(t.name.startswith("live-infer") for t in threading.enumerate())
        detector.reset()  # what a new model or a retry does: one frame at a time again
        seqs = []
        for _ in range(6):  # the jobs still out come first, then frames run on this thread
            live = detector.next(timeout=10)
            assert live is not None and live.result.ok
            seqs.append(live.seq)
        assert seqs == sorted(set(seqs)) and detector.in_flight == 1
        assert not any(t.name.startswith("live-infer") for t in threading.enumerate())
    finally:
        capture.stop(timeout=10)
        detector.close()
