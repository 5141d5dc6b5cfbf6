"""The verdict always fits: every text the banner can show, at 1024×768, 1366×768 and 1920×1080,
measured with the labels' own font metrics (never by eye), with nothing elided or clipped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from station.api.errors import (
    AuthError,
    LivenessAPIError,
    NetworkError,
    ServiceUnavailableError,
    TLSError,
    TokenMissingError,
)
from station.app import Station
from station.application import verdict_text as verdicts
from station.application.attempt import CANCELLED_MESSAGE
from station.application.health import Level, Part, PartHealth, service_health
from station.application.readiness import NO_TOKEN_FIX
from station.application.session import REFUSAL_MESSAGES
from station.audit import AuditJournal
from station.core.models import OutcomeKind
from station.ui.banner import VerdictBanner
from station.ui.main_window import MINIMUM_SIZE
from station.vision.quality import INSTRUCTION_TEXT
from tests.ui.conftest import close_station, start_station

SIZES = [(1024, 768), (1366, 768), (1920, 1080)]


def banner_states() -> list[tuple[str, OutcomeKind | None, str, str]]:
    """(name, kind, headline, message) for everything the banner can be asked to show."""
    states: list[tuple[str, OutcomeKind | None, str, str]] = []
    for key, action in verdicts._ACTIONS.items():
        kind = key if isinstance(key, OutcomeKind) else OutcomeKind.RETRY
        states.append((f"{kind.value}-{key.value}", kind, kind.value, action))
    for error, action in verdicts._ERROR_ACTIONS.items():
        states.append((f"ERROR-{error.value}", OutcomeKind.ERROR, "ERROR", action))
    for kind, action in verdicts._SUPERVISOR.items():
        states.append((f"supervisor-{kind.value}", kind, kind.value, action))
    states.append(("review-no-supervisor", OutcomeKind.REVIEW, "REVIEW", verdicts._NO_SUPERVISOR))
    for name, action in (
        ("face-pick", verdicts._FACE_PICK),
        ("exhausted", verdicts._EXHAUSTED),
        ("local-error", verdicts._LOCAL_ERROR),
    ):
        states.append((name, OutcomeKind.RETRY, "RETRY", action))
    states.append(("not-final", OutcomeKind.ERROR, verdicts.NOT_FINAL_WORD, verdicts._NOT_FINAL))
    states.append(("cancelled", OutcomeKind.ERROR, "ERROR", CANCELLED_MESSAGE))
    for refusal, message in REFUSAL_MESSAGES.items():
        states.append((f"refused-{refusal.value}", None, "Not ready", message))
    for instruction, text in INSTRUCTION_TEXT.items():
        states.append((f"guide-{instruction.value}", None, "Not ready", text))
    errors: tuple[LivenessAPIError, ...] = (
        TokenMissingError("x"),
        AuthError("x"),
        TLSError("x"),
        NetworkError("x"),
        ServiceUnavailableError("x"),
    )
    for failure in errors:
        states.append(
            (f"health-{type(failure).__name__}", None, "Not ready", service_health(None, failure).fix)
        )
    states.append(
        (
            "health-no-token",
            None,
            "Not ready",
            NO_TOKEN_FIX,
        )
    )
    states.append(
        (
            "health-journal",
            None,
            "Not ready",
            "The audit journal cannot be written (the disk is full): results would not be final. "
            "Call IT support.",
        )
    )
    return states


def clipped(label: QLabel, text: str) -> str | None:
    """Why ``label`` does not show all of ``text``, or None."""
    metrics = QFontMetrics(label.font())
    inner = label.contentsRect()
    if label.wordWrap():
        needed = metrics.boundingRect(QRect(0, 0, inner.width(), 100_000), Qt.TextFlag.TextWordWrap, text)
        if needed.height() > inner.height() + 1:
            return f"needs {needed.height()} px of height, has {inner.height()}"
        if needed.width() > inner.width() + 1:  # one word longer than the line
            return f"a word needs {needed.width()} px, the line has {inner.width()}"
        return None
    width = metrics.horizontalAdvance(text)
    return f"needs {width} px, has {inner.width()}" if width > inner.width() + 1 else None


def outside(child: QWidget, window: QWidget) -> bool:
    top_left = child.mapTo(window, child.rect().topLeft())
    bottom_right = child.mapTo(window, child.rect().bottomRight())
    return not (window.rect().contains(top_left) and window.rect().contains(bottom_right))


def banner_problems(banner: VerdictBanner, window: QWidget, name: str) -> list[str]:
    """Every line of the banner that is shown but clipped or outside the window, named."""
    problems: list[str] = []
    for label, text in (
        (banner._title, banner.title_text),
        (banner._glyph, banner.glyph_text),
        (banner._message, banner.message_text),
        (banner._detail, banner.detail_text),
    ):
        if not text or label.isHidden():
            continue
        why = clipped(label, text)
        if why:
            problems.append(f"{name}: {text!r} {why}")
        if outside(label, window):
            problems.append(f"{name}: {text!r} is outside the window")
    return problems


@pytest.fixture
def station(qtbot: QtBot) -> Iterator[Station]:
    running = start_station(qtbot)
    yield running
    close_station(qtbot, running)


def test_the_window_fits_a_1024_screen() -> None:
    assert MINIMUM_SIZE[0] < 1000


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_verdict_fits(qtbot: QtBot, station: Station, width: int, height: int) -> None:
    window = station.window
    window.showNormal()
    window.resize(width, height - 40)  # the screen minus a taskbar
    problems: list[str] = []
    for name, kind, headline, message in banner_states():
        banner = window.banner
        if kind is None:
            banner.show_unavailable(message)
        else:
            banner.show_outcome(kind, message, headline=headline)
        QApplication.processEvents()
        problems += banner_problems(banner, window, f"{width}x{height} {name}")
    for badge in (window.environment_badge, window.operator_label):
        why = clipped(badge, badge.text())
        if why:
            problems.append(f"{width}x{height} badge {badge.text()!r}: {why}")
    assert problems == []


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_health_strip_fits(qtbot: QtBot, station: Station, width: int, height: int) -> None:
    window = station.window
    window.showNormal()
    window.resize(width, height - 40)
    window.show_part(PartHealth(Part.SERVICE, Level.GOOD, "balance 1 234 567"))
    window.show_part(PartHealth(Part.SHIPPING, Level.WARN, "412 waiting, oldest 3 h"))
    QApplication.processEvents()
    for part, chip in window.health_strip.chips.items():
        assert clipped(chip, chip.text()) is None, (part, chip.text())


def test_the_supervisor_actions_fit_on_a_review_at_the_smallest_size(
    qtbot: QtBot, journal: AuditJournal
) -> None:
    """A real REVIEW at 1024×768: both supervisor buttons, side by side in Cancel's row, show their
    whole words (once cut to "upervisor: reject  (F1")."""
    from station.application.recording import AttemptContext, JournalRecorder
    from station.core.decision import DecisionPolicy
    from station.ui.fitting_button import MIN_POINT_SIZE
    from tests.ui.test_pseudo_locale_fits import unfit_buttons
    from tests.ui.test_station_flow import capture

    running = start_station(
        qtbot,
        recorder=JournalRecorder(journal, AttemptContext(station_id="test-station", operator_id="op7")),
        journal=journal,
        policy=DecisionPolicy(review_upper=0.999),
    )
    try:
        window = running.window
        window.showNormal()
        window.resize(*MINIMUM_SIZE)
        assert capture(qtbot, running).kind is OutcomeKind.REVIEW
        qtbot.waitUntil(window.confirm_button.isVisible, timeout=5_000)
        assert window.reject_button.isVisible()
        assert unfit_buttons(window) == []
        for button in (window.confirm_button, window.reject_button):
            assert button.text_fits(), button.text()
            assert button.font().pointSize() >= MIN_POINT_SIZE
    finally:
        close_station(qtbot, running)
