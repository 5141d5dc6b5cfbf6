"""Issue 28: large text. The station honours the system's text size (Windows' "Make text bigger",
a larger desktop font): with the application font at 150 % on 1024×768 and 200 % on 1920×1080,
nothing is clipped (verdict, action line, buttons, health strip, dialogs), measured with the real
font metrics; display scaling (QT_SCALE_FACTOR 1.25 on 1280×1024, 1.5 on 1920×1080) fits too."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from station.app import Station
from station.application.health import Level, Part, PartHealth
from station.core.geometry import Rect
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import hash_pin
from station.ui import style
from station.ui.pin_dialog import PinDialog
from tests.ui.conftest import close_station, start_station
from tests.ui.test_pseudo_locale_fits import unfit_buttons
from tests.ui.test_verdict_fits import banner_problems, banner_states, clipped

ROOT = Path(__file__).resolve().parents[2]
TEXT_CASES = [(1.5, 1024, 768), (2.0, 1920, 1080)]
SCALE_CASES = [("1.25", 1280, 1024), ("1.5", 1920, 1080)]
#: Set by the display-scaling cases for the child pytest they start (QT_SCALE_FACTOR must be set
#: before Qt starts, so each case runs in its own process).
SCALE_CASE = "STATION_FIT_SCALE_CASE"


@pytest.fixture
def text_size(request: pytest.FixtureRequest) -> Iterator[float]:
    """The application font at ``request.param`` times the designed size, as the system sets it."""
    factor = float(request.param)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    larger = app.font()
    larger.setPointSizeF(style.REFERENCE_POINT_SIZE * factor)
    app.setFont(larger)
    try:
        yield factor
    finally:
        app.setFont(before)


def cut_by_a_parent(widget: QWidget, window: QWidget) -> str | None:
    """Why ``widget`` is not wholly visible inside its parents (a squeezed banner hides the end
    of a label that is itself tall enough), or None."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        visible = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
        if not visible.contains(rect):
            return f"{rect.getRect()} is cut by {type(parent).__name__} {visible.getRect()}"
        parent = parent.parentWidget()
    return None


def fit_problems(station: Station, width: int, height: int) -> list[str]:
    """Everything clipped or off screen in the window fitted to a ``width``×``height`` screen."""
    window = station.window
    window.showNormal()
    window.fit_to_screen(QRect(0, 0, width, height))
    # The longest states the strip shows (tests/ui/test_verdict_fits.py uses the same).
    window.show_part(PartHealth(Part.SERVICE, Level.GOOD, "balance 1 234 567"))
    window.show_part(PartHealth(Part.SHIPPING, Level.WARN, "412 waiting, oldest 3 h"))
    QApplication.processEvents()
    problems: list[str] = []
    if window.width() > width or window.height() > height:
        problems.append(f"window {window.width()}x{window.height()} on a {width}x{height} screen")
    for name, kind, headline, message in banner_states():
        banner = window.banner
        if kind is None:
            banner.show_unavailable(message)
        else:
            banner.show_outcome(kind, message, headline=headline)
        QApplication.processEvents()
        problems += banner_problems(banner, window, f"{width}x{height} {name}")
        for label in (banner._title, banner._message, banner._detail):
            why = cut_by_a_parent(label, window) if label.isVisible() and label.text() else None
            if why:
                problems.append(f"{width}x{height} {name}: {label.text()!r} {why}")
    problems += unfit_buttons(window)
    for part, chip in window.health_strip.chips.items():
        why = clipped(chip, chip.text()) or cut_by_a_parent(chip, window)
        if why:
            problems.append(f"health {part}: {chip.text()!r} {why}")
    for label in (window.environment_badge, window.operator_label, window.customer_language_label):
        why = clipped(label, label.text()) if label.isVisible() and label.text() else None
        if why:
            problems.append(f"{label.objectName()}: {label.text()!r} {why}")
    return problems


@pytest.mark.parametrize(
    ("text_size", "width", "height"),
    TEXT_CASES,
    ids=[f"text{int(f * 100)}-{w}x{h}" for f, w, h in TEXT_CASES],
    indirect=["text_size"],
)
def test_large_text_fits(qtbot: QtBot, text_size: float, width: int, height: int) -> None:
    station = start_station(qtbot, scenario="spoof")
    try:
        window = station.window
        assert window.banner._title.font().pointSize() >= round(style.WORD_POINT_SIZE * text_size) * 0.5
        assert window.capture_button.font().pointSize() > 14  # the buttons grew with the text
        assert fit_problems(station, width, height) == []
    finally:
        close_station(qtbot, station)


@pytest.mark.parametrize(
    ("text_size", "width", "height"),
    TEXT_CASES,
    ids=[f"text{int(f * 100)}-{w}x{h}" for f, w, h in TEXT_CASES],
    indirect=["text_size"],
)
def test_a_dialog_fits_with_large_text(
    qtbot: QtBot, tmp_path: Path, text_size: float, width: int, height: int
) -> None:
    guard = PinGuard(
        People(hash_pin("246813"), {"sup1": hash_pin("135724")}), PinLedger(tmp_path / "pins.sqlite3")
    )
    dialog = PinDialog(guard, "confirm the customer is live", supervisor=True)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    hint = dialog.sizeHint()
    assert hint.width() <= width and hint.height() <= height, hint
    dialog.resize(hint)
    QApplication.processEvents()
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.text():
            shown = label.text().replace("&&", "\0").replace("&", "").replace("\0", "&")  # mnemonics
            assert clipped(label, shown) is None, label.text()


@pytest.mark.skipif(not os.environ.get(SCALE_CASE), reason="run by test_display_scaling_fits")
def test_fits_under_display_scaling(qtbot: QtBot) -> None:
    """The child run: the station under QT_SCALE_FACTOR, fitted to the screen's logical size."""
    factor, width, height = os.environ[SCALE_CASE].split(",")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.devicePixelRatio() == pytest.approx(float(factor))
    logical_w, logical_h = round(int(width) / float(factor)), round(int(height) / float(factor))
    station = start_station(qtbot, scenario="spoof")
    try:
        assert fit_problems(station, logical_w, logical_h) == []
    finally:
        close_station(qtbot, station)


@pytest.mark.parametrize(
    ("factor", "width", "height"), SCALE_CASES, ids=[f"scale{f}-{w}x{h}" for f, w, h in SCALE_CASES]
)
def test_display_scaling_fits(factor: str, width: int, height: int) -> None:
    if os.environ.get(SCALE_CASE):
        pytest.skip("already the child run")
    env = dict(os.environ, QT_SCALE_FACTOR=factor, **{SCALE_CASE: f"{factor},{width},{height}"})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).relative_to(ROOT)}::test_fits_under_display_scaling",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize(
    ("text_size", "width", "height"),
    TEXT_CASES,
    ids=[f"text{int(f * 100)}-{w}x{h}" for f, w, h in TEXT_CASES],
    indirect=["text_size"],
)
def test_the_consent_notice_fits_with_large_text(text_size: float, width: int, height: int) -> None:
    """The notice on the preview of a window fitted to the screen (half its width, most of its
    height): the title, the whole body and the keys inside the panel, none cut."""
    from station.application.consent import DEFAULT_NOTICE
    from station.ui.guidance import NOTICE_MIN_POINT_SIZE, NOTICE_TITLE, notice_layout

    keys = "The operator presses F7 if you agree, F8 if you do not."
    display = Rect(0, 0, width // 2, int(height * 0.75))
    layout = notice_layout(display, DEFAULT_NOTICE, keys, NOTICE_TITLE)
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
    for rect, font, words in (
        (layout.title_rect, layout.title_font, NOTICE_TITLE),
        (layout.body_rect, layout.body_font, DEFAULT_NOTICE),
        (layout.keys_rect, layout.keys_font, keys),
    ):
        needed = QFontMetricsF(font).boundingRect(QRectF(0, 0, rect.width(), 100_000), flags, words)
        assert needed.height() <= rect.height() + 1, (words[:30], needed.height(), rect.height())
        assert needed.width() <= rect.width() + 1, (words[:30], needed.width(), rect.width())
        assert layout.panel.contains(rect), (words[:30], rect, layout.panel)
    assert layout.title_font.pointSize() > style.MESSAGE_POINT_SIZE  # the title grew with the text
    assert layout.body_font.pointSize() >= NOTICE_MIN_POINT_SIZE
