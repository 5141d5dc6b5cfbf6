"""API tests talk to the project's emulator over a real loopback socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from station.api import Credential, Environment, RetryPolicy, Timeouts
from station.emulator import Emulator
from station.resources import sample_path
from station.vision.faces import FaceDetector

#: A token shaped like the real thing, so a leak would be visible wherever it went.
SECRET = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdGF0aW9uLXRlc3QifQ.c2VjcmV0LXNpZ25hdHVyZS0xMjM0NQ"

#: Fast retries for tests; the bounds and order are what is under test, not the waits.
FAST_RETRY = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.05, retry_after_cap=2.0)
SHORT = Timeouts(connect=2.0, read=2.0, write=2.0, deadline=10.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture
def emulator(detector: FaceDetector) -> Iterator[Emulator]:
    """A fresh emulator per test (its counters start at zero), sharing one detector."""
    with Emulator(token=SECRET, scenario="live", detector=detector) as running:
        yield running


@pytest.fixture
def credential() -> Credential:
    return Credential(Environment.SANDBOX, SECRET)


@pytest.fixture(scope="session")
def face_jpeg() -> bytes:
    return sample_path("face.jpg").read_bytes()
