"""The service as ``station service run`` composes it from machine policy: who the operator is on a
shared kiosk account, PIN attempts in its own journal, and the journal shipped by the service that
holds it. The real emulator, a real socket, the real private store."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from station.application.kinds import EventKind
from station.application.port import Capture
from station.application.recording import JournalRecorder
from station.audit import AuditJournal
from station.audit.keys import load_key
from station.config import resolve_station_settings
from station.core.encode import encode_jpeg
from station.emulator import Emulator
from station.security.people import People, write_people
from station.security.pin import hash_pin
from station.security.private_store import PrivateStore
from station.service.access import AccessRule
from station.service.client import ServiceVerifier
from station.service.main import build_service, start_shipping
from station.service.server import StationService
from station.service.unix import UnixListener, unix_connector
from tests.machine import write_machine_policy
from tests.ship.relay import wait_until

pytestmark = pytest.mark.anyio

RAVI_PIN = "482615"


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Path:
    config, data, store = tmp_path / "config", tmp_path / "data", tmp_path / "private"
    data.mkdir()
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(config))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(data))
    monkeypatch.setenv("STATION_SERVICE_STORE_DIR", str(store))
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", emulator.token)  # the service account's own
    write_people(PrivateStore(store), People(None, {}, operators={"ravi": hash_pin(RAVI_PIN)}))
    return tmp_path


async def _serve(service: StationService) -> AsyncIterator[ServiceVerifier]:
    with tempfile.TemporaryDirectory(prefix="stmain-") as folder:  # a socket's path is short
        listener = UnixListener(Path(folder) / "s.sock")
        await listener.start(service.handle)
        port = ServiceVerifier(unix_connector(Path(folder) / "s.sock"))
        try:
            await port.refresh()
            yield port
        finally:
            await port.close()
            await listener.close()
            await service.drain()
            if service.verifier.client is not None:
                await service.verifier.client.aclose()
            recorder = service.verifier.recorder
            if isinstance(recorder, JournalRecorder):
                recorder.journal.close()


def _journal(machine: Path) -> AuditJournal:
    path = machine / "data" / "audit.sqlite3"
    return AuditJournal.open(path, load_key(), read_only=True)


async def test_on_a_shared_kiosk_account_operators_sign_in_with_their_own_pin(
    machine: Path, emulator: Emulator, frame: np.ndarray
) -> None:
    write_machine_policy(
        machine / "config",
        {
            "base_url": emulator.base_url,
            "operator_sign_in": "pin",
            "audit_db": str(machine / "data/audit.sqlite3"),
        },
    )
    service = build_service(resolve_station_settings(), AccessRule(os.geteuid(), None))
    async for port in _serve(service):
        assert await port.authenticate_operator("ravi", None) is None  # no PIN, no operator
        assert await port.authenticate_operator("ravi", "000000") is None
        me = await port.authenticate_operator("Ravi", RAVI_PIN)
        assert me is not None and me.operator_id == "ravi"
        await port.verify(Capture(encode_jpeg(frame), 1, "s-1"))
    with _journal(machine) as journal:
        rows = [stored.record for stored in journal.recent(20)]
    pin_rows = [row for row in rows if row.kind == EventKind.PIN]
    assert len(pin_rows) == 2, rows  # the wrong PIN and the right one; the empty one never checked
    assert sorted(str(row.outcome) for row in pin_rows) == ["APPROVED", "REFUSED"]
    assert all("operator ravi" in (row.notes or "") for row in pin_rows)
    assert rows[0].operator_id == "ravi" and rows[0].kind == "verification"
    assert RAVI_PIN not in json.dumps([row.notes for row in rows])


async def test_with_named_accounts_a_pin_makes_nobody_else_the_operator(
    machine: Path, emulator: Emulator, frame: np.ndarray
) -> None:
    write_machine_policy(
        machine / "config", {"base_url": emulator.base_url, "audit_db": str(machine / "data/audit.sqlite3")}
    )
    service = build_service(resolve_station_settings(), AccessRule(os.geteuid(), None))
    async for port in _serve(service):
        assert await port.authenticate_operator("ravi", RAVI_PIN) is None
        await port.verify(Capture(encode_jpeg(frame), 1, "s-1"))
    with _journal(machine) as journal:
        assert journal.recent(1)[0].record.operator_id != "ravi"


async def test_the_service_ships_the_journal_it_holds(
    machine: Path, emulator: Emulator, frame: np.ndarray
) -> None:
    spool = machine / "spool"
    write_machine_policy(
        machine / "config",
        {
            "base_url": emulator.base_url,
            "audit_db": str(machine / "data/audit.sqlite3"),
            "ship_target": "jsonl",
            "ship_jsonl_dir": str(spool),
        },
    )
    resolved = resolve_station_settings()
    service = build_service(resolved, AccessRule(os.geteuid(), None))
    fleet = start_shipping(service, resolved)
    assert fleet is not None
    try:
        async for port in _serve(service):
            report = await port.verify(Capture(encode_jpeg(frame), 1, "s-1", customer_ref="CIF-77"))
            assert report.final

        def shipped() -> bool:
            return any("CIF-77" in path.read_text() for path in spool.glob("*.jsonl*"))

        wait_until(shipped, 60, "the attempt in the spool")
    finally:
        fleet.stop()
