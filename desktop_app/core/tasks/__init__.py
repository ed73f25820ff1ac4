"""Tasks registered by name: classify, emotion, detect-faces, detect-yolo, detect-ssd, vad, tabular, raw."""

from desktop_app.core.tasks import (  # noqa: F401  (registration)
    classify,
    detect_faces,
    detect_ssd,
    detect_yolo,
    raw,
    tabular,
    text_classify,
    vad,
)
from desktop_app.core.tasks.base import TASKS, StageClock, Task, register, task_class

__all__ = ["TASKS", "StageClock", "Task", "register", "task_class"]
