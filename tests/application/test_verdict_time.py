"""Issue 28 (time): the operator extends a verdict's timeout with one key, as policy allows, and
every press is journaled. Qt-free, with the real session's expiry rule."""

from __future__ import annotations

import pytest

from station.application.verdict_time import (
    WARNING_S,
    ExtensionPolicy,
    ExtensionRefusal,
    VerdictTime,
)


def make(extensions: int = 2, step_s: float = 60.0) -> tuple[VerdictTime, list[str]]:
    notes: list[str] = []
    return VerdictTime(ExtensionPolicy(extensions, step_s), notes.append), notes


def test_an_extension_adds_one_timeout_and_is_journaled() -> None:
    time, notes = make()
    granted = time.extend(verdict_on_screen=True)
    assert granted.granted and granted.used == 1 and granted.left == 1
    assert time.extra_s == 60.0
    assert time.shifted(100.0) == 40.0  # 100 s after the verdict reads as 40 s to the timeout
    assert notes == ["verdict time extended by 60 s (1 of 2)"]


def test_the_policy_limits_how_often() -> None:
    time, notes = make(extensions=2)
    assert time.extend(verdict_on_screen=True).granted
    assert time.extend(verdict_on_screen=True).granted
    third = time.extend(verdict_on_screen=True)
    assert third.refusal is ExtensionRefusal.LIMIT_REACHED and time.extra_s == 120.0
    assert notes[-1] == "verdict time extension refused: limit reached"


def test_the_policy_can_turn_it_off_and_the_refusal_is_journaled() -> None:
    time, notes = make(extensions=0)
    refused = time.extend(verdict_on_screen=True)
    assert refused.refusal is ExtensionRefusal.NOT_ALLOWED
    assert time.extra_s == 0.0
    assert notes == ["verdict time extension refused: not allowed by policy"]


def test_no_verdict_nothing_to_extend_and_nothing_recorded() -> None:
    time, notes = make()
    assert time.extend(verdict_on_screen=False).refusal is ExtensionRefusal.NO_VERDICT
    assert time.extra_s == 0.0 and notes == []


def test_a_new_verdict_starts_with_its_own_extensions() -> None:
    time, _ = make(extensions=1)
    time.extend(verdict_on_screen=True)
    assert time.extend(verdict_on_screen=True).refusal is ExtensionRefusal.LIMIT_REACHED
    time.verdict_shown()
    assert time.extra_s == 0.0
    assert time.extend(verdict_on_screen=True).granted


def test_the_warning_comes_in_the_last_twenty_seconds_while_an_extension_is_left() -> None:
    time, _ = make(extensions=1)
    assert not time.warning_due(elapsed_s=60.0 - WARNING_S - 1, timeout_s=60.0)
    assert time.warning_due(elapsed_s=60.0 - WARNING_S + 1, timeout_s=60.0)
    time.extend(verdict_on_screen=True)
    assert not time.warning_due(elapsed_s=110.0, timeout_s=60.0)  # none left: nothing to offer


def test_the_default_meets_wcag_and_bad_policy_is_refused() -> None:
    from station.config import DEFAULT_VERDICT_EXTENSIONS, Settings

    assert ExtensionPolicy().extensions >= 10  # WCAG 2.2.1: extend at least ten times
    assert ExtensionPolicy().extensions == DEFAULT_VERDICT_EXTENSIONS  # the policy's default is this
    with pytest.raises(ValueError, match="between 0 and 20"):
        Settings(verdict_extensions=21)
    with pytest.raises(ValueError, match="between 0 and 20"):
        ExtensionPolicy(extensions=-1)
    with pytest.raises(ValueError, match="between 5 and 3600"):
        ExtensionPolicy(extensions=2, step_s=1.0)


def test_the_session_expiry_honours_the_extension() -> None:
    """With the real session rule: the shifted clock keeps a verdict on screen past its timeout."""
    from station.application.session import SessionPolicy

    policy = SessionPolicy(verdict_timeout_s=60.0)
    time, _ = make(step_s=policy.verdict_timeout_s)
    shown_at, now = 1000.0, 1070.0
    assert now - shown_at >= policy.verdict_timeout_s  # expired without the extension
    time.extend(verdict_on_screen=True)
    assert time.shifted(now) - shown_at < policy.verdict_timeout_s  # kept with it
