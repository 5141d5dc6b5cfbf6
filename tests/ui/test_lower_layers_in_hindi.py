"""A Hindi operator reads the lower layers' words in Hindi: refusals written by the factory, the
readiness and the camera checks, and a supervisor's decision made with a value (issue 23: these
reached a Hindi screen in English when translation was keyed by a hand-kept list of English).

Each expected text is the catalogue's own translation of the marked English, looked up here with
Qt, so the tests check that the window shows the translation, not which words a translator chose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.factory import StationConfig, camera_verdict
from station.application.readiness import NO_TOKEN_FIX, NotReady
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.config import Mode
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind
from station.netcheck import CHECK_DNS
from station.resources import sample_path
from station.ui.languages import Languages
from station.ui.netcheck_dialog import _step
from station.words import Text
from tests.ui.conftest import close_station, start_station, supervisor
from tests.ui.test_station_flow import capture

#: Three or more Latin letters in a row: an English word (the station's ids and "IT" are shorter
#: or are values, checked separately).
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def hindi(text: Text) -> str:
    """The catalogue's Hindi for a marked text (the interface language is Hindi in these tests)."""
    translated = QCoreApplication.translate(text.context, text.source)
    assert translated != text.source, f"no Hindi in the catalogue for {text.source!r}"
    return translated


@pytest.fixture
def languages() -> Iterator[Languages]:
    chosen = Languages(interface="hi", customers="hi,en")
    chosen.set_operator_language("hi")
    yield chosen
    chosen.set_operator_language("en")  # Qt's translators are application-wide


def start(qtbot: QtBot, journal: AuditJournal, languages: Languages, **kwargs: object) -> Station:
    recorder = JournalRecorder(journal, AttemptContext(station_id="test-station", operator_id="op1"))
    return start_station(qtbot, recorder=recorder, journal=journal, languages=languages, **kwargs)  # type: ignore[arg-type]


def press_space_refused(qtbot: QtBot, station: Station) -> None:
    qtbot.waitUntil(station.window.has_new_frame, timeout=10_000)
    qtbot.keyClick(station.window, Qt.Key.Key_Space)
    assert not station.controller.busy and not station.window.preview.is_frozen


def test_the_non_live_camera_refusal_reaches_a_hindi_screen_in_hindi(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    # The factory's own refusal for a picture used as the camera in production.
    refusal = camera_verdict(StationConfig(camera=str(sample_path("face.jpg")), mode=Mode.PRODUCTION)).refusal
    assert isinstance(refusal, Text) and "not a live camera" in refusal  # the log and CLI keep English
    station = start(qtbot, journal, languages)
    try:
        station.verifier.camera_refusal = refusal
        press_space_refused(qtbot, station)
        banner = station.window.banner
        assert banner.message_text == hindi(refusal)
        assert _ENGLISH_WORD.findall(banner.message_text) == []
        assert station.emulator is not None and station.emulator.requests_received == 0
    finally:
        close_station(qtbot, station)


def test_the_no_token_refusal_reaches_a_hindi_screen_in_hindi(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    station = start(qtbot, journal, languages)
    try:
        station.verifier.swap_client(None, "No service token is enrolled for sandbox.", NotReady.TOKEN)
        press_space_refused(qtbot, station)
        assert station.window.banner.message_text == hindi(NO_TOKEN_FIX)
        assert _ENGLISH_WORD.findall(station.window.banner.message_text) == []
    finally:
        close_station(qtbot, station)


def test_a_supervisors_confirmation_with_their_id_reaches_a_hindi_screen_in_hindi(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    station = start(
        qtbot,
        journal,
        languages,
        policy=DecisionPolicy(review_upper=0.999),
        supervisor_check=lambda _action: supervisor("sup2"),
    )
    try:
        assert capture(qtbot, station).kind is OutcomeKind.REVIEW
        with qtbot.waitSignal(station.controller.followup_recorded, timeout=10_000) as recorded:
            qtbot.keyClick(station.window, Qt.Key.Key_F9)
        report = recorded.args[0]
        message = report.message
        # The journal and the log keep the English sentence; the screen shows the Hindi one.
        assert message == "Confirmed live by supervisor sup2. You may continue with the customer."
        who = QCoreApplication.translate("Details", "supervisor {supervisor}").format(supervisor="sup2")
        expected = QCoreApplication.translate(
            "Details", "Confirmed live by {who}. You may continue with the customer."
        ).format(who=who)
        assert "sup2" in expected and "Confirmed" not in expected
        details = station.window.details.text()
        assert expected in details
        assert "Confirmed live by" not in details
    finally:
        close_station(qtbot, station)


def test_the_network_checks_step_names_are_shown_in_hindi(languages: Languages) -> None:
    """The steps are named in station.netcheck (marked there); their details are the network's own
    words, for IT, and stay as they came."""
    assert _step(CHECK_DNS) == hindi(CHECK_DNS)
    assert _step("Name lookup (DNS) of proxy.bank.example") == "Name lookup (DNS) of proxy.bank.example"
