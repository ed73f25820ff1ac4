"""`classify` and `emotion`: image classification with pre-processing from the model card, softmax, top-k."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.errors import ModelCardError
from desktop_app.core.media.image import load_image
from desktop_app.core.models.card import ModelCard, read_labels_file
from desktop_app.core.models.card_outputs import ClassifyOutputs
from desktop_app.core.results import ClassificationResult, ClassScore, MultiHeadResult
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


def softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    shifted = scores.astype(np.float64) - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


#: `[classify] activation` -> how raw scores become probabilities.
ACTIVATIONS: dict[str, Any] = {
    "auto": to_probabilities,
    "softmax": softmax,
    "sigmoid": lambda s: 1.0 / (1.0 + np.exp(-s.astype(np.float64))),
    "none": lambda s: s.astype(np.float64),
}


def class_count(card: ModelCard, field: str, name: str, shape: list[Any]) -> int | None:
    """The class dimension of a scores output ([1,C], [1,C,1,1], [C]); refuses a table-like output."""
    dims = shape[1:] if len(shape) > 1 else shape
    large = [d for d in dims if not (isinstance(d, int) and d == 1)]
    if len(large) > 1:
        raise ModelCardError(f"{card.id}: {field}: output {name!r} {shape} is not class scores [1,C]; describe "
                             "the model with the task its output fits (detect for a table of boxes)")
    return large[0] if large and isinstance(large[0], int) else (1 if not large else None)


class ScoresHead:
    """One scores output of a classifier with its activation and labels, checked against the model."""

    def __init__(self, card: ModelCard, session: ModelSession, field: str, output: str | None, activation: str,
                 labels: tuple[str, ...]) -> None:
        name = output or session.output_names[0]
        if name not in session.output_names:
            raise ModelCardError(f"{card.id}: {field} output {name!r} is not an output of the model; its outputs "
                                 f"are {', '.join(session.output_names)}")
        shape = list(next(o.shape for o in session.outputs if o.name == name))
        classes = class_count(card, field, name, shape)
        if labels and classes is not None and len(labels) != classes:
            raise ModelCardError(f"{card.id}: {field} labels: {len(labels)} labels for {classes} classes in output "
                                 f"{name!r} {shape}")
        self.index = session.output_names.index(name)
        self.activate = ACTIVATIONS[activation]
        self.labels = labels

    def probabilities(self, outputs: list[np.ndarray]) -> np.ndarray:
        """(N, classes) probabilities of a run's outputs."""
        scores = np.asarray(outputs[self.index])
        return np.asarray(self.activate(scores.reshape(scores.shape[0], -1)))


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
        spec = card.classify or ClassifyOutputs()
        self.main = ScoresHead(card, session, "[classify]", spec.output, spec.activation, self.labels)
        self.heads = tuple(
            (h.name, ScoresHead(card, session, f"[[classify.heads]] {h.name!r}", h.output, h.activation,
                                h.labels or read_labels_file(card.folder, h.labels_file, card.id)))
            for h in spec.heads)

    def decode(self, path: Path) -> np.ndarray:
        return load_image(path)

    def probabilities(self, tensor: np.ndarray) -> tuple[np.ndarray, float]:
        """Run a prepared (N, ...) tensor; returns (N, classes) probabilities and inference ms."""
        outputs, ms = self.session.run({self.input_name: tensor})
        return self.main.probabilities(outputs), ms

    @property
    def batch_dynamic(self) -> bool:
        return dynamic_batch(next(i.shape for i in self.session.inputs if i.name == self.input_name))

    def preprocess(self, data: Any) -> tuple[np.ndarray, Any]:
        tensor, _ = self.prep(data)
        return tensor, None

    def infer(self, tensor: np.ndarray) -> tuple[list[np.ndarray], float]:
        return self.session.run({self.input_name: tensor})

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> Any:
        k = int(options.get("top_k", 5))
        if self.heads:
            return MultiHeadResult(tuple((name, self._top(head, outputs, k)) for name, head in self.heads))
        return self._top(self.main, outputs, k)

    @staticmethod
    def _top(head: ScoresHead, outputs: list[np.ndarray], k: int) -> ClassificationResult:
        probs = head.probabilities([o[:1] for o in outputs])
        return ClassificationResult(top=top_k(probs[0], head.labels, k), num_classes=int(probs.shape[1]))

    def run(self, data: Any, clock: StageClock, **options: Any) -> Any:
        return self.run_steps(data, clock, **options)

    def classify_batch(self, images: list[np.ndarray], clock: StageClock, k: int = 1) -> list[ClassificationResult]:
        """Several crops in one batched run (used for the second stage on detected faces)."""
        if not images:
            return []
        with clock.stage("preprocess"):
            tensor = self.prep.batch(images)
        probs, ms = self.probabilities(tensor)
        clock.add("inference", ms)
        return [ClassificationResult(top=top_k(p, self.main.labels, k), num_classes=int(p.shape[0])) for p in probs]


@register
class EmotionTask(ClassifyTask):
    """Facial expression on a face crop: classification whose input is a tight face image."""

    name = "emotion"
