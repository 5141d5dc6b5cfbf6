"""The station service against callers that do not play by the protocol, its sign-in rules, and its
shutdown: a real socket, the real emulator and journal, the service in the test's process."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from station.api import LivenessClient
from station.application.kinds import ErrorKind, EventKind, RecordKind
from station.application.port import Capture, ReviewDecision, ReviewRefusal, ReviewRefusedError
from station.application.readiness import NotReady
from station.application.recording import AttemptContext, JournalRecorder
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.core.encode import encode_jpeg
from station.core.models import OutcomeKind
from station.emulator import Emulator
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from station.service.access import NOT_ALLOWED, AccessRule
from station.service.client import SERVICE_DOWN, ServiceVerifier
from station.service.main import serve
from station.service.protocol import (
    HEADER,
    MAX_FRAME,
    VERSION,
    Empty,
    Hello,
    Method,
    Refusal,
    Refused,
    decode_response,
    encode_request,
)
from station.service.server import CALLER_WENT_AWAY, StationService, named_accounts, shared_kiosk
from station.service.transport import Peer
from station.service.unix import UnixListener, account_name, unix_connector

pytestmark = pytest.mark.anyio

SUPERVISOR_PIN = "736251"


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="station-svc-") as name:  # a socket path is short
        yield Path(name)


def parts(client: LivenessClient, journal: AuditJournal, **decision: object) -> Verifier:
    return Verifier(client, DecisionPolicy(**decision), JournalRecorder(journal, AttemptContext()))  # type: ignore[arg-type]


@pytest.fixture
async def running(
    folder: Path, client: LivenessClient, journal: AuditJournal
) -> AsyncIterator[tuple[StationService, Path]]:
    service = StationService(parts(client, journal), None, AccessRule(os.geteuid(), None))
    listener = UnixListener(folder / "s.sock")
    await listener.start(service.handle)
    try:
        yield service, listener.path
    finally:
        await listener.close()
        await service.drain()


def raw_exchange(path: Path, *frames: bytes) -> list[object]:
    """Send ``frames`` on one connection, each answer decoded as a refusal or a hello's."""
    answers: list[object] = []
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        reader = sock.makefile("rb")
        for frame in frames:
            sock.sendall(frame)
            header = reader.read(HEADER.size)
            if len(header) < HEADER.size:
                answers.append(None)  # the service closed the connection
                break
            (length,) = HEADER.unpack(header)
            answers.append(decode_response(Method.HELLO, reader.read(length)))
    return answers


def raw(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


HELLO = encode_request(Method.HELLO, Hello(VERSION))


async def test_a_caller_that_breaks_the_protocol_gets_typed_refusals_and_the_service_serves_on(
    running: tuple[StationService, Path],
) -> None:
    _service, path = running
    cases = [
        (raw(b"not json"), Refusal.MALFORMED),
        (encode_request(Method.REFRESH, Empty()), Refusal.NO_HELLO),
        (encode_request(Method.HELLO, Hello(VERSION + 1)), Refusal.VERSION),
        (raw(b'{"method": "shutdown", "body": {}}'), Refusal.UNKNOWN_METHOD),
        (raw(b'{"method": "verify", "body": {"jpeg": 1}}'), Refusal.MALFORMED),
    ]
    answers = await asyncio.to_thread(raw_exchange, path, *(frame for frame, _ in cases), HELLO)
    assert [answer.refusal for answer in answers[:-1] if isinstance(answer, Refused)] == [r for _, r in cases]
    assert not isinstance(answers[-1], Refused)  # the same connection still says hello afterwards
    oversized = await asyncio.to_thread(raw_exchange, path, HEADER.pack(MAX_FRAME + 1))
    assert isinstance(oversized[0], Refused) and oversized[0].refusal is Refusal.TOO_LARGE
    port = ServiceVerifier(unix_connector(path))
    assert (await port.refresh()).ready  # and a well-behaved caller is served
    await port.close()


async def test_a_caller_that_hangs_up_mid_frame_does_not_stop_the_service(
    running: tuple[StationService, Path],
) -> None:
    _service, path = running

    def cut_short() -> None:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(path))
            sock.sendall(HEADER.pack(1000) + b"{")

    await asyncio.to_thread(cut_short)
    port = ServiceVerifier(unix_connector(path))
    assert (await port.refresh()).ready
    await port.close()


async def test_the_client_reconnects_on_the_next_call_once_the_service_is_back(
    folder: Path, client: LivenessClient, journal: AuditJournal
) -> None:
    path = folder / "s.sock"
    port = ServiceVerifier(unix_connector(path))
    assert (await port.refresh()).holds_for(NotReady.SERVICE)
    hold = port.readiness().first
    assert hold is not None and hold.message == SERVICE_DOWN
    service = StationService(parts(client, journal), None, AccessRule(os.geteuid(), None))
    listener = UnixListener(path)
    await listener.start(service.handle)
    try:
        assert (await port.refresh()).ready
        assert port.account == account_name(os.geteuid())
    finally:
        await port.close()
        await listener.close()


async def test_stopping_the_service_lets_a_paid_call_under_way_finish_and_be_journaled(
    folder: Path, client: LivenessClient, journal: AuditJournal, emulator: Emulator, frame: np.ndarray
) -> None:
    emulator.set_scenario("slow", delay=1.0)
    service = StationService(parts(client, journal), None, AccessRule(os.geteuid(), None))
    stop = asyncio.Event()
    listener = UnixListener(folder / "s.sock")
    listening = asyncio.Event()
    serving = asyncio.ensure_future(serve(service, listener, stop, listening))
    port = ServiceVerifier(unix_connector(listener.path))
    await asyncio.wait_for(listening.wait(), 30)
    await port.refresh()
    attempt = asyncio.ensure_future(port.verify(Capture(encode_jpeg(frame), 1, "s-1")))
    assert await asyncio.to_thread(emulator.wait_for_requests, 1, 30.0)
    stop.set()  # SIGTERM's handler
    await asyncio.wait_for(serving, 60)
    report = await asyncio.wait_for(attempt, 60)
    assert report.kind is OutcomeKind.LIVE and report.final
    assert journal.recent(1)[0].record.outcome == "LIVE"
    assert not listener.path.exists()
    await port.close()


async def test_the_pin_crosses_once_and_reaches_no_log(
    folder: Path,
    client: LivenessClient,
    journal: AuditJournal,
    frame: np.ndarray,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pins = PinGuard(People(None, {"sup2": hash_pin(SUPERVISOR_PIN)}), PinLedger(folder / "pins.sqlite3"))
    service = StationService(parts(client, journal, review_upper=0.999), pins, AccessRule(os.geteuid(), None))

    async def anyone(peer: Peer, operator_id: str, secret: str | None) -> bool:
        return True

    service.operators = anyone
    listener = UnixListener(folder / "s.sock")
    await listener.start(service.handle)
    port = ServiceVerifier(unix_connector(listener.path))
    caplog.set_level(logging.DEBUG)
    try:
        await port.refresh()
        await port.authenticate_operator("op1", "9182736450")
        report = await port.verify(Capture(encode_jpeg(frame), 1, "s-1"))
        assert report.kind is OutcomeKind.REVIEW and report.audit_sequence is not None
        with pytest.raises(ReviewRefusedError) as refused:
            await port.settle_review(ReviewDecision(report.audit_sequence, "sup2", "000999", True))
        assert refused.value.refusal is ReviewRefusal.WRONG_SECRET
        settled = await port.settle_review(
            ReviewDecision(report.audit_sequence, "sup2", SUPERVISOR_PIN, True)
        )
        assert settled.kind is OutcomeKind.LIVE and settled.supervisor_id == "sup2"
    finally:
        await port.close()
        await listener.close()
    for secret in ("9182736450", "000999", SUPERVISOR_PIN):
        assert secret not in caplog.text
        assert all(secret not in (row.record.notes or "") for row in journal.recent(50))


def peer(account: str) -> Peer:
    return Peer(pid=1, uid=1000, gid=1000, account=account)


async def test_named_accounts_sign_in_the_callers_own_account_only() -> None:
    assert await named_accounts(peer("asha"), " Asha ", None)
    assert not await named_accounts(peer("asha"), "ravi", None)
    assert not await named_accounts(peer("asha"), "ravi", "1234")  # a PIN does not make ravi asha


async def test_a_shared_kiosk_signs_in_only_with_the_operators_own_pin(folder: Path) -> None:
    operator_pins = {"ravi": hash_pin("482615")}

    def check(operator_id: str, pin: str) -> bool:
        known = operator_pins.get(operator_id)
        return known is not None and known.matches(pin)

    kiosk = shared_kiosk(check)
    assert await kiosk(peer("kiosk"), "ravi", "482615")
    assert not await kiosk(peer("kiosk"), "ravi", "000000")
    assert not await kiosk(peer("kiosk"), "ravi", None)
    assert not await kiosk(peer("kiosk"), "kiosk", None)  # the shared account is nobody's identity
    # Until the service can check operator PINs, nobody signs in on a shared kiosk.
    assert not await shared_kiosk(None)(peer("kiosk"), "ravi", "482615")


async def test_with_named_accounts_the_operator_is_the_callers_account_whatever_is_asked(
    running: tuple[StationService, Path], journal: AuditJournal, frame: np.ndarray
) -> None:
    _service, path = running
    me = account_name(os.geteuid())
    for attempt in range(2):  # and again on a new connection, as after a restart of the service
        port = ServiceVerifier(unix_connector(path))
        await port.refresh()
        assert await port.authenticate_operator("someone-else", None) is None
        await port.verify(Capture(encode_jpeg(frame), attempt, "s-1"))
        assert journal.recent(1)[0].record.operator_id == me
        await port.close()


async def test_a_fault_in_the_service_is_a_typed_refusal_not_a_dropped_connection(
    running: tuple[StationService, Path],
) -> None:
    service, path = running

    async def broken(peer: Peer, operator_id: str, secret: str | None) -> bool:
        raise RuntimeError("boom")

    service.operators = broken
    port = ServiceVerifier(unix_connector(path))
    await port.refresh()
    assert await port.authenticate_operator("x", None) is None
    assert (await port.refresh()).ready  # the same connection, still served
    await port.close()


async def test_a_capture_when_the_service_is_gone_is_refused_with_nothing_sent(
    folder: Path, frame: np.ndarray, emulator: Emulator
) -> None:
    port = ServiceVerifier(unix_connector(folder / "nobody-listens.sock"))
    report = await port.verify(Capture(encode_jpeg(frame), 1, "s-1", customer_ref="CIF-9"))
    assert report.kind is OutcomeKind.ERROR and report.error_kind is ErrorKind.NOT_READY
    assert report.message == SERVICE_DOWN and not report.final and report.customer_ref == "CIF-9"
    assert port.readiness().holds_for(NotReady.SERVICE)
    assert emulator.requests_received == 0


async def test_the_capture_names_the_camera_on_the_callers_rows(
    running: tuple[StationService, Path], journal: AuditJournal, frame: np.ndarray
) -> None:
    _service, path = running
    port = ServiceVerifier(unix_connector(path))
    await port.refresh()
    await port.verify(Capture(encode_jpeg(frame), 1, "s-1", camera_label="device:Logitech C920"))
    assert journal.recent(1)[0].record.camera_source == "device:Logitech C920"
    await port.close()


async def test_the_caller_on_the_rows_is_the_kernels_word_not_the_clients(
    running: tuple[StationService, Path], journal: AuditJournal, frame: np.ndarray
) -> None:
    _service, path = running
    port = ServiceVerifier(unix_connector(path))
    await port.refresh()
    await port.verify(Capture(encode_jpeg(frame), 1, "s-1", caller_account="mallory"))
    await port.close()
    started, outcome = (stored.record for stored in reversed(journal.recent(2)))
    assert started.kind == RecordKind.ATTEMPT_STARTED and outcome.kind == RecordKind.VERIFICATION
    assert started.caller_account == outcome.caller_account == account_name(os.geteuid())


async def test_a_verification_the_desk_cancels_is_cancelled_in_the_service_and_journaled(
    running: tuple[StationService, Path], journal: AuditJournal, frame: np.ndarray, emulator: Emulator
) -> None:
    service, path = running
    emulator.set_scenario("hang")
    port = ServiceVerifier(unix_connector(path))
    await port.refresh()
    attempt = asyncio.ensure_future(port.verify(Capture(encode_jpeg(frame), 1, "s-1", customer_ref="CIF-9")))
    assert await asyncio.to_thread(emulator.wait_for_hanging, 1, 30.0)
    attempt.cancel()
    with pytest.raises(asyncio.CancelledError):
        await attempt
    await service.drain()
    row = journal.recent(1)[0].record
    assert row.customer_ref == "CIF-9" and CALLER_WENT_AWAY in (row.notes or "")
    assert await asyncio.to_thread(emulator.wait_for_disconnect, 30.0)  # the paid call was cut too
    emulator.set_scenario("live")
    assert (await port.refresh()).ready  # and the next call connects again
    await port.close()


async def test_the_service_replaces_a_stale_socket_but_never_another_file(
    folder: Path, client: LivenessClient, journal: AuditJournal
) -> None:
    service = StationService(parts(client, journal), None, AccessRule(os.geteuid(), None))
    path = folder / "s.sock"
    with socket.socket(socket.AF_UNIX) as stale:  # a socket left by a service that was killed
        stale.bind(str(path))
    listener = UnixListener(path)
    await listener.start(service.handle)
    port = ServiceVerifier(unix_connector(path))
    assert (await port.refresh()).ready
    await port.close()
    await listener.close()
    await service.drain()
    path.write_text("evidence")
    with pytest.raises(OSError, match="not a socket"):
        await UnixListener(path).start(service.handle)
    assert path.read_text() == "evidence"


REFUSED_CALLER = 4242

#: A caller under another account: says hello and prints the refusal it reads. Framed by hand, so
#: the child imports nothing of the station (under mutmut its modules are not importable there).
HELLO_FROM_ELSEWHERE = """
import json, socket, struct, sys
with socket.socket(socket.AF_UNIX) as sock:
    sock.settimeout(30)
    sock.connect(sys.argv[1])
    hello = json.dumps({"method": "hello", "body": {"version": int(sys.argv[2])}}).encode()
    sock.sendall(struct.pack(">I", len(hello)) + hello)
    reader = sock.makefile("rb")
    (length,) = struct.unpack(">I", reader.read(4))
    print(json.loads(reader.read(length))["refused"]["refusal"])
"""

SETPRIV = ("setpriv", "--clear-groups")


def hello_as(uid: int, path: Path) -> str:
    done = subprocess.run(
        [
            *SETPRIV,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--",
            sys.executable,
            "-c",
            HELLO_FROM_ELSEWHERE,
            str(path),
            str(VERSION),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
async def test_a_caller_outside_the_rule_is_refused_and_journaled_once_a_minute(
    folder: Path, client: LivenessClient, journal: AuditJournal
) -> None:
    service = StationService(parts(client, journal), None, AccessRule(os.geteuid(), None))
    os.chmod(folder, 0o755)  # the socket's permissions let the caller in: the service's rule decides
    listener = UnixListener(folder / "s.sock", mode=0o666)
    await listener.start(service.handle)
    try:
        assert await asyncio.to_thread(hello_as, REFUSED_CALLER, listener.path) == Refusal.NOT_ALLOWED.value
        assert await asyncio.to_thread(hello_as, REFUSED_CALLER, listener.path) == Refusal.NOT_ALLOWED.value
    finally:
        await listener.close()
        await service.drain()
    rows = [stored.record for stored in journal.recent(10) if stored.record.kind == EventKind.SERVICE]
    assert len(rows) == 1, rows  # the retry within the minute is logged, not journaled again
    who = account_name(REFUSED_CALLER)
    assert (rows[0].notes or "").startswith(f"refused account {who} (uid {REFUSED_CALLER}, pid ")
    assert (rows[0].notes or "").endswith(f"): {NOT_ALLOWED}")
