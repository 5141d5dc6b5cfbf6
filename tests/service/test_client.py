"""The client's side when the service is not there or not itself: what the desk is told, what
``station doctor`` prints, and the report a capture gets when nothing reached the service."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from station.api import LivenessClient
from station.application.background import Background
from station.application.consent import Consent, ConsentRecord
from station.application.desk import Desk
from station.application.health import Level, Part, PartHealth
from station.application.kinds import ErrorKind
from station.application.port import Capture, LocalFailure
from station.application.readiness import NO_ANSWER, NotReady, journal_part, token_health
from station.application.recording import (
    AttemptContext,
    JournalRecorder,
    ServiceKeepsTheJournal,
    UnavailableRecorder,
)
from station.application.supervisor import StationSupervisor
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.core.encode import encode_jpeg
from station.core.models import OutcomeKind
from station.service.access import AccessRule
from station.service.client import NOT_ASKED_YET, SERVICE_DOWN, ServiceVerifier, service_probe
from station.service.server import StationService
from station.service.unix import UnixListener, unix_connector
from tests.application.conftest import Clock

pytestmark = pytest.mark.anyio

CONSENT = ConsentRecord(Consent.GIVEN, "v3", "ab" * 32)


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="station-cli-") as name:  # a socket path is short
        yield Path(name)


@pytest.fixture
async def running(folder: Path, client: LivenessClient, journal: AuditJournal) -> AsyncIterator[Path]:
    parts = Verifier(client, DecisionPolicy(), JournalRecorder(journal, AttemptContext()))
    service = StationService(parts, None, AccessRule(os.geteuid(), None))
    listener = UnixListener(folder / "s.sock")
    await listener.start(service.handle)
    try:
        yield listener.path
    finally:
        await listener.close()
        await service.drain()


async def test_a_capture_nothing_received_is_an_error_report_of_the_desks_own_facts(
    folder: Path, frame: np.ndarray
) -> None:
    port = ServiceVerifier(unix_connector(folder / "nobody.sock"))
    capture = Capture(encode_jpeg(frame), 1, "s-9", customer_ref="CIF-9", consent=CONSENT, notes=("n1",))
    for report in (
        await port.verify(capture),
        await port.record_failure(LocalFailure(ErrorKind.ENCODING, "x", "s-9", "CIF-9", CONSENT, ("n1",))),
    ):
        assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.NOT_READY
        assert report.message == SERVICE_DOWN and not report.final
        assert (report.session_id, report.customer_ref, report.consent, report.notes) == (
            "s-9",
            "CIF-9",
            CONSENT,
            ("n1",),
        )
        assert report.audit_error == "the station service did not record it"
        assert report.audit_sequence is None and report.verification is None
        assert (report.submission_sha256, report.api_host, report.environment) == ("", "", "")
        assert report.elapsed_ms == 0.0 and report.requested_at == report.answered_at
        assert report.requested_at.utcoffset() is not None


async def test_the_doctor_hears_a_service_that_answers(running: Path) -> None:
    said = await asyncio.to_thread(service_probe(running))
    assert said == f"{running} answers (protocol v2); ready for captures"


async def test_the_doctor_names_a_socket_nobody_listens_on(folder: Path) -> None:
    probe = service_probe(folder / "nobody.sock")
    with pytest.raises(
        OSError, match="^" + str(folder / "nobody.sock") + ": The station service is not running"
    ):
        await asyncio.to_thread(probe)


async def test_the_doctor_refuses_a_socket_that_accepts_and_never_answers(folder: Path) -> None:
    path = folder / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(path))
        silent.listen(1)
        probe = service_probe(path, timeout=0.5)
        with pytest.raises(
            OSError, match=f"^{path} accepted but did not answer in 0.5 s: not the station service$"
        ):
            await asyncio.to_thread(probe)


async def test_the_doctor_says_what_a_service_that_answers_would_refuse(
    folder: Path, client: LivenessClient
) -> None:
    parts = Verifier(client, DecisionPolicy(), UnavailableRecorder("the disk is full"))
    parts.swap_client(None, "no token", NotReady.TOKEN)
    service = StationService(parts, None, AccessRule(os.geteuid(), None))
    listener = UnixListener(folder / "s.sock")
    await listener.start(service.handle)
    try:
        said = await asyncio.to_thread(service_probe(listener.path))
    finally:
        await listener.close()
        await service.drain()
    assert said == f"{listener.path} answers (protocol v2); it would refuse a capture now (journal, token)"


def shown_on(desk: Desk) -> Callable[[PartHealth], None]:
    """The supervisor's findings on the desk's health (what the window's strip draws)."""

    def show(health: PartHealth) -> None:
        desk.show_part(health)

    return show


async def test_the_desk_is_not_ready_until_the_service_has_answered(
    folder: Path, client: LivenessClient, journal: AuditJournal
) -> None:
    """An installed station's window has no token, no client and no journal of its own: "Ready" and
    the service's balance are what the station service said, never a guess before it answered."""
    port = ServiceVerifier(unix_connector(folder / "s.sock"))
    desk = Desk(port)
    background = Background()
    clock = Clock()
    own_parts = Verifier(None, DecisionPolicy(), ServiceKeepsTheJournal())  # the window's: nothing
    supervisor = StationSupervisor(own_parts, port, shown_on(desk), background=background, clock=clock)
    # What the window shows when it is built, before anything was asked.
    desk.show_part(token_health(port.readiness()))
    desk.show_part(journal_part(port.readiness()))
    assert not desk.station_ready
    assert desk.health.problem is not None and desk.health.problem.fix == NOT_ASKED_YET

    supervisor.tick()  # nobody listens yet
    await background.wait_idle()
    assert not desk.station_ready
    assert (desk.health.part(Part.TOKEN).word, desk.health.part(Part.TOKEN).fix) == (NO_ANSWER, SERVICE_DOWN)
    assert desk.health.part(Part.SERVICE).level is Level.BAD
    assert desk.health.part(Part.JOURNAL).level is Level.WARN

    service = StationService(
        Verifier(client, DecisionPolicy(), JournalRecorder(journal, AttemptContext())),
        None,
        AccessRule(os.geteuid(), None),
    )
    listener = UnixListener(folder / "s.sock")
    await listener.start(service.handle)
    try:
        clock.now += 3600  # every check is due again
        supervisor.tick()
        await background.wait_idle()
        assert desk.station_ready, desk.health
        assert desk.health.part(Part.TOKEN).word == "enrolled"
        assert desk.health.part(Part.JOURNAL).word == "writable"
        service_part = desk.health.part(Part.SERVICE)
        assert service_part.level is Level.GOOD and str(service_part.word).startswith("balance ")
    finally:
        await supervisor.aclose()
        await port.close()
        await listener.close()
        await service.drain()


async def test_a_journal_the_service_cannot_write_is_shown_on_the_window_that_has_none(
    folder: Path, client: LivenessClient
) -> None:
    port = ServiceVerifier(unix_connector(folder / "s.sock"))
    desk = Desk(port)
    background = Background()
    own_parts = Verifier(None, DecisionPolicy(), ServiceKeepsTheJournal())
    supervisor = StationSupervisor(own_parts, port, shown_on(desk), background=background, clock=Clock())
    service = StationService(
        Verifier(client, DecisionPolicy(), UnavailableRecorder("the disk is full")),
        None,
        AccessRule(os.geteuid(), None),
    )
    listener = UnixListener(folder / "s.sock")
    await listener.start(service.handle)
    try:
        supervisor.tick()
        await background.wait_idle()
        journal_shown = desk.health.part(Part.JOURNAL)
        assert journal_shown.level is Level.BAD and "the disk is full" in journal_shown.fix
        assert not desk.station_ready
    finally:
        await supervisor.aclose()
        await port.close()
        await listener.close()
        await service.drain()
