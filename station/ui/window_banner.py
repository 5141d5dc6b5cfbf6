"""The desk's banner and result details, worded and drawn: nothing here decides what they say.

Which banner shows (a verdict, a refusal, the consent request, the guide's objection, a bad part,
Ready) is the desk's :class:`~station.application.desk_state.DeskState`; this module turns it
into the customer's words (large) and the operator's (under them when the languages differ).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication

from station.application.attempt import AttemptReport
from station.application.desk_state import BannerKind, DeskState, IdleScreen
from station.application.result_text import describe_report
from station.application.session import REFUSAL_MESSAGES, Refusal
from station.application.verdict_time import Extension, ExtensionRefusal
from station.core.models import OutcomeKind
from station.ui.banner import VerdictBanner
from station.ui.languages import Languages
from station.vision.quality import Instruction
from station.words import QT_TRANSLATE_NOOP

__all__ = ["details_html", "draw_banner", "draw_not_ready", "extension_words"]

translate = QCoreApplication.translate

IDLE_TEXT = QT_TRANSLATE_NOOP("MainWindow", "Ask the customer to face the camera, then press Space.")
CLEARED_TEXT = QT_TRANSLATE_NOOP(
    "MainWindow",
    "The last result was cleared after {seconds} s. Ask the customer to face the camera, then press Space.",
)
CONSENT_REFUSED_TEXT = QT_TRANSLATE_NOOP(
    "MainWindow", "Consent refused: no picture taken. Use the manual identity check."
)
CANCELLED_TEXT = QT_TRANSLATE_NOOP("MainWindow", "Verification cancelled. Press Space to capture again.")


def details_html(report: AttemptReport, details: str, languages: Languages) -> str:
    """The result details tab: the verdict's details, then the report, in the operator's language."""
    lines = [details, ""] if details else []
    lines += describe_report(report)
    shown = (languages.operator_message(line) for line in lines)
    return "<br>".join(escape(line, quote=False).replace("  ", "&nbsp;&nbsp;") for line in shown)


def customer_and_operator(languages: Languages, text: str) -> tuple[str, str]:
    """``text`` for the customer (large) and, when the languages differ, for the operator."""
    customer = languages.customer_message(text)
    operator = languages.operator_message(text) if languages.languages_differ else ""
    return customer, operator if operator != customer else ""


def draw_not_ready(banner: VerdictBanner, languages: Languages, objection: object, english: str) -> None:
    """The gate's objection, for the customer in their language (the operator's under it)."""
    if isinstance(objection, Instruction):
        customer = languages.instruction(objection)
        operator = languages.instruction(objection, for_operator=True)
    else:
        customer, operator = english, english
    hint = translate("Banner", "Press Space again to capture anyway.")
    if languages.languages_differ and operator != customer:
        hint = f"{operator}\n{hint}"
    banner.show_not_ready(customer, hint)


def draw_banner(banner: VerdictBanner, languages: Languages, state: DeskState) -> None:
    """The desk's banner in ``state``, worded for the languages now chosen."""
    desk_banner = state.banner
    kind = desk_banner.kind
    if kind is BannerKind.VERDICT and desk_banner.verdict is not None:
        text = desk_banner.verdict
        customer, operator = customer_and_operator(languages, text.action)
        headline = languages.operator_message(text.headline)
        banner.show_outcome(text.kind, customer, operator, headline=headline)
    elif kind is BannerKind.NOT_READY:
        draw_not_ready(banner, languages, desk_banner.objection, desk_banner.message)
    elif kind is BannerKind.UNAVAILABLE:
        banner.show_unavailable(languages.operator_message(desk_banner.message))
    elif kind is BannerKind.CANCELLED:
        banner.show_idle(translate("MainWindow", CANCELLED_TEXT))
    elif kind is BannerKind.CONSENT_REFUSED:
        headline = languages.operator_message(QT_TRANSLATE_NOOP("Headline", "NO CONSENT"))
        banner.show_outcome(
            OutcomeKind.ERROR, translate("MainWindow", CONSENT_REFUSED_TEXT), headline=headline
        )
    elif kind is BannerKind.CLEARED:
        seconds = languages.operator_locale.toString(float(desk_banner.cleared_after_s or 0.0), "g")
        _draw_idle(banner, languages, state, translate("MainWindow", CLEARED_TEXT).format(seconds=seconds))
    else:
        _draw_idle(banner, languages, state, translate("MainWindow", IDLE_TEXT))


def _draw_idle(banner: VerdictBanner, languages: Languages, state: DeskState, text: str) -> None:
    """The desk's idle screen (:attr:`DeskState.idle_screen`); ``text`` is the idle line already
    in the operator's language."""
    screen = state.idle_screen
    if screen is IdleScreen.CONSENT:
        banner.show_consent(languages.operator_message(REFUSAL_MESSAGES[Refusal.CONSENT_NEEDED]))
    elif screen is IdleScreen.GUIDE and state.objection is not None:
        banner.show_not_ready(languages.instruction(state.objection), text)
    elif screen is IdleScreen.UNAVAILABLE:
        banner.show_unavailable(languages.operator_message(state.problem))
    else:
        banner.show_idle(text)


def extension_words(extension: Extension, step_s: float) -> str:
    """F6's answer, said either way (WCAG 2.2.1)."""
    if extension.granted:
        return translate("MainWindow", "The verdict stays {seconds} s longer ({left} more allowed).").format(
            seconds=f"{step_s:g}", left=extension.left
        )
    if extension.refusal is ExtensionRefusal.NOT_ALLOWED:
        return translate("MainWindow", "Keeping a verdict longer is not allowed on this station.")
    return translate("MainWindow", "This verdict cannot be kept any longer.")
