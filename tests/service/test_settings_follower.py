"""The Windows service follows IT's changes while it runs (``station/service/windows_main.py``):
a token enrolled after the service started, a token cleared, a new policy threshold. Qt-free, so it
runs here on the real service parts: the real emulator, the real private store, the real policy
folder (the Wine test runs the same code in the installed bundle)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest

from station.api.environments import Environment
from station.application.attempt import AttemptReport
from station.application.port import Capture
from station.application.readiness import NotReady
from station.application.recording import JournalRecorder
from station.application.tokens import TokenStore
from station.config import resolve_station_settings
from station.core.encode import encode_jpeg
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.security.private_store import PrivateStore
from station.service.access import AccessRule
from station.service.client import ServiceVerifier
from station.service.main import build_service
from station.service.unix import UnixListener, unix_connector
from station.service.windows_main import SettingsFollower, fingerprint
from tests.machine import write_machine_policy

pytestmark = pytest.mark.anyio


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(data))
    monkeypatch.setenv("STATION_SERVICE_STORE_DIR", str(tmp_path / "private"))
    monkeypatch.delenv("SUREPASS_SANDBOX_TOKEN", raising=False)
    return tmp_path


def _policy(machine: Path, emulator: Emulator, **more: object) -> None:
    values: dict[str, object] = {
        "base_url": emulator.base_url,
        "audit_db": str(machine / "data/audit.sqlite3"),
    }
    write_machine_policy(machine / "config", {**values, **more})


@asynccontextmanager
async def _listening(follower: SettingsFollower) -> AsyncIterator[Path]:
    with tempfile.TemporaryDirectory(prefix="stfollow-") as folder:  # a socket's path is short
        path = Path(folder) / "s.sock"
        listener = UnixListener(path)
        await listener.start(follower.handle)
        try:
            yield path
        finally:
            await listener.close()


async def _verify(path: Path, jpeg: bytes, sequence: int) -> AttemptReport:
    """One caller's connection, as ``station verify`` makes it (the service follows first)."""
    port = ServiceVerifier(unix_connector(path))
    try:
        await port.refresh()
        return await port.verify(Capture(jpeg, sequence, f"s-{sequence}"))
    finally:
        await port.close()


async def test_the_running_service_follows_the_token_and_the_policy(
    machine: Path, emulator: Emulator, frame: np.ndarray
) -> None:
    _policy(machine, emulator)
    vault = PrivateStore(machine / "private", service_account=None, trust_running_account=True)
    tokens = TokenStore(environ={}, vault=vault)
    resolved = resolve_station_settings()
    service = build_service(resolved, AccessRule(os.geteuid(), None))
    follower = SettingsFollower(service, fingerprint(resolved, vault), tokens=tokens)
    jpeg = encode_jpeg(frame)
    try:
        async with _listening(follower) as path:
            # Started before IT enrolled a token: it says so, and nothing is sent.
            sent = emulator.requests_received
            report = await _verify(path, jpeg, 1)
            assert report.kind is OutcomeKind.ERROR and emulator.requests_received == sent
            assert NotReady.TOKEN in [hold.reason for hold in service.verifier.readiness().holds]

            tokens.store(Environment.SANDBOX, emulator.token)  # `token set`, run as an administrator
            report = await _verify(path, jpeg, 2)  # the next caller's connection sees it
            assert report.kind is OutcomeKind.LIVE and emulator.requests_received == sent + 1

            _policy(machine, emulator, liveness_threshold=0.99)  # IT raises the threshold
            report = await _verify(path, jpeg, 3)
            assert service.verifier.policy.liveness_threshold == pytest.approx(0.99)
            assert report.kind is not OutcomeKind.LIVE and emulator.requests_received == sent + 2

            tokens.clear(Environment.SANDBOX)  # `token clear`
            report = await _verify(path, jpeg, 4)
            assert report.kind is OutcomeKind.ERROR and emulator.requests_received == sent + 2
            assert NotReady.TOKEN in [hold.reason for hold in service.verifier.readiness().holds]
            assert await follower.follow() is False  # nothing changed since
    finally:
        await service.drain()
        await follower.aclose()
        recorder = service.verifier.recorder
        if isinstance(recorder, JournalRecorder):
            recorder.journal.close()
