"""`classify` and `emotion`: image classification with pre-processing from the model card, softmax, top-k."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.media.image import load_image
from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import ClassificationResult, ClassScore
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, register
from desktop_app.core.tasks.image_prep import image_input
from desktop_app.core.tasks.steps import BatchSteps, dynamic_batch


def to_probabilities(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, unless the rows already are probabilities (non-negative, sum 1)."""
    scores = scores.astype(np.float64, copy=False)
    sums = scores.sum(axis=-1, keepdims=True)
    if scores.min() >= 0.0 and np.all(np.abs(sums - 1.0) < 1e-3):
        return scores / sums
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def top_k(probs: np.ndarray, labels: tuple[str, ...], k: int) -> tuple[ClassScore, ...]:
    """The k best classes of one probability vector, best first (ties keep index order)."""
    k = max(1, min(k, probs.shape[-1]))
    idx = np.argpartition(-probs, k - 1)[:k]
    idx = idx[np.lexsort((idx, -probs[idx]))]
    return tuple(
        ClassScore(int(i), labels[i] if i < len(labels) else f"class {int(i)}", float(probs[i])) for i in idx
    )


@register
class ClassifyTask(Task, BatchSteps):
    """Image -> top-k classes; its split steps let the batch engine stack several images in one run."""

    name = "classify"
    input_kind = "image"
    payload_type = ClassificationResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.input_name, self.prep = image_input(card, session)
        self.labels = card.labels()

    def decode(self, path: Path) -> np.ndarray:
        return load_image(path)

    def probabilities(self, tensor: np.ndarray) -> tuple[np.ndarray, float]:
        """Run a prepared (N, ...) tensor; returns (N, classes) probabilities and inference ms."""
        (scores, *_), ms = self.session.run({self.input_name: tensor})
        scores = np.asarray(scores).reshape(scores.shape[0], -1)
        return to_probabilities(scores), ms

    @property
    def batch_dynamic(self) -> bool:
        return dynamic_batch(next(i.shape for i in self.session.inputs if i.name == self.input_name))

    def preprocess(self, data: Any) -> tuple[np.ndarray, Any]:
        tensor, _ = self.prep(data)
        return tensor, None

    def infer(self, tensor: np.ndarray) -> tuple[list[np.ndarray], float]:
        return self.session.run({self.input_name: tensor})

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> ClassificationResult:
        probs = to_probabilities(outputs[0].reshape(1, -1))
        return ClassificationResult(top=top_k(probs[0], self.labels, int(options.get("top_k", 5))),
                                    num_classes=int(probs.shape[1]))

    def run(self, data: Any, clock: StageClock, **options: Any) -> ClassificationResult:
        with clock.stage("preprocess"):
            tensor, context = self.preprocess(data)
        outputs, ms = self.infer(tensor)
        clock.add("inference", ms)
        with clock.stage("postprocess"):
            return self.postprocess(outputs, context, **options)

    def classify_batch(self, images: list[np.ndarray], clock: StageClock, k: int = 1) -> list[ClassificationResult]:
        """Several crops in one batched run (used for the second stage on detected faces)."""
        if not images:
            return []
        with clock.stage("preprocess"):
            tensor = self.prep.batch(images)
        probs, ms = self.probabilities(tensor)
        clock.add("inference", ms)
        return [ClassificationResult(top=top_k(p, self.labels, k), num_classes=int(p.shape[0])) for p in probs]


@register
class EmotionTask(ClassifyTask):
    """Facial expression on a face crop: classification whose input is a tight face image."""

    name = "emotion"
