"""WCAG contrast of every text the station draws, from the style's real colours.

:func:`station.ui.style.text_pairs` lists each text colour with the colour it sits on; this module
adds what WCAG's threshold depends on (the smallest text drawn on that pair: 18 pt, or 14 pt bold,
is "large" and needs 3:1, anything smaller 4.5:1), lays a translucent background (the consent
panel over the picture) over both a white and a black picture and keeps the worse, and prints the
table the README quotes:

    .venv/bin/python -m station.ui.contrast            # the standard theme
    .venv/bin/python -m station.ui.contrast --high     # the high-contrast theme
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from station.ui import style

__all__ = [
    "LARGE_BOLD_POINTS",
    "LARGE_POINTS",
    "SMALLEST_TEXT",
    "ContrastRow",
    "TextSize",
    "composite",
    "contrast_rows",
    "markdown_table",
]

#: WCAG's large text: at least 18 pt, or 14 pt bold.
LARGE_POINTS: Final = 18
LARGE_BOLD_POINTS: Final = 14
#: Qt's default application font on Windows (Segoe UI 9 pt): widgets that keep the default size.
DEFAULT_POINTS: Final = 9


@dataclass(frozen=True, slots=True)
class TextSize:
    """The smallest text drawn on a pair."""

    points: int
    bold: bool = False

    @property
    def large(self) -> bool:
        return self.points >= LARGE_POINTS or (self.bold and self.points >= LARGE_BOLD_POINTS)


#: For each pair of :func:`station.ui.style.text_pairs`, the smallest text drawn on it (where it
#: is drawn: the banner's detail line, the guide's operator line, the notice's smallest body size).
SMALLEST_TEXT: Mapping[str, TextSize] = MappingProxyType(
    {
        **{f"outcome {kind.value}": TextSize(style.DETAIL_POINT_SIZE) for kind in style.OUTCOME_STYLES},
        "busy": TextSize(style.DETAIL_POINT_SIZE),
        "idle": TextSize(style.DETAIL_POINT_SIZE),
        "not ready": TextSize(style.DETAIL_POINT_SIZE),
        **{f"badge {name}": TextSize(DEFAULT_POINTS, bold=True) for name in style.BADGE_STYLES},
        "face label": TextSize(style.LABEL_POINT_SIZE, bold=True),
        "status chip": TextSize(style.LABEL_POINT_SIZE),
        **{f"health {level.value}": TextSize(DEFAULT_POINTS) for level in style.HEALTH_LOOKS},
        "guide ready": TextSize(12),
        "guide not ready": TextSize(12),
        "capture ring label": TextSize(style.LABEL_POINT_SIZE, bold=True),
        "consent notice": TextSize(9),
        "consent keys": TextSize(style.LABEL_POINT_SIZE, bold=True),
    }
)

#: Backgrounds drawn translucent over the picture, and their alpha (0..255).
TRANSLUCENT: Mapping[str, int] = MappingProxyType(
    {"consent notice": style.NOTICE_ALPHA, "consent keys": style.NOTICE_ALPHA}
)


@dataclass(frozen=True, slots=True)
class ContrastRow:
    name: str
    foreground: str
    background: str
    ratio: float
    size: TextSize

    @property
    def target(self) -> float:
        return 3.0 if self.size.large else 4.5

    @property
    def meets(self) -> bool:
        return self.ratio >= self.target


def composite(colour: str, alpha: int, under: str) -> str:
    """``colour`` at ``alpha`` (0..255) laid over the opaque ``under``, as ``#RRGGBB``."""
    top = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    bottom = [int(under[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(t * alpha / 255 + b * (1 - alpha / 255)) for t, b in zip(top, bottom, strict=True)]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def contrast_rows() -> list[ContrastRow]:
    """Every pair in the theme in use, with its ratio (a translucent background at its worst)."""
    rows: list[ContrastRow] = []
    for name, palette in style.text_pairs().items():
        size = SMALLEST_TEXT[name]  # a pair without a size is a KeyError: a test catches it
        backgrounds = [palette.background]
        if name in TRANSLUCENT:
            backgrounds = [
                composite(palette.background, TRANSLUCENT[name], u) for u in ("#FFFFFF", "#000000")
            ]
        ratio, background = min((style.contrast_ratio(palette.foreground, b), b) for b in backgrounds)
        rows.append(ContrastRow(name, palette.foreground, background, ratio, size))
    return rows


def markdown_table(rows: list[ContrastRow]) -> str:
    lines = [
        "| pair | text | background | smallest text | ratio | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        text = f"{row.size.points} pt{' bold' if row.size.bold else ''}"
        lines.append(
            f"| {row.name} | `{row.foreground}` | `{row.background}` | {text} | {row.ratio:.2f}:1 |"
            f" {row.target:g}:1 | {'pass' if row.meets else 'FAIL'} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if "--high" in argv:
        style.set_theme(style.Theme.HIGH_CONTRAST)
    rows = contrast_rows()
    print(markdown_table(rows))
    return 0 if all(row.meets for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
