"""`pose`: people (or objects) with keypoints in original pixels. Layouts (`[pose] layout`): `yolo` / `rows`
take boxes from `[detect]` with K keypoints after each box's class scores; `keypoints` is one person without a
box ([1,1,K,3] or [1,K,3], e.g. MoveNet's y, x, score in 0..1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.card_outputs import PoseOutputs
from desktop_app.core.results import Keypoint, PosedPerson, PoseResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import register
from desktop_app.core.tasks.detect import BoxTask, ImageContext, ImageModelTask
from desktop_app.core.tasks.detect_boxes import output_name
from desktop_app.core.tasks.image_prep import Geometry


def to_keypoints(values: np.ndarray, spec: PoseOutputs, geo: Geometry, size: tuple[int, int],
                 relative: bool, order: str = "xy") -> tuple[Keypoint, ...]:
    """K x dims values in model-input pixels (or 0..1) -> keypoints in original pixels, clipped to the image."""
    points = values.reshape(spec.keypoints, spec.dims).astype(np.float32)
    xs, ys = (points[:, 1], points[:, 0]) if order == "yx" else (points[:, 0], points[:, 1])
    if relative:
        xs, ys = xs * geo.input_width, ys * geo.input_height
    ox, oy = geo.to_original(xs, ys)
    ox, oy = np.clip(ox, 0, size[0]), np.clip(oy, 0, size[1])
    scores = points[:, 2] if spec.dims == 3 else np.ones(spec.keypoints, np.float32)
    return tuple(Keypoint(float(x), float(y), float(s)) for x, y, s in zip(ox, oy, scores, strict=True))


class PoseTaskBase(ImageModelTask):
    """What every pose layout shares: the `[pose]` table and building the payload."""

    name = "pose"
    payload_type = PoseResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        if card.pose is None:
            raise ModelCardError(f"{card.id}: task 'pose' needs a [pose] table")
        self.spec: PoseOutputs = card.pose
        super().__init__(card, session, pool)

    def result(self, people: tuple[PosedPerson, ...], context: ImageContext) -> PoseResult:
        width, height = context[1]
        return PoseResult(people=people, skeleton=self.spec.skeleton, keypoint_names=self.spec.keypoint_names,
                          keypoint_threshold=self.card.threshold("keypoint", 0.5), width=width, height=height)


class BoxPoseTask(BoxTask, PoseTaskBase):
    """`yolo` / `rows`: boxes from `[detect]`, each followed by K keypoints (x, y[, score]) in input pixels."""

    def extra_values(self) -> int:
        return self.spec.keypoints * self.spec.dims

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> PoseResult:
        found = self.find(outputs, context, options)
        geo, size = context
        relative = self.boxes.spec.coords == "relative"
        people = tuple(
            PosedPerson(box=tuple(float(v) for v in box), score=float(score),  # type: ignore[arg-type]
                        label=self.boxes.label(int(cls)), keypoints=to_keypoints(kp, self.spec, geo, size, relative))
            for box, score, cls, kp in zip(found.boxes, found.scores, found.classes, found.extra, strict=True))
        return self.result(people, context)


class SinglePoseTask(PoseTaskBase):
    """`keypoints`: one person's K keypoints, no box; the person's score is the keypoints' mean score."""

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.output = output_name(card, session, self.spec.output, "[pose] output")
        shape = list(next(o.shape for o in session.outputs if o.name == self.output))
        k, dims = (shape[-2], shape[-1]) if len(shape) >= 2 else (None, None)
        if len(shape) < 3 or (isinstance(k, int) and k != self.spec.keypoints) or (
                isinstance(dims, int) and dims != self.spec.dims):
            raise ModelCardError(f"{card.id}: [pose] keypoints/dims: output {self.output!r} {shape} is not "
                                 f"[1,1,{self.spec.keypoints},{self.spec.dims}] (keypoints = "
                                 f"{self.spec.keypoints}, dims = {self.spec.dims})")

    def postprocess(self, outputs: list[np.ndarray], context: Any, **options: Any) -> PoseResult:
        geo, size = context
        values = self.named(outputs)[self.output].reshape(-1)[: self.spec.keypoints * self.spec.dims]
        points = to_keypoints(values, self.spec, geo, size, self.spec.coords == "relative", self.spec.order)
        score = float(np.mean([p.score for p in points])) if points else 0.0
        label = self.labels[0] if self.labels else "person"
        threshold = self.card.threshold("score", 0.0)
        people = (PosedPerson(box=None, score=score, label=label, keypoints=points),) if score > threshold else ()
        return self.result(people, context)


#: The pose task's strategies by `[pose] layout`.
POSE_LAYOUTS: dict[str, type[PoseTaskBase]] = {"yolo": BoxPoseTask, "rows": BoxPoseTask, "keypoints": SinglePoseTask}


@register
class PoseTask(PoseTaskBase):
    """Image -> people with keypoints; built as the card's layout says (one name in the task registry)."""

    def __new__(cls, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> Any:
        if card.pose is None:
            raise ModelCardError(f"{card.id}: task 'pose' needs a [pose] table")
        return POSE_LAYOUTS[card.pose.layout](card, session, pool)
