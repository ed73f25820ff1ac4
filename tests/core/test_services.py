"""The composition root's process-wide settings."""

from __future__ import annotations

from pathlib import Path

import cv2

from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices


def test_creating_the_services_keeps_opencv_on_the_calling_thread(tmp_path: Path) -> None:
    before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(4)
        services = AppServices.create(UserDirs.under(tmp_path))
        assert cv2.getNumThreads() == 1
        assert services.pipeline.card("centerface").id == "centerface"
    finally:
        cv2.setNumThreads(before)
