"""The decision: every branch of the provider's advice, and the disagreement with the service."""

from __future__ import annotations

import pytest

from station.core import (
    BBox,
    DecisionPolicy,
    Face,
    LivenessResult,
    OutcomeKind,
    RetryReason,
    ServiceVerdict,
    decide,
)
from station.core.decision import MESSAGES, PolicyError


def face(liveness: float, detection: float = 0.99, size: int = 100, x: int = 0) -> Face:
    return Face(BBox(x, 0, size, size), detection, liveness, 0.95, liveness > 0.7)


def result(*faces: Face, ok: bool = True, verdict: ServiceVerdict | None = None) -> LivenessResult:
    return LivenessResult(
        ok=ok,
        face_count=len(faces),
        faces=faces,
        verdict=verdict,
        threshold=0.7,
        score=faces[0].liveness_score if faces else None,
    )


POLICY = DecisionPolicy()


def test_live_above_threshold() -> None:
    outcome = decide(result(face(0.83), verdict=ServiceVerdict.LIVE), POLICY)
    assert outcome.kind is OutcomeKind.LIVE
    assert outcome.score == pytest.approx(0.83)
    assert outcome.message == MESSAGES[OutcomeKind.LIVE]
    assert outcome.service_verdict is ServiceVerdict.LIVE
    assert outcome.service_threshold == 0.7
    assert not outcome.disagrees_with_service


def test_exactly_at_threshold_is_not_live() -> None:
    # The contract: "scores above it are live".
    assert decide(result(face(0.7)), POLICY).kind is OutcomeKind.SPOOF


def test_spoof_below_threshold_gives_actionable_message() -> None:
    outcome = decide(result(face(0.2), verdict=ServiceVerdict.SPOOF), POLICY)
    assert outcome.kind is OutcomeKind.SPOOF
    assert "try once more" in outcome.message


def test_no_face_is_retry() -> None:
    outcome = decide(result(), POLICY)
    assert outcome.kind is OutcomeKind.RETRY
    assert outcome.retry_reason is RetryReason.NO_FACE
    assert "clearly visible" in outcome.message


def test_several_faces_is_retry_by_default() -> None:
    outcome = decide(result(face(0.9), face(0.9, x=200)), POLICY)
    assert outcome.kind is OutcomeKind.RETRY
    assert outcome.retry_reason is RetryReason.SEVERAL_FACES
    assert "only the customer" in outcome.message


def test_operator_may_pick_a_face() -> None:
    picked = face(0.2, x=200)
    outcome = decide(result(face(0.9), picked), POLICY, chosen_face=picked)
    assert outcome.kind is OutcomeKind.SPOOF
    assert outcome.primary_face == picked


def test_picked_face_must_be_one_of_the_faces() -> None:
    with pytest.raises(PolicyError):
        decide(result(face(0.9), face(0.9, x=9)), POLICY, chosen_face=face(0.5, x=500))


def test_low_detection_score_is_retry() -> None:
    outcome = decide(result(face(0.95, detection=0.3)), POLICY)
    assert outcome.kind is OutcomeKind.RETRY
    assert outcome.retry_reason is RetryReason.LOW_DETECTION


def test_failed_analysis_is_retry() -> None:
    outcome = decide(result(face(0.95), ok=False), POLICY)
    assert outcome.kind is OutcomeKind.RETRY
    assert outcome.retry_reason is RetryReason.ANALYSIS_FAILED


def test_missing_scores_is_retry_not_live() -> None:
    bare = LivenessResult(ok=True, face_count=1, faces=(Face(BBox(0, 0, 9, 9)),))
    assert decide(bare, POLICY).kind is OutcomeKind.RETRY


def test_stricter_station_threshold_disagrees_with_service() -> None:
    strict = DecisionPolicy(liveness_threshold=0.9)
    outcome = decide(result(face(0.83), verdict=ServiceVerdict.LIVE), strict)
    assert outcome.kind is OutcomeKind.SPOOF
    assert outcome.disagrees_with_service
    assert outcome.station_threshold == 0.9


def test_review_band() -> None:
    banded = DecisionPolicy(liveness_threshold=0.7, review_upper=0.75)
    assert decide(result(face(0.72)), banded).kind is OutcomeKind.REVIEW
    assert decide(result(face(0.76)), banded).kind is OutcomeKind.LIVE


@pytest.mark.parametrize(
    "kwargs",
    [
        {"liveness_threshold": 1.7},
        {"liveness_threshold": -0.1},
        {"min_detection_score": 2},
        {"liveness_threshold": 0.7, "review_upper": 0.6},
    ],
)
def test_bad_policy_values_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(PolicyError):
        DecisionPolicy(**kwargs)  # type: ignore[arg-type]
