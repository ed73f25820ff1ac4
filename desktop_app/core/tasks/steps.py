"""The split steps of a task that can run several inputs in one model call (the batch engine's view)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from desktop_app.core.tasks.base import StageClock


class BatchSteps(ABC):
    """Pre-process one input to a (1, ...) tensor, run one stacked (N, ...) tensor, post-process one row.

    Mixed into a Task whose `run` is exactly these three steps on one input, so a batched run gives the
    same payloads as N single runs."""

    @property
    @abstractmethod
    def batch_dynamic(self) -> bool:
        """True when the model's batch dimension is free, so equal-shaped tensors may be stacked."""

    @abstractmethod
    def preprocess(self, data: Any) -> tuple[np.ndarray, Any]:
        """One decoded input -> its (1, ...) tensor and what post-processing needs to know of it."""

    @abstractmethod
    def infer(self, tensor: np.ndarray) -> tuple[list[np.ndarray], float]:
        """One session run on an (N, ...) tensor -> its outputs (leading dimension N) and wall ms."""

    @abstractmethod
    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> Any:
        """One input's rows of the outputs (leading dimension 1) and its context -> its payload."""

    def run_steps(self, data: Any, clock: StageClock, **options: Any) -> Any:
        """The three steps on one input, each timed on `clock`: what such a task's `run` is."""
        with clock.stage("preprocess"):
            tensor, context = self.preprocess(data)
        outputs, ms = self.infer(tensor)
        clock.add("inference", ms)
        with clock.stage("postprocess"):
            return self.postprocess(outputs, context, **options)


def dynamic_batch(shape: list[int | str | None] | tuple[int | str | None, ...]) -> bool:
    """True when the leading dimension of a model input's shape is symbolic or unknown."""
    return bool(shape) and not (isinstance(shape[0], int) and shape[0] > 0)
