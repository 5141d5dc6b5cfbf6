"""Wrong PINs lock out atomically across processes, and the lock survives a restart."""

from __future__ import annotations

import multiprocessing
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.security.lockout import LOCKOUT_AFTER, PinLedger
from station.security.pin import PinFileError, PinLockedError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def wrong() -> bool:
    return False


def right() -> bool:
    return True


def test_five_wrong_pins_lock_and_the_lock_doubles(tmp_path: Path) -> None:
    clock = Clock()
    ledger = PinLedger(tmp_path / "pins.sqlite3", clock=clock)
    for expected_left in range(LOCKOUT_AFTER - 1, 0, -1):
        assert ledger.check("administrator", wrong) == (False, expected_left)
    with pytest.raises(PinLockedError, match="locked for 5 more minutes"):
        ledger.check("administrator", wrong)  # the fifth starts the lockout, and says so
    calls: list[bool] = []

    def right_pin() -> bool:
        calls.append(True)
        return True

    with pytest.raises(PinLockedError, match="locked for 5 more minutes"):
        ledger.check("administrator", right_pin)
    assert calls == []  # while locked the PIN is not even compared
    assert ledger.locked_until("administrator") == clock.now + timedelta(minutes=5)
    clock.now += timedelta(minutes=5)
    assert ledger.locked_until("administrator") is None
    for _ in range(LOCKOUT_AFTER - 1):
        ledger.check("administrator", wrong)
    with pytest.raises(PinLockedError, match="locked for 10 more minutes"):
        ledger.check("administrator", wrong)
    with pytest.raises(PinLockedError, match="locked for 10 more minutes"):
        ledger.check("administrator", right)
    clock.now += timedelta(minutes=10)
    assert ledger.check("administrator", right) == (True, LOCKOUT_AFTER)
    for _ in range(LOCKOUT_AFTER - 1):
        ledger.check("administrator", wrong)
    with pytest.raises(PinLockedError, match="locked for 5 more minutes"):  # a right PIN reset the doubling
        ledger.check("administrator", wrong)


def test_the_count_survives_a_restart_and_is_per_person(tmp_path: Path) -> None:
    clock = Clock()
    for _ in range(LOCKOUT_AFTER - 1):
        PinLedger(tmp_path / "pins.sqlite3", clock=clock).check("supervisor:sup1", wrong)
    again = PinLedger(tmp_path / "pins.sqlite3", clock=clock)
    assert again.check("administrator", wrong) == (False, LOCKOUT_AFTER - 1)
    with pytest.raises(PinLockedError):
        again.check("supervisor:sup1", wrong)
    with pytest.raises(PinLockedError):
        PinLedger(tmp_path / "pins.sqlite3", clock=clock).check("supervisor:sup1", right)


def _one_wrong_pin(
    path: str, start: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue[str]
) -> None:
    ledger = PinLedger(Path(path))
    start.wait(60)
    try:
        ledger.check("administrator", wrong)
    except PinLockedError:
        results.put("locked")
    except Exception as exc:  # reported, so a failure says what happened
        results.put(f"error: {exc!r}")
    else:
        results.put("checked")


def test_concurrent_wrong_pins_from_many_processes_lock_after_five(tmp_path: Path) -> None:
    processes = 20
    path = str(tmp_path / "pins.sqlite3")
    PinLedger(Path(path)).locked_until("administrator")  # the file exists before the race
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_one_wrong_pin, args=(path, start, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in range(processes)]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    # Five PINs were compared (the fifth starting the lockout); every other process was refused.
    assert outcomes.count("checked") == LOCKOUT_AFTER - 1
    assert outcomes.count("locked") == processes - LOCKOUT_AFTER + 1


def test_a_new_ledger_is_private_from_its_first_byte_whatever_the_umask(tmp_path: Path) -> None:
    ledger = PinLedger(tmp_path / "new" / "pins.sqlite3")
    previous = os.umask(0o000)
    try:
        assert not ledger.check("administrator", wrong)[0]
    finally:
        os.umask(previous)
    assert stat.S_IMODE(ledger.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(ledger.path.parent.stat().st_mode) == 0o700


def test_a_ledger_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = PinLedger(tmp_path / "real.sqlite3")
    real.check("administrator", wrong)
    (tmp_path / "link.sqlite3").symlink_to(real.path)
    with pytest.raises(PinFileError, match="cannot be used"):
        PinLedger(tmp_path / "link.sqlite3").check("administrator", wrong)
