"""One source of truth for how the station looks: colours, fonts and glyphs per outcome.

An operator at a counter glances at the screen from arm's length, perhaps colour-blind, perhaps
in a bright branch. So every verdict is told three ways at once (glyph, word, colour), and every
text colour is chosen for a WCAG contrast of at least 4.5:1 against what it sits on;
:func:`text_pairs` lists every such pair so a test can hold the palette to that.

Colours are ``#RRGGBB`` strings, not ``QColor``: plain values are easy to compare, test and put
in a style sheet; :func:`qcolor` turns them into Qt colours where painting needs them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication

from station.application.health import Level
from station.core.models import OutcomeKind
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "BADGE_STYLES",
    "BOX_PRIMARY",
    "BOX_PRIMARY_WIDTH",
    "BOX_SECONDARY",
    "BOX_SECONDARY_WIDTH",
    "BUSY_STYLE",
    "CHIP",
    "DETAIL_POINT_SIZE",
    "GLYPH_POINT_SIZE",
    "GUIDE_NOT_READY",
    "GUIDE_READY",
    "HEALTH_LOOKS",
    "IDLE_STYLE",
    "LABEL",
    "LABEL_POINT_SIZE",
    "MESSAGE_POINT_SIZE",
    "NOTICE",
    "NOTICE_ALPHA",
    "NOTICE_KEYS",
    "NOT_READY_STYLE",
    "OUTCOME_STYLES",
    "PREVIEW_BACKGROUND",
    "REFERENCE_POINT_SIZE",
    "WATERMARK_ALPHA",
    "WATERMARK_COLOUR",
    "WORD_POINT_SIZE",
    "BadgeStyle",
    "BannerStyle",
    "Palette",
    "Theme",
    "badge_style",
    "contrast_ratio",
    "environment_badge_style",
    "follow_system_contrast",
    "font",
    "outcome_style",
    "qcolor",
    "scaled",
    "set_theme",
    "text_pairs",
    "text_scale",
    "theme",
    "theme_for",
    "themed",
]


@dataclass(frozen=True, slots=True)
class Palette:
    """A text colour and the background it is drawn on."""

    foreground: str
    background: str


@dataclass(frozen=True, slots=True)
class BannerStyle:
    """How the verdict banner shows one state: the word, its glyph and its colours."""

    word: str
    glyph: str
    palette: Palette


@dataclass(frozen=True, slots=True)
class BadgeStyle:
    """The environment badge: which service the station is talking to, never to be missed."""

    text: str
    palette: Palette


_WHITE = "#FFFFFF"
_INK = "#1A1A1A"

OUTCOME_STYLES: Mapping[OutcomeKind, BannerStyle] = MappingProxyType(
    {
        OutcomeKind.LIVE: BannerStyle(QT_TRANSLATE_NOOP("Headline", "LIVE"), "✔", Palette(_WHITE, "#1B5E20")),
        OutcomeKind.SPOOF: BannerStyle(
            QT_TRANSLATE_NOOP("Headline", "SPOOF"), "✖", Palette(_WHITE, "#B71C1C")
        ),
        OutcomeKind.RETRY: BannerStyle(QT_TRANSLATE_NOOP("Headline", "RETRY"), "↻", Palette(_INK, "#FFB300")),
        OutcomeKind.REVIEW: BannerStyle(
            QT_TRANSLATE_NOOP("Headline", "REVIEW"), "⚑", Palette(_WHITE, "#4527A0")
        ),
        OutcomeKind.ERROR: BannerStyle(
            QT_TRANSLATE_NOOP("Headline", "ERROR"), "⚠", Palette(_WHITE, "#424242")
        ),
    }
)
"""Green tick, red cross, amber retry, purple flag, grey warning: distinct in hue *and* glyph."""

BUSY_STYLE = BannerStyle("", "◌", Palette(_WHITE, "#37474F"))
"""Neutral while a verification runs: no colour that could be mistaken for a verdict."""

IDLE_STYLE = BannerStyle("", "◉", Palette("#263238", "#ECEFF1"))
"""Quiet and light while nothing has been captured yet."""

NOT_READY_STYLE = BannerStyle(QT_TRANSLATE_NOOP("Headline", "Not ready"), "⚠", Palette("#1A1A1A", "#FFE082"))
"""The local quality gate holding a capture back: amber-light, so it reads as 'wait', not a verdict."""

BADGE_STYLES: Mapping[str, BadgeStyle] = MappingProxyType(
    {
        "SANDBOX": BadgeStyle("SANDBOX", Palette(_INK, "#FFD54F")),
        "DEMO": BadgeStyle("DEMO", Palette(_WHITE, "#00695C")),
        # Production is the one that costs money and touches real customers: loud red-orange.
        "PRODUCTION": BadgeStyle("PRODUCTION", Palette(_WHITE, "#BF360C")),
    }
)

# The overlay on the preview. The primary face gets a bright cyan that stands out on skin, hair
# and typical branch backgrounds; other faces a quiet grey so the eye goes to the right one.
BOX_PRIMARY = "#00E5FF"
BOX_SECONDARY = "#B0BEC5"
BOX_PRIMARY_WIDTH = 4
BOX_SECONDARY_WIDTH = 2
LABEL = Palette(_WHITE, "#101418")
"""The score label: opaque, so it stays readable over any picture."""
CHIP = Palette(_WHITE, "#202428")
"""The fps / camera-state chip."""
WATERMARK_COLOUR = _WHITE
WATERMARK_ALPHA = 70
"""Translucent enough to see the face through, visible enough that nobody mistakes a demo."""
PREVIEW_BACKGROUND = "#000000"

# The health strip's chips: a symbol and a word beside the colour (● good, ▲ warning, ■ bad).
HEALTH_LOOKS: Mapping[Level, tuple[str, Palette]] = MappingProxyType(
    {
        Level.GOOD: ("●", Palette("#1B5E20", "#E8F5E9")),
        Level.WARN: ("▲", Palette("#5D4037", "#FFF3CD")),
        Level.BAD: ("■", Palette(_WHITE, "#B71C1C")),
    }
)

# The capture guide's chip on the picture (and its oval): green when ready, amber when not. The
# green is dark enough for the operator's smaller second line (12 pt) as well as the 18 pt one.
GUIDE_READY = Palette(_WHITE, "#1B7F3B")
GUIDE_NOT_READY = Palette(_INK, "#F2B600")

# The consent notice over the picture: a dark panel, translucent enough to show the customer is
# still in view; its text is checked against the panel laid over a white and a black picture.
NOTICE = Palette(_WHITE, "#0D1B2A")
NOTICE_KEYS = Palette("#FFE082", "#0D1B2A")
NOTICE_ALPHA = 225

# Point sizes: the verdict must be readable from arm's length (about 70 cm).
WORD_POINT_SIZE = 40
GLYPH_POINT_SIZE = 40
MESSAGE_POINT_SIZE = 18
DETAIL_POINT_SIZE = 13
LABEL_POINT_SIZE = 11


def outcome_style(kind: OutcomeKind) -> BannerStyle:
    """The banner style for an outcome."""
    return OUTCOME_STYLES[kind]


class Theme(enum.Enum):
    """The station's own colours, or the high-contrast ones when the system asks for them."""

    STANDARD = "standard"
    HIGH_CONTRAST = "high contrast"


_BLACK = "#000000"
_YELLOW = "#FFFF00"
_CYAN = "#00FFFF"
#: High contrast: light text on black, as Windows' high-contrast themes and GNOME's do; the
#: verdicts that call for action in yellow, REVIEW in cyan. Glyph and word still tell them apart.
_HIGH_CONTRAST: Mapping[Palette, Palette] = MappingProxyType(
    {
        OUTCOME_STYLES[OutcomeKind.LIVE].palette: Palette(_WHITE, _BLACK),
        OUTCOME_STYLES[OutcomeKind.SPOOF].palette: Palette(_YELLOW, _BLACK),
        OUTCOME_STYLES[OutcomeKind.RETRY].palette: Palette(_YELLOW, _BLACK),
        OUTCOME_STYLES[OutcomeKind.REVIEW].palette: Palette(_CYAN, _BLACK),
        NOT_READY_STYLE.palette: Palette(_YELLOW, _BLACK),
        HEALTH_LOOKS[Level.WARN][1]: Palette(_YELLOW, _BLACK),
        HEALTH_LOOKS[Level.BAD][1]: Palette(_YELLOW, _BLACK),
        GUIDE_NOT_READY: Palette(_YELLOW, _BLACK),
    }
)
_HIGH_CONTRAST_DEFAULT = Palette(_WHITE, _BLACK)
_theme = Theme.STANDARD
_followed: list[object] = []  # the hints whose changes are followed (connected once)


def theme() -> Theme:
    return _theme


def set_theme(chosen: Theme) -> None:
    """Use ``chosen`` from now on (a widget picks it up the next time it draws a state)."""
    global _theme
    _theme = chosen


def themed(palette: Palette) -> Palette:
    """``palette`` in the theme in use (itself in the standard theme)."""
    if _theme is Theme.STANDARD:
        return palette
    return _HIGH_CONTRAST.get(palette, _HIGH_CONTRAST_DEFAULT)


def theme_for(preference: Qt.ContrastPreference) -> Theme:
    """The theme for the system's contrast preference (Windows high contrast; the desktop's
    high-contrast setting on Linux, through Qt's style hints)."""
    return Theme.HIGH_CONTRAST if preference == Qt.ContrastPreference.HighContrast else Theme.STANDARD


def follow_system_contrast() -> Theme:
    """Take the system's contrast preference now and whenever it changes; the theme in use."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return _theme
    style_hints = app.styleHints()  # kept: the accessibility hints belong to it
    accessibility = getattr(style_hints, "accessibility", None)
    if accessibility is None:  # Qt before 6.10 (the Windows build's 6.8 LTS): no contrast hint
        from station.ui.windows_contrast import windows_high_contrast

        if windows_high_contrast():  # Windows itself says (None elsewhere: the theme stays)
            set_theme(Theme.HIGH_CONTRAST)
        return _theme
    hints = accessibility()
    set_theme(theme_for(hints.contrastPreference()))
    if hints not in _followed:
        _followed.append(hints)
        hints.contrastPreferenceChanged.connect(lambda preference: set_theme(theme_for(preference)))
    return _theme


def badge_style(environment: str) -> BadgeStyle:
    """The badge for an environment name, case-insensitive (``"sandbox"``, ``Environment.SANDBOX``).

    An unknown name raises KeyError: a station that cannot say where it sends faces must not guess.
    """
    return BADGE_STYLES[str(environment).upper()]


def environment_badge_style(environment: str) -> str:
    """A Qt style sheet for the environment badge label (``"sandbox"``, ``"demo"``, ``"production"``).

    An environment this module does not know gets the production look: when unsure where faces
    are going, the loud warning is the safe mistake.
    """
    badge = BADGE_STYLES.get(str(environment).upper(), BADGE_STYLES["PRODUCTION"])
    return (
        f"QLabel {{ color: {badge.palette.foreground}; background-color: {badge.palette.background};"
        " font-weight: bold; padding: 2px 10px; border-radius: 4px; }"
    )


def qcolor(hex_colour: str, alpha: int = 255) -> QColor:
    """A Qt colour from ``#RRGGBB``, with an optional alpha (0..255)."""
    colour = QColor(hex_colour)
    if not colour.isValid():
        raise ValueError(f"not a colour: {hex_colour!r}")
    colour.setAlpha(alpha)
    return colour


#: The desktop font size the station's point sizes are designed for: Windows' 9 pt message font
#: (Segoe UI), which is also Qt's default here. "Make text bigger" (or a larger desktop font on
#: Linux) raises the application font; :func:`text_scale` follows it.
REFERENCE_POINT_SIZE = 9.0


def text_scale() -> float:
    """How much larger than designed the system wants text: the application font's point size over
    :data:`REFERENCE_POINT_SIZE`, never below 1 (a smaller desktop font leaves the verdict as large
    as designed). Text only: display scaling (QT_SCALE_FACTOR, Windows' scale) is Qt's own."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return 1.0
    size = QGuiApplication.font().pointSizeF()
    return max(1.0, size / REFERENCE_POINT_SIZE) if size > 0 else 1.0


#: WCAG's large text: display text this size or larger grows less than body text with the system.
DISPLAY_POINT_SIZE = 18


def scaled(point_size: float) -> int:
    """A designed point size at the system's text size (rounded to whole points). Body text grows
    by the whole factor; display text (18 pt and up: the verdict's word, the action line), already
    large, by its square root (×1.22 at 150 %, ×1.41 at 200 %), so it stays larger than the body
    text and the verdict still fits the smallest screen."""
    scale = text_scale()
    factor = math.sqrt(scale) if point_size >= DISPLAY_POINT_SIZE else scale
    return max(1, round(point_size * factor))


def font(point_size: int, *, bold: bool = False) -> QFont:
    """The application font at a designed size, scaled to the system's text size: one place to
    change the typeface for the station."""
    result = QFont()
    result.setPointSize(scaled(point_size))
    result.setBold(bold)
    return result


def _relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    value = hex_colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected #RRGGBB, got {hex_colour!r}")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two opaque colours, from 1.0 (none) to 21.0 (black on white)."""
    lighter, darker = sorted((_relative_luminance(fg), _relative_luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_pairs() -> dict[str, Palette]:
    """Every text-on-background pair the station draws, by name, so tests can check them all (in
    the theme in use). The consent panel is translucent: :mod:`station.ui.contrast` lays it over
    a white and a black picture before it measures."""
    pairs: dict[str, Palette] = {f"outcome {k.value}": s.palette for k, s in OUTCOME_STYLES.items()}
    pairs["busy"] = BUSY_STYLE.palette
    pairs["idle"] = IDLE_STYLE.palette
    pairs["not ready"] = NOT_READY_STYLE.palette
    pairs.update({f"badge {name}": b.palette for name, b in BADGE_STYLES.items()})
    pairs["face label"] = LABEL
    pairs["status chip"] = CHIP
    pairs.update({f"health {level.value}": look[1] for level, look in HEALTH_LOOKS.items()})
    pairs["guide ready"] = GUIDE_READY
    pairs["guide not ready"] = GUIDE_NOT_READY
    pairs["capture ring label"] = CHIP
    pairs["consent notice"] = NOTICE
    pairs["consent keys"] = NOTICE_KEYS
    if _theme is Theme.HIGH_CONTRAST:
        # The badges and the overlay's own chips keep their colours (they pass as they are).
        kept = ("badge ", "face label", "status chip")
        return {name: p if name.startswith(kept) else themed(p) for name, p in pairs.items()}
    return pairs
