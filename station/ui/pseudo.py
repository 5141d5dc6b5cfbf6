"""A pseudo-locale: every text 40 % longer and accented, to prove the layout fits other languages.

Hindi, Tamil or German run longer than English; a layout that only fits the English will clip
them. The pseudo-locale ``en-XA`` (the tag Android and Chromium use for the same purpose) turns
"Hold still" into "[Ĥóóĺď šţííĺĺ]": each word 40 % longer (long words are what break a line),
accented (a font without the glyphs shows up at once) and bracketed (a clipped end is visible).
``{placeholders}`` and ``%n`` stay as they are so formatting still works.
"""

from __future__ import annotations

import math
import re
from typing import Final

from PySide6.QtCore import QObject, QTranslator

__all__ = ["PSEUDO_TAG", "PseudoTranslator", "pseudo_text"]

PSEUDO_TAG: Final = "en-XA"
#: How much longer each word gets.
GROWTH: Final = 0.4

_ACCENTED = str.maketrans(
    "aeiouyAEIOUYcnsCNSzZgGlLrRkKtTdDhH",
    "áéíóúýÁÉÍÓÚÝçñšÇÑŠžŽĝĜĺĹŕŔķĶţŢďĎĥĤ",
)
_VOWELS = frozenset("áéíóúýÁÉÍÓÚÝ")
_KEEP = re.compile(r"(\{[a-z_]+\}|%L?n|%\d|\s+|&(?=\w))")
_TRAILING = re.compile(r"^(.*?)([.,:;!?…)\]»”’\"']*)$", re.DOTALL)


def _longer(word: str) -> str:
    accented = word.translate(_ACCENTED)
    extra = math.ceil(len(word) * GROWTH)
    vowels = [c for c in accented if c in _VOWELS] or ["~"]
    padding = "".join(vowels[i % len(vowels)] for i in range(extra))
    match = _TRAILING.match(accented)
    assert match is not None  # the pattern matches any string
    return match.group(1) + padding + match.group(2)


def pseudo_text(text: str) -> str:
    """``text`` pseudo-translated (see the module docstring); empty stays empty."""
    if not text:
        return text
    pieces = _KEEP.split(text)
    out = [piece if index % 2 or not piece else _longer(piece) for index, piece in enumerate(pieces)]
    return "[" + "".join(out) + "]"


class PseudoTranslator(QTranslator):
    """A translator that has "translated" every text: :func:`pseudo_text` of it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def translate(
        self,
        context: str,
        sourceText: str,  # noqa: N803 - Qt's name for the overridden argument
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str:
        return pseudo_text(sourceText)

    def isEmpty(self) -> bool:
        return False

    def language(self) -> str:
        return PSEUDO_TAG
