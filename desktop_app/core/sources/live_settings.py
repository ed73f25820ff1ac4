"""The live view's settings (model, live threshold, expressions, object classes shown, background effect):
set from the UI thread at any time, read once per frame as a frozen `FrameSettings`, so one frame never mixes
two settings.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from desktop_app.core.pipeline import Pipeline
from desktop_app.core.sources.live_effects import BackgroundEffect

DETECT_TASK = "detect-faces"
#: Object detectors: their boxes are tracked and smoothed class by class, as a face detector's faces are.
OBJECT_TASKS = frozenset({"detect", "detect-yolo", "detect-ssd"})
#: Tasks whose boxes the live threshold filters (face and object boxes are also smoothed; the others pass through).
THRESHOLD_TASKS = frozenset({DETECT_TASK, "segment", "pose"}) | OBJECT_TASKS


@dataclass(frozen=True)
class FrameSettings:
    """What one frame runs with; `changed`: the model was switched since the previous frame's snapshot;
    `is_detector`: a face detector (smoothed); `task`: the model's task; `classes`: the object classes kept
    (None: all); `background`: the effect applied with a segmenter's person mask (None: the mask is drawn)."""

    model_id: str
    threshold: float
    emotion: bool
    changed: bool
    is_detector: bool
    task: str = ""
    classes: frozenset[str] | None = None  # object classes kept (None: all)
    background: BackgroundEffect | None = None  # applied when the model gives a person mask

    @property
    def thresholded(self) -> bool:
        """Whether the live threshold filters this model's boxes (detectors, segmenters, pose models)."""
        return self.task in THRESHOLD_TASKS

    @property
    def tracks_boxes(self) -> bool:
        """Whether this frame's boxes are tracked and smoothed (face and object detectors)."""
        return self.is_detector or self.task in OBJECT_TASKS


class LiveSettings:
    """Thread-safe live settings: any thread sets, the frame loop `take`s one snapshot per frame."""

    def __init__(self, pipeline: Pipeline, model_id: str, *, threshold: float | None = None,
                 emotion: bool = False, classes: frozenset[str] | None = None,
                 background: BackgroundEffect | None = None) -> None:
        self.pipeline = pipeline
        self._lock = threading.Lock()
        self._classes = classes
        self._background = background
        self._model_id = model_id
        self._emotion = bool(emotion)
        self._threshold = threshold if threshold is not None else self.card_threshold(model_id)
        self._changed = False
        self._tasks: dict[str, str] = {}  # model id -> its card's task (looked up once per model)

    def card_threshold(self, model_id: str) -> float:
        """The model card's score threshold (0.5 when the card has none or cannot be read)."""
        try:
            return self.pipeline.card(model_id).threshold("score", 0.5)
        except Exception:  # unknown model: the pipeline reports it on the first frame
            return 0.5

    @property
    def threshold(self) -> float:
        with self._lock:
            return self._threshold

    def set_threshold(self, value: float) -> None:
        """The live score threshold, clamped to [0, 1]; applies from the next frame."""
        with self._lock:
            self._threshold = float(min(1.0, max(0.0, value)))

    @property
    def model_id(self) -> str:
        with self._lock:
            return self._model_id

    def set_model(self, model_id: str, threshold: float | None = None) -> None:
        """Switch model from the next frame (its card's threshold unless one is given)."""
        new_threshold = threshold if threshold is not None else self.card_threshold(model_id)
        with self._lock:
            self._model_id, self._threshold, self._changed = model_id, new_threshold, True

    @property
    def emotion(self) -> bool:
        with self._lock:
            return self._emotion

    def set_emotion(self, enabled: bool) -> None:
        """Run the expression model on each face crop (the detector's card names it) from the next frame."""
        with self._lock:
            self._emotion = bool(enabled)

    @property
    def classes(self) -> frozenset[str] | None:
        with self._lock:
            return self._classes

    def set_classes(self, classes: frozenset[str] | None) -> None:
        """Keep only these object classes from the next frame (None: all of them)."""
        with self._lock:
            self._classes = frozenset(classes) if classes is not None else None

    @property
    def background(self) -> BackgroundEffect | None:
        with self._lock:
            return self._background

    def set_background(self, effect: BackgroundEffect | None) -> None:
        """Blur or replace the background with a segmenter's person mask from the next frame (None: draw the mask)."""
        with self._lock:
            self._background = effect

    def take(self) -> FrameSettings:
        """The settings for one frame; a model switch is reported (`changed`) by exactly one snapshot."""
        with self._lock:
            changed, self._changed = self._changed, False
            model_id, threshold, emotion = self._model_id, self._threshold, self._emotion
            classes, background = self._classes, self._background
        task = self.task_of(model_id)
        return FrameSettings(model_id, threshold, emotion, changed, task == DETECT_TASK, task, classes, background)

    def task_of(self, model_id: str) -> str:
        """The model's task (cached per model; an unknown model gives "" and is looked up again)."""
        known = self._tasks.get(model_id)
        if known is not None:
            return known
        try:
            found = self.pipeline.card(model_id).task
        except Exception:  # unknown model: the pipeline reports it; look again next frame
            return ""
        self._tasks[model_id] = found
        return found

    def is_detector(self, model_id: str) -> bool:
        """Whether the model is a face detector (its frames are smoothed)."""
        return self.task_of(model_id) == DETECT_TASK
