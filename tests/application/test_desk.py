"""The desk's own rules, without Qt: automatic capture (issue 23 (d)), the next customer."""

from __future__ import annotations

import numpy as np
import pytest

from station.api import LivenessClient
from station.application.consent import ConsentNotice
from station.application.desk import Desk
from station.application.gate import QualityGate
from station.application.recording import AttemptContext, JournalRecorder
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.vision.quality import QualityAnalyser, QualityReport
from tests.application.conftest import Clock

pytestmark = pytest.mark.anyio


@pytest.fixture
def ready(frame: np.ndarray) -> QualityReport:
    report = QualityAnalyser().analyse(frame)
    assert report.ready
    return report


def consenting_desk(client: LivenessClient, journal: AuditJournal, clock: Clock) -> Desk:
    recorder = JournalRecorder(journal, AttemptContext(operator_id="op1"))
    desk = Desk(
        Verifier(client, DecisionPolicy(), recorder),
        gate=QualityGate(enabled=True),
        clock=clock,
        notice=ConsentNotice("v1", "We check that you are present. Do you agree?"),
    )
    desk.set_auto_capture(2.0)
    return desk


async def test_no_countdown_while_the_consent_notice_is_up(
    client: LivenessClient, journal: AuditJournal, clock: Clock, ready: QualityReport
) -> None:
    desk = consenting_desk(client, journal, clock)
    assert desk.session.consent_needed
    for _ in range(5):  # ten seconds of a ready picture behind the notice
        step = desk.quality_report(ready, station_ready=True, showing_verdict=False)
        assert step.progress is None and not step.fire
        clock.now += 2.0
    desk.session.give_consent()
    first = desk.quality_report(ready, station_ready=True, showing_verdict=False)
    assert first.progress == 0.0 and not first.fire  # the countdown starts at F7, from nothing
    clock.now += 1.0
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress == 0.5
    clock.now += 1.0
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).fire


async def test_no_countdown_while_the_station_is_not_ready_or_a_verdict_shows(
    client: LivenessClient, journal: AuditJournal, clock: Clock, ready: QualityReport
) -> None:
    desk = consenting_desk(client, journal, clock)
    desk.session.give_consent()
    assert desk.quality_report(ready, station_ready=False, showing_verdict=False).progress is None
    assert desk.quality_report(ready, station_ready=True, showing_verdict=True).progress is None
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress == 0.0
    assert desk.stop_auto_capture()
    clock.now += 5.0
    assert desk.quality_report(ready, station_ready=True, showing_verdict=False).progress is None
