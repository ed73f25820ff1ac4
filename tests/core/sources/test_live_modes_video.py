"""The camera modes on the real live path: a video file written from a bundled sample photo, read by the
capture thread at its own pace into the newest-frame buffer, and the live detector taking frames from it, as
the camera panel's worker does (Objects with a class filter, People, Background)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.live_video import model_video
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult, PoseResult
from desktop_app.core.sources.camera import CameraSource, parse_camera
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live import BackgroundEffect, LiveDetector, LiveFrame

COUNT = 60  # two seconds at 30 FPS


def _live(pipeline: Pipeline, video: Path, model_id: str, **options: object) -> list[LiveFrame]:
    """Every frame the detector finished from the video (paced at its frame rate, stale ones dropped)."""
    buffer = FrameBuffer()
    capture = CaptureThread(CameraSource(parse_camera(str(video), realtime=True)), buffer)
    detector = LiveDetector(pipeline, model_id, buffer=buffer, **options)  # type: ignore[arg-type]
    capture.start()
    frames = []
    try:
        while (live := detector.next(timeout=10)) is not None:
            frames.append(live)
    finally:
        buffer.close()
        detector.close()
        capture.join(10)
    assert capture.state is CaptureState.ENDED
    assert len(frames) >= 5 and all(f.result.ok for f in frames), len(frames)  # a loaded machine drops many
    return frames


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mode-videos")


def test_objects_from_a_video_keep_only_the_chosen_classes(pipeline: Pipeline, folder: Path) -> None:
    video, _ = model_video(folder, "nanodet", count=COUNT)
    everything = _live(pipeline, video, "nanodet", threshold=0.3)
    seen = {d.label for f in everything for d in f.result.payload.detections}  # type: ignore[union-attr]
    assert "cup" in seen and seen - {"cup"}, seen  # the coffee photo shows more than cups
    cups = _live(pipeline, video, "nanodet", threshold=0.3, classes=frozenset({"cup"}))
    payloads = [f.result.payload for f in cups]
    assert all(isinstance(p, DetectionResult) for p in payloads)
    labels = [d.label for p in payloads for d in p.detections]  # type: ignore[union-attr]
    assert set(labels) == {"cup"} and sum(bool(p.detections) for p in payloads) >= 0.8 * len(payloads)  # type: ignore[union-attr]
    assert cups[-1].stats.processed == len(cups) and cups[-1].stats.processed_fps > 0


def test_people_from_a_video_have_smoothed_keypoints_on_the_portrait(pipeline: Pipeline, folder: Path) -> None:
    video, originals = model_video(folder, "movenet-lightning", count=COUNT)
    frames = _live(pipeline, video, "movenet-lightning")
    poses = [f.result.payload for f in frames]
    assert all(isinstance(p, PoseResult) and len(p.people) == 1 for p in poses)
    shown = [sum(k.score >= p.keypoint_threshold for k in p.people[0].keypoints) for p in poses]  # type: ignore[union-attr]
    assert min(shown) >= 5, shown  # eyes, ears, nose, shoulders: a face-and-shoulders portrait
    # Smoothed, the nose stays where the model puts it on the same picture (a dropped frame's jump may lag a
    # little, so the median is compared).
    smoothed = np.array([[p.people[0].keypoints[0].x, p.people[0].keypoints[0].y] for p in poses])  # type: ignore[union-attr]
    raw_poses = [pipeline.run_data(originals[f.seq - 1], "movenet-lightning", "raw").payload for f in frames]
    raw = np.array([[p.people[0].keypoints[0].x, p.people[0].keypoints[0].y] for p in raw_poses])  # type: ignore[union-attr]
    assert np.median(np.linalg.norm(smoothed - raw, axis=1)) < 8.0


def test_background_from_a_video_is_composited_on_every_frame(pipeline: Pipeline, folder: Path) -> None:
    video, originals = model_video(folder, "selfie-segmentation", count=COUNT)
    frames = _live(pipeline, video, "selfie-segmentation", background=BackgroundEffect("blur", strength="light"))
    assert all(f.effect == "background blurred (light)" and not f.notice for f in frames)
    for live in frames[:: max(1, len(frames) // 5)]:
        source = originals[live.seq - 1].astype(np.int16)
        changed = np.abs(live.frame.astype(np.int16) - source).mean(axis=2) > 12
        assert 0.02 < changed.mean() < 0.6, (live.seq, changed.mean())  # the background, not the whole picture
