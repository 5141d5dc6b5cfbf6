"""The words the lower layers hand the window, listed here so the translation tools find them.

The application layer and the parts below it are Qt-free (an import-linter contract), so they
cannot call ``tr()``. Their texts stay plain English constants where they are (the CLI, the logs
and the journal read them in English), and this module lists each one again inside
``QT_TRANSLATE_NOOP(context, text)``: ``pyside6-lupdate`` extracts those into the catalogues, and
:class:`MessageBook` translates a text where the window shows it. Why not move the texts up here:
the CLI and the journal need the English without Qt, and the English stays the one source.

Two kinds of entry:

* exact texts (``"Service busy. Wait a minute, then capture again."``), looked up as they are;
* templates with named fields (``"Confirmed live by {who}. You may continue with the customer."``)
  for messages built with values: the message is matched against the template, the template is
  translated and the values put back, so the translator sees one sentence with ``{who}`` in it.

``tests/ui/test_catalogues.py`` checks that every text these lower layers can show is listed
here, word for word, and that every entry has a Hindi translation: a new English message without
one fails the tests. The guide's instructions are the exception to "keyed by English": they are
keyed by :class:`~station.vision.quality.Instruction` (the vision package may reword its English
without the translations going astray; a test tells when it did).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from station.vision.quality import Instruction

__all__ = [
    "CAMERA",
    "CONSENT",
    "DETAILS",
    "HEADLINES",
    "HEALTH",
    "INSTRUCTIONS",
    "QT_TRANSLATE_NOOP",
    "REFUSALS",
    "STANDARD_BUTTONS",
    "VERDICT",
    "MessageBook",
    "Translate",
]

#: ``(context, source, disambiguation) -> translation`` (empty when there is none).
Translate = Callable[[str, str, "str | None"], str]


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Marks ``source`` for ``pyside6-lupdate`` under ``context``; returns it unchanged."""
    return source


# -- the verdict's action line (customer instruction language) -------------------------------------

VERDICT: Final = (
    QT_TRANSLATE_NOOP("Verdict", "Live person confirmed. Continue with the customer."),
    QT_TRANSLATE_NOOP("Verdict", "Liveness not confirmed. Try once more, then the manual identity check."),
    QT_TRANSLATE_NOOP("Verdict", "Borderline: a supervisor must confirm or reject."),
    QT_TRANSLATE_NOOP("Verdict", "No face found. Ask the customer to face the camera."),
    QT_TRANSLATE_NOOP("Verdict", "More than one person in frame. Only the customer in view, please."),
    QT_TRANSLATE_NOOP("Verdict", "Face not clear enough. More light, face the camera, hold still."),
    QT_TRANSLATE_NOOP("Verdict", "The picture could not be analysed. Capture again."),
    QT_TRANSLATE_NOOP("Verdict", "Access refused. Call IT support: the token needs renewing."),
    QT_TRANSLATE_NOOP("Verdict", "Service busy. Wait a minute, then capture again."),
    QT_TRANSLATE_NOOP("Verdict", "Service unavailable. Wait a minute, then capture again."),
    QT_TRANSLATE_NOOP("Verdict", "No answer in time. Check the network, then capture again."),
    QT_TRANSLATE_NOOP("Verdict", "Secure connection failed. Do not retry; call IT support."),
    QT_TRANSLATE_NOOP("Verdict", "Service not reachable. Check the network, then capture again."),
    QT_TRANSLATE_NOOP("Verdict", "Request refused. Capture again; if it repeats, call IT."),
    QT_TRANSLATE_NOOP("Verdict", "Unreadable answer. Capture again; if it repeats, call IT."),
    QT_TRANSLATE_NOOP("Verdict", "Several faces. Click the customer's face or press its number."),
    QT_TRANSLATE_NOOP("Verdict", "No more attempts. Use the branch's manual identity check."),
    QT_TRANSLATE_NOOP("Verdict", "Not recorded: do not rely on this result. Call IT support."),
    QT_TRANSLATE_NOOP("Verdict", "Not verified. See the details, then capture again."),
    QT_TRANSLATE_NOOP("Verdict", "Verification cancelled. Press Space to capture again."),
    QT_TRANSLATE_NOOP("Verdict", "Confirmed live by the supervisor. Continue with the customer."),
    QT_TRANSLATE_NOOP("Verdict", "Rejected by the supervisor. Use the branch's manual identity check."),
    QT_TRANSLATE_NOOP(
        "Verdict", "No supervisor can settle this here. Call IT; use the manual identity check."
    ),
)

#: The banner's large word (the operator's language).
HEADLINES: Final = (
    QT_TRANSLATE_NOOP("Headline", "LIVE"),
    QT_TRANSLATE_NOOP("Headline", "SPOOF"),
    QT_TRANSLATE_NOOP("Headline", "RETRY"),
    QT_TRANSLATE_NOOP("Headline", "REVIEW"),
    QT_TRANSLATE_NOOP("Headline", "ERROR"),
    QT_TRANSLATE_NOOP("Headline", "NOT FINAL"),
    QT_TRANSLATE_NOOP("Headline", "NO CONSENT"),
    QT_TRANSLATE_NOOP("Headline", "Not ready"),
    QT_TRANSLATE_NOOP("Headline", "Ready"),
    QT_TRANSLATE_NOOP("Headline", "Consent"),
    QT_TRANSLATE_NOOP("Headline", "Verifying…"),
)

# -- why a capture is not started (the operator's language) ----------------------------------------

REFUSALS: Final = (
    QT_TRANSLATE_NOOP("Refusal", "Review not recorded: the supervisor's PIN was not given."),
    QT_TRANSLATE_NOOP(
        "Refusal", "Review not recorded: a supervisor cannot settle a review of their own attempt."
    ),
    QT_TRANSLATE_NOOP("Refusal", "Review not recorded: the supervisor's id or PIN is wrong."),
    QT_TRANSLATE_NOOP("Refusal", "Review not recorded: there is no REVIEW waiting for this customer."),
    QT_TRANSLATE_NOOP(
        "Refusal", "Review not recorded: no supervisor's PIN can be checked on this station. Call IT."
    ),
    QT_TRANSLATE_NOOP("Refusal", "A verification is in progress. Wait for it, or press Esc to cancel it."),
    QT_TRANSLATE_NOOP("Refusal", "A supervisor must confirm or reject the REVIEW before the next customer."),
    QT_TRANSLATE_NOOP(
        "Refusal", "This customer's verification is complete. Press Enter for the next customer."
    ),
    QT_TRANSLATE_NOOP(
        "Refusal",
        "No more attempts for this customer: follow the branch's manual identity check. "
        "Press Enter for the next customer.",
    ),
    QT_TRANSLATE_NOOP(
        "Refusal", "No camera picture yet. Check that the camera is connected, then try again."
    ),
    QT_TRANSLATE_NOOP("Refusal", "Read the notice to the customer first. F7: they agree. F8: they refuse."),
    QT_TRANSLATE_NOOP("Refusal", "The station is not configured."),
    QT_TRANSLATE_NOOP("Refusal", "{problem} Wait until the live picture is back, then capture."),
)

# -- the small print under a verdict (the operator's language) --------------------------------------

DETAILS: Final = (
    # station.core.decision.MESSAGES
    QT_TRANSLATE_NOOP("Details", "Live person confirmed. You may continue with the customer."),
    QT_TRANSLATE_NOOP(
        "Details",
        "Liveness not confirmed. Ask the customer to remove anything covering the face and "
        "look straight at the camera, then try once more. If it fails again, follow the "
        "branch's manual identity check.",
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "Borderline result. A supervisor must review the customer and confirm or reject with their own id and PIN.",  # noqa: E501 - one literal for lupdate
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "No face found. Please ensure the customer's face is clearly visible and centred, "
        "then capture again.",
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "More than one person in frame. Ask that only the customer stays in view, then capture again.",
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "The face is not clear enough. Improve the lighting, ask the customer to face the "
        "camera and hold still, then capture again.",
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "The picture could not be analysed. Please ensure the customer's face is clearly "
        "visible and try again.",
    ),
    # station.application.attempt.advice_for
    QT_TRANSLATE_NOOP(
        "Details",
        "The station's access to the service was refused. Call IT support: the token needs renewing.",
    ),
    QT_TRANSLATE_NOOP("Details", "The service is busy right now. Wait a minute, then capture again."),
    QT_TRANSLATE_NOOP(
        "Details",
        "The verification service is not available. Wait a minute and capture again; "
        "if it persists, call IT.",
    ),
    QT_TRANSLATE_NOOP(
        "Details", "The service did not answer in time. Check the network, then capture again."
    ),
    QT_TRANSLATE_NOOP(
        "Details", "The secure connection to the service failed. Do not retry; call IT support."
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "The station cannot reach the service. Check the network cable or Wi-Fi, then capture again.",
    ),
    QT_TRANSLATE_NOOP(
        "Details", "The service refused the request. Capture again; if it repeats, call IT support."
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "The service gave an answer the station cannot read. Capture again; if it repeats, call IT.",
    ),
    QT_TRANSLATE_NOOP(
        "Details",
        "The verification could not be completed. Capture again; if it repeats, call IT support.",
    ),
    # the session's follow-ups, the verifier, the controller, verdict_text
    QT_TRANSLATE_NOOP("Details", "Confirmed live by {who}. You may continue with the customer."),
    QT_TRANSLATE_NOOP("Details", "Rejected by {who}. Follow the branch's manual identity check."),
    QT_TRANSLATE_NOOP("Details", "supervisor {supervisor}"),
    QT_TRANSLATE_NOOP("Details", "supervisor"),
    QT_TRANSLATE_NOOP("Details", "The captured frame could not be encoded: {error}"),
    QT_TRANSLATE_NOOP("Details", "Unexpected failure ({name}). Capture again."),
    QT_TRANSLATE_NOOP(
        "Details",
        "The verification could not be completed because of a fault in the station. "
        "Capture again; if it repeats, call IT support.",
    ),
    QT_TRANSLATE_NOOP("Details", "The audit record could not be written ({reason}). {message}"),
    # station.application.result_text.describe_report
    QT_TRANSLATE_NOOP("Details", "Score {score} against the station's threshold {threshold}"),
    QT_TRANSLATE_NOOP("Details", "Service verdict: {verdict} (threshold {threshold})"),
    QT_TRANSLATE_NOOP("Details", "Service verdict: {verdict}"),
    QT_TRANSLATE_NOOP("Details", "Note: the station's decision differs from the service's verdict."),
    QT_TRANSLATE_NOOP("Details", "Faces: {count}, frame {size}"),
    QT_TRANSLATE_NOOP("Details", "Faces: {count}"),
    QT_TRANSLATE_NOOP(
        "Details",
        "  Face {index} (primary): box {box}; live {live}, anti-spoof {antispoof}, detection {detection}",
    ),
    QT_TRANSLATE_NOOP(
        "Details", "  Face {index}: box {box}; live {live}, anti-spoof {antispoof}, detection {detection}"
    ),
    QT_TRANSLATE_NOOP("Details", "Reason: {reason}"),
    QT_TRANSLATE_NOOP("Details", "Service reference (client_id): {client_id}"),
    QT_TRANSLATE_NOOP("Details", "Cause: {cause}"),
    QT_TRANSLATE_NOOP("Details", "{ms} ms, {attempts} attempt(s), {host}"),
    QT_TRANSLATE_NOOP("Details", "{ms} ms, {attempts} attempt(s)"),
    QT_TRANSLATE_NOOP("Details", "AUDIT RECORD NOT WRITTEN: {error}. The result is not final."),
    QT_TRANSLATE_NOOP("Details", "Audit record #{sequence}"),
)

# -- the health strip and what the banner says is wrong (the operator's language) ------------------

HEALTH: Final = (
    QT_TRANSLATE_NOOP("Health", "Token"),
    QT_TRANSLATE_NOOP("Health", "Camera"),
    QT_TRANSLATE_NOOP("Health", "Journal"),
    QT_TRANSLATE_NOOP("Health", "Service"),
    QT_TRANSLATE_NOOP("Health", "Shipping"),
    QT_TRANSLATE_NOOP("Health", "checking…"),
    QT_TRANSLATE_NOOP("Health", "balance {amount}"),
    QT_TRANSLATE_NOOP("Health", "no token"),
    QT_TRANSLATE_NOOP("Health", "refused"),
    QT_TRANSLATE_NOOP("Health", "TLS failed"),
    QT_TRANSLATE_NOOP("Health", "unreachable"),
    QT_TRANSLATE_NOOP("Health", "balance unknown"),
    QT_TRANSLATE_NOOP("Health", "not configured"),
    QT_TRANSLATE_NOOP("Health", "writable"),
    QT_TRANSLATE_NOOP("Health", "cannot write"),
    QT_TRANSLATE_NOOP("Health", "off"),
    QT_TRANSLATE_NOOP("Health", "starting"),
    QT_TRANSLATE_NOOP("Health", "stopped"),
    QT_TRANSLATE_NOOP("Health", "missing"),
    QT_TRANSLATE_NOOP("Health", "enrolled"),
    QT_TRANSLATE_NOOP("Health", "live"),
    QT_TRANSLATE_NOOP("Health", "live · {fps} fps"),
    QT_TRANSLATE_NOOP("Health", "reconnecting"),
    QT_TRANSLATE_NOOP("Health", "not available"),
    QT_TRANSLATE_NOOP(
        "Health", "No service token is enrolled: verification is off. Call IT support to enrol one."
    ),
    QT_TRANSLATE_NOOP("Health", "shipping off"),
    QT_TRANSLATE_NOOP("Health", "all shipped"),
    QT_TRANSLATE_NOOP("Health", "{count} record waiting"),
    QT_TRANSLATE_NOOP("Health", "{count} records waiting"),
    QT_TRANSLATE_NOOP("Health", "{count} record waiting, oldest {age}"),
    QT_TRANSLATE_NOOP("Health", "{count} records waiting, oldest {age}"),
    QT_TRANSLATE_NOOP("Health", "No service token: enrol one in Station ▸ Settings ▸ Service tokens."),
    QT_TRANSLATE_NOOP("Health", "The service refused the token: call IT support."),
    QT_TRANSLATE_NOOP("Health", "The secure connection to the service failed: call IT support."),
    QT_TRANSLATE_NOOP(
        "Health", "The service cannot be reached: check the network cable, then Station ▸ Network check."
    ),
    QT_TRANSLATE_NOOP("Health", "The balance could not be read: {message}"),
    QT_TRANSLATE_NOOP(
        "Health",
        "The audit journal cannot be written ({reason}): results would not be final. Call IT support.",
    ),
    QT_TRANSLATE_NOOP("Health", "Journal shipping: {status}. Call IT if it lasts."),
    QT_TRANSLATE_NOOP(
        "Health",
        "The audit journal file is missing, or another file is in its place: results cannot be final. "
        "Leave its folder as it is and call IT support.",
    ),
    QT_TRANSLATE_NOOP("Health", "not answering"),
    QT_TRANSLATE_NOOP("Health", "not a live camera"),
    QT_TRANSLATE_NOOP(
        "Health", "Verification stopped: the station's policy or settings cannot be used. Call IT support."
    ),
    QT_TRANSLATE_NOOP(
        "Health", "The service did not answer the last verification. Wait a minute; if it lasts, call IT."
    ),
)

#: What the camera worker says about the camera (the operator's language).
CAMERA: Final = (
    QT_TRANSLATE_NOOP("Camera", "Starting the camera…"),
    QT_TRANSLATE_NOOP("Camera", "Camera is live."),
    QT_TRANSLATE_NOOP("Camera", "Not a live camera: a picture or a video file."),
    QT_TRANSLATE_NOOP("Camera", "Camera disconnected — reconnecting…"),
    QT_TRANSLATE_NOOP("Camera", "Camera stopped."),
    QT_TRANSLATE_NOOP(
        "Camera",
        "Camera not available. Check that it is plugged in and not used by another "
        "program; the station keeps trying.",
    ),
)

# -- what the customer reads (the customer instruction language) ------------------------------------

#: The guide's instruction per :class:`Instruction` (the English is station.vision's own).
INSTRUCTIONS: Final[Mapping[Instruction, str]] = {
    Instruction.READY: QT_TRANSLATE_NOOP("Instruction", "Ready"),
    Instruction.NO_FACE: QT_TRANSLATE_NOOP(
        "Instruction", "No face found: ask the customer to face the camera"
    ),
    Instruction.SEVERAL_FACES: QT_TRANSLATE_NOOP("Instruction", "Only one person in frame"),
    Instruction.MOVE_CLOSER: QT_TRANSLATE_NOOP("Instruction", "Move closer"),
    Instruction.MOVE_BACK: QT_TRANSLATE_NOOP("Instruction", "Move back a little"),
    Instruction.CENTRE_FACE: QT_TRANSLATE_NOOP("Instruction", "Centre the face in the oval"),
    Instruction.TOO_DARK: QT_TRANSLATE_NOOP("Instruction", "Too dark: turn on the desk light"),
    Instruction.TOO_BRIGHT: QT_TRANSLATE_NOOP(
        "Instruction", "Too bright: angle the screen or close the blind"
    ),
    Instruction.HOLD_STILL: QT_TRANSLATE_NOOP("Instruction", "Hold still"),
    Instruction.FROZEN_CAMERA: QT_TRANSLATE_NOOP("Instruction", "Camera picture frozen: check the camera"),
}

CONSENT: Final = (
    # station.application.consent.DEFAULT_NOTICE
    QT_TRANSLATE_NOOP(
        "Consent",
        "To confirm that you are present in person, this station takes one picture of your face. "
        "The picture is sent securely to our verification provider, Surepass, only to check that it "
        "shows a live person, and is not kept on this computer. The bank keeps a record of the check "
        "(the result, the time and a fingerprint of the picture, never the picture itself) for as long "
        "as banking rules require. You may refuse: the branch will then check your identity another "
        "way. Ask the branch manager for any question about your data.",
    ),
)

#: Qt's own standard buttons (OK, Cancel…) look their words up under this context: listed so the
#: station's catalogue carries them (Qt ships no Hindi catalogue of its own).
STANDARD_BUTTONS: Final = (
    QT_TRANSLATE_NOOP("QPlatformTheme", "OK"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Cancel"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close"),
)

# -- looking texts up --------------------------------------------------------------------------------

_FIELD = re.compile(r"\{([a-z_]+)\}")
#: Template fields whose values are themselves station texts (translated in turn).
_TEXT_FIELDS: Final = frozenset({"problem", "message", "who", "status"})


@dataclass(frozen=True, slots=True)
class _Template:
    context: str
    source: str
    pattern: re.Pattern[str]


def _template(context: str, source: str) -> _Template:
    parts = _FIELD.split(source)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts)
    )
    return _Template(context, source, re.compile(f"^{regex}$", re.DOTALL))


class MessageBook:
    """Translates the lower layers' texts: exactly, or by the template they were made from."""

    def __init__(self, entries: Mapping[str, tuple[str, ...]] | None = None) -> None:
        book = entries if entries is not None else ALL_ENTRIES
        self._exact: dict[str, str] = {}
        templates: list[_Template] = []
        for context, sources in book.items():
            for source in sources:
                if _FIELD.search(source):
                    templates.append(_template(context, source))
                else:
                    self._exact.setdefault(source, context)
        # The longest template first: "Faces: {count}, frame {size}" before "Faces: {count}".
        self._templates = sorted(templates, key=lambda t: len(t.source), reverse=True)

    def knows(self, text: str) -> bool:
        return text in self._exact or any(t.pattern.match(text) for t in self._templates)

    def translate(self, text: str, translate: Translate) -> str:
        """``text`` in the language ``translate`` gives; unchanged when it has no translation."""
        context = self._exact.get(text)
        if context is not None:
            return translate(context, text, None) or text
        for template in self._templates:
            match = template.pattern.match(text)
            if match is None:
                continue
            translated = translate(template.context, template.source, None) or template.source
            # Some values are texts of their own ("{problem}", "{who}"): translated too. Others
            # (a verdict word, the service's reason) are the service's words and stay as they are.
            values = {
                name: self.translate(value, translate) if name in _TEXT_FIELDS else value
                for name, value in match.groupdict().items()
            }
            try:
                return translated.format(**values)
            except (KeyError, IndexError, ValueError):  # a broken translation: the English is safe
                return text
        return text


#: Every context and its entries, for :class:`MessageBook` and the catalogue tests.
ALL_ENTRIES: Final[Mapping[str, tuple[str, ...]]] = {
    "Verdict": VERDICT,
    "Headline": HEADLINES,
    "Refusal": REFUSALS,
    "Details": DETAILS,
    "Health": HEALTH,
    "Camera": CAMERA,
    "Consent": CONSENT,
}
