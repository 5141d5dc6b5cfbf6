"""The lower layers' texts in the operator's or the customer's language.

The layers below the UI are Qt-free: they mark what they write with
:func:`station.words.QT_TRANSLATE_NOOP` (``pyside6-lupdate`` collects it into the catalogues) and
hand the window a :class:`~station.words.Text` (an English text and its context) or a
:class:`~station.words.Phrase` (a marked template and its values). The window translates them
here: a text by its context and words, a phrase by its template, with the values put back (a value
that is itself a marked text is translated in turn; numbers, identifiers and the service's own
words stay as they came). Nothing is matched against English patterns; a text nobody marked is
shown as it came.
"""

from __future__ import annotations

from collections.abc import Callable

from station.words import Phrase, Text, context_of

__all__ = ["MessageBook", "Translate"]

#: ``(context, source, disambiguation) -> translation`` (empty when there is none).
Translate = Callable[[str, str, "str | None"], str]


class MessageBook:
    """Translates the texts the lower layers marked where they wrote them."""

    def knows(self, text: str) -> bool:
        """Whether ``text`` was marked (by its type, or as a plain copy of a marked text)."""
        return context_of(text) is not None

    def translate(self, text: str, translate: Translate) -> str:
        """``text`` in the language ``translate`` gives; unchanged when it has no translation."""
        if isinstance(text, Phrase):
            return self._phrase(text, translate)
        context = context_of(text)
        if context is None:
            return text
        return translate(context, str(text), None) or str(text)

    def _phrase(self, phrase: Phrase, translate: Translate) -> str:
        template = translate(phrase.context, phrase.template, None) or phrase.template
        values = {
            name: self.translate(value, translate) if isinstance(value, Text) else value
            for name, value in phrase.values
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation: the English is safe
            return str(phrase)
