"""How a live model runs when it falls behind its source: the `runtime.parallel.CoreSplit` for the provider
its session really got, whose `calls` is the most frames in flight at once and `threads` the intra-op
threads of each model call (the batch engine splits the cores the same way).

"In flight" means one thing on the live path: a frame handed to the model whose result has not been
handed back yet. On CPU two frames in flight, each call on a quarter of the logical CPUs, keep a small
detector's cores busier than one call split over them (see bench/bench_camera.py --modes).
"""

from __future__ import annotations

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime.parallel import ONE_CALL, CoreSplit, core_split

__all__ = ["model_plan", "open_live_sessions"]


def model_plan(pipeline: Pipeline, model_id: str) -> CoreSplit | None:
    """`core_split` for the provider the model's session really got; None when the model cannot be loaded
    (the pipeline reports why on the frames that use it)."""
    try:
        return core_split(pipeline.task(model_id).session.report.used)
    except Exception:
        return None


def open_live_sessions(pipeline: Pipeline, model_id: str) -> CoreSplit:
    """Open the sessions that two frames in flight would use for `model_id` (its own and its second
    stage's) when its plan has two; the app's start-up warm-up calls this, so switching a live view to
    two frames does not load models in the middle of it. Never raises."""
    plan = model_plan(pipeline, model_id) or ONE_CALL
    if plan.calls > 1:
        try:
            task = pipeline.task(model_id, threads=plan.threads)
            if task.card.second_stage:
                pipeline.task(task.card.second_stage, threads=plan.threads)
        except Exception:  # a broken second stage is reported on the frames that use it
            pass
    return plan
