"""BoxSmoother (IoU tracking, median scores, hysteresis) and LiveStats windows, on synthetic input."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.results import Detection
from desktop_app.core.sources.live_stats import LiveStats
from desktop_app.core.sources.smoothing import BoxSmoother, greedy_match, iou_matrix


def face(x: float, score: float, y: float = 100.0, size: float = 60.0) -> Detection:
    return Detection(box=(x, y, x + size, y + size), score=score, label="face")


def test_iou_and_greedy_matching() -> None:
    a = np.array([[0, 0, 10, 10], [100, 100, 110, 110]], float)
    b = np.array([[101, 101, 111, 111], [0, 0, 10, 5], [50, 50, 60, 60]], float)
    iou = iou_matrix(a, b)
    assert iou[0, 1] == pytest.approx(0.5) and iou[0, 2] == 0
    assert sorted(greedy_match(iou, 0.3)) == [(0, 1), (1, 0)]
    assert greedy_match(iou_matrix(a, np.zeros((0, 4))), 0.3) == []


def test_score_wobbling_around_the_threshold_stays_visible_after_smoothing() -> None:
    smoother = BoxSmoother(window=5)
    raw_only = BoxSmoother(window=1, hysteresis=0.0)
    shown, shown_raw = [], []
    for i in range(30):
        det = face(100 + i, 0.45 if i % 2 == 0 else 0.55)
        (track,) = smoother.update([det], threshold=0.5)
        (raw_track,) = raw_only.update([det], threshold=0.5)
        shown.append(track.visible)
        shown_raw.append(raw_track.visible)
        assert track.raw_score == det.score
    assert all(shown[1:]), "smoothed: visible from the second frame on"
    assert shown_raw.count(False) == 15, "without smoothing it flickers every other frame"


def test_tracks_keep_ids_while_moving_and_new_faces_get_new_ids() -> None:
    smoother = BoxSmoother()
    ids = set()
    for i in range(10):
        tracks = smoother.update([face(100 + 8 * i, 0.9)], 0.5)
        ids.update(t.id for t in tracks)
    assert len(ids) == 1
    tracks = smoother.update([face(180, 0.9), face(400, 0.8)], 0.5)
    assert len(tracks) == 2 and len({t.id for t in tracks} - ids) == 1


def test_a_missed_frame_keeps_the_box_and_longer_absence_drops_the_track() -> None:
    smoother = BoxSmoother(max_missed=2)
    for _ in range(5):
        smoother.update([face(100, 0.9)], 0.5)
    (held,) = smoother.update([], 0.5)
    assert held.visible and held.missed == 1 and held.raw_score == 0.0
    assert len(smoother.update([], 0.5)) == 1
    assert smoother.update([], 0.5) == ()  # unseen for 3 frames > max_missed
    smoother.update([face(100, 0.9)], 0.5)
    smoother.reset()
    assert smoother.update([], 0.5) == ()


def test_steadily_weak_faces_are_never_shown_and_threshold_changes_apply() -> None:
    smoother = BoxSmoother()
    assert not any(t.visible for _ in range(10) for t in smoother.update([face(100, 0.35)], 0.5))
    (track,) = smoother.update([face(100, 0.35)], 0.3)
    assert track.visible and track.score == pytest.approx(0.35)


def test_box_is_smoothed_towards_the_new_detection() -> None:
    smoother = BoxSmoother(box_alpha=0.5)
    smoother.update([face(100, 0.9)], 0.5)
    (track,) = smoother.update([face(110, 0.9)], 0.5)
    assert track.box[0] == pytest.approx(105)


def test_a_box_continues_only_a_track_of_its_own_class() -> None:
    smoother = BoxSmoother()
    person = Detection(box=(100, 100, 200, 300), score=0.9, label="person")
    (first,) = smoother.update([person], 0.5)
    assert first.label == "person" and first.visible
    # the same place, now called a cup: a new track; the person's is missed (its box held for a frame)
    cup = Detection(box=(102, 102, 202, 302), score=0.9, label="cup")
    tracks = smoother.update([cup], 0.5)
    by_label = {t.label: t for t in tracks}
    assert set(by_label) == {"person", "cup"} and by_label["cup"].id != first.id
    assert by_label["person"].id == first.id and by_label["person"].missed == 1
    assert by_label["cup"].box == cup.box  # not pulled towards the person's box


def test_stats_windows_give_sane_rates_and_percentiles() -> None:
    stats = LiveStats(window_s=3.0)
    assert stats.snapshot().processed_fps == 0.0
    t0 = 100.0
    for k in range(60):  # 6 s: 30 fps captured, 10 fps processed, 20 fps dropped, inference 20..29 ms
        now = t0 + k * 0.1
        stats.record(captured=3 * k + 3, dropped=2 * k, inference_ms=20.0 + k % 10, t_capture=now - 0.04, now=now)
    snap = stats.snapshot()
    assert snap.capture_fps == pytest.approx(30, rel=0.01)
    assert snap.processed_fps == pytest.approx(10, rel=0.01)
    assert snap.skipped_fps == pytest.approx(20, rel=0.01)
    assert 20 <= snap.inference_ms_p50 <= snap.inference_ms_p95 <= 29
    assert snap.latency_ms_p50 == pytest.approx(40) and snap.latency_ms_p95 >= snap.latency_ms_p50
    assert (snap.captured, snap.processed, snap.dropped) == (180, 60, 118)
    stats.reset()
    assert stats.snapshot().processed == 0
