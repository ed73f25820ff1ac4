"""Event builders shared by the monitor tests."""

from __future__ import annotations

import numpy as np

from desktop_app.core.monitor.events import Event, GroupValue

POS, NEG = "yes", "no"


def binary_event(p_pos: float, truth: str | None, groups: dict[str, str], t: float = 0.0, source: str = "") -> Event:
    """A two-class event with the positive class's probability p_pos."""
    top = ((POS, p_pos), (NEG, 1 - p_pos)) if p_pos >= 0.5 else ((NEG, 1 - p_pos), (POS, p_pos))
    return Event(t=t, kind="file", model_id="m", model_sha256="abc", provider="CPU", top=top, latency_ms=1.0,
                 true_label=truth, groups=tuple(GroupValue(a, v, "csv-column") for a, v in groups.items()),
                 source=source, num_classes=2)


def random_events(seed: int, n: int, sizes: dict[str, int]) -> tuple[list[Event], np.ndarray, np.ndarray, np.ndarray]:
    """Random binary predictions over named groups of given sizes -> (events, y_true, y_pred, group)."""
    rng = np.random.default_rng(seed)
    groups = np.array([g for g, k in sizes.items() for _ in range(k)] +
                      list(rng.choice(["a", "b", "c"], n - sum(sizes.values()))))
    p = rng.random(len(groups))
    y = (rng.random(len(groups)) < 0.4).astype(int)
    y[groups == "nopos"] = 0
    events = [binary_event(float(pi), POS if yi else NEG, {"g": str(gi)}) for pi, yi, gi in zip(p, y, groups, strict=True)]
    y_pred = np.array([1 if e.predicted == POS else 0 for e in events])
    return events, y, y_pred, groups
