"""The verdict banner and the palette behind it: glyph + word + colour, readable and accessible."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from station.core.models import OutcomeKind
from station.ui import style
from station.ui.banner import VerdictBanner

EXPECTED_GLYPHS = {
    OutcomeKind.LIVE: "✔",
    OutcomeKind.SPOOF: "✖",
    OutcomeKind.RETRY: "↻",
    OutcomeKind.REVIEW: "⚑",
    OutcomeKind.ERROR: "⚠",
}


@pytest.fixture
def banner(qtbot: QtBot) -> VerdictBanner:
    widget = VerdictBanner()
    qtbot.addWidget(widget)
    widget.resize(440, 260)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("kind", list(OutcomeKind))
def test_each_kind_shows_word_glyph_message_and_colour(banner: VerdictBanner, kind: OutcomeKind) -> None:
    banner.show_outcome(kind, "Ask the customer to look at the camera.", "score 0.42")
    assert banner.kind is kind
    assert banner.title_text == kind.value  # LIVE, SPOOF, RETRY, REVIEW, ERROR
    assert banner.glyph_text == EXPECTED_GLYPHS[kind]
    assert banner.message_text == "Ask the customer to look at the camera."
    assert banner.detail_text == "score 0.42"
    description = banner.accessibleDescription()
    assert kind.value in description
    assert "Ask the customer to look at the camera." in description
    # The colour really reaches the screen (left margin, where no text is drawn).
    shot = banner.grab().toImage()
    ratio = shot.devicePixelRatio()
    colour = QColor(shot.pixelColor(int(6 * ratio), int(banner.height() / 2 * ratio))).name().upper()
    assert colour == style.outcome_style(kind).palette.background


def test_kinds_differ_by_more_than_colour() -> None:
    looks = [style.outcome_style(kind) for kind in OutcomeKind]
    assert len({look.glyph for look in looks}) == len(looks)
    assert len({look.word for look in looks}) == len(looks)
    assert len({look.palette.background for look in looks}) == len(looks)


@pytest.mark.parametrize(("name", "palette"), list(style.text_pairs().items()))
def test_every_text_pair_meets_wcag_aa(name: str, palette: style.Palette) -> None:
    assert style.contrast_ratio(palette.foreground, palette.background) >= 4.5, name


def test_contrast_ratio_reference_values() -> None:
    assert style.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert style.contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert style.contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert style.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_fonts_are_readable_at_arms_length(banner: VerdictBanner) -> None:
    banner.show_outcome(OutcomeKind.LIVE, "Proceed.")
    title, glyph, message = banner._title.font(), banner._glyph.font(), banner._message.font()
    assert title.pointSize() >= 36
    assert title.bold()
    assert glyph.pointSize() >= title.pointSize()
    assert message.pointSize() >= 16
    assert banner._message.wordWrap()


def test_busy_shows_elapsed_seconds_in_neutral_colours(banner: VerdictBanner) -> None:
    banner.show_outcome(OutcomeKind.SPOOF, "Do not proceed.")
    banner.show_busy(1.42)
    assert banner.kind is None
    assert banner.title_text == "Verifying…"
    assert banner.message_text == "1.4 s  (Esc cancels)"
    description = banner.accessibleDescription()
    banner.show_busy(2.0, "Checking")
    assert banner.title_text == "Checking"
    assert "2.0 s" in banner.message_text
    assert "SPOOF" not in banner.accessibleDescription()
    assert banner.accessibleDescription() != description
    banner.show_busy(2.1, "Checking")  # the ticking clock is not re-announced
    assert "2.1" not in banner.accessibleDescription()


def test_idle_shows_what_to_do(banner: VerdictBanner) -> None:
    banner.show_outcome(OutcomeKind.LIVE, "Proceed.")
    banner.show_idle("Press Space to capture")
    assert banner.kind is None
    assert banner.message_text == "Press Space to capture"
    assert "Press Space to capture" in banner.accessibleDescription()
    assert banner.accessibleName() == "Verdict"


def test_markup_in_a_message_is_shown_as_text(banner: VerdictBanner) -> None:
    banner.show_outcome(OutcomeKind.ERROR, "<b>bad</b> gateway")
    assert banner.message_text == "<b>bad</b> gateway"


def test_environment_badges() -> None:
    assert style.badge_style("sandbox").text == "SANDBOX"
    production = style.badge_style("PRODUCTION").palette.background
    assert production not in {style.badge_style(n).palette.background for n in ("sandbox", "demo")}
    sheet = style.environment_badge_style("production")
    assert production in sheet
    assert style.environment_badge_style("somewhere-else") == sheet  # unknown: the loud look
    with pytest.raises(KeyError):
        style.badge_style("nowhere")
