"""Issue 28: what a screen reader hears. Names and descriptions on every control and live region,
in the interface language; announcements (a verdict assertive and once, the guide polite, only on
change, never over a verdict). Real widgets, a real capture against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.consent import ConsentNotice
from station.application.language_memory import OperatorLanguages
from station.application.recording import AttemptContext, JournalRecorder
from station.audit import AuditJournal
from station.core.models import OutcomeKind
from station.ui.announcer import WORDS_PER_SECOND, AnnouncementRules, Politeness
from station.ui.history import row_description
from station.ui.languages import Languages
from tests.ui.conftest import close_station, start_station
from tests.ui.test_station_flow import capture


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def spoof_station(qtbot: QtBot, journal: AuditJournal) -> Iterator[Station]:
    running = start_station(
        qtbot,
        scenario="spoof",
        recorder=JournalRecorder(journal, AttemptContext(station_id="test-station", operator_id="op7")),
        journal=journal,
    )
    yield running
    close_station(qtbot, running)


def test_a_spoof_is_described_as_a_sentence_and_announced_once(qtbot: QtBot, spoof_station: Station) -> None:
    window = spoof_station.window
    heard: list[tuple[str, object]] = []
    window.announcer.announced.connect(lambda text, politeness: heard.append((text, politeness)))
    report = capture(qtbot, spoof_station)
    assert report.kind is OutcomeKind.SPOOF
    banner = window.banner
    assert banner.accessibleName() == "Verdict"
    assert banner.spoken_text.startswith("Verdict: SPOOF. ")
    assert banner.message_text in banner.spoken_text  # the action line is read with the verdict
    assert heard == [(banner.spoken_text, Politeness.ASSERTIVE)]
    # Each line of the banner has its own name, and the line's text as its description.
    for label, name in (
        (banner._title, "Verdict word"),
        (banner._message, "Action line"),
        (banner._glyph, "Verdict symbol"),
    ):
        assert label.accessibleName() == name
        assert label.accessibleDescription() == label.text()
    window._retranslate()  # the same verdict shown again (a language change): not said again
    QApplication.processEvents()
    assert len(heard) == 1


def test_every_focusable_control_has_a_name(spoof_station: Station) -> None:
    window = spoof_station.window
    window.show()
    unnamed = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.focusPolicy().value == 0:
            continue
        if isinstance(widget, (QAbstractButton, QLineEdit)) or widget in (window.preview, window.banner):
            text = widget.text() if isinstance(widget, (QAbstractButton, QLineEdit)) else ""
            if not (widget.accessibleName() or text):
                unnamed.append(widget.objectName() or type(widget).__name__)
    assert unnamed == []
    for button in (window.cancel_button, window.confirm_button, window.reject_button):
        assert button.accessibleDescription(), button.accessibleName()
    assert "F9" in window.confirm_button.accessibleDescription()


def test_the_health_strip_parts_say_their_state_and_fix(spoof_station: Station) -> None:
    strip = spoof_station.window.health_strip
    for part, chip in strip.chips.items():
        assert chip.accessibleName().endswith("health"), part
        spoken = chip.accessibleDescription()
        assert spoken.split(":")[0] in chip.text(), (part, spoken)
        assert any(level in spoken for level in ("good", "warning", "bad")), spoken


def test_history_rows_are_read_as_whole_attempts(qtbot: QtBot, spoof_station: Station) -> None:
    window = spoof_station.window
    capture(qtbot, spoof_station)
    table = window.history.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=10_000)
    from PySide6.QtCore import Qt

    item = table.item(0, 2)
    assert item is not None
    spoken = item.data(Qt.ItemDataRole.AccessibleDescriptionRole)
    assert spoken.startswith("Attempt ")
    assert "Outcome SPOOF" in spoken
    assert "Operator op7" in spoken


def test_a_row_description_leaves_empty_cells_out() -> None:
    headers = ["#", "Time", "Outcome", "Score"]
    assert row_description(headers, ("3", "09:00", "LIVE", "")) == "Attempt 3: Time 09:00, Outcome LIVE"


def test_the_consent_notice_is_the_previews_description(qtbot: QtBot, journal: AuditJournal) -> None:
    notice = ConsentNotice(text="We take one photo of your face to check you are present.", version="v1")
    running = start_station(qtbot, journal=journal, consent=notice)
    try:
        window = running.window
        qtbot.waitUntil(lambda: "Consent notice:" in window.preview.accessibleDescription(), timeout=5_000)
        assert notice.text in window.preview.accessibleDescription()
    finally:
        close_station(qtbot, running)


def test_the_names_follow_the_interface_language(qtbot: QtBot, journal: AuditJournal, tmp_path: Path) -> None:
    languages = Languages(
        interface="en", customers="en,hi", memory=OperatorLanguages(tmp_path / "operator-languages.json")
    )
    running = start_station(qtbot, scenario="spoof", journal=journal, languages=languages)
    try:
        window = running.window
        window.language_actions["hi"].trigger()
        assert window.banner.accessibleName() == "निर्णय"
        assert window.banner._message.accessibleName() == "अगला कदम"
        assert "F9" in window.confirm_button.accessibleDescription()
        assert window.confirm_button.accessibleDescription().startswith("REVIEW निर्णय")
        capture(qtbot, running)
        assert window.banner.spoken_text.startswith("निर्णय: ")
    finally:
        languages.set_operator_language("en")
        close_station(qtbot, running)


# -- the announcement rules, without Qt ---------------------------------------------------------


def test_a_verdict_is_assertive_and_said_once_per_report() -> None:
    rules = AnnouncementRules(FakeClock())
    report = object()
    first = rules.verdict("Verdict: SPOOF. Try once more.", report)
    assert first is not None and first.politeness is Politeness.ASSERTIVE
    assert rules.verdict("Verdict: SPOOF. Try once more.", report) is None
    assert rules.verdict("Verdict: SPOOF. Try once more.", object()) is not None  # a new attempt


def test_the_guide_is_polite_and_only_said_when_it_changes() -> None:
    rules = AnnouncementRules(FakeClock())
    said = rules.guide("Move closer", verdict_on_screen=False)
    assert said is not None and said.politeness is Politeness.POLITE
    assert rules.guide("Move closer", verdict_on_screen=False) is None
    assert rules.guide("Hold still", verdict_on_screen=False) is not None
    assert rules.guide(None, verdict_on_screen=False) is None  # no guide: nothing to say


def test_the_guide_is_never_said_over_a_verdict_or_while_it_is_read() -> None:
    clock = FakeClock()
    rules = AnnouncementRules(clock)
    verdict = "Verdict: SPOOF. Liveness not confirmed. Ask the customer to remove the photo."
    assert rules.verdict(verdict, object()) is not None
    assert rules.guide("Move closer", verdict_on_screen=True) is None
    reading = len(verdict.split()) / WORDS_PER_SECOND
    clock.now += reading / 2
    assert rules.guide("Move closer", verdict_on_screen=False) is None  # still being read
    clock.now += reading
    assert rules.guide("Move closer", verdict_on_screen=False) is not None
