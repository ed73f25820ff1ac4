"""Prediction events: what the monitor keeps of every result, a bounded log of them, and live dedup.

An event holds numbers and labels only, never frames or audio. The log is bounded (oldest dropped and
counted); only aggregates (`EventLog.to_aggregates`, the engine's report) are ever written to disk.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from desktop_app.core.results import ClassificationResult, Result

SourceKind = Literal["file", "camera", "mic"]
Provenance = Literal["csv-column", "sidecar", "session-tag", "computed"]
PROVENANCES: tuple[str, ...] = ("csv-column", "sidecar", "session-tag", "computed")


@dataclass(frozen=True)
class GroupValue:
    """One group membership of an event, e.g. ("sex", "Female", "csv-column"), with where it came from."""

    attribute: str
    value: str
    provenance: Provenance

    def __post_init__(self) -> None:
        if self.provenance not in PROVENANCES:
            raise ValueError(f"unknown group provenance {self.provenance!r} (one of {', '.join(PROVENANCES)})")


@dataclass(frozen=True)
class Event:
    """One prediction: when, from where, by which model and provider, its top-k scores and groups.

    `top` is best first; `num_classes` is the size of the full label set (top may cover only part of
    it); `track_id` identifies a tracked face in live video (for `Deduper`).
    """

    t: float
    kind: SourceKind
    model_id: str
    model_sha256: str
    provider: str
    top: tuple[tuple[str, float], ...]
    latency_ms: float = 0.0
    true_label: str | None = None
    groups: tuple[GroupValue, ...] = ()
    source: str = ""
    num_classes: int = 0
    track_id: int | None = None

    def __post_init__(self) -> None:
        if not self.top:
            raise ValueError("an event needs at least one (label, score) in top")

    @property
    def predicted(self) -> str:
        """The top-1 label."""
        return self.top[0][0]

    @property
    def confidence(self) -> float:
        """The top-1 score."""
        return self.top[0][1]

    def score_of(self, label: str) -> float | None:
        """The score of a label, None when it is not among the top-k kept."""
        for name, score in self.top:
            if name == label:
                return score
        return None

    def group(self, attribute: str) -> GroupValue | None:
        """This event's value for an attribute (the first one given), or None."""
        for g in self.groups:
            if g.attribute == attribute:
                return g
        return None


def monitored_results(result: Result, emotion_classes: int) -> list[Result]:
    """The Results the monitor counts for one finished item, as the payload says (`monitor_predictions`):
    a classification as it is, each face's expression of a detection (with `emotion_classes` classes), each
    object box with its class and score. Each carries the item's groups, with "people in frame" counted on
    the whole picture before it is split (`with_people_in_frame`)."""
    payload = result.payload
    if not result.ok or payload is None:
        return []
    result = with_people_in_frame(result)
    return [result if p is payload else replace(result, payload=p) for p in payload.monitor_predictions(emotion_classes)]


def with_people_in_frame(result: Result, count: int | None = None) -> Result:
    """The result with a computed "people in frame" group (0, 1, 2, 3+): `count` when the caller knows it
    (the live view counts the face tracks it shows), else its payload's `people_in_frame` (person boxes above
    the threshold the model ran at, posed people, faces found); unchanged when it has the group already or
    the payload cannot tell (classifiers, semantic masks)."""
    from desktop_app.core.monitor.groups import PEOPLE_IN_FRAME, people_band  # groups builds on GroupValue

    if not result.ok or any(a == PEOPLE_IN_FRAME for a, _, _ in result.attributes):
        return result
    if count is None:
        hook = getattr(result.payload, "people_in_frame", None)
        count = hook() if callable(hook) else None
    if count is None:
        return result
    group = people_band(int(count))
    return replace(result, attributes=(*result.attributes, (group.attribute, group.value, group.provenance)))


def event_from_result(result: Result, groups: Iterable[GroupValue] = (), kind: SourceKind = "file", *,
                      t: float | None = None, true_label: str | None = None,
                      track_id: int | None = None) -> Event | None:
    """A classification Result -> Event; None for failed items and payloads without class scores (other
    payloads reach the monitor through `monitored_results`).

    `true_label` overrides the payload's (e.g. from a sidecar labels.csv); latency is the total of the
    Result's stage timings.
    """
    payload = result.payload
    if not result.ok or not isinstance(payload, ClassificationResult) or not payload.top:
        return None
    return Event(
        t=time.time() if t is None else t,
        kind=kind,
        model_id=result.model_id or "",
        model_sha256=result.model_sha256 or "",
        provider=result.provider.used_short if result.provider else "",
        top=tuple((c.label, float(c.score)) for c in payload.top),
        latency_ms=result.timings.total_ms,
        true_label=true_label if true_label is not None else payload.true_label,
        groups=tuple(groups),
        source=result.source if result.row is None else f"{result.source}#row{result.row}",
        num_classes=payload.num_classes,
        track_id=track_id,
    )


class EventLog:
    """A bounded, thread-safe in-memory log of events; the oldest are dropped (and counted) when full."""

    def __init__(self, maxlen: int = 20_000) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self.maxlen = maxlen
        self._events: deque[Event] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._total = 0

    def append(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)
            self._total += 1

    def extend(self, events: list[Event]) -> None:
        with self._lock:
            self._events.extend(events)
            self._total += len(events)

    def __len__(self) -> int:
        return len(self._events)

    @property
    def total(self) -> int:
        """Events ever appended (including those dropped since)."""
        return self._total

    @property
    def dropped(self) -> int:
        return self._total - len(self._events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._total = 0

    def last_n(self, n: int) -> tuple[list[Event], bool]:
        """The newest n events (oldest first), and whether the log held fewer than asked for."""
        with self._lock:
            events = list(self._events)
        return events[-n:] if n > 0 else [], len(events) < n and self.dropped > 0

    def last_seconds(self, seconds: float, now: float | None = None) -> tuple[list[Event], bool]:
        """Events with t >= now - seconds, and whether older events of that span were already dropped."""
        with self._lock:
            events = list(self._events)
            dropped = self._total - len(events)
        start = (time.time() if now is None else now) - seconds
        kept = [e for e in events if e.t >= start]
        truncated = dropped > 0 and len(kept) == len(events) and bool(events) and events[0].t > start
        return kept, truncated

    def to_aggregates(self) -> dict[str, Any]:
        """Counts only (what may be persisted): totals, dropped, per kind, model, provider and group."""
        with self._lock:
            events = list(self._events)
            total = self._total
        groups: Counter[str] = Counter()
        for e in events:
            groups.update(f"{g.attribute}={g.value} ({g.provenance})" for g in e.groups)
        return {
            "total": total,
            "kept": len(events),
            "dropped": total - len(events),
            "by_kind": dict(Counter(e.kind for e in events)),
            "by_model": dict(Counter(f"{e.model_id}@{e.model_sha256[:12]}" for e in events)),
            "by_provider": dict(Counter(e.provider for e in events)),
            "by_group": dict(groups),
            "labelled": sum(e.true_label is not None for e in events),
        }


class Deduper:
    """Keeps one event per tracked face per time bucket: live video frames are highly correlated.

    Events without a track id always pass. Memory is bounded by `max_tracks` (least recently seen
    tracks are forgotten first).
    """

    def __init__(self, bucket_s: float = 1.0, max_tracks: int = 1024) -> None:
        if bucket_s <= 0:
            raise ValueError("bucket_s must be positive")
        self.bucket_s = bucket_s
        self.max_tracks = max_tracks
        self._last: OrderedDict[int, int] = OrderedDict()
        self._lock = threading.Lock()
        self.skipped = 0

    def admit(self, event: Event) -> bool:
        """True when the event is the first of its track in its time bucket (count it), else False."""
        if event.track_id is None:
            return True
        bucket = int(event.t // self.bucket_s)
        with self._lock:
            if self._last.get(event.track_id) == bucket:
                self.skipped += 1
                return False
            self._last[event.track_id] = bucket
            self._last.move_to_end(event.track_id)
            while len(self._last) > self.max_tracks:
                self._last.popitem(last=False)
            return True
