"""The monitor counts one model at a time: every model's events are logged, the chosen model's are counted,
and switching recounts from the log (windows included)."""

from __future__ import annotations

from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine, Window
from desktop_app.core.monitor.events import Event


def _event(model: str, label: str, score: float) -> Event:
    return Event(t=0, kind="file", model_id=model, model_sha256="h", provider="CPU",
                 top=((label, score), ("other", 1 - score)), num_classes=2)


def test_only_the_chosen_model_is_counted_and_switching_recounts() -> None:
    engine = MonitorEngine(MonitorConfig(model="a"))
    engine.extend([_event("a", "cat", 0.9)] * 3 + [_event("b", "cup", 0.4)] * 5 + [_event("a", "dog", 0.7)])
    snap = engine.snapshot()
    assert snap.n == 4 and [m for m, _ in snap.models] == ["a"]
    assert snap.confidence.mean is not None and abs(snap.confidence.mean - (3 * 0.9 + 0.7) / 4) < 1e-9
    assert engine.seen_models() == ["a", "b"] and engine.newest_model() == "a"
    engine.reconfigure(model="b")
    snap = engine.snapshot()
    assert snap.n == 5 and [m for m, _ in snap.models] == ["b"]
    assert engine.snapshot(Window.last_n(4)).n == 3  # the last four events hold three of b's
    engine.reconfigure(model=None)
    assert engine.snapshot().n == 9  # None: every model together, as before
    engine.reset()
    assert engine.seen_models() == [] and engine.newest_model() is None
