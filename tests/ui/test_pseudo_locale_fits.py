"""Other languages fit too: the pseudo-locale (every text 40 % longer, accented) at 1024×768.

The same measurement as the verdict-fit test (the labels' own font metrics, nothing elided or
clipped), but every text goes through the window's own translation path with the pseudo-locale as
the operator's and the customer's language — and once with English for the operator, so the
customer's line and the operator's line under it must both fit.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.desk_state import Banner, BannerKind
from station.application.verdict_text import VerdictText
from station.core.geometry import Rect
from station.ui.fitting_button import MIN_POINT_SIZE
from station.ui.guidance import _WRAP, guide_chip
from station.ui.languages import Languages
from station.ui.pseudo import PSEUDO_TAG, pseudo_text
from station.vision.quality import Instruction
from tests.ui.conftest import close_station, start_station
from tests.ui.test_verdict_fits import banner_problems, banner_states, clipped

WIDTH, HEIGHT = 1024, 768


@pytest.fixture(params=["both", "customer only"])
def station(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[Station]:
    languages = Languages(interface=PSEUDO_TAG, customers=f"{PSEUDO_TAG},en")
    running = start_station(qtbot, languages=languages)  # signs the demo operator in: the default
    languages.set_operator_language(PSEUDO_TAG if request.param == "both" else "en")
    window = running.window
    window.showNormal()
    window.resize(WIDTH, HEIGHT - 40)  # the screen minus a taskbar
    QApplication.processEvents()
    yield running
    languages.set_operator_language("en")  # Qt's translators are application-wide
    close_station(qtbot, running)


def unfit_buttons(window: QWidget) -> list[str]:
    """Every visible button whose words do not fit, at a size no smaller than the floor."""
    problems = []
    for button in window.findChildren(QPushButton):
        if not button.isVisible():
            continue
        needed = button.fontMetrics().horizontalAdvance(button.text()) + 8
        if needed > button.width():
            problems.append(f"button {button.text()!r}: needs {needed} px, has {button.width()}")
        if button.font().pointSize() < MIN_POINT_SIZE:
            problems.append(f"button {button.text()!r}: shrunk below {MIN_POINT_SIZE} pt")
    return problems


def test_the_pseudo_locale_is_longer_and_keeps_its_fields() -> None:
    source = "Operator: {operator} pressed Space"
    text = pseudo_text(source)
    assert len(text) >= 1.4 * len(source) - len("{operator}")
    assert "{operator}" in text and text != source
    assert text.format(operator="op7")


def test_every_banner_text_fits_in_the_pseudo_locale(qtbot: QtBot, station: Station) -> None:
    window = station.window
    languages = window.languages
    problems: list[str] = []
    for name, kind, headline, message in banner_states():
        if name.startswith("guide-"):
            instruction = Instruction(name.removeprefix("guide-"))
            window._not_ready_banner(instruction, message)
        elif kind is None:
            window.banner.show_unavailable(languages.operator_message(message))
        else:
            verdict = VerdictText(headline, message, kind=kind)
            desk = window.controller.desk
            desk.banner = Banner(BannerKind.VERDICT, verdict=verdict)  # as the desk would have it
            window.draw(desk.state())
        QApplication.processEvents()
        banner = window.banner
        if kind is not None:  # the action line is the customer's: always the pseudo-locale here
            assert banner.message_text.startswith("["), name
            assert bool(banner.detail_text) is (languages.operator == "en"), name
        problems += banner_problems(banner, window, name)
    assert problems == []


def test_the_buttons_badges_and_health_fit_in_the_pseudo_locale(qtbot: QtBot, station: Station) -> None:
    window = station.window
    problems: list[str] = []
    for row in (0, 1):  # Cancel, then the two supervisor actions that take its place on a REVIEW
        window.action_row.setCurrentIndex(row)
        QApplication.processEvents()
        problems += unfit_buttons(window)
    window.action_row.setCurrentIndex(0)
    # The chips' words change as the camera and the service report (fps, the balance): let the
    # layout give a chip its width for the words it has now before measuring them.
    QApplication.processEvents()
    for label in (
        window.customer_language_label,
        window.environment_badge,
        window.operator_label,
        *window.health_strip.chips.values(),
    ):
        why = clipped(label, label.text())
        if why:
            problems.append(f"{label.text()!r}: {why}")
    assert problems == []


def test_the_guide_never_cuts_an_instruction(qtbot: QtBot, station: Station) -> None:
    preview = station.window.preview
    display = preview.display_rect()
    languages = station.window.languages
    for instruction in Instruction:
        text = "✔ " + languages.instruction(instruction)
        second = languages.instruction(instruction, for_operator=True)
        chip = guide_chip(Rect(display.x, display.y, display.width, display.height), text, second)
        assert chip.chip.left() >= display.x and chip.chip.right() <= display.x + display.width, instruction
        needed = QFontMetricsF(chip.font).boundingRect(QRectF(chip.text_rect), _WRAP, text)
        assert needed.height() <= chip.text_rect.height() + 1, instruction
        assert needed.width() <= chip.text_rect.width() + 1, instruction
