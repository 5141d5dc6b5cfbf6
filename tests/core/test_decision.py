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


# -- boundaries the mutation run showed unpinned (issue 19) ------------------------------------


@pytest.mark.parametrize("name", ["liveness_threshold", "min_detection_score", "min_antispoof_score"])
@pytest.mark.parametrize("value", [0.0, 1.0])
def test_policy_accepts_both_ends_of_the_range(name: str, value: float) -> None:
    assert getattr(DecisionPolicy(**{name: value}), name) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["liveness_threshold", "min_detection_score", "min_antispoof_score"])
@pytest.mark.parametrize("value", [-0.001, 1.001, float("nan")])
def test_policy_refuses_just_outside_the_range(name: str, value: float) -> None:
    with pytest.raises(PolicyError, match=name):
        DecisionPolicy(**{name: value})  # type: ignore[arg-type]


def test_review_upper_may_be_exactly_one_but_not_more_nor_the_threshold() -> None:
    assert DecisionPolicy(liveness_threshold=0.7, review_upper=1.0).review_upper == 1.0
    assert DecisionPolicy(liveness_threshold=0.7, review_upper=0.7001).review_upper == 0.7001
    for bad in (1.0001, 0.7):
        with pytest.raises(PolicyError, match="review band"):
            DecisionPolicy(liveness_threshold=0.7, review_upper=bad)


def test_review_band_edges() -> None:
    banded = DecisionPolicy(liveness_threshold=0.7, review_upper=0.75)
    assert decide(result(face(0.7)), banded).kind is OutcomeKind.SPOOF  # the lower edge is open
    assert decide(result(face(0.7001)), banded).kind is OutcomeKind.REVIEW
    assert decide(result(face(0.75)), banded).kind is OutcomeKind.REVIEW  # the upper edge is closed
    assert decide(result(face(0.7501)), banded).kind is OutcomeKind.LIVE


def test_boundary_is_strict_just_above_is_live() -> None:
    assert decide(result(face(0.7001)), POLICY).kind is OutcomeKind.LIVE
    assert decide(result(face(0.7)), POLICY).station_rule is OutcomeKind.SPOOF


def test_detection_score_equal_to_the_minimum_is_enough() -> None:
    assert decide(result(face(0.9, detection=0.6)), POLICY).kind is OutcomeKind.LIVE
    outcome = decide(result(face(0.9, detection=0.5999)), POLICY)
    assert outcome.retry_reason is RetryReason.LOW_DETECTION
    assert outcome.score == pytest.approx(0.9)
    assert outcome.primary_face == face(0.9, detection=0.5999)


def test_antispoof_equal_to_the_minimum_is_enough() -> None:
    policy = DecisionPolicy(min_antispoof_score=0.95)  # face() gives 0.95
    assert decide(result(face(0.9)), policy).kind is OutcomeKind.LIVE
    assert decide(result(face(0.9)), DecisionPolicy(min_antispoof_score=0.9501)).kind is OutcomeKind.SPOOF


def test_a_face_count_with_no_faces_is_no_face() -> None:
    counted = LivenessResult(ok=True, face_count=1, faces=(), score=0.9, verdict=ServiceVerdict.LIVE)
    outcome = decide(counted, POLICY)
    assert outcome.retry_reason is RetryReason.NO_FACE
    assert outcome.score == 0.9  # the top-level score is kept for the record
    assert outcome.primary_face is None


def test_faces_with_a_zero_face_count_are_still_decided() -> None:
    listed = LivenessResult(ok=True, face_count=0, faces=(face(0.9),))
    assert decide(listed, POLICY).kind is OutcomeKind.LIVE


def test_a_count_above_the_listed_faces_is_several_faces() -> None:
    undercounted = LivenessResult(ok=True, face_count=2, faces=(face(0.9),))
    assert decide(undercounted, POLICY).retry_reason is RetryReason.SEVERAL_FACES


def test_the_top_level_score_stands_in_for_a_missing_face_score() -> None:
    bare = LivenessResult(ok=True, face_count=1, score=0.9, faces=(Face(BBox(0, 0, 9, 9), 0.99),))
    outcome = decide(bare, POLICY)
    assert outcome.kind is OutcomeKind.LIVE
    assert outcome.score == 0.9


def test_failed_analysis_keeps_the_services_view_for_the_record() -> None:
    failed = LivenessResult(ok=False, score=0.4, verdict=ServiceVerdict.SPOOF, threshold=0.7)
    outcome = decide(failed, POLICY)
    assert outcome.message == MESSAGES[RetryReason.ANALYSIS_FAILED]
    assert (outcome.score, outcome.service_verdict, outcome.service_threshold) == (
        0.4,
        ServiceVerdict.SPOOF,
        0.7,
    )
    assert outcome.station_threshold == POLICY.liveness_threshold
    assert outcome.primary_face is None


def test_a_picked_face_still_needs_the_services_top_level_agreement() -> None:
    picked = face(0.9, x=200)
    answer = LivenessResult(
        ok=True, face_count=2, faces=(face(0.2), picked), verdict=ServiceVerdict.SPOOF, live=False
    )
    outcome = decide(answer, POLICY, chosen_face=picked)
    assert outcome.kind is OutcomeKind.SPOOF
    assert outcome.disagrees_with_service


def test_every_outcome_carries_the_answer_it_was_decided_on() -> None:
    for answer in (result(face(0.9)), result(face(0.9), ok=False), result(), result(face(0.2))):
        assert decide(answer, POLICY).result is answer


def test_a_retry_about_a_face_reports_that_faces_score() -> None:
    weak = face(0.9, detection=0.1)
    answer = LivenessResult(ok=True, face_count=1, faces=(weak,), score=0.3)
    outcome = decide(answer, POLICY)
    assert outcome.retry_reason is RetryReason.LOW_DETECTION
    assert outcome.score == 0.9


def test_a_face_without_any_score_is_named_in_the_retry() -> None:
    bare = Face(BBox(0, 0, 9, 9), 0.99)
    outcome = decide(LivenessResult(ok=True, face_count=1, faces=(bare,)), POLICY)
    assert outcome.retry_reason is RetryReason.ANALYSIS_FAILED
    assert outcome.primary_face == bare


def test_a_foreign_face_is_refused_in_plain_words() -> None:
    with pytest.raises(PolicyError) as caught:
        decide(result(face(0.9), face(0.9, x=9)), POLICY, chosen_face=face(0.5, x=500))
    assert str(caught.value) == "the chosen face is not one of the faces the service returned"


def test_policy_errors_say_which_value_and_why() -> None:
    with pytest.raises(PolicyError) as caught:
        DecisionPolicy(min_detection_score=1.5)
    assert str(caught.value) == "min_detection_score must be between 0 and 1, got 1.5"
    with pytest.raises(PolicyError) as caught:
        DecisionPolicy(liveness_threshold=0.7, review_upper=0.6)
    assert str(caught.value) == (
        "review band upper edge must be above the threshold (0.7) and at most 1, got 0.6"
    )
