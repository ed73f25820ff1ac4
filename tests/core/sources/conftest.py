"""Fixtures of the live-source tests: the face video (real photos composed in code) and a CPU pipeline."""

from __future__ import annotations

import pytest

from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime.session import SessionPool
from tests.conftest import MODELS
from tests.core.sources.face_video import FaceVideo, make_face_video


@pytest.fixture(scope="session")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> FaceVideo:
    return make_face_video(tmp_path_factory.mktemp("face-video"))


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(ModelRegistry(MODELS, tmp_path_factory.mktemp("user-models")), SessionPool("cpu"))
