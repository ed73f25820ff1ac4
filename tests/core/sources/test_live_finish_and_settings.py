"""The live finisher on synthetic detections (smoothing at the frame's live threshold, stats from the buffer's
counters) and the per-frame settings snapshot (set from any thread, a model switch reported once)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import (
    ClassificationResult,
    ClassScore,
    Detection,
    DetectionResult,
    Result,
    Timings,
)
from desktop_app.core.sources.frame_buffer import BufferCounters
from desktop_app.core.sources.live_finish import InferredFrame, LiveFinisher
from desktop_app.core.sources.live_settings import FrameSettings, LiveSettings

DETECTOR = FrameSettings("detector", threshold=0.5, emotion=False, changed=False, is_detector=True)
FRAME = np.zeros((4, 4, 3), np.uint8)


def _faces(seq: int, *scores: float, settings: FrameSettings = DETECTOR) -> InferredFrame:
    detections = tuple(Detection((100.0 + 200 * i, 100.0, 160.0 + 200 * i, 160.0), s, "face")
                       for i, s in enumerate(scores))
    result = Result(f"cam#{seq}", True, model_id=settings.model_id, timings=Timings(inference_ms=7.0),
                    payload=DetectionResult(detections, 640, 480))
    return InferredFrame(FRAME, t_capture=float(seq), seq=seq, result=result, settings=settings)


def test_faces_are_smoothed_at_the_frames_threshold_and_counted() -> None:
    finisher = LiveFinisher()
    first = finisher.finish(_faces(1, 0.9, 0.45))
    assert first.threshold == 0.5 and first.frame is FRAME and first.seq == 1
    assert [t.visible for t in first.tracks] == [True, False]  # 0.45 is under the live threshold
    assert [t.id for t in first.visible_tracks] == [first.tracks[0].id]
    lower = FrameSettings("detector", 0.4, False, False, True)
    second = finisher.finish(_faces(2, 0.9, 0.45, settings=lower))
    assert len(second.visible_tracks) == 2 and second.threshold == 0.4
    assert [t.id for t in second.tracks] == [t.id for t in first.tracks]  # the same faces, tracked
    assert second.stats.processed == 2 and second.stats.captured == 2  # no buffer: the seq counts as captured
    assert second.stats.inference_ms_p50 == pytest.approx(7.0)
    assert second.t_ready >= second.t_capture


def test_stats_take_the_buffers_counters_and_reset_forgets_tracks_and_stats() -> None:
    counters = BufferCounters(captured=10, taken=4, dropped=6)
    finisher = LiveFinisher(counters=lambda: counters)
    for seq in (1, 2, 3):
        live = finisher.finish(_faces(seq, 0.9))
    assert live.stats.captured == 10 and live.stats.dropped == 6 and live.stats.processed == 3
    first_id = live.tracks[0].id
    finisher.reset()
    again = finisher.finish(_faces(4, 0.9))
    assert again.stats.processed == 1 and again.tracks[0].id != first_id


def test_a_classifier_or_a_failed_frame_passes_through_without_tracks() -> None:
    finisher = LiveFinisher()
    classify = FrameSettings("classifier", 0.5, False, False, False)
    result = Result("cam#1", True, payload=ClassificationResult((ClassScore(3, "cat", 0.9),), 1000))
    live = finisher.finish(InferredFrame(FRAME, 0.0, 1, result, classify))
    assert live.tracks == () and live.result is result
    failed = Result("cam#2", False, error="no such model")
    assert finisher.finish(InferredFrame(FRAME, 0.0, 2, failed, DETECTOR)).tracks == ()


def test_settings_snapshot_reports_a_model_switch_once_and_clamps_the_threshold(pipeline: Pipeline) -> None:
    settings = LiveSettings(pipeline, "centerface")
    first = settings.take()
    assert first == FrameSettings("centerface", 0.5, False, False, True, "detect-faces")  # the card's
    setter = threading.Thread(target=settings.set_threshold, args=(1.7,))
    setter.start()
    setter.join()
    settings.set_emotion(True)
    assert settings.take() == FrameSettings("centerface", 1.0, True, False, True, "detect-faces")
    settings.set_model("efficientnet-lite0", 0.2)
    assert settings.take() == FrameSettings("efficientnet-lite0", 0.2, True, True, False, "classify")
    assert settings.take().changed is False
    assert first.thresholded and not settings.take().thresholded  # a classifier has no boxes to filter
    assert first.threshold == 0.5  # a snapshot never changes


def test_an_unknown_model_gets_the_default_threshold_and_is_no_detector(pipeline: Pipeline) -> None:
    settings = LiveSettings(pipeline, "no-such-model")
    assert settings.threshold == 0.5
    assert settings.take() == FrameSettings("no-such-model", 0.5, False, False, False)
