"""People's ids as people compare them: ``Alice``, ``alice`` and ``ａｌｉｃｅ`` are one person.

Operator and supervisor ids are typed at a counter, copied from a directory, or come from an OS
account. Compared as raw strings, ``Alice`` could confirm her own REVIEW as supervisor ``alice``
(issue 22, failure 6). Every place that stores or compares such an id goes through
:func:`normalise_identity`: Unicode NFKC (full-width and compatibility forms folded), case folded
(``ß`` → ``ss``), surrounding white space removed.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalise_identity", "same_person"]


def normalise_identity(identity: str) -> str:
    """The form an id is stored and compared in."""
    return unicodedata.normalize("NFKC", identity).casefold().strip()


def same_person(first: str | None, second: str | None) -> bool:
    """True when both ids are given and name the same person."""
    if not first or not second:
        return False
    left, right = normalise_identity(first), normalise_identity(second)
    return bool(left) and left == right
