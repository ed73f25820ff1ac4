"""Self-test: every provider's health and every bundled model run once on its sample input.

Works the same from a checkout and from the frozen app; each check gives one verdict line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from desktop_app.core.models.card import ModelCard
from desktop_app.core.paths import resource_path
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime import health


@dataclass(frozen=True)
class Check:
    """One verdict: name, passed or not, and a one-line detail."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def check_model(pipeline: Pipeline, card: ModelCard) -> Check:
    """Hash check, session, one run on the card's sample input (the run must produce something)."""
    name = f"model {card.id}"
    if not card.sample:
        results = [pipeline.run_data(None, card.id, "random input")] if card.task == "raw" else []
        if not results:
            return Check(name, False, "the model card names no sample input")
    else:
        results = pipeline.run_path(resource_path("samples", card.sample), card.id, emotion=True)
    bad = [r for r in results if not r.ok]
    if not results or bad:
        return Check(name, False, bad[0].error or "failed" if bad else "no result")
    first = results[0]
    produced = first.payload.describe() if first.payload is not None else "ok"
    empty = first.payload is not None and first.payload.is_empty()
    provider = first.provider.used_short if first.provider else "?"
    detail = f"{produced} on {card.sample} [{provider}, {first.timings.total_ms:.0f} ms]"
    if len(results) > 1:
        detail = f"{len(results)} rows, first: " + detail
    return Check(name, not empty, detail if not empty else f"found nothing in {card.sample}")


def run_checks(pipeline: Pipeline) -> Iterator[Check]:
    """Provider health first (an available provider that fails is a failure), then every bundled model."""
    results = health.check_all()
    for item in results:
        if item.healthy:
            yield Check(f"provider {item.short}", True, f"healthy ({item.detail})")
        elif item.available:
            yield Check(f"provider {item.short}", False, item.detail)
        else:
            yield Check(f"provider {item.short}", True, f"not in this build: {item.detail}")
    if not any(h.healthy for h in results):
        yield Check("providers", False, "no execution provider works")
    for problem in pipeline.registry.problems():
        yield Check("models", False, problem)
    for card in pipeline.registry.list():
        if card.bundled:
            yield check_model(pipeline, card)
