"""UI tests: real widgets, one session-wide qasync loop, the emulator over loopback.

Following ECOSYSTEM.md: a single ``qasync.QEventLoop(app, already_running=True)`` lets
``qtbot.waitSignal``/``waitUntil`` drive the async verification; the loop is never stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from station.api import RetryPolicy, Timeouts
from station.app import Station, StationConfig, build_station
from station.application.consent import ConsentNotice
from station.application.desk import SupervisorCredentials
from station.application.factory import session_terms
from station.application.port import VerifierPort
from station.application.recording import AttemptContext, JournalRecorder, Recorder
from station.application.session import SessionPolicy
from station.audit import AuditJournal, StoredRecord
from station.camera import FrameSource
from station.core.decision import DecisionPolicy
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from station.ui.languages import Languages

AUDIT_KEY = b"k" * 32
#: The PIN of every supervisor the tests' stations know (``sup2``, ``sup9``).
SUPERVISOR_PIN = "736251"
_SUPERVISORS: list[People] = []


def supervisor_pins(folder: Path) -> PinGuard:
    """The station's supervisors, checked by the trusted side (hashed once: scrypt is slow), with
    the PIN attempt ledger in ``folder``."""
    if not _SUPERVISORS:
        hashed = hash_pin(SUPERVISOR_PIN)
        _SUPERVISORS.append(People(None, {"sup2": hashed, "sup9": hashed}))
    return PinGuard(_SUPERVISORS[0], PinLedger(folder / "pins.sqlite3"))


def supervisor(name: str, secret: str = SUPERVISOR_PIN) -> SupervisorCredentials:
    """What supervisor ``name`` types in the PIN dialog."""
    return SupervisorCredentials(name, secret)


@pytest.fixture(scope="session")
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = qasync.QThreadExecutor(2)
    loop.set_default_executor(executor)
    yield loop
    executor.shutdown(wait=True)  # joins asyncio.to_thread's workers, so none outlive Qt


@pytest.fixture(autouse=True)
def _current_loop(qasync_loop: qasync.QEventLoop) -> Iterator[None]:
    # Other test packages run asyncio.run(), which clears the current loop when it ends; and a
    # qasync loop made with already_running=True marks itself as this thread's running loop,
    # which would make every later asyncio.run() refuse to start. Both are scoped to the test.
    asyncio.set_event_loop(qasync_loop)
    asyncio.events._set_running_loop(qasync_loop)
    yield
    asyncio.events._set_running_loop(None)


def cell(table: QTableWidget, row: int, column: int) -> str:
    """The text of a table cell that must be there."""
    item = table.item(row, column)
    assert item is not None, f"no cell at row {row}, column {column}"
    return item.text()


def journal_rows(journal: AuditJournal, limit: int = 50) -> list[StoredRecord]:
    """The journal's rows, newest first, without the station's own start-up record (the policy
    it runs on), which every station writes before the first customer, and without the
    "attempt started" row written before each paid call (tests/application checks those)."""
    return [row for row in journal.recent(limit) if row.record.kind not in ("policy", "attempt_started")]


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[AuditJournal]:
    with AuditJournal.open(tmp_path / "audit.sqlite3", AUDIT_KEY) as opened:
        yield opened


def start_station(
    qtbot: QtBot,
    *,
    scenario: str = "live",
    recorder: Recorder | None = None,
    journal: AuditJournal | None = None,
    timeouts: Timeouts | None = None,
    retry: RetryPolicy | None = None,
    policy: DecisionPolicy | None = None,
    session: SessionPolicy | None = None,
    supervisor_check: Callable[[str], SupervisorCredentials | None] | None = None,
    quality_gate: bool = False,
    source_factory: Callable[[], FrameSource] | None = None,
    languages: Languages | None = None,
    consent: ConsentNotice | None = None,
    port: VerifierPort | None = None,
) -> Station:
    # The signed-in operator is the one the test's recorder names (the window signs them in).
    operator = getattr(getattr(recorder, "context", None), "operator_id", None)
    config = StationConfig(
        operator_id=operator,
        demo=True,
        demo_scenario=scenario,
        timeouts=timeouts or Timeouts(connect=2, read=5, write=2, deadline=10),
        retry=retry or RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.05),
        policy=policy or DecisionPolicy(),
        session_terms=session_terms(session) if session is not None else (),
        quality_gate=quality_gate,
        consent=consent,
    )
    station = build_station(
        config,
        recorder=recorder,
        journal=journal,
        supervisor_check=supervisor_check,
        source_factory=source_factory,
        languages=languages,
        pins=supervisor_pins(journal.path.parent) if journal is not None else None,
        port=port,
    )
    qtbot.addWidget(station.window)
    station.start()
    window = station.window
    # Frames can arrive a moment before the camera's LIVE status: a capture then is refused.
    qtbot.waitUntil(
        lambda: window.preview.latest_frame() is not None and window.camera_is_live, timeout=10_000
    )
    return station


def close_station(qtbot: QtBot, station: Station) -> None:
    closing = asyncio.ensure_future(station.aclose())
    qtbot.waitUntil(closing.done, timeout=10_000)
    closing.result()


@pytest.fixture
def station(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(station_id="test-station", operator_id="op7")),
        journal=journal,
    )
    yield running
    close_station(qtbot, running)
