"""The customer's consent: a short notice, the customer's answer, and what the journal keeps of it.

India's Digital Personal Data Protection Act (2023) asks for notice and consent before a face is
processed, and RBI's KYC directions ask that consent be recorded in an auditable way. Before the
first capture of a customer the station shows the notice (what is captured, who receives it, why,
how long records are kept, who to ask); the operator confirms with one key that the customer agreed,
or records that they refused (the session then ends, journaled, with no call made). Every record
carries the notice's version and the SHA-256 of its exact text, so an auditor can tell which words
the customer was shown. The bank replaces the text and its version by policy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from station.words import QT_TRANSLATE_NOOP

__all__ = ["DEFAULT_NOTICE", "NOT_ASKED", "Consent", "ConsentNotice", "ConsentRecord"]

#: The station's own notice (the bank may replace it by policy: ``consent_notice``).
DEFAULT_NOTICE: Final = QT_TRANSLATE_NOOP(
    "Consent",
    "To confirm that you are present in person, this station takes one picture of your face. "
    "The picture is sent securely to our verification provider, Surepass, only to check that it "
    "shows a live person, and is not kept on this computer. The bank keeps a record of the check "
    "(the result, the time and a fingerprint of the picture, never the picture itself) for as long "
    "as banking rules require. You may refuse: the branch will then check your identity another "
    "way. Ask the branch manager for any question about your data.",
)


class Consent(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    NOT_ASKED = "not_asked"


@dataclass(frozen=True, slots=True)
class ConsentNotice:
    version: str
    text: str

    @property
    def sha256(self) -> str:
        """The fingerprint of the exact words shown (UTF-8), written with every record."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """What the journal keeps of the consent behind an attempt."""

    consent: Consent
    notice_version: str | None = None
    notice_sha256: str | None = None

    @classmethod
    def for_notice(cls, consent: Consent, notice: ConsentNotice) -> ConsentRecord:
        return cls(consent, notice.version, notice.sha256)


#: The record of a station where policy does not ask for consent.
NOT_ASKED: Final = ConsentRecord(Consent.NOT_ASKED)
