"""Process-wide settings are made by the entry points, not by building the services."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices


def test_creating_the_services_leaves_process_settings_alone(tmp_path: Path) -> None:
    before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(3)
        services = AppServices.create(UserDirs.under(tmp_path))
        assert cv2.getNumThreads() == 3  # thread counts are the entry points' business
        assert services.pipeline.card("centerface").id == "centerface"
    finally:
        cv2.setNumThreads(before)


def test_the_command_line_entry_point_keeps_opencv_on_the_calling_thread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app import cli

    before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(3)
        assert cli.main(["models", "list", "--json"]) == 0
        assert cv2.getNumThreads() == 1
        assert "centerface" in capsys.readouterr().out
    finally:
        cv2.setNumThreads(before)


def test_a_new_image_model_takes_dropped_images_away_from_faces(tmp_path: Path) -> None:
    from desktop_app.core.batch import route

    services = AppServices.create(UserDirs.under(tmp_path / "home"))
    services.update_settings(image_task="detect-faces")
    assert route(tmp_path / "photo.jpg", services.settings).model_id == "centerface"
    services.update_settings(image_model="nanodet")  # what "Use for images" in the Models dock asks for
    assert services.settings.image_task == "detect" and route(tmp_path / "photo.jpg", services.settings).model_id == "nanodet"
    services.update_settings(image_model="movenet-lightning")
    assert services.settings.image_task == "pose"
    services.update_settings(image_task="detect-faces", image_model="selfie-segmentation")  # both named: as asked
    assert services.settings.image_task == "detect-faces"
