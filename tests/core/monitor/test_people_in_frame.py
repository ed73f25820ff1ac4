"""Object detections and the "people in frame" group in the monitor: NanoDet's boxes reach the confidence view
as one prediction each (class and score), dropped photos and live frames alike, and every prediction carries
how many people its picture shows (person boxes, posed people or faces; 0, 1, 2, 3+)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from desktop_app.core.monitor.events import Event, GroupValue, event_from_result, monitored_results
from desktop_app.core.monitor.groups import PEOPLE_IN_FRAME, people_band
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import DetectionResult, Result
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.sources.live import LiveDetector
from tests.conftest import MODELS, SAMPLES

PORTRAIT, COFFEE, CAT = SAMPLES / "portrait-astronaut.jpg", SAMPLES / "coffee-cup.jpg", SAMPLES / "cat-chelsea.jpg"
EMOTIONS = 7


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(ModelRegistry(MODELS, tmp_path_factory.mktemp("user-models")), SessionPool("cpu"))


def _events(result: Result, kind: str = "file") -> list[Event]:
    """What the window does with a finished result: per prediction, an event with the result's groups."""
    out = []
    for r in monitored_results(result, EMOTIONS):
        event = event_from_result(r, tuple(GroupValue(a, v, p) for a, v, p in r.attributes), kind)  # type: ignore[arg-type]
        assert event is not None
        out.append(event)
    return out


def _people(event: Event) -> str | None:
    group = event.group(PEOPLE_IN_FRAME)
    assert group is None or group.provenance == "computed"
    return None if group is None else group.value


def _photo(path: object) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def test_people_bands() -> None:
    assert [people_band(n).value for n in (0, 1, 2, 3, 4, 17)] == ["0", "1", "2", "3+", "3+", "3+"]
    assert people_band(2) == GroupValue(PEOPLE_IN_FRAME, "2", "computed")
    with pytest.raises(ValueError):
        people_band(-1)


def test_dropped_photos_give_one_event_per_box_with_its_class_score_and_the_people_in_frame(pipeline: Pipeline) -> None:
    engine = MonitorEngine(MonitorConfig(dedupe_bucket_s=None, min_n=1))
    counts = {}
    for path in (PORTRAIT, COFFEE, CAT):
        (result,) = pipeline.run_path(path, "nanodet")
        payload = result.payload
        assert result.ok and isinstance(payload, DetectionResult) and len(payload.class_names) == 80
        events = _events(result)
        assert [e.top for e in events] == [((d.label, pytest.approx(d.score)),) for d in payload.detections]
        assert all(e.num_classes == 80 and e.model_id == "nanodet" and e.kind == "file" for e in events)
        persons = sum(d.label == "person" for d in payload.detections)
        assert {_people(e) for e in events} == {people_band(persons).value}  # the whole picture's count, on every box
        assert {e.group("brightness") is not None for e in events} == {True}  # the picture's other groups stay
        counts[path.name] = (persons, [(d.label, round(d.score, 2)) for d in payload.detections])
        engine.extend(events)
    print("nanodet boxes per photo (persons, boxes):", counts)
    assert counts[PORTRAIT.name][0] == 1 and counts[COFFEE.name][0] == 0  # one astronaut; nobody by the cup

    snap = engine.snapshot()
    boxes = sum(len(boxes) for _, boxes in counts.values())
    assert snap.n == boxes and snap.confidence.n == boxes
    scores = [s for _, found in counts.values() for _, s in found]
    assert snap.confidence.mean == pytest.approx(float(np.mean(scores)), abs=0.01)
    rows = {r.value: r.n for r in snap.attribute(PEOPLE_IN_FRAME).rows}
    want: dict[str, int] = {}
    for persons, found in counts.values():
        want[people_band(persons).value] = want.get(people_band(persons).value, 0) + len(found)
    print("monitor, predictions per 'people in frame' group:", rows)
    assert rows == want


def test_pose_and_faces_count_people_and_semantic_masks_and_classifiers_do_not(pipeline: Pipeline) -> None:
    (pose,) = pipeline.run_path(PORTRAIT, "movenet-lightning")
    assert [_people(e) for e in _events(pose)] == ["1"]  # one prediction: the posed person
    (faces,) = pipeline.run_path(PORTRAIT, "centerface", emotion=True, score_threshold=0.5)
    face_events = _events(faces)
    assert len(face_events) == 1 and _people(face_events[0]) == "1" and face_events[0].num_classes == EMOTIONS
    (mask,) = pipeline.run_path(PORTRAIT, "selfie-segmentation")
    assert mask.ok and _events(mask) == []  # a semantic mask gives no prediction to count
    (classified,) = pipeline.run_path(CAT, "efficientnet-lite0")
    (event,) = _events(classified)
    assert _people(event) is None  # a classifier cannot tell how many people there are
    failed = Result(source="x.jpg", ok=False, model_id="nanodet", error="broken")
    assert monitored_results(failed, EMOTIONS) == []


def test_live_frames_reach_the_monitor_as_dropped_photos_do(pipeline: Pipeline) -> None:
    portrait = _photo(PORTRAIT)
    live = LiveDetector(pipeline, "nanodet").process(portrait, 0.0, 1)
    (dropped,) = pipeline.run_path(PORTRAIT, "nanodet")
    live_events, file_events = _events(live.result, "camera"), _events(dropped)
    assert [e.predicted for e in live_events] == [e.predicted for e in file_events]  # same boxes, same classes
    assert np.allclose([e.confidence for e in live_events], [e.confidence for e in file_events], atol=0.02)
    assert all(e.kind == "camera" and _people(e) == "1" for e in live_events)
    assert [a for a, _, _ in live.result.attributes].count(PEOPLE_IN_FRAME) == 1
    # The class filter keeps only the cat of the cat photo, but its person box was counted before it, once.
    (cat_dropped,) = pipeline.run_path(CAT, "nanodet")
    assert isinstance(cat_dropped.payload, DetectionResult)
    persons = sum(d.label == "person" for d in cat_dropped.payload.detections)
    cats = LiveDetector(pipeline, "nanodet", classes=frozenset({"cat"})).process(_photo(CAT), 0.0, 1)
    (kept,) = _events(cats.result, "camera")
    assert kept.predicted == "cat" and _people(kept) == people_band(persons).value
    assert sum(g.attribute == PEOPLE_IN_FRAME for g in kept.groups) == 1
    # Face tracks: the live view's count (faces shown) is kept, not recounted from the raw boxes.
    faces = LiveDetector(pipeline, "centerface", emotion=True)
    frames = [faces.process(portrait, i / 30, i + 1) for i in range(4)]
    shown = len(frames[-1].visible_tracks)
    assert [v for a, v, _ in frames[-1].result.attributes if a == PEOPLE_IN_FRAME] == [people_band(shown).value]
    assert {_people(e) for e in _events(frames[-1].result, "camera")} <= {people_band(shown).value}
