"""From a :class:`LivenessResult` and a :class:`DecisionPolicy` to an :class:`Outcome`.

Pure and total: every answer the parser accepts maps to LIVE, SPOOF, REVIEW or RETRY with a message
in the operator's words. The provider's advice is followed point by point: check ``ok``, check the
detection score, never show a raw error, ask for one person in frame when several are seen, and
compare the liveness score with a threshold (default 0.7; the service calls scores *above* it live).

Deciding conservatively: a customer is LIVE only when two independent views agree. The station's
own rule (score strictly above the threshold, and the anti-spoof minimum where the policy sets one)
must say live, and so must every live signal the service gave (``verdict``, ``live``, the face's
``is_live``). A station whose threshold was lowered therefore cannot turn the service's spoof into
a LIVE, and a service that calls a 0.95 score a spoof is believed. When the two disagree the answer
goes to a supervisor (REVIEW) if the bank runs a review band, else it is a SPOOF; the outcome keeps
both views and the reason so the journal shows why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from station.core.models import (
    Face,
    LivenessResult,
    Outcome,
    OutcomeKind,
    RetryReason,
    ServiceVerdict,
)
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "DEFAULT_LIVENESS_THRESHOLD",
    "DEFAULT_MIN_DETECTION_SCORE",
    "MESSAGES",
    "DecisionPolicy",
    "PolicyError",
    "SeveralFacesPolicy",
    "decide",
]

#: The provider's default; raise it for high security, lower it only for permissive flows.
DEFAULT_LIVENESS_THRESHOLD = 0.7
#: Below this detection confidence the box may not be a face at all; capture again.
DEFAULT_MIN_DETECTION_SCORE = 0.6


class SeveralFacesPolicy(StrEnum):
    """What to do when the service sees more than one face."""

    #: Ask for one person in frame (the provider's advice; the verdict is ambiguous).
    RETRY = "retry"
    #: Let the operator pick the customer's face; the pick is recorded with the attempt.
    OPERATOR_PICKS = "operator_picks"


class PolicyError(ValueError):
    """A decision policy with values that make no sense (a threshold of 1.7, say)."""


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """The bank's decision settings."""

    liveness_threshold: float = DEFAULT_LIVENESS_THRESHOLD
    min_detection_score: float = DEFAULT_MIN_DETECTION_SCORE
    several_faces: SeveralFacesPolicy = SeveralFacesPolicy.RETRY
    #: Upper edge of a review band above the threshold: a score in (threshold, review_upper]
    #: is REVIEW, for a supervisor to confirm. ``None`` disables the band.
    review_upper: float | None = None
    #: A floor for the face's ``antispoof_score`` (higher means a spoof is less likely); a face
    #: below it, or with no anti-spoof score at all, is never LIVE. ``None`` leaves it to the service.
    min_antispoof_score: float | None = None

    def __post_init__(self) -> None:
        for name in ("liveness_threshold", "min_detection_score", "min_antispoof_score"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise PolicyError(f"{name} must be between 0 and 1, got {value}")
        if self.review_upper is not None and not (self.liveness_threshold < self.review_upper <= 1.0):
            raise PolicyError(
                f"review band upper edge must be above the threshold "
                f"({self.liveness_threshold}) and at most 1, got {self.review_upper}"
            )


#: One source of truth for what the operator reads. Plain words, an action in each.
MESSAGES: dict[OutcomeKind | RetryReason, str] = {
    OutcomeKind.LIVE: QT_TRANSLATE_NOOP(
        "Details", "Live person confirmed. You may continue with the customer."
    ),
    OutcomeKind.SPOOF: (
        QT_TRANSLATE_NOOP(
            "Details",
            "Liveness not confirmed. Ask the customer to remove anything covering the face and "
            "look straight at the camera, then try once more. If it fails again, follow the "
            "branch's manual identity check.",
        )
    ),
    OutcomeKind.REVIEW: (
        QT_TRANSLATE_NOOP(
            "Details",
            "Borderline result. A supervisor must review the customer and confirm or reject with their own "
            "id and PIN.",
        )
    ),
    RetryReason.NO_FACE: (
        QT_TRANSLATE_NOOP(
            "Details",
            "No face found. Please ensure the customer's face is clearly visible and centred, then capture again.",  # noqa: E501 - one literal for lupdate
        )
    ),
    RetryReason.SEVERAL_FACES: (
        QT_TRANSLATE_NOOP(
            "Details",
            "More than one person in frame. Ask that only the customer stays in view, then capture again.",
        )
    ),
    RetryReason.LOW_DETECTION: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The face is not clear enough. Improve the lighting, ask the customer to face the "
            "camera and hold still, then capture again.",
        )
    ),
    RetryReason.ANALYSIS_FAILED: (
        QT_TRANSLATE_NOOP(
            "Details",
            "The picture could not be analysed. Please ensure the customer's face is clearly "
            "visible and try again.",
        )
    ),
}


def _retry(
    result: LivenessResult, policy: DecisionPolicy, reason: RetryReason, face: Face | None = None
) -> Outcome:
    return Outcome(
        kind=OutcomeKind.RETRY,
        message=MESSAGES[reason],
        result=result,
        station_threshold=policy.liveness_threshold,
        score=face.liveness_score if face is not None else result.score,
        retry_reason=reason,
        primary_face=face,
        service_verdict=result.verdict,
        service_threshold=result.threshold,
    )


def _station_rule(score: float, face: Face, policy: DecisionPolicy) -> tuple[OutcomeKind, str]:
    """What the bank's own rule says about a score, and the words the journal keeps for it."""
    threshold = policy.liveness_threshold
    if not score > threshold:  # the contract: a score equal to the threshold is not live
        return OutcomeKind.SPOOF, f"score {score:g} not above the threshold {threshold:g}"
    minimum = policy.min_antispoof_score
    if minimum is not None:
        antispoof = face.antispoof_score
        if antispoof is None:
            return OutcomeKind.SPOOF, f"no anti-spoof score to hold to the minimum {minimum:g}"
        if antispoof < minimum:
            return OutcomeKind.SPOOF, f"anti-spoof {antispoof:g} below the minimum {minimum:g}"
    if policy.review_upper is not None and score <= policy.review_upper:
        return OutcomeKind.REVIEW, f"score {score:g} inside the review band up to {policy.review_upper:g}"
    return OutcomeKind.LIVE, f"score {score:g} above the threshold {threshold:g}"


def _service_signals(result: LivenessResult, face: Face) -> list[tuple[str, bool]]:
    """Each live signal the service gave about the face, with the words the journal keeps for it."""
    signals: list[tuple[str, bool]] = []
    if result.verdict is not None:
        signals.append((f"verdict {result.verdict.value}", result.verdict is ServiceVerdict.LIVE))
    if result.live is not None:
        signals.append((f"live {str(result.live).lower()}", result.live))
    if face.is_live is not None:
        signals.append((f"is_live {str(face.is_live).lower()}", face.is_live))
    return signals


def decide(result: LivenessResult, policy: DecisionPolicy, chosen_face: Face | None = None) -> Outcome:
    """Decide what the operator is told about one answer.

    ``chosen_face`` is the face the operator picked when the policy lets them pick among several;
    it must be one of ``result.faces``. The service's top-level ``verdict`` and ``live`` still have
    to agree then: with several faces the station cannot tell which one they were about.
    """
    if not result.ok:
        return _retry(result, policy, RetryReason.ANALYSIS_FAILED)
    # A face count with no face listed leaves nothing to judge; faces with a count of 0 are judged.
    if not result.faces:
        return _retry(result, policy, RetryReason.NO_FACE)

    if chosen_face is not None:
        if chosen_face not in result.faces:
            raise PolicyError("the chosen face is not one of the faces the service returned")
        face = chosen_face
    elif max(result.face_count, len(result.faces)) > 1:
        return _retry(result, policy, RetryReason.SEVERAL_FACES)
    else:
        face = result.faces[0]

    if face.detection_score is not None and face.detection_score < policy.min_detection_score:
        return _retry(result, policy, RetryReason.LOW_DETECTION, face)

    # The face's own liveness score is authoritative; the top-level score is the primary face's.
    score = face.liveness_score if face.liveness_score is not None else result.score
    if score is None:
        return _retry(result, policy, RetryReason.ANALYSIS_FAILED, face)

    rule, rule_words = _station_rule(score, face, policy)
    signals = _service_signals(result, face)
    # The service is live only if every signal it gave says so; no signal at all is no opinion.
    service_live = all(live for _, live in signals) if signals else None
    disagrees = service_live is not None and service_live != (rule is not OutcomeKind.SPOOF)
    disagreement = None
    kind = rule
    if disagrees:
        kind = OutcomeKind.REVIEW if policy.review_upper is not None else OutcomeKind.SPOOF
        service_said = "live" if service_live else "not live"
        service_words = ", ".join(words for words, _ in signals)
        disagreement = (
            f"station rule said {rule.value} ({rule_words}); service said {service_said} ({service_words})"
        )
    return Outcome(
        kind=kind,
        message=MESSAGES[kind],
        result=result,
        station_threshold=policy.liveness_threshold,
        score=score,
        primary_face=face,
        service_verdict=result.verdict,
        service_threshold=result.threshold,
        disagrees_with_service=disagrees,
        station_rule=rule,
        service_says_live=service_live,
        disagreement=disagreement,
    )
