"""How a live model runs when it falls behind its source: the most frames in flight at once and the
intra-op threads of each model call, from the provider its session really got.

"In flight" means one thing on the live path: a frame handed to the model whose result has not been
handed back yet. On CPU two frames in flight, each call on a quarter of the logical CPUs, keep a small
detector's cores busier than one call split over them (see bench/bench_camera.py --modes).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime.parallel import core_split, usable_cores

__all__ = ["ONE_AT_A_TIME", "LivePlan", "live_plan", "model_plan", "open_live_sessions", "usable_cores"]


@dataclass(frozen=True)
class LivePlan:
    """The most frames in flight at once, and intra-op threads per model call (None: the card's hint or
    ONNX Runtime's default)."""

    max_in_flight: int
    threads: int | None


#: One frame in flight on ONNX Runtime's default threads: how every live run starts (lowest latency).
ONE_AT_A_TIME = LivePlan(1, None)


def live_plan(provider: str, cores: int | None = None) -> LivePlan:
    """Two frames in flight on CPU with at least two cores, each call on a quarter of the logical CPUs
    (`runtime.parallel.core_split`); one frame at a time with ONNX Runtime's default threads on a GPU,
    which already works while the CPU waits."""
    split = core_split(provider, cores)
    return ONE_AT_A_TIME if split.calls == 1 else LivePlan(split.calls, split.threads)


def model_plan(pipeline: Pipeline, model_id: str) -> LivePlan | None:
    """`live_plan` for the provider the model's session really got; None when the model cannot be loaded
    (the pipeline reports why on the frames that use it)."""
    try:
        return live_plan(pipeline.task(model_id).session.report.used)
    except Exception:
        return None


def open_live_sessions(pipeline: Pipeline, model_id: str) -> LivePlan:
    """Open the sessions that two frames in flight would use for `model_id` (its own and its second
    stage's) when its plan has two; the app's start-up warm-up calls this, so switching a live view to
    two frames does not load models in the middle of it. Never raises."""
    plan = model_plan(pipeline, model_id) or ONE_AT_A_TIME
    if plan.max_in_flight > 1:
        try:
            task = pipeline.task(model_id, threads=plan.threads)
            if task.card.second_stage:
                pipeline.task(task.card.second_stage, threads=plan.threads)
        except Exception:  # a broken second stage is reported on the frames that use it
            pass
    return plan
