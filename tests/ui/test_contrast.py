"""Issue 28: every text the station draws meets WCAG contrast (4.5:1, 3:1 for large text),
computed from the style's real colours, and the widgets draw with those colours (pixels read back).
The table is printed (``pytest -s``) and quoted in the README."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station.application.health import Health, Level, Part, PartHealth
from station.core.geometry import Rect
from station.core.models import OutcomeKind
from station.ui import contrast, style
from station.ui.banner import VerdictBanner
from station.ui.guidance import paint_notice
from station.ui.health_strip import HealthStrip


@pytest.fixture
def high_contrast() -> Iterator[None]:
    style.set_theme(style.Theme.HIGH_CONTRAST)
    yield
    style.set_theme(style.Theme.STANDARD)


def test_every_pair_meets_its_target_and_the_table_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    rows = contrast.contrast_rows()
    assert {row.name for row in rows} == set(style.text_pairs())  # every pair has its text size
    with capsys.disabled():
        print("\n" + contrast.markdown_table(rows))
    failing = [(row.name, round(row.ratio, 2), row.target) for row in rows if not row.meets]
    assert failing == []


def test_every_pair_meets_its_target_in_high_contrast(high_contrast: None) -> None:
    rows = contrast.contrast_rows()
    assert [row.name for row in rows if not row.meets] == []
    themed = [row for row in rows if not row.name.startswith(("badge ", "face label", "status chip"))]
    assert min(row.ratio for row in themed) >= 7.0  # AAA, which a high-contrast theme is for


def test_the_large_text_rule() -> None:
    assert contrast.TextSize(18).large and contrast.TextSize(14, bold=True).large
    assert not contrast.TextSize(14).large and not contrast.TextSize(13, bold=True).large
    weak = contrast.ContrastRow("x", "#777777", "#FFFFFF", 4.48, contrast.TextSize(18))
    assert (
        weak.meets and not contrast.ContrastRow("x", "#777777", "#FFFFFF", 4.48, contrast.TextSize(12)).meets
    )


def test_a_translucent_panel_is_measured_at_its_worst() -> None:
    assert contrast.composite("#000000", 255, "#FFFFFF") == "#000000"
    assert contrast.composite("#000000", 0, "#FFFFFF") == "#FFFFFF"
    notice = next(row for row in contrast.contrast_rows() if row.name == "consent notice")
    over_white = contrast.composite(style.NOTICE.background, style.NOTICE_ALPHA, "#FFFFFF")
    assert notice.background == over_white  # the lighter picture is the worse case for white text


def _pixel(image: QImage, x: int, y: int) -> str:
    return image.pixelColor(x, y).name().upper()


def test_the_banner_and_the_strip_draw_the_tested_colours(qtbot: QtBot) -> None:
    banner = VerdictBanner()
    qtbot.addWidget(banner)
    banner.resize(500, 300)
    banner.show_outcome(OutcomeKind.SPOOF, "Liveness not confirmed.")
    QApplication.processEvents()
    image = banner.grab().toImage()
    assert (
        _pixel(image, 250, image.height() - 6) == style.OUTCOME_STYLES[OutcomeKind.SPOOF].palette.background
    )
    strip = HealthStrip()
    qtbot.addWidget(strip)
    strip.resize(900, 40)
    strip.show_health(Health().with_part(PartHealth(Part.SERVICE, Level.BAD, "unreachable")))
    QApplication.processEvents()
    chip = strip.chips[Part.SERVICE]
    shot = chip.grab().toImage()
    assert _pixel(shot, 3, shot.height() // 2) == style.HEALTH_LOOKS[Level.BAD][1].background


def test_the_consent_panel_draws_the_tested_colour() -> None:
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    paint_notice(painter, Rect(0, 0, 400, 300), "We take one photo.", "F7 yes · F8 no")
    painter.end()
    drawn = image.pixelColor(QPoint(200, 150)).name().upper()
    expected = contrast.composite(style.NOTICE.background, style.NOTICE_ALPHA, "#FFFFFF")
    assert abs(int(drawn[1:], 16) - int(expected[1:], 16)) < 0x030303, (drawn, expected)


def test_high_contrast_reaches_the_banner(qtbot: QtBot, high_contrast: None) -> None:
    banner = VerdictBanner()
    qtbot.addWidget(banner)
    banner.resize(500, 300)
    banner.show_outcome(OutcomeKind.SPOOF, "Liveness not confirmed.")
    QApplication.processEvents()
    image = banner.grab().toImage()
    assert _pixel(image, 250, image.height() - 6) == "#000000"
    assert banner.glyph_text == "✖" and banner.title_text == "SPOOF"  # still told by glyph and word


def test_the_system_preference_picks_the_theme() -> None:
    assert style.theme_for(Qt.ContrastPreference.HighContrast) is style.Theme.HIGH_CONTRAST
    assert style.theme_for(Qt.ContrastPreference.NoPreference) is style.Theme.STANDARD
    # Offscreen Qt reports no preference: the standard theme.
    assert style.follow_system_contrast() is style.Theme.STANDARD
