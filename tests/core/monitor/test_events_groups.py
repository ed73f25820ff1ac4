"""Events from Results, the bounded log, group sources and their provenance, margin/entropy."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.errors import MediaError
from desktop_app.core.media.table import parse_csv
from desktop_app.core.monitor.events import Event, EventLog, GroupValue, event_from_result
from desktop_app.core.monitor.groups import (
    brightness_band,
    device_group,
    groups_from_row,
    lookup_sidecar,
    loudness_band,
    merge_groups,
    parse_sidecar,
    read_sidecar,
    resolution_band,
    session_tag,
    sidecar_for,
)
from desktop_app.core.monitor.stats import margin, normalised_entropy
from desktop_app.core.results import ClassificationResult, ClassScore, Result, Timings


def _result(ok: bool = True) -> Result:
    payload = ClassificationResult((ClassScore(3, "cat", 0.7), ClassScore(1, "dog", 0.2)), 10, true_label="cat")
    return Result(source="a.png", ok=ok, model_id="m", model_sha256="ff", timings=Timings(1.0, 2.0, 3.0, 4.0),
                  payload=payload if ok else None, error=None if ok else "bad")


def test_event_from_result_keeps_numbers_and_provenance() -> None:
    e = event_from_result(_result(), [session_tag("session", "B")], "camera", t=5.0)
    assert e is not None and e.top == (("cat", 0.7), ("dog", 0.2)) and e.latency_ms == pytest.approx(10.0)
    assert e.predicted == "cat" and e.true_label == "cat" and e.num_classes == 10 and e.kind == "camera"
    assert e.groups == (GroupValue("session", "B", "session-tag"),)
    assert event_from_result(_result(ok=False)) is None


def test_unknown_provenance_is_refused() -> None:
    with pytest.raises(ValueError):
        GroupValue("sex", "F", "guessed")  # type: ignore[arg-type]


def test_event_log_is_bounded_and_counts_drops() -> None:
    log = EventLog(maxlen=3)
    for i in range(5):
        log.append(Event(t=i, kind="mic", model_id="m", model_sha256="h", provider="CPU", top=(("x", 0.5),)))
    assert len(log) == 3 and log.total == 5 and log.dropped == 2
    assert log.to_aggregates()["by_kind"] == {"mic": 3}


def test_margin_and_entropy_from_top_k() -> None:
    assert margin((("a", 0.7), ("b", 0.2))) == pytest.approx(0.5)
    assert margin((("a", 0.7),)) == pytest.approx(0.4)  # lower bound 2 * top1 - 1
    p = [0.5, 0.3, 0.2]
    exact = -sum(x * math.log(x) for x in p) / math.log(3)
    assert normalised_entropy((("a", 0.5), ("b", 0.3), ("c", 0.2)), 3) == pytest.approx(exact)
    # top-2 of 3 classes: the remaining 0.2 sits on the one unseen class, so it is exact here too
    assert normalised_entropy((("a", 0.5), ("b", 0.3)), 3) == pytest.approx(exact)
    assert normalised_entropy((("a", 1.0),), 1000) == 0.0


def test_groups_from_csv_row_and_missing_column() -> None:
    table = parse_csv(b"age,sex,race\n30,Female,Black\n40,Male,White\n")
    assert groups_from_row(table, 1, ["sex", "race"]) == (GroupValue("sex", "Male", "csv-column"),
                                                          GroupValue("race", "White", "csv-column"))
    with pytest.raises(MediaError, match="no column named 'gender'"):
        groups_from_row(table, 0, ["gender"])


def test_sidecar_labels_csv(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text("file,label,lighting,site\na.jpg,cat,dim,A\nb.jpg,,bright,\n")
    (tmp_path / "a.jpg").write_bytes(b"")
    found = sidecar_for(tmp_path / "a.jpg")
    assert found == tmp_path / "labels.csv"
    entries = read_sidecar(found)
    a = lookup_sidecar(entries, tmp_path / "a.jpg")
    assert a is not None and a.label == "cat"
    assert a.groups == (GroupValue("lighting", "dim", "sidecar"), GroupValue("site", "A", "sidecar"))
    b = entries["b.jpg"]
    assert b.label is None and b.groups == (GroupValue("lighting", "bright", "sidecar"),)
    with pytest.raises(MediaError, match="listed twice"):
        parse_sidecar(parse_csv(b"file,label\na.jpg,x\na.jpg,y\n"))
    with pytest.raises(MediaError, match="starts with"):
        parse_sidecar(parse_csv(b"name,label\na.jpg,x\n"))


def test_computed_slices() -> None:
    assert brightness_band(np.full((4, 4, 3), 20, np.uint8)).value == "dark"
    assert brightness_band(np.full((4, 4), 128, np.uint8)).value == "normal"
    assert brightness_band(np.full((4, 4, 3), 250, np.uint8)) == GroupValue("brightness", "bright", "computed")
    assert [resolution_band(w, h).value for w, h in ((320, 240), (1280, 720), (1920, 1080))] == ["low", "medium", "high"]
    t = np.linspace(0, 1, 16000)
    assert loudness_band(0.001 * np.sin(440 * t)).value == "quiet"
    assert loudness_band(0.1 * np.sin(440 * t)).value == "normal"
    assert loudness_band(0.9 * np.sin(440 * t)).value == "loud"
    assert device_group("USB Camera").provenance == "computed"


def test_merge_prefers_earlier_sources() -> None:
    merged = merge_groups([GroupValue("g", "csv", "csv-column")], [session_tag("g", "tag"), session_tag("s", "B")])
    assert merged == (GroupValue("g", "csv", "csv-column"), GroupValue("s", "B", "session-tag"))
