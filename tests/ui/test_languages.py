"""Two languages at the counter: F2 switches the customer's, the operator's follows their choice.

Real windows, the emulator over loopback, a real journal: the switch shows on the next frame, the
verdict's action line is the customer's, and every attempt's record names the language the
customer was shown (a switch mid-session is noted on it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont, QFontDatabase, QTextLayout
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.attempt import AttemptReport
from station.application.consent import DEFAULT_NOTICE, ConsentNotice
from station.application.language_memory import OperatorLanguages
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal, AuditRecord
from station.ui.fonts import ensure_devanagari_font
from station.ui.history import local_time_text
from station.ui.languages import Languages
from station.ui.main_window import MainWindow
from station.vision.quality import INSTRUCTION_TEXT
from tests.ui.conftest import close_station, journal_rows, start_station

HINDI_NOTICE = "आप स्वयं उपस्थित हैं, इसकी पुष्टि के लिए यह मशीन आपके चेहरे की एक फ़ोटो लेती है।"  # its first sentence


@pytest.fixture
def languages(tmp_path: Path) -> Iterator[Languages]:
    chosen = Languages(
        interface="en", customers="en,hi", memory=OperatorLanguages(tmp_path / "operator-languages.json")
    )
    yield chosen
    chosen.set_operator_language("en")  # Qt's translators are application-wide


def start(qtbot: QtBot, journal: AuditJournal, languages: Languages, **kwargs: object) -> Station:
    recorder = JournalRecorder(journal, AttemptContext(station_id="test-station", operator_id="op7"))
    return start_station(qtbot, recorder=recorder, journal=journal, languages=languages, **kwargs)  # type: ignore[arg-type]


def record_of(journal: AuditJournal, report: AttemptReport) -> AuditRecord:
    """The journal row of ``report`` (other rows, a session closing say, may be newer)."""
    return next(row.record for row in journal_rows(journal) if row.sequence == report.audit_sequence)


def capture(qtbot: QtBot, station: Station) -> AttemptReport:
    window = station.window
    if window.preview.is_frozen:  # a verdict on screen: the first press goes back to live
        window.capture()
    # A picture already judged is never offered again: wait for the camera's next frame.
    qtbot.waitUntil(window.has_new_frame, timeout=10_000)
    with qtbot.waitSignal(station.controller.finished, timeout=15_000) as finished:
        window.capture()
        if window.gate.objection is not None:  # the guide held it back: capture anyway
            window.capture()
    report = finished.args[0]
    assert isinstance(report, AttemptReport)
    return report


def test_f2_changes_the_guide_on_the_next_frame(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    station = start(qtbot, journal, languages, quality_gate=True)
    try:
        window, preview = station.window, station.window.preview
        qtbot.waitUntil(lambda: preview.last_guide_text is not None, timeout=10_000)
        assert window.gate.latest is not None
        assert preview.last_guide_text == window.gate.latest.text  # English first
        painted = preview.paints
        qtbot.keyClick(window, Qt.Key.Key_F2)
        qtbot.waitUntil(lambda: preview.paints > painted, timeout=5_000)
        # The very first paint after the key: whatever the guide says now, it says it in Hindi.
        report = window.gate.latest
        assert report is not None
        assert preview.last_guide_text == languages.instruction(report.instruction)
        assert preview.last_guide_text != INSTRUCTION_TEXT[report.instruction]
        assert "हिन्दी" in window.customer_language_label.text()
        qtbot.keyClick(window, Qt.Key.Key_F2)  # round the list: English again
        assert languages.customer == "en"
    finally:
        close_station(qtbot, station)


def test_a_switch_is_noted_on_the_attempts_record_and_the_next_customer_starts_afresh(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    station = start(qtbot, journal, languages, scenario="spoof")
    try:
        window = station.window
        qtbot.keyClick(window, Qt.Key.Key_F2)
        report = capture(qtbot, station)
        assert report.final
        record = record_of(journal, report)
        assert record.instruction_language == "hi"
        assert (
            record.notes is not None and "customer instruction language changed from en to hi" in record.notes
        )
        # The action line is the customer's; the operator's own words are under it.
        assert window.banner.message_text == "पुष्टि नहीं हुई। एक बार और कोशिश करें, फिर मैनुअल पहचान जाँच।"
        assert (
            window.banner.detail_text
            == "Liveness not confirmed. Try once more, then the manual identity check."
        )
        assert window.banner.title_text == "SPOOF"  # the headline is the operator's
        window.next_customer()
        assert languages.customer == "en"
        record = record_of(journal, capture(qtbot, station))
        assert record.kind == "verification"
        assert record.instruction_language == "en"
        assert "language changed" not in (record.notes or "")
    finally:
        close_station(qtbot, station)


def test_the_consent_record_hashes_the_words_the_customer_read(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    station = start(qtbot, journal, languages, consent=ConsentNotice("station-2026-12", DEFAULT_NOTICE))
    try:
        window = station.window
        assert window.preview.notice == DEFAULT_NOTICE
        qtbot.keyClick(window, Qt.Key.Key_F2)
        notice = window.preview.notice
        assert notice is not None and notice.startswith(HINDI_NOTICE)
        qtbot.keyClick(window, Qt.Key.Key_F7)  # the customer agrees
        record = record_of(journal, capture(qtbot, station))
        assert record.consent == "given"
        assert record.consent_notice_version == "station-2026-12"
        assert record.consent_notice_sha256 == hashlib.sha256(notice.encode("utf-8")).hexdigest()
        assert record.instruction_language == "hi"
    finally:
        close_station(qtbot, station)


def sign_in(qtbot: QtBot, window: MainWindow, operator: str) -> None:
    """Sign ``operator`` in; the window follows once the trusted side confirmed them."""
    with qtbot.waitSignal(window.controller.signed_in, timeout=5_000):
        window.set_operator(operator)
    assert window.operator_id == operator


def test_the_operators_language_is_applied_at_once_and_remembered(
    qtbot: QtBot, journal: AuditJournal, languages: Languages
) -> None:
    station = start(qtbot, journal, languages)
    try:
        window = station.window
        sign_in(qtbot, window, "op7")
        window.language_actions["hi"].trigger()
        assert window.capture_button.text() == "फ़ोटो लें  (Space)"
        assert window.tabs.tabText(1) == "इतिहास"
        assert (header := window.history.table.horizontalHeaderItem(1)) is not None
        assert header.text() == "समय"
        assert window.banner.title_text == "तैयार"
        assert languages.customer == "en"  # the customer's language is not the operator's
        assert languages.memory.get("op7") == "hi"
        sign_in(qtbot, window, "op8")  # another operator: the policy's default
        assert window.capture_button.text() == "Capture  (Space)"
        sign_in(qtbot, window, "op7")  # back: their own choice
        assert window.capture_button.text() == "फ़ोटो लें  (Space)"
    finally:
        languages.set_operator_language("en")
        close_station(qtbot, station)


def test_history_writes_dates_and_times_as_the_operators_locale_does() -> None:
    when = datetime(2026, 12, 2, 14, 5, 9, tzinfo=UTC)
    local = when.astimezone()
    german = local_time_text(when, QLocale("de_DE"))
    american = local_time_text(when, QLocale("en_US"))
    assert german != american
    assert f"{local:%M}:09" in german and f"{local:%M}:09" in american  # seconds kept
    assert f"{local.day:02d}.{local.month:02d}." in german
    assert QLocale("de_DE").toString(0.934, "f", 3) == "0,934"  # the History's score column


def test_the_bundled_font_writes_devanagari() -> None:
    registered = ensure_devanagari_font(force=True)
    assert "Noto Sans Devanagari" in registered
    assert "Noto Sans Devanagari" in QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari)
    # Qt's fallback draws Hindi with it, whatever family the widget asks for.
    layout = QTextLayout("ग्राहक की भाषा", QFont())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    families = {run.rawFont().familyName() for run in layout.glyphRuns()}
    assert families & set(QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari))
