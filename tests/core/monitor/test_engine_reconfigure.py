"""MonitorEngine.reconfigure: a new positive class, threshold or min n recounts the same events exactly."""

from __future__ import annotations

import pytest

from desktop_app.core.monitor.engine import MonitorConfig, MonitorEngine
from tests.core.monitor.helpers import NEG, POS, random_events


def _engine(config: MonitorConfig, events: list) -> MonitorEngine:  # type: ignore[type-arg]
    engine = MonitorEngine(config)
    engine.extend(events)
    return engine


def test_reconfigure_equals_a_fresh_engine_with_that_config() -> None:
    events = random_events(3, 500, {"solo": 1})[0]
    engine = _engine(MonitorConfig(positive_label=POS), events[:300])
    engine.reconfigure(positive_label=NEG, low_confidence=0.7, min_n=5)
    engine.extend(events[300:])
    want = _engine(MonitorConfig(positive_label=NEG, low_confidence=0.7, min_n=5), events[:300])
    want.snapshot()  # the same two numpy batches (300 + 200), so the same float sums to the last bit
    want.extend(events[300:])
    assert engine.report() == want.report()
    assert engine.config.positive_label == NEG and not engine.snapshot().truncated


def test_reconfigure_after_the_log_dropped_events_says_truncated() -> None:
    events = random_events(4, 200, {})[0]
    engine = _engine(MonitorConfig(positive_label=POS, log_size=50), events)
    assert engine.snapshot().n == 200
    engine.reconfigure(positive_label=NEG)
    snap = engine.snapshot()
    assert snap.n == 50 and snap.truncated
    engine.reset()
    assert not engine.snapshot().truncated


def test_reconfigure_refuses_structural_settings() -> None:
    with pytest.raises(ValueError, match="log_size"):
        MonitorEngine().reconfigure(log_size=10)
