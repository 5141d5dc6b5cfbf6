"""The verdict banner: the one thing the operator must read correctly, from arm's length.

Never colour alone: each state shows a glyph, a word and a colour, so a colour-blind operator or
a washed-out monitor still tells LIVE from SPOOF. The texts sit in an accessible description as
well, so a screen reader announces the verdict when it changes. All looks come from
:mod:`station.ui.style`. The words are the caller's, already in the right language (the action line
in the customer's, the rest in the operator's); the banner's own words follow the interface language.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from station.core.models import OutcomeKind
from station.ui import style
from station.words import QT_TRANSLATE_NOOP

__all__ = ["VerdictBanner"]

translate = QCoreApplication.translate

BUSY_HINT = QT_TRANSLATE_NOOP("Banner", "(Esc cancels)")
IDLE_TITLE = QT_TRANSLATE_NOOP("Headline", "Ready")
NOT_READY_HINT = QT_TRANSLATE_NOOP("Banner", "Press Space again to capture anyway.")
#: The headline shrinks to fit (a narrow window, a long word in another language), never below this.
MIN_WORD_POINT_SIZE = 16
#: Lines kept for the action line whatever it says, so the layout below the banner stays put.
RESERVED_MESSAGE_LINES = 3


def _label(point_size: int, *, bold: bool = False, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setFont(style.font(point_size, bold=bold))
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # service messages are text, never markup
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return label


def _sentences(*parts: str) -> str:
    """Spoken parts joined as sentences, without doubling a full stop the part already has."""
    kept = [part.strip() for part in parts if part and part.strip()]
    return " ".join(part if part[-1] in ".!?…।" else f"{part}." for part in kept)


class VerdictBanner(QFrame):
    """Shows the outcome of a verification, the progress of one, or what to do next."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VerdictBanner")
        self.setAccessibleName(translate("Accessibility", "Verdict"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._glyph = _label(style.GLYPH_POINT_SIZE, bold=True)
        self._glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title = _label(style.WORD_POINT_SIZE, bold=True)
        self._message = _label(style.MESSAGE_POINT_SIZE, wrap=True)
        self._detail = _label(style.DETAIL_POINT_SIZE, wrap=True)
        self._detail.hide()
        self._name_parts()
        heading = QHBoxLayout()
        heading.setSpacing(16)
        heading.addWidget(self._glyph, 0, Qt.AlignmentFlag.AlignVCenter)
        heading.addWidget(self._title, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(8)
        column.addLayout(heading)
        column.addWidget(self._message)
        column.addWidget(self._detail)
        self._column = column
        self._heading = heading
        self._kind: OutcomeKind | None = None
        # The shown state's own detail line (a note is added under it, never in its place).
        self._base_detail = ""
        self._palette: style.Palette | None = None
        self._spoken_head = ""
        self._spoken_extra = ""
        self.show_idle(translate("Banner", "Press Space to capture"))

    def show_outcome(
        self, kind: OutcomeKind, message: str, detail: str = "", *, headline: str | None = None
    ) -> None:
        """Show a verdict: its glyph, its word (or ``headline``: NOT FINAL), its colour, and the one
        thing the operator should do."""
        look = style.outcome_style(kind)
        self._kind = kind
        word = headline or translate("Headline", look.word)
        spoken = translate("Accessibility", "Verdict: {word}.").format(word=word)
        self._show(look, word, message, detail, spoken=_sentences(spoken, message, detail))

    def show_unavailable(self, problem: str) -> None:
        """The station cannot verify now: what is wrong and where to fix it (before any paid call)."""
        self._kind = None
        look = style.NOT_READY_STYLE
        self._show(look, translate("Headline", look.word), problem, "")

    def show_consent(self, instruction: str) -> None:
        """The customer is reading the consent notice: nothing is captured before they agree."""
        self._kind = None
        self._show(style.NOT_READY_STYLE, translate("Headline", "Consent"), instruction, "")

    def clear_verdict(self) -> None:
        """The verdict left the screen (next customer, timeout): the caller shows what comes next."""
        self._kind = None

    def show_busy(self, elapsed_s: float, text: str | None = None, limit_s: float | None = None) -> None:
        """Show that a verification is running and for how long (of at most ``limit_s``, the
        client's deadline, so the wait has a visible end); called again as time passes.

        Neutral colours on purpose: nothing on screen may look like a verdict before there is one.
        """
        self._kind = None
        title = text or translate("Headline", "Verifying…")
        hint = translate("Banner", BUSY_HINT)
        locale = self.locale()
        seconds = locale.toString(elapsed_s, "f", 1)
        if limit_s is not None:
            seconds = f"{seconds} / {locale.toString(float(limit_s), 'f', 0)}"
        self._show(style.BUSY_STYLE, title, f"{seconds} s  {hint}", "", spoken=_sentences(title, hint))

    def show_idle(self, text: str) -> None:
        """Show what to do next (``"Press Space to capture"``), with no verdict."""
        self._kind = None
        self._show(style.IDLE_STYLE, translate("Headline", IDLE_TITLE), text, "")

    def show_not_ready(self, instruction: str, hint: str | None = None) -> None:
        """The quality gate held a capture back: what to fix, and how to capture anyway."""
        self._kind = None
        look = style.NOT_READY_STYLE
        self._show(
            look, translate("Headline", look.word), instruction, hint or translate("Banner", NOT_READY_HINT)
        )

    @property
    def kind(self) -> OutcomeKind | None:
        """The outcome shown, or None while idle or busy."""
        return self._kind

    @property
    def title_text(self) -> str:
        """The large word (``"LIVE"``, ``"SPOOF"``, ``"Verifying…"``)."""
        return self._title.text()

    @property
    def glyph_text(self) -> str:
        """The symbol beside the word."""
        return self._glyph.text()

    @property
    def message_text(self) -> str:
        """The sentence under the word."""
        return self._message.text()

    @property
    def detail_text(self) -> str:
        """The smaller line under the message, empty when there is none."""
        return self._detail.text()

    def _show(
        self, look: style.BannerStyle, title: str, message: str, detail: str, *, spoken: str | None = None
    ) -> None:
        self._glyph.setText(look.glyph)
        self._title.setText(title)
        self._message.setText(message)
        self._base_detail = detail
        self._detail.setText(detail)
        self._detail.setVisible(bool(detail))
        self._apply_palette(style.themed(look.palette))
        self._fit()
        self._spoken_head = spoken if spoken is not None else _sentences(title, message)
        self._spoken_extra = "" if spoken is not None else detail
        self._describe()

    def add_note(self, note: str) -> None:
        """Why a key did nothing, under what is shown (the verdict stays on screen): a refusal is
        read where the operator looks, not in a status bar that cuts it."""
        detail = "\n".join(part for part in (self._base_detail, note) if part)
        self._detail.setText(detail)
        self._detail.setVisible(bool(detail))
        self._fit()
        self._spoken_extra = "\n".join(part for part in (self._spoken_extra, note) if part)
        self._describe()

    @property
    def spoken_text(self) -> str:
        """What a screen reader reads for the banner: its accessible description."""
        return self.accessibleDescription()

    def _describe(self) -> None:
        """The banner's whole state as one spoken text (its accessible description), and each
        line's own; only changed text is set again: the busy timer must not make a reader chatter."""
        self._name_parts()
        description = _sentences(self._spoken_head, self._spoken_extra.replace("\n", ". "))
        if description == self.accessibleDescription():
            return  # the busy timer's seconds: not a change a reader should hear
        self.setAccessibleDescription(description)
        for label in (self._glyph, self._title, self._message, self._detail):
            if label.accessibleDescription() != label.text():
                label.setAccessibleDescription(label.text())

    def _name_parts(self) -> None:
        """Each line's name, in the interface language (set again with every state: a language
        change redraws the banner)."""
        for widget, name in (
            (self, translate("Accessibility", "Verdict")),
            (self._glyph, translate("Accessibility", "Verdict symbol")),
            (self._title, translate("Accessibility", "Verdict word")),
            (self._message, translate("Accessibility", "Action line")),
            (self._detail, translate("Accessibility", "Verdict note")),
        ):
            if widget.accessibleName() != name:
                widget.setAccessibleName(name)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Make every text fit the banner's width: the headline on one line (shrunk if it must),
        the action line and the hint wrapped, with the height they need reserved, so nothing is
        ever elided or clipped (tests/ui/test_verdict_fits.py measures it at three screen sizes)."""
        margins = self._column.contentsMargins()
        inner = self.width() - margins.left() - margins.right()
        glyph = QFontMetrics(self._glyph.font()).horizontalAdvance(self._glyph.text() or "M") + 4
        title_room = max(40, inner - glyph - self._heading.spacing())
        font = self._title.font()
        size = style.scaled(style.WORD_POINT_SIZE)
        smallest = style.scaled(MIN_WORD_POINT_SIZE)
        font.setPointSize(size)
        while size > smallest and QFontMetrics(font).horizontalAdvance(self._title.text()) > title_room:
            size -= 2
            font.setPointSize(size)
        if font != self._title.font():
            self._title.setFont(font)
        for label, lines in ((self._message, RESERVED_MESSAGE_LINES), (self._detail, 0)):
            if label.isHidden() or not label.text():
                label.setMinimumHeight(0)
                continue
            metrics = QFontMetrics(label.font())
            bounds = metrics.boundingRect(
                QRect(0, 0, max(1, inner), 100_000), Qt.TextFlag.TextWordWrap, label.text()
            )
            # The action line always has room for three lines: a new verdict, a REVIEW's actions
            # appearing below, never move the buttons under the operator's pointer.
            label.setMinimumHeight(max(bounds.height(), lines * metrics.lineSpacing()))

    def _apply_palette(self, palette: style.Palette) -> None:
        """Restyle only when the colours change: a style sheet repolishes every child label."""
        if palette == self._palette:
            return
        self._palette = palette
        self.setStyleSheet(
            f"QFrame#VerdictBanner {{ background-color: {palette.background}; border-radius: 10px; }}"
            f" QFrame#VerdictBanner QLabel {{ color: {palette.foreground}; background: transparent; }}"
        )
        # A label hidden while the sheet changed keeps its old colours unless repolished.
        for label in (self._glyph, self._title, self._message, self._detail):
            label.style().unpolish(label)
            label.style().polish(label)
