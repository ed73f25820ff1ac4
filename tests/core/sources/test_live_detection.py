"""Live face detection on a video made from real photos: faces found where they are and nowhere else,
through the capture thread with real-time pacing, with sane stats; overlay, snapshot and recording."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.core.errors import SourceError
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult
from desktop_app.core.sources.camera import CameraSource, parse_camera
from desktop_app.core.sources.capture import CaptureState, CaptureThread
from desktop_app.core.sources.frame_buffer import FrameBuffer
from desktop_app.core.sources.live import LiveDetector, LiveFrame, VideoRecorder, draw_overlay, save_snapshot
from desktop_app.core.sources.overlay import BOX_RGB
from tests.core.sources.face_video import FACE_FRAMES, FaceVideo, iou


@pytest.fixture(scope="module")
def every_frame(face_video: FaceVideo, pipeline: Pipeline) -> list[LiveFrame]:
    """Every frame of the video read from the file and processed in order (no frame skipped)."""
    detector = LiveDetector(pipeline, "centerface", source_name="faces.avi")
    frames = []
    with CameraSource(parse_camera(str(face_video.path), realtime=False)) as source:
        for seq in range(1, 91):
            frame = source.read()
            frames.append(detector.process(frame, t_capture=0.0, seq=seq))
    return frames


def _faces(live: LiveFrame, threshold: float = 0.5) -> list[tuple[float, float, float, float]]:
    assert live.result.ok, live.result.error
    assert isinstance(live.result.payload, DetectionResult)
    return [d.box for d in live.result.payload.detections if d.score >= threshold]


def test_faces_found_on_face_frames_and_not_elsewhere(every_frame: list[LiveFrame], face_video: FaceVideo) -> None:
    hits = misses = false = 0
    for live, truth in zip(every_frame, face_video.faces, strict=True):
        boxes = _faces(live)
        if truth is None:
            false += bool(boxes)
        elif boxes and max(iou(b, truth) for b in boxes) >= 0.5 and len(boxes) == 1:
            hits += 1
        else:
            misses += 1
    assert hits >= 0.9 * len(FACE_FRAMES), f"{hits} hits, {misses} misses"
    assert false <= 0.05 * (90 - len(FACE_FRAMES))


def test_smoothed_tracks_follow_the_moving_face_with_one_id(every_frame: list[LiveFrame],
                                                            face_video: FaceVideo) -> None:
    shown_ids = set()
    for i in FACE_FRAMES[2:]:
        visible = every_frame[i].visible_tracks
        truth = face_video.faces[i]
        assert truth is not None and len(visible) == 1, f"frame {i}"
        assert iou(visible[0].box, truth) >= 0.4
        shown_ids.add(visible[0].id)
    assert len(shown_ids) == 1
    away = [i for i in range(90) if i < FACE_FRAMES.start or i >= FACE_FRAMES.stop + 3]
    assert sum(bool(every_frame[i].visible_tracks) for i in away) <= 3


def test_live_path_through_the_capture_thread_with_sane_stats(face_video: FaceVideo, pipeline: Pipeline) -> None:
    threads_before = threading.active_count()
    buffer = FrameBuffer()
    capture = CaptureThread(CameraSource(parse_camera(str(face_video.path), realtime=True)), buffer)
    detector = LiveDetector(pipeline, "centerface", buffer=buffer, emotion=True)
    capture.start()
    frames = []
    while (live := detector.next(timeout=10)) is not None:
        frames.append(live)
    capture.join(10)
    assert capture.state is CaptureState.ENDED
    counters = buffer.counters()
    assert counters.captured == 90 and counters.taken == len(frames) and counters.taken + counters.dropped == 90
    assert [f.seq for f in frames] == sorted({f.seq for f in frames})
    with_face = [f for f in frames if face_video.faces[f.seq - 1] is not None and f.visible_tracks]
    assert len(with_face) >= 0.8 * sum(face_video.faces[f.seq - 1] is not None for f in frames)
    assert any(t.emotion is not None for f in with_face for t in f.visible_tracks)
    snap = frames[-1].stats
    # paced at 30 FPS (unpaced it would be hundreds); the low bound leaves room for a loaded 2-core machine
    assert 10 <= snap.capture_fps <= 40 and 0 < snap.processed_fps <= snap.capture_fps + 1
    assert snap.skipped_fps >= 0 and snap.processed == len(frames)
    assert 0 < snap.inference_ms_p50 <= snap.inference_ms_p95
    assert 0 < snap.latency_ms_p50 <= snap.latency_ms_p95 < 2000
    assert all(f.latency_ms >= f.result.timings.inference_ms * 0.9 for f in frames)
    assert threading.active_count() == threads_before


def test_threshold_set_from_another_thread_applies_to_the_next_frame(every_frame: list[LiveFrame],
                                                                     pipeline: Pipeline) -> None:
    detector = LiveDetector(pipeline, "centerface")
    assert detector.threshold == 0.5  # the card's
    setter = threading.Thread(target=detector.set_threshold, args=(0.99,))
    setter.start()
    setter.join()
    live = detector.process(every_frame[40].frame, 0.0, 1)
    assert live.threshold == 0.99 and live.visible_tracks == ()
    detector.set_threshold(0.5)
    assert detector.process(every_frame[40].frame, 0.0, 2).visible_tracks


def test_overlay_draws_boxes_where_the_face_is_and_mirrors(every_frame: list[LiveFrame]) -> None:
    live = every_frame[45]
    (track,) = live.visible_tracks
    x1, y1, x2, y2 = (round(v) for v in track.box)
    out = draw_overlay(live.frame, live)
    assert out.shape == live.frame.shape and out is not live.frame
    assert not np.array_equal(out, live.frame) and np.array_equal(live.frame, every_frame[45].frame)
    assert tuple(out[(y1 + y2) // 2, x1]) == BOX_RGB  # left edge of the box
    mirrored = draw_overlay(live.frame, live, mirror=True)
    assert tuple(mirrored[(y1 + y2) // 2, 639 - x1]) == BOX_RGB
    bare = draw_overlay(live.frame, live, boxes=False, landmarks=False, labels=False)
    assert np.array_equal(bare, live.frame)


def test_snapshot_png_with_overlay_is_readable(every_frame: list[LiveFrame], tmp_path: Path) -> None:
    live = every_frame[45]
    path = save_snapshot(tmp_path / "snap.png", draw_overlay(live.frame, live))
    back = cv2.imread(str(path))
    assert back is not None and back.shape == (480, 640, 3)
    assert (back[..., ::-1] == BOX_RGB).all(axis=-1).sum() > 100
    assert [p.name for p in tmp_path.iterdir()] == ["snap.png"]


@pytest.mark.parametrize("suffix", [".mp4", ".avi"])
def test_recorder_writes_a_file_cv2_reads_back(every_frame: list[LiveFrame], tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"rec{suffix}"
    with VideoRecorder(target, fps=30) as recorder:
        for live in every_frame[30:50]:
            recorder.write(draw_overlay(live.frame, live))
        assert not target.exists()  # nothing at the target until the file is complete
    assert recorder.path == target and recorder.frames_written == 20
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    cap = cv2.VideoCapture(str(target))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count == 20


def test_recorder_abort_leaves_nothing_and_refuses_other_formats(every_frame: list[LiveFrame], tmp_path: Path) -> None:
    recorder = VideoRecorder(tmp_path / "rec.mp4", fps=30)
    recorder.write(every_frame[0].frame)
    recorder.abort()
    assert list(tmp_path.iterdir()) == []
    assert VideoRecorder(tmp_path / "empty.avi", fps=30).close() is None
    with pytest.raises(SourceError, match=r"\.mp4 or \.avi"):
        VideoRecorder(tmp_path / "rec.gif", fps=30)
