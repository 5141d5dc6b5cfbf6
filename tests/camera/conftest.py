"""Fixtures for the camera suite: real media, no mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.camera.support import MjpegCamera, StateRecorder, write_video


@pytest.fixture
def video_path(tmp_path: Path) -> Path:
    """30 frames, 320x240, 60 fps: loops twice a second."""
    return write_video(tmp_path / "clip.avi", frames=30, fps=60.0)


@pytest.fixture
def recorder() -> StateRecorder:
    return StateRecorder()


@pytest.fixture
def mjpeg_camera() -> Iterator[MjpegCamera]:
    camera = MjpegCamera()
    camera.start()
    yield camera
    camera.stop()
