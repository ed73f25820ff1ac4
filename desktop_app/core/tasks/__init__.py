"""Tasks registered by name: classify, emotion, detect, segment, pose, detect-faces, detect-yolo, detect-ssd, vad,
tabular, text-classify, raw."""

from desktop_app.core.tasks import (  # noqa: F401  (registration)
    classify,
    detect,
    detect_faces,
    detect_ssd,
    detect_yolo,
    pose,
    raw,
    segment,
    tabular,
    text_classify,
    vad,
)
from desktop_app.core.tasks.base import TASKS, StageClock, Task, register, task_class

__all__ = ["TASKS", "StageClock", "Task", "register", "task_class"]
