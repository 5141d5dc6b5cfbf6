"""From a :class:`LivenessResult` and a :class:`DecisionPolicy` to an :class:`Outcome`.

Pure and total: every answer the parser accepts maps to LIVE, SPOOF, REVIEW or RETRY with a message
in the operator's words. The provider's advice is followed point by point: check ``ok``, check the
detection score, never show a raw error, ask for one person in frame when several are seen, and
compare the liveness score with a threshold (default 0.7; the service calls scores *above* it live).
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

    def __post_init__(self) -> None:
        for name in ("liveness_threshold", "min_detection_score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise PolicyError(f"{name} must be between 0 and 1, got {value}")
        if self.review_upper is not None and not (self.liveness_threshold < self.review_upper <= 1.0):
            raise PolicyError(
                f"review band upper edge must be above the threshold "
                f"({self.liveness_threshold}) and at most 1, got {self.review_upper}"
            )


#: One source of truth for what the operator reads. Plain words, an action in each.
MESSAGES: dict[OutcomeKind | RetryReason, str] = {
    OutcomeKind.LIVE: "Live person confirmed. You may continue with the customer.",
    OutcomeKind.SPOOF: (
        "Liveness not confirmed. Ask the customer to remove anything covering the face and "
        "look straight at the camera, then try once more. If it fails again, follow the "
        "branch's manual identity check."
    ),
    OutcomeKind.REVIEW: (
        "Borderline result. A supervisor must review the customer and confirm with the administrator PIN."
    ),
    RetryReason.NO_FACE: (
        "No face found. Please ensure the customer's face is clearly visible and centred, then capture again."
    ),
    RetryReason.SEVERAL_FACES: (
        "More than one person in frame. Ask that only the customer stays in view, then capture again."
    ),
    RetryReason.LOW_DETECTION: (
        "The face is not clear enough. Improve the lighting, ask the customer to face the "
        "camera and hold still, then capture again."
    ),
    RetryReason.ANALYSIS_FAILED: (
        "The picture could not be analysed. Please ensure the customer's face is clearly "
        "visible and try again."
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


def decide(result: LivenessResult, policy: DecisionPolicy, chosen_face: Face | None = None) -> Outcome:
    """Decide what the operator is told about one answer.

    ``chosen_face`` is the face the operator picked when the policy lets them pick among several;
    it must be one of ``result.faces``.
    """
    if not result.ok:
        return _retry(result, policy, RetryReason.ANALYSIS_FAILED)
    face_count = max(result.face_count, len(result.faces))
    if face_count == 0 or not result.faces:
        return _retry(result, policy, RetryReason.NO_FACE)

    if chosen_face is not None:
        if chosen_face not in result.faces:
            raise PolicyError("the chosen face is not one of the faces the service returned")
        face = chosen_face
    elif face_count > 1:
        return _retry(result, policy, RetryReason.SEVERAL_FACES)
    else:
        face = result.faces[0]

    if face.detection_score is not None and face.detection_score < policy.min_detection_score:
        return _retry(result, policy, RetryReason.LOW_DETECTION, face)

    # The face's own liveness score is authoritative; the top-level score is the primary face's.
    score = face.liveness_score if face.liveness_score is not None else result.score
    if score is None:
        return _retry(result, policy, RetryReason.ANALYSIS_FAILED, face)

    if score > policy.liveness_threshold:
        in_band = policy.review_upper is not None and score <= policy.review_upper
        kind = OutcomeKind.REVIEW if in_band else OutcomeKind.LIVE
    else:
        kind = OutcomeKind.SPOOF

    station_says_live = kind in (OutcomeKind.LIVE, OutcomeKind.REVIEW)
    disagrees = result.verdict is not None and station_says_live != (result.verdict is ServiceVerdict.LIVE)
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
    )
