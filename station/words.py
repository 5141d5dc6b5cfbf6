"""The marker for texts the window shows in the operator's or the customer's language, without Qt.

Every layer below the UI is Qt-free (an import-linter contract), yet many of its texts reach the
screen: a refusal, a verdict's details, the health strip's words. They are marked where they are
written::

    NO_PICTURE: Final = QT_TRANSLATE_NOOP("Refusal", "No camera picture yet. …")
    Phrase(QT_TRANSLATE_NOOP("Details", "Confirmed live by {who}. …"), who=who)

``pyside6-lupdate`` collects ``QT_TRANSLATE_NOOP("Context", "text")`` calls from every Python file
of ``station/`` into the catalogues (``packaging/catalogues.py``), so the catalogue knows each
text from the line that writes it, and a text without a Hindi translation fails the catalogue
check. The two literals must be plain string literals (no f-string, no variable): lupdate reads the
source, it does not run it.

What the marker returns is still a ``str`` with the English words, so the CLI, the logs and the
journal read exactly what they read before; the window reads the extra attributes to translate:

* :class:`Text`: an English text and its ``context``, looked up whole;
* :class:`Phrase`: a text made from a marked ``template`` and ``values``: the window translates
  the template and puts the values back (a value that is itself a :class:`Text` is translated in
  turn; numbers, identifiers and the service's own words stay as they are).

Decisions are never taken on these texts (they are taken on enums); they are only shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["QT_TRANSLATE_NOOP", "Phrase", "Text", "context_of"]

#: Every text marked so far in this process, to its context: the window's way back to a marked
#: text that lost its :class:`Text` type on the way (a copy into a plain ``str``).
_MARKED: Final[dict[str, str]] = {}


class Text(str):
    """An English text marked for translation under ``context`` (a ``str``: reads as English)."""

    context: str

    def __new__(cls, context: str, source: str) -> Text:
        text = super().__new__(cls, source)
        object.__setattr__(text, "context", context)
        return text

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Text, (self.context, str(self)))

    @property
    def source(self) -> str:
        """The English text the catalogue knows (for a :class:`Phrase`, its template)."""
        return str(self)


class Phrase(Text):
    """A marked template with its values: reads as the English sentence, translates as a whole.

    ``Phrase(QT_TRANSLATE_NOOP("Details", "Faces: {count}"), count=2)`` is the ``str``
    ``"Faces: 2"`` with ``template`` ``"Faces: {count}"``, its ``context`` and ``values``.
    """

    template: str
    values: tuple[tuple[str, object], ...]

    def __new__(cls, template: Text, /, **values: object) -> Phrase:
        english = str(template).format(**values)
        phrase = str.__new__(cls, english)
        object.__setattr__(phrase, "context", template.context)
        object.__setattr__(phrase, "template", str(template))
        object.__setattr__(phrase, "values", tuple(values.items()))
        return phrase

    def __reduce__(self) -> tuple[Any, ...]:
        return (_phrase, (self.context, self.template, dict(self.values)))

    @property
    def source(self) -> str:
        return self.template

    @property
    def named(self) -> Mapping[str, object]:
        """The values by their field's name."""
        return dict(self.values)


def _phrase(context: str, template: str, values: dict[str, object]) -> Phrase:
    return Phrase(Text(context, template), **values)


def QT_TRANSLATE_NOOP(context: str, source: str) -> Text:  # noqa: N802 - the name lupdate looks for
    """Marks ``source`` for the catalogues under ``context``; returns it as a :class:`Text`."""
    _MARKED.setdefault(source, context)
    return Text(context, source)


def context_of(text: str) -> str | None:
    """The context ``text`` was marked under: its own, or (for a plain copy) the first marking
    of the same words in this process; None for a text nobody marked."""
    if isinstance(text, Text):
        return text.context
    return _MARKED.get(text)
