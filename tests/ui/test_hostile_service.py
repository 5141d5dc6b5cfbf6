"""The station's window against a hostile service (issue 22, failure 7): the answer that used to
escape the client (and wedge the window) is a plain ERROR, journaled, and the next capture works.

The service is the real hostile HTTP server on loopback from ``tests/api/hostile.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from station.api import Environment, RetryPolicy, Timeouts
from station.app import Station, StationConfig, build_station
from station.application.recording import AttemptContext, JournalRecorder
from station.application.tokens import TokenStore
from station.audit import AuditJournal
from station.core.models import OutcomeKind
from tests.api.conftest import SECRET
from tests.api.hostile import HostileService, bombs
from tests.ui.conftest import close_station, journal_rows
from tests.ui.test_station_flow import capture


@pytest.fixture
def hostile() -> Iterator[HostileService]:
    bombs()  # made once per process, before any request: not inside a client's read timeout
    with HostileService() as service:
        yield service


def _station(qtbot: QtBot, journal: AuditJournal, base_url: str) -> Station:
    config = StationConfig(
        environment=Environment.SANDBOX,
        base_url=base_url,
        camera="demo",
        operator_id="op7",
        timeouts=Timeouts(connect=2, read=5, write=2, deadline=8),
        retry=RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.05, retry_after_cap=0.05),
        quality_gate=False,
        allow_non_live_camera=True,
    )
    station = build_station(
        config,
        recorder=JournalRecorder(journal, AttemptContext(station_id="test-station", operator_id="op7")),
        journal=journal,
        tokens=TokenStore(environ={"SUREPASS_SANDBOX_TOKEN": SECRET}),
    )
    qtbot.addWidget(station.window)
    station.start()
    window = station.window
    qtbot.waitUntil(
        lambda: window.preview.latest_frame() is not None and window.camera_is_live, timeout=10_000
    )
    return station


@pytest.mark.parametrize(
    ("mode", "error_class"),
    [
        ("gzipjunk", "BadResponseError"),
        ("stacked", "BadResponseError"),
        ("retry-date", "ServiceUnavailableError"),
    ],
)
def test_a_hostile_answer_is_an_error_on_screen_and_the_station_goes_on(
    qtbot: QtBot, journal: AuditJournal, hostile: HostileService, mode: str, error_class: str
) -> None:
    station = _station(qtbot, journal, hostile.url(mode))
    try:
        for _ in range(2):  # a second capture: the window did not wedge on the first
            report = capture(qtbot, station)
            assert report.kind is OutcomeKind.ERROR
            assert report.final
            assert station.window.banner.kind is OutcomeKind.ERROR
            assert station.window.capture_button.isEnabled()
        rows = [row.record for row in journal_rows(journal)]
        assert [(r.outcome, r.error_class) for r in rows] == [("ERROR", error_class)] * 2
    finally:
        close_station(qtbot, station)
