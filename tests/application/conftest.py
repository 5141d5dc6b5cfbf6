"""The application layer's tests: the real emulator over loopback, a real client and journal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from station.api import Credential, Environment, LivenessClient, RetryPolicy, Timeouts
from station.audit import AuditJournal
from station.emulator import Emulator
from station.resources import sample_path
from station.vision.faces import FaceDetector

KEY = b"s" * 32


class Clock:
    """A hand-wound monotonic clock: the verdict timeout is tested without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture
def emulator(detector: FaceDetector) -> Iterator[Emulator]:
    with Emulator(scenario="live", detector=detector) as running:
        yield running


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    image = cv2.imread(str(sample_path("face.jpg")))
    assert image is not None
    return image


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[AuditJournal]:
    with AuditJournal.open(tmp_path / "audit.sqlite3", KEY) as opened:
        yield opened


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[LivenessClient]:
    async with LivenessClient(
        Credential(Environment.SANDBOX, emulator.token),
        base_url=emulator.base_url,
        timeouts=Timeouts(connect=2, read=5, write=2, deadline=10),
        retry=RetryPolicy(attempts=1),
    ) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()
