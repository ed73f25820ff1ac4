"""Tasks registered by name: classify, emotion, detect-faces, vad, tabular, raw."""

from desktop_app.core.tasks import classify, detect_faces, raw, tabular, vad  # noqa: F401  (registration)
from desktop_app.core.tasks.base import TASKS, StageClock, Task, register, task_class

__all__ = ["TASKS", "StageClock", "Task", "register", "task_class"]
