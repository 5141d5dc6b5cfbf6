"""What a screen reader hears for each control and live region of the main window.

Every control has an accessible name (what it is) and, where the name is not enough, a description
(what it does, its key, what it needs), in the interface language: the strings go through the
translation catalogues like every other word the operator reads. The banner, the health strip and
the History rows name their own parts (:mod:`station.ui.banner`, :mod:`station.ui.health_strip`,
:mod:`station.ui.history`); this module names the rest of the window and the guide, and is called
when the window is built and on every language change.

Buttons that can be off (Capture, Next customer) keep their description for *why* they are off
(the window sets it from the desk's state): this module never overwrites it.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTabWidget, QWidget

from station.ui.announcer import Announcer
from station.ui.banner import VerdictBanner
from station.ui.controller import VerificationController
from station.ui.languages import Languages
from station.vision.quality import QualityReport

__all__ = ["GuidedWindow", "NamedWindow", "describe_guide", "name_controls", "speak_guide"]

translate = QCoreApplication.translate


class NamedWindow(Protocol):
    """The parts of the main window this module names (kept structural: the window's layout may
    move without this module changing)."""

    @property
    def capture_button(self) -> QPushButton: ...

    @property
    def cancel_button(self) -> QPushButton: ...

    @property
    def next_button(self) -> QPushButton: ...

    @property
    def confirm_button(self) -> QPushButton: ...

    @property
    def reject_button(self) -> QPushButton: ...

    @property
    def customer_ref(self) -> QLineEdit: ...

    @property
    def customer_language_label(self) -> QLabel: ...

    @property
    def tabs(self) -> QTabWidget: ...

    @property
    def preview(self) -> QWidget: ...


def _describe(widget: QWidget, description: str) -> None:
    if widget.accessibleDescription() != description:
        widget.setAccessibleDescription(description)


def name_controls(window: NamedWindow) -> None:
    """Descriptions for the controls whose names alone do not say what they do or need."""
    _describe(
        window.cancel_button,
        translate("Accessibility", "Stops the verification in flight. Key: Escape."),
    )
    _describe(
        window.confirm_button,
        translate(
            "Accessibility",
            "For a REVIEW verdict: a supervisor confirms the customer is live, with their PIN. Key: F9.",
        ),
    )
    _describe(
        window.reject_button,
        translate(
            "Accessibility",
            "For a REVIEW verdict: a supervisor rejects the capture, with their PIN. Key: F10.",
        ),
    )
    _describe(
        window.customer_ref,
        translate("Accessibility", "Optional. Recorded with the attempt in the audit journal."),
    )
    _describe(
        window.customer_language_label,
        translate("Accessibility", "The language the customer reads and hears. Key: F2 switches it."),
    )
    window.tabs.setAccessibleName(translate("Accessibility", "Result details and history"))
    # The pages: Tab stops on the details' scroll area, which has no words of its own.
    for index in range(window.tabs.count()):
        page = window.tabs.widget(index)
        if page is not None:
            page.setAccessibleName(window.tabs.tabText(index))


def describe_guide(preview: QWidget, instruction: str | None, notice: str | None = None) -> str:
    """The preview as a live region: the consent notice while it is asked, else the guide's one
    instruction (in the operator's language). Returns the description set."""
    if notice:
        description = translate("Accessibility", "Consent notice: {notice}").format(notice=notice)
    elif instruction:
        description = translate("Accessibility", "Capture guide: {instruction}").format(
            instruction=instruction
        )
    else:
        description = translate("Accessibility", "Live camera picture, or the captured picture.")
    _describe(preview, description)
    return description


class GuidedWindow(Protocol):
    """What :func:`speak_guide` reads from the main window."""

    @property
    def preview(self) -> QWidget: ...

    @property
    def banner(self) -> VerdictBanner: ...

    @property
    def announcer(self) -> Announcer: ...

    @property
    def languages(self) -> Languages: ...

    @property
    def controller(self) -> VerificationController: ...


def speak_guide(window: GuidedWindow, report: QualityReport | None) -> bool:
    """The guide's state for a screen reader: the preview's description (the consent notice while
    it is asked, else the instruction in the operator's language) and a polite announcement when
    it changed. True if something was announced."""
    session = window.controller.session
    notice = session.notice.text if session.consent_needed and session.notice is not None else None
    instruction = (
        window.languages.instruction(report.instruction, for_operator=True) if report is not None else None
    )
    if notice:
        notice = window.languages.operator_message(notice)
    describe_guide(window.preview, instruction, notice)
    spoken = notice or instruction
    on_screen = window.banner.kind is not None
    return window.announcer.guide(spoken, verdict_on_screen=on_screen)
