"""One source of truth for how the station looks: colours, fonts and glyphs per outcome.

An operator at a counter glances at the screen from arm's length, perhaps colour-blind, perhaps
in a bright branch. So every verdict is told three ways at once (glyph, word, colour), and every
text colour is chosen for a WCAG contrast of at least 4.5:1 against what it sits on;
:func:`text_pairs` lists every such pair so a test can hold the palette to that.

Colours are ``#RRGGBB`` strings, not ``QColor``: plain values are easy to compare, test and put
in a style sheet; :func:`qcolor` turns them into Qt colours where painting needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtGui import QColor, QFont

from station.core.models import OutcomeKind

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
    "IDLE_STYLE",
    "LABEL",
    "LABEL_POINT_SIZE",
    "MESSAGE_POINT_SIZE",
    "NOT_READY_STYLE",
    "OUTCOME_STYLES",
    "PREVIEW_BACKGROUND",
    "WATERMARK_ALPHA",
    "WATERMARK_COLOUR",
    "WORD_POINT_SIZE",
    "BadgeStyle",
    "BannerStyle",
    "Palette",
    "badge_style",
    "contrast_ratio",
    "environment_badge_style",
    "font",
    "outcome_style",
    "qcolor",
    "text_pairs",
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
        OutcomeKind.LIVE: BannerStyle("LIVE", "✔", Palette(_WHITE, "#1B5E20")),
        OutcomeKind.SPOOF: BannerStyle("SPOOF", "✖", Palette(_WHITE, "#B71C1C")),
        OutcomeKind.RETRY: BannerStyle("RETRY", "↻", Palette(_INK, "#FFB300")),
        OutcomeKind.REVIEW: BannerStyle("REVIEW", "⚑", Palette(_WHITE, "#4527A0")),
        OutcomeKind.ERROR: BannerStyle("ERROR", "⚠", Palette(_WHITE, "#424242")),
    }
)
"""Green tick, red cross, amber retry, purple flag, grey warning: distinct in hue *and* glyph."""

BUSY_STYLE = BannerStyle("", "◌", Palette(_WHITE, "#37474F"))
"""Neutral while a verification runs: no colour that could be mistaken for a verdict."""

IDLE_STYLE = BannerStyle("", "◉", Palette("#263238", "#ECEFF1"))
"""Quiet and light while nothing has been captured yet."""

NOT_READY_STYLE = BannerStyle("Not ready", "⚠", Palette("#1A1A1A", "#FFE082"))
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

# Point sizes: the verdict must be readable from arm's length (about 70 cm).
WORD_POINT_SIZE = 40
GLYPH_POINT_SIZE = 40
MESSAGE_POINT_SIZE = 18
DETAIL_POINT_SIZE = 13
LABEL_POINT_SIZE = 11


def outcome_style(kind: OutcomeKind) -> BannerStyle:
    """The banner style for an outcome."""
    return OUTCOME_STYLES[kind]


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


def font(point_size: int, *, bold: bool = False) -> QFont:
    """The application font at a given size: one place to change the typeface for the station."""
    result = QFont()
    result.setPointSize(point_size)
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
    """Every text-on-background pair the station draws, by name, so tests can check them all."""
    pairs: dict[str, Palette] = {f"outcome {k.value}": s.palette for k, s in OUTCOME_STYLES.items()}
    pairs["busy"] = BUSY_STYLE.palette
    pairs["idle"] = IDLE_STYLE.palette
    pairs["not ready"] = NOT_READY_STYLE.palette
    pairs.update({f"badge {name}": b.palette for name, b in BADGE_STYLES.items()})
    pairs["face label"] = LABEL
    pairs["status chip"] = CHIP
    return pairs
