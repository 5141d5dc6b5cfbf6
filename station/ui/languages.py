"""Two languages on one screen: the operator's interface language and the customer's.

The operator reads menus, dialogs, the health strip and the verdict's headline in the interface
language (policy's default, or the operator's own remembered choice). The customer is spoken to in
the customer instruction language — the guide's instruction on the picture, the verdict's action
line, the consent notice — which the operator switches with F2 during a session, because the next
customer may read another language than the operator or the previous customer.

Qt's translation machinery has one set of installed translators per application, which is right
for the interface language (installing it sends every widget a LanguageChange and ``tr()`` follows).
The customer's language is a second catalogue that is never installed: :meth:`Languages.customer`
asks it directly. English is the source language and needs no catalogue.

Catalogues are ``resources/i18n/station_<tag>.qm``, built from the reviewed ``.ts`` sources by
``pyside6-lrelease`` (``packaging/dev.py`` at set-up, ``packaging/station.spec`` for the bundle).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTranslator, Signal

from station.application.language_memory import FILENAME as MEMORY_FILENAME
from station.application.language_memory import OperatorLanguages
from station.resources import resources_root
from station.ui.fonts import ensure_devanagari_font
from station.ui.message_book import MessageBook
from station.ui.pseudo import PSEUDO_TAG, PseudoTranslator
from station.vision.instructions import INSTRUCTION_TEXT, Instruction
from station.words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:  # the settings' pydantic models: not imported to paint the first frame (issue 27)
    from station.application.settings import Settings

__all__ = [
    "LANGUAGES",
    "SHIPPED",
    "SOURCE_LANGUAGE",
    "Language",
    "Languages",
    "catalogue_path",
    "station_languages",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Language:
    #: BCP 47, as the journal records it: ``en``, ``hi``.
    tag: str
    #: The language's name in itself, for the menu and the F2 badge.
    native_name: str
    #: The Qt locale for numbers, dates and times on screen.
    locale_name: str

    @property
    def locale(self) -> QLocale:
        return QLocale(self.locale_name)


SOURCE_LANGUAGE: Final = "en"
#: Qt's own standard buttons (OK, Cancel…) look their words up under this context: marked here so
#: the station's catalogue carries them (Qt ships no Hindi catalogue of its own).
STANDARD_BUTTONS: Final = (
    QT_TRANSLATE_NOOP("QPlatformTheme", "OK"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Cancel"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close"),
)
#: The settings' defaults (``station.config.model``), repeated here so that the preview does not
#: import the settings' pydantic models to paint the first frame (issue 27); a test keeps them equal.
DEFAULT_INTERFACE_LANGUAGE: Final = "en"
DEFAULT_CUSTOMER_LANGUAGES: Final = "en,hi"
#: Every language the station knows; a tag outside this table is refused (logged) and skipped.
LANGUAGES: Final = {
    "en": Language("en", "English", "en_IN"),
    "hi": Language("hi", "हिन्दी", "hi_IN"),
    PSEUDO_TAG: Language(PSEUDO_TAG, "[Ƥšéúďó]", "en_IN"),
}
#: The languages with a catalogue in resources/i18n/ (English is the source).
SHIPPED: Final = ("en", "hi")


def catalogue_path(tag: str, root: Path | None = None) -> Path:
    """Where the compiled catalogue of ``tag`` lives (``resources/i18n/station_hi.qm``)."""
    return (root or resources_root() / "i18n") / f"station_{tag.replace('-', '_')}.qm"


def _parse_tags(tags: str | Sequence[str]) -> list[str]:
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    return [tag.strip() for tag in items if tag.strip()]


class Languages(QObject):
    """The interface and customer languages of one station, and their catalogues."""

    #: The interface language changed (its tag); widgets also receive a LanguageChange event.
    operator_changed = Signal(str)
    #: The customer instruction language changed (its tag).
    customer_changed = Signal(str)

    def __init__(
        self,
        *,
        interface: str = DEFAULT_INTERFACE_LANGUAGE,
        customers: str | Sequence[str] = DEFAULT_CUSTOMER_LANGUAGES,
        memory: OperatorLanguages | None = None,
        catalogues: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = catalogues
        self._translators: dict[str, QTranslator | None] = {}
        self.memory = memory or OperatorLanguages(None)
        self.book = MessageBook()
        offered = [tag for tag in dict.fromkeys(_parse_tags(customers)) if self.available(tag)]
        #: The languages F2 cycles through; the first is each new customer's.
        self.customer_languages: tuple[str, ...] = tuple(offered) or (SOURCE_LANGUAGE,)
        self.default_interface = interface if self.available(interface) else SOURCE_LANGUAGE
        self.operator = SOURCE_LANGUAGE
        self.customer = self.customer_languages[0]
        self.operator_id: str | None = None
        self._installed: QTranslator | None = None

    # -- catalogues ------------------------------------------------------------------------------

    def translator(self, tag: str) -> QTranslator | None:
        """The catalogue of ``tag`` (None for English, the source, and for a missing catalogue)."""
        if tag not in self._translators:
            self._translators[tag] = self._load(tag)
        return self._translators[tag]

    def _load(self, tag: str) -> QTranslator | None:
        if tag == SOURCE_LANGUAGE or tag not in LANGUAGES:
            return None
        if tag == PSEUDO_TAG:
            return PseudoTranslator(self)
        path = catalogue_path(tag, self._folder)
        translator = QTranslator(self)
        if not translator.load(str(path)):
            _log.warning("no catalogue for %s at %s: the station shows English instead", tag, path)
            return None
        return translator

    def available(self, tag: str) -> bool:
        """True if the station can show ``tag`` (English always; others with their catalogue)."""
        if tag not in LANGUAGES:
            _log.warning("unknown language %r is skipped (known: %s)", tag, ", ".join(LANGUAGES))
            return False
        return tag == SOURCE_LANGUAGE or self.translator(tag) is not None

    def interface_languages(self) -> tuple[str, ...]:
        """What the operator may choose from (the shipped languages that are there)."""
        return tuple(tag for tag in SHIPPED if self.available(tag))

    @staticmethod
    def name(tag: str) -> str:
        language = LANGUAGES.get(tag)
        return language.native_name if language is not None else tag

    # -- the operator's interface language ---------------------------------------------------------

    def set_operator_language(self, tag: str) -> None:
        """Install ``tag``'s catalogue application-wide (every widget is told to retranslate)."""
        if not self.available(tag):
            tag = SOURCE_LANGUAGE
        app = QCoreApplication.instance()
        if self._installed is not None and app is not None:
            QCoreApplication.removeTranslator(self._installed)
        self._installed = None
        translator = self.translator(tag)
        if translator is not None and app is not None:
            QCoreApplication.installTranslator(translator)
            self._installed = translator
        changed = tag != self.operator
        self.operator = tag
        if changed:
            self.operator_changed.emit(tag)

    def sign_in(self, operator_id: str | None) -> None:
        """A new operator: their remembered language, else the policy's default."""
        self.operator_id = operator_id
        remembered = self.memory.get(operator_id) if operator_id else None
        self.set_operator_language(remembered or self.default_interface)

    def choose_operator_language(self, tag: str) -> None:
        """The operator picked ``tag`` from the menu: shown now and remembered for them."""
        self.set_operator_language(tag)
        if self.operator_id:
            self.memory.remember(self.operator_id, self.operator)

    @property
    def operator_locale(self) -> QLocale:
        return LANGUAGES[self.operator].locale

    # -- the customer instruction language ---------------------------------------------------------

    def set_customer_language(self, tag: str) -> None:
        if tag not in self.customer_languages or tag == self.customer:
            return
        self.customer = tag
        self.customer_changed.emit(tag)

    def next_customer_language(self) -> str:
        """F2: the next installed customer language (round the list)."""
        languages = self.customer_languages
        index = languages.index(self.customer) if self.customer in languages else -1
        self.set_customer_language(languages[(index + 1) % len(languages)])
        return self.customer

    def reset_customer(self) -> str:
        """A new customer starts in the first installed customer language."""
        self.set_customer_language(self.customer_languages[0])
        return self.customer

    @property
    def languages_differ(self) -> bool:
        """True when the operator and the customer read different languages."""
        return self.operator != self.customer

    # -- translating ----------------------------------------------------------------------------

    def _in(self, tag: str, context: str, source: str, disambiguation: str | None = None) -> str:
        translator = self.translator(tag)
        if translator is None:
            return source
        return translator.translate(context, source, disambiguation) or source

    def customer_text(self, context: str, source: str) -> str:
        """A text of the station's own (``context``, ``source``) in the customer's language."""
        return self._in(self.customer, context, source)

    def customer_message(self, text: str) -> str:
        """A lower layer's marked text (see :mod:`station.ui.message_book`) in the customer's language."""
        return self.book.translate(text, lambda c, s, d: self._in(self.customer, c, s, d))

    def operator_message(self, text: str) -> str:
        """A lower layer's text in the operator's language."""
        return self.book.translate(text, lambda c, s, d: self._in(self.operator, c, s, d))

    def instruction(self, instruction: Instruction, *, for_operator: bool = False) -> str:
        """The guide's instruction, marked where station.vision writes it."""
        tag = self.operator if for_operator else self.customer
        english = INSTRUCTION_TEXT.get(instruction, instruction.value)
        return self.book.translate(english, lambda c, s, d: self._in(tag, c, s, d))


def station_languages(settings: Settings, *, remember: bool = True) -> Languages:
    """The languages of a starting station (after the QApplication exists): the bundled font if
    the system has no Devanagari one, the policy's languages, and its default interface language
    installed for the sign-in. ``remember``: keep operators' choices in their config folder (not
    in demo mode, which never writes a real station's files)."""
    from station.application.settings import default_settings_path

    ensure_devanagari_font()
    memory = OperatorLanguages(default_settings_path().parent / MEMORY_FILENAME if remember else None)
    languages = Languages(
        interface=settings.interface_language, customers=settings.customer_languages, memory=memory
    )
    languages.set_operator_language(languages.default_interface)
    return languages
