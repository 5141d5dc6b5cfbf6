"""Deciding conservatively: LIVE only when the station's rule and the service agree.

Every combination of the station's rule (score against the threshold and the review band, the
anti-spoof minimum) and the service's signals (``verdict``, ``live``, ``is_live``, each present or
not) is decided, and each outcome is checked against the contract in plain terms.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.core import BBox, DecisionPolicy, Face, LivenessResult, OutcomeKind, ServiceVerdict, decide
from station.core.decision import MESSAGES

THRESHOLD = 0.7
BAND = 0.75


def answer(
    score: float,
    *,
    antispoof: float | None = 0.99,
    verdict: ServiceVerdict | None = None,
    live: bool | None = None,
    is_live: bool | None = None,
) -> LivenessResult:
    face = Face(BBox(10, 10, 100, 100), 0.99, score, antispoof, is_live)
    return LivenessResult(
        ok=True, live=live, verdict=verdict, score=score, face_count=1, threshold=0.7, faces=(face,)
    )


def test_the_issues_spoof_is_never_live_at_the_default_policy() -> None:
    hostile = answer(0.95, antispoof=0.01, verdict=ServiceVerdict.SPOOF, live=False, is_live=False)
    outcome = decide(hostile, DecisionPolicy())
    assert outcome.kind is OutcomeKind.SPOOF
    assert outcome.message == MESSAGES[OutcomeKind.SPOOF]
    assert outcome.station_rule is OutcomeKind.LIVE
    assert outcome.service_says_live is False
    assert outcome.disagrees_with_service
    assert outcome.disagreement == (
        "station rule said LIVE (score 0.95 above the threshold 0.7); "
        "service said not live (verdict spoof, live false, is_live false)"
    )


@given(
    threshold=st.floats(0.0, 0.99),
    band_width=st.none() | st.floats(0.001, 1.0),
    min_antispoof=st.none() | st.floats(0.0, 1.0),
)
def test_the_issues_spoof_is_never_live_under_any_policy(
    threshold: float, band_width: float | None, min_antispoof: float | None
) -> None:
    band = None if band_width is None else min(1.0, threshold + band_width)
    policy = DecisionPolicy(
        liveness_threshold=threshold, review_upper=band, min_antispoof_score=min_antispoof
    )
    hostile = answer(0.95, antispoof=0.01, verdict=ServiceVerdict.SPOOF, live=False, is_live=False)
    outcome = decide(hostile, policy)
    assert outcome.kind is not OutcomeKind.LIVE
    assert outcome.kind in (
        (OutcomeKind.SPOOF, OutcomeKind.REVIEW) if band is not None else (OutcomeKind.SPOOF,)
    )


def test_a_lowered_threshold_cannot_make_the_services_spoof_live() -> None:
    spoof = answer(0.34, antispoof=0.09, verdict=ServiceVerdict.SPOOF, live=False, is_live=False)
    outcome = decide(spoof, DecisionPolicy(liveness_threshold=0.05))
    assert outcome.kind is OutcomeKind.SPOOF
    assert outcome.station_rule is OutcomeKind.LIVE
    assert outcome.disagreement is not None


def test_any_one_service_signal_saying_spoof_is_enough() -> None:
    for signals in (
        {"verdict": ServiceVerdict.SPOOF},
        {"live": False},
        {"is_live": False},
        {"verdict": ServiceVerdict.LIVE, "live": True, "is_live": False},
    ):
        outcome = decide(answer(0.9, **signals), DecisionPolicy())
        assert outcome.kind is OutcomeKind.SPOOF, signals
        assert outcome.service_says_live is False


def test_no_service_signal_leaves_the_station_rule() -> None:
    outcome = decide(answer(0.9), DecisionPolicy())
    assert outcome.kind is OutcomeKind.LIVE
    assert outcome.service_says_live is None
    assert not outcome.disagrees_with_service
    assert outcome.disagreement is None


def test_service_live_below_the_station_threshold_is_a_disagreement() -> None:
    outcome = decide(
        answer(0.65, verdict=ServiceVerdict.LIVE, live=True, is_live=True),
        DecisionPolicy(review_upper=0.8),
    )
    assert outcome.kind is OutcomeKind.REVIEW
    assert outcome.message == MESSAGES[OutcomeKind.REVIEW]
    assert outcome.station_rule is OutcomeKind.SPOOF
    assert outcome.disagreement == (
        "station rule said SPOOF (score 0.65 not above the threshold 0.7); "
        "service said live (verdict live, live true, is_live true)"
    )


def test_antispoof_minimum_words() -> None:
    low = decide(
        answer(0.9, antispoof=0.3, verdict=ServiceVerdict.LIVE), DecisionPolicy(min_antispoof_score=0.5)
    )
    assert low.disagreement == (
        "station rule said SPOOF (anti-spoof 0.3 below the minimum 0.5); service said live (verdict live)"
    )
    missing = decide(
        answer(0.9, antispoof=None, is_live=True), DecisionPolicy(min_antispoof_score=0.5, review_upper=0.8)
    )
    assert missing.kind is OutcomeKind.REVIEW
    assert missing.disagreement == (
        "station rule said SPOOF (no anti-spoof score to hold to the minimum 0.5); "
        "service said live (is_live true)"
    )


def test_inside_the_band_the_service_spoof_is_still_reviewed() -> None:
    outcome = decide(answer(0.72, verdict=ServiceVerdict.SPOOF), DecisionPolicy(review_upper=BAND))
    assert outcome.kind is OutcomeKind.REVIEW
    assert outcome.disagreement == (
        "station rule said REVIEW (score 0.72 inside the review band up to 0.75); "
        "service said not live (verdict spoof)"
    )


SCORES = (0.5, THRESHOLD, 0.72, BAND, 0.9)
ANTISPOOFS = (None, 0.4, 0.5, 0.9)
VERDICTS = (None, ServiceVerdict.LIVE, ServiceVerdict.SPOOF)
FLAGS = (None, True, False)


@pytest.mark.parametrize("band", [None, BAND], ids=["no-band", "band"])
@pytest.mark.parametrize("min_antispoof", [None, 0.5], ids=["no-min", "min-0.5"])
def test_every_combination(band: float | None, min_antispoof: float | None) -> None:
    policy = DecisionPolicy(
        liveness_threshold=THRESHOLD, review_upper=band, min_antispoof_score=min_antispoof
    )
    seen: set[OutcomeKind] = set()
    for score, antispoof, verdict, live, is_live in itertools.product(
        SCORES, ANTISPOOFS, VERDICTS, FLAGS, FLAGS
    ):
        case = (score, antispoof, verdict, live, is_live)
        outcome = decide(
            answer(score, antispoof=antispoof, verdict=verdict, live=live, is_live=is_live), policy
        )
        # The station's rule, as the contract and the policy state it.
        antispoof_ok = min_antispoof is None or (antispoof is not None and antispoof >= min_antispoof)
        if score > THRESHOLD and antispoof_ok:
            rule = OutcomeKind.REVIEW if band is not None and score <= band else OutcomeKind.LIVE
        else:
            rule = OutcomeKind.SPOOF
        # The service's view: every signal it gave must say live.
        signals = [s for s in (None if verdict is None else verdict is ServiceVerdict.LIVE, live, is_live)]
        given_signals = [s for s in signals if s is not None]
        service = all(given_signals) if given_signals else None
        disagree = service is not None and service != (rule is not OutcomeKind.SPOOF)
        expected = (OutcomeKind.REVIEW if band is not None else OutcomeKind.SPOOF) if disagree else rule

        assert outcome.kind is expected, case
        assert outcome.station_rule is rule, case
        assert outcome.service_says_live is service, case
        assert outcome.disagrees_with_service is disagree, case
        assert (outcome.disagreement is not None) is disagree, case
        assert outcome.message == MESSAGES[expected], case
        if outcome.kind is OutcomeKind.LIVE:  # the one thing a bank must never get wrong
            assert score > THRESHOLD and antispoof_ok and service is not False, case
        seen.add(outcome.kind)
    expected_kinds = {OutcomeKind.LIVE, OutcomeKind.SPOOF} | ({OutcomeKind.REVIEW} if band else set())
    assert seen == expected_kinds
