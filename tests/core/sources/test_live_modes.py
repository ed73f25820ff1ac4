"""The camera's modes beyond faces, in the core: One Euro keypoint smoothing, the object class filter and the
background effect, on the bundled live models (NanoDet, MoveNet, the selfie segmenter) and the sample photos."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.live_video import SAMPLES, pan_frames
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult, PoseResult
from desktop_app.core.sources.keypoint_smoothing import OneEuroFilter
from desktop_app.core.sources.live import BackgroundEffect, LiveDetector, LiveFrame, draw_overlay
from desktop_app.core.sources.live_effects import person_mask

FPS = 30.0


def _photo(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(SAMPLES / name)), cv2.COLOR_BGR2RGB)


def test_one_euro_calms_a_still_point_and_follows_a_moving_one() -> None:
    rng = np.random.default_rng(7)
    still = OneEuroFilter()
    noisy = 100.0 + rng.normal(0.0, 1.5, size=(120, 2))
    out = np.array([still(v, i / FPS) for i, v in enumerate(noisy)])
    raw_jitter = np.std(np.diff(noisy[30:], axis=0))
    smooth_jitter = np.std(np.diff(out[30:], axis=0))
    assert smooth_jitter < 0.35 * raw_jitter, (raw_jitter, smooth_jitter)
    assert np.abs(out[30:].mean(axis=0) - 100.0).max() < 0.5  # converged on the point, not drifting

    moving = OneEuroFilter()
    speed = 200.0  # px/s: a brisk arm movement
    truth = np.array([[speed * i / FPS, 50.0] for i in range(60)])
    followed = np.array([moving(v + rng.normal(0.0, 1.0, 2), i / FPS) for i, v in enumerate(truth)])
    lag = np.abs(followed[20:, 0] - truth[20:, 0])
    assert lag.mean() < speed / FPS, lag.mean()  # less than one frame's travel behind


def test_one_euro_restarts_a_keypoint_that_comes_back() -> None:
    f = OneEuroFilter()
    f(np.array([0.0, 0.0]), 0.0)
    f(np.array([0.0, 0.0]), 1 / FPS)
    back = f(np.array([300.0, 0.0]), 2 / FPS, fresh=np.array([True, False]))
    assert back[0] == 300.0  # no glide in from where it was last seen


@pytest.fixture(scope="module")
def pan(tmp_path_factory: pytest.TempPathFactory) -> list[np.ndarray]:
    return pan_frames(SAMPLES / "portrait-astronaut.jpg", count=45)


def _run(detector: LiveDetector, frames: list[np.ndarray]) -> list[LiveFrame]:
    return [detector.process(f, t_capture=i / FPS, seq=i + 1) for i, f in enumerate(frames)]


def test_pose_keypoints_are_smoothed_and_stay_on_the_person(pipeline: Pipeline, pan: list[np.ndarray]) -> None:
    smoothed = _run(LiveDetector(pipeline, "movenet-lightning"), pan)
    raw = [pipeline.run_data(f, "movenet-lightning", "raw") for f in pan]

    def nose_track(payloads: list[PoseResult]) -> np.ndarray:
        return np.array([[p.people[0].keypoints[0].x, p.people[0].keypoints[0].y] for p in payloads])

    live_pose = [lf.result.payload for lf in smoothed]
    raw_pose = [r.payload for r in raw]
    assert all(isinstance(p, PoseResult) and p.people for p in live_pose + raw_pose)
    s, r = nose_track(live_pose), nose_track(raw_pose)  # type: ignore[arg-type]
    # The pan moves the nose smoothly: the second difference is the jitter. Smoothing reduces it...
    jitter_s = np.abs(np.diff(s, n=2, axis=0)).mean()
    jitter_r = np.abs(np.diff(r, n=2, axis=0)).mean()
    assert jitter_s < 0.8 * jitter_r, (jitter_s, jitter_r)
    # ...and keeps the nose where the model puts it (within a few pixels on a 640x480 frame).
    assert np.abs(s - r).mean() < 6.0


def test_pose_smoothing_starts_over_after_a_model_switch(pipeline: Pipeline, pan: list[np.ndarray]) -> None:
    detector = LiveDetector(pipeline, "movenet-lightning")
    _run(detector, pan[:10])
    detector.set_model("nanodet")
    detector.process(pan[10], 10 / FPS, 11)
    detector.set_model("movenet-lightning")
    back = detector.process(pan[30], 30 / FPS, 31)  # far along the pan: a kept filter would lag behind
    raw = pipeline.run_data(pan[30], "movenet-lightning", "raw")
    assert isinstance(back.result.payload, PoseResult) and isinstance(raw.payload, PoseResult)
    got = [(k.x, k.y) for k in back.result.payload.people[0].keypoints]
    want = [(k.x, k.y) for k in raw.payload.people[0].keypoints]
    assert np.allclose(got, want, atol=1e-3)


def test_class_filter_keeps_only_the_chosen_objects(pipeline: Pipeline) -> None:
    coffee = _photo("coffee-cup.jpg")
    everything = LiveDetector(pipeline, "nanodet", threshold=0.3).process(coffee, 0.0, 1)
    assert isinstance(everything.result.payload, DetectionResult)
    labels = {d.label for d in everything.result.payload.detections}
    assert "cup" in labels
    cups = LiveDetector(pipeline, "nanodet", threshold=0.3, classes=frozenset({"cup"})).process(coffee, 0.0, 1)
    assert isinstance(cups.result.payload, DetectionResult)
    assert cups.result.payload.detections and {d.label for d in cups.result.payload.detections} == {"cup"}
    detector = LiveDetector(pipeline, "nanodet", threshold=0.3)
    detector.set_classes(frozenset({"giraffe"}))
    none = detector.process(coffee, 0.0, 1)
    assert isinstance(none.result.payload, DetectionResult) and not none.result.payload.detections
    assert none.stats.processed == 1  # the stats strip still counts the frame whose boxes were all filtered out


def test_object_boxes_are_tracked_so_they_flicker_less_than_the_raw_detector(pipeline: Pipeline) -> None:
    """The photos panned as a camera would: the raw detector's set of classes changes from frame to frame
    as scores cross the threshold; the live view's tracked boxes (median score, hysteresis, a missed frame
    held) change far less, and what the frame's result holds is what is shown."""
    for photo, steady in (("coffee-cup.jpg", "cup"), ("portrait-astronaut.jpg", "person")):
        frames = pan_frames(SAMPLES / photo, 90)
        detector = LiveDetector(pipeline, "nanodet", threshold=0.3)
        raw, live = [], []
        for i, frame in enumerate(frames):
            plain = pipeline.run_data(frame, "nanodet", f"pan#{i}", score_threshold=0.3)
            assert isinstance(plain.payload, DetectionResult)
            raw.append(sorted(d.label for d in plain.payload.detections))
            shown = detector.process(frame, i / FPS, i + 1)
            assert isinstance(shown.result.payload, DetectionResult) and not shown.smoothed
            live.append(sorted(d.label for d in shown.result.payload.detections))
            scores = [d.score for d in shown.result.payload.detections]
            assert scores == sorted(scores, reverse=True)
        changes = [sum(a != b for a, b in zip(seq, seq[1:], strict=False)) for seq in (raw, live)]
        print(photo, "class-set changes over 90 frames: raw", changes[0], "live", changes[1])
        assert changes[1] <= changes[0] / 2, changes
        assert sum(steady in labels for labels in live) >= 0.95 * len(live)
        assert raw[0] == live[0]  # the first frame: nothing to smooth yet, the same boxes


def _person_and_background(live: LiveFrame) -> tuple[np.ndarray, np.ndarray]:
    mask = person_mask(live.result)
    assert mask is not None and 0.1 < mask.mean() < 0.9
    mask8 = (mask > 0.5).astype(np.uint8)
    inner = cv2.erode(mask8, np.ones((25, 25), np.uint8)).astype(bool)
    outer = ~cv2.dilate(mask8, np.ones((25, 25), np.uint8)).astype(bool)
    return inner, outer


def test_background_blur_changes_the_background_and_keeps_the_person(pipeline: Pipeline) -> None:
    portrait = _photo("portrait-astronaut.jpg")
    live = LiveDetector(pipeline, "selfie-segmentation", background=BackgroundEffect("blur")).process(portrait, 0, 1)
    assert live.effect == "background blurred (strong)" and not live.notice
    assert live.frame.shape == portrait.shape and live.frame is not portrait
    inner, outer = _person_and_background(live)
    diff = np.abs(live.frame.astype(np.int16) - portrait.astype(np.int16)).mean(axis=2)
    assert diff[inner].mean() < 2.0, diff[inner].mean()
    assert diff[outer].mean() > 8.0, diff[outer].mean()
    # What Snapshot and Record save is the composited picture (no mask tint drawn over it).
    assert np.array_equal(draw_overlay(live.frame, live), live.frame)


def test_background_replaced_by_a_picture_and_a_bad_picture_falls_back_to_blur(
        pipeline: Pipeline, tmp_path: Path) -> None:
    portrait = _photo("portrait-astronaut.jpg")
    beach = tmp_path / "backdrop.png"
    cv2.imwrite(str(beach), np.full((300, 400, 3), (200, 120, 30), np.uint8))  # BGR on disk -> RGB (30, 120, 200)
    detector = LiveDetector(pipeline, "selfie-segmentation",
                            background=BackgroundEffect("replace", image=beach))
    live = detector.process(portrait, 0, 1)
    assert live.effect == "background replaced by backdrop.png"
    inner, outer = _person_and_background(live)
    assert np.abs(live.frame[outer].astype(float) - (30, 120, 200)).mean() < 2.0
    assert np.abs(live.frame[inner].astype(float) - portrait[inner]).mean() < 2.0

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    detector.set_background(BackgroundEffect("replace", image=broken))
    fallback = detector.process(portrait, 1 / FPS, 2)
    assert fallback.effect == "background blurred (strong)"
    assert "broken.png" in fallback.notice or "cannot be used" in fallback.notice
    detector.set_background(None)
    plain = detector.process(portrait, 2 / FPS, 3)
    assert plain.effect == "" and plain.frame is portrait  # the mask is drawn as before, not composited


def test_effect_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        BackgroundEffect("replace")
    with pytest.raises(ValueError):
        BackgroundEffect("sepia")


def _people(live: LiveFrame) -> str | None:
    return next((v for a, v, p in live.result.attributes if a == "people in frame" and p == "computed"), None)


def test_people_in_frame_is_a_computed_group_counted_before_the_class_filter(pipeline: Pipeline) -> None:
    portrait, coffee = _photo("portrait-astronaut.jpg"), _photo("coffee-cup.jpg")
    assert _people(LiveDetector(pipeline, "nanodet").process(portrait, 0, 1)) == "1"
    assert _people(LiveDetector(pipeline, "nanodet", classes=frozenset({"cup"})).process(portrait, 0, 1)) == "1"
    assert _people(LiveDetector(pipeline, "nanodet").process(coffee, 0, 1)) == "0"
    assert _people(LiveDetector(pipeline, "movenet-lightning").process(portrait, 0, 1)) == "1"
    faces = LiveDetector(pipeline, "centerface")
    lives = [faces.process(portrait, i / FPS, i + 1) for i in range(4)]  # a face track shows after a few frames
    assert _people(lives[-1]) == str(len(lives[-1].visible_tracks)) == "1"
    assert _people(LiveDetector(pipeline, "efficientnet-lite0").process(portrait, 0, 1)) is None
    assert _people(LiveDetector(pipeline, "selfie-segmentation").process(portrait, 0, 1)) is None
