"""Automatic capture: counts only while the picture is ready, starts again when it is not, Esc stops it."""

from __future__ import annotations

from station.application.auto_capture import AutoCapture


def test_off_by_default() -> None:
    assert AutoCapture(None).progress(True, now=0) is None
    assert not AutoCapture(None).enabled


def test_progress_runs_while_ready_and_restarts_when_not() -> None:
    auto = AutoCapture(2.0)
    assert auto.progress(True, now=10.0) == 0.0
    assert auto.progress(True, now=11.0) == 0.5
    assert auto.progress(False, now=11.5) is None
    assert auto.progress(True, now=12.0) == 0.0  # not ready in between: from the start again
    assert auto.progress(True, now=14.5) == 1.0


def test_escape_stops_it_until_the_next_customer() -> None:
    auto = AutoCapture(1.0)
    auto.progress(True, now=0.0)
    assert auto.stop() is True
    assert auto.progress(True, now=5.0) is None
    assert auto.stop() is False  # nothing under way
    auto.reset()
    assert auto.progress(True, now=6.0) == 0.0
