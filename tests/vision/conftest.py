"""Fixtures for the vision suite: one real detector for the session (loading it takes a while)."""

from __future__ import annotations

import pytest

from station.vision.faces import FaceDetector
from station.vision.quality import QualityAnalyser


@pytest.fixture(scope="session")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture
def analyser(detector: FaceDetector) -> QualityAnalyser:
    """A fresh analyser (its stream history is per test) sharing the session's detector."""
    return QualityAnalyser(detector)
