"""The window as the station service's client (an installed station): the real StationService on
a real Unix socket in the window's own loop, its own emulator counting requests. When the service
cannot write its "attempt started" row it sends nothing, and the window says why."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytestqt.qtbot import QtBot

from station.api import Credential, Environment, LivenessClient, RetryPolicy, Timeouts
from station.app import Station
from station.application.health import Level, Part
from station.application.kinds import ErrorKind, RecordKind
from station.application.recording import AttemptContext, JournalRecorder, ServiceKeepsTheJournal
from station.application.verifier import Verifier
from station.audit import AuditJournal, AuditWriteError
from station.audit.records import AuditRecord
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.service.access import AccessRule
from station.service.client import ServiceVerifier
from station.service.server import StationService
from station.service.unix import UnixListener, unix_connector
from tests.ui.conftest import AUDIT_KEY, close_station, start_station
from tests.ui.test_station_flow import capture

T = TypeVar("T")


class StartedRowsFail(AuditJournal):
    """The service's real journal, refusing the "attempt started" rows (a full disk, say)."""

    def append(self, record: AuditRecord) -> int:
        if record.kind == RecordKind.ATTEMPT_STARTED:
            raise AuditWriteError("the disk is full")
        return super().append(record)


def _wait(qtbot: QtBot, coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the window's loop and wait for it (the loop runs while qtbot waits)."""
    task = asyncio.ensure_future(coroutine)
    qtbot.waitUntil(task.done, timeout=10_000)
    return task.result()


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="stwin-"))  # a socket's path is short
    yield path
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def station_over_a_service(
    qtbot: QtBot, folder: Path, emulator: Emulator, journal: AuditJournal
) -> Iterator[Station]:
    """The window as an installed station's: the real service on a Unix socket, holding the
    token, the client (to ``emulator``) and ``journal``; the window holds none of them."""
    client = LivenessClient(
        Credential(Environment.SANDBOX, emulator.token),
        base_url=emulator.base_url,
        timeouts=Timeouts(connect=2, read=5, write=2, deadline=10),
        retry=RetryPolicy(attempts=1),
    )
    parts = Verifier(client, DecisionPolicy(), JournalRecorder(journal, AttemptContext()))
    service = StationService(parts, None, AccessRule(os.geteuid(), None))
    listener = UnixListener(folder / "s.sock")
    _wait(qtbot, listener.start(service.handle))
    port = ServiceVerifier(unix_connector(folder / "s.sock"))
    _wait(qtbot, port.refresh())
    station = start_station(qtbot, port=port, recorder=ServiceKeepsTheJournal())
    try:
        yield station
    finally:
        close_station(qtbot, station)
        _wait(qtbot, port.close())
        _wait(qtbot, listener.close())
        _wait(qtbot, service.drain())
        _wait(qtbot, client.aclose())


def test_the_window_says_why_the_service_sent_nothing(qtbot: QtBot, tmp_path: Path, folder: Path) -> None:
    with (
        Emulator(scenario="live") as emulator,
        StartedRowsFail.open(tmp_path / "service-journal.sqlite3", AUDIT_KEY) as journal,
        station_over_a_service(qtbot, folder, emulator, journal) as station,
    ):
        report = capture(qtbot, station)
        assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.JOURNAL_UNWRITABLE
        assert not report.final
        banner = station.window.banner
        assert banner.kind is OutcomeKind.ERROR
        assert "audit journal cannot be written" in banner.message_text + station.window.details.text()
        assert emulator.requests_received == 0  # nothing was sent, so nothing was charged


def test_the_window_holds_no_client_and_shows_the_services_own_balance(
    qtbot: QtBot, tmp_path: Path, folder: Path
) -> None:
    """Behind the station service the window builds no HTTP client and reads no token: the service
    part of its health strip is what the service read with its own token, through the port."""
    with (
        Emulator(scenario="live", balance=4321) as emulator,
        AuditJournal.open(tmp_path / "service-journal.sqlite3", AUDIT_KEY) as journal,
        station_over_a_service(qtbot, folder, emulator, journal) as station,
    ):
        assert station.verifier.client is None  # nothing of the token's in this process
        desk = station.controller.desk
        qtbot.waitUntil(lambda: desk.health.part(Part.SERVICE).level is Level.GOOD, timeout=10_000)
        assert desk.health.part(Part.SERVICE).word == "balance 4 321"
        qtbot.waitUntil(lambda: desk.station_ready, timeout=10_000)
        assert desk.health.part(Part.TOKEN).word == "enrolled"  # as the service said
