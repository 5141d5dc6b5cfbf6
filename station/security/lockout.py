"""Wrong PINs, counted atomically across every station process on the machine.

The count lives in a small SQLite file in the station's private store (``pin-attempts.sqlite3``,
see :mod:`station.security.private_store`), which the operators' accounts can neither read nor
delete, so the lockout is not theirs to reset. Each
check runs inside ``BEGIN IMMEDIATE``: read the person's state, refuse if locked, compare the PIN,
write the new state, commit. Two processes cannot both read "4 failures" and both be checked: the
second waits for the first's commit (SQLite's write lock), so forty processes each trying one wrong
PIN at the same moment lock the PIN after five, as one process would.

Five wrong PINs in a row lock that person's PIN for five minutes; each further lockout before a
right PIN doubles the time (at most a day). A right PIN resets the count. The state survives
restarts. The file (and SQLite's ``-wal`` / ``-shm`` files, which take its mode) is created 0600
from its first byte. Every wrong PIN is also written to the tamper-evident journal by the station,
so the attempts stay on record and reach the SIEM.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from station.security.pin import PinFileError, PinLockedError

__all__ = ["LOCKOUT_AFTER", "LOCKOUT_BASE", "LOCKOUT_MAX", "PinLedger"]

LOCKOUT_AFTER: Final = 5
LOCKOUT_BASE: Final = timedelta(minutes=5)
LOCKOUT_MAX: Final = timedelta(hours=24)
#: Long enough for a queue of concurrent checks (each holds the lock for one scrypt, ~50 ms).
_BUSY_TIMEOUT_S: Final = 60.0

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PinLedger:
    def __init__(self, path: Path, *, clock: Clock = _utc_now) -> None:
        self.path = path
        self._clock = clock

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created 0600 before SQLite opens it (SQLite would use the umask, often 0644); the
            # -wal and -shm files SQLite makes take this file's mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS pin_attempts (identity TEXT PRIMARY KEY,"
                " failures INTEGER NOT NULL, lockouts INTEGER NOT NULL, locked_until TEXT) STRICT"
            )
        except (OSError, sqlite3.Error) as exc:
            raise PinFileError(f"the PIN attempt count in {self.path} cannot be used: {exc}") from None
        return conn

    def locked_until(self, identity: str) -> datetime | None:
        """When ``identity``'s lockout ends, or None if their PIN is not locked now."""
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT locked_until FROM pin_attempts WHERE identity = ?", (identity,)
            ).fetchone()
        finally:
            conn.close()
        until = datetime.fromisoformat(row[0]) if row and row[0] else None
        return until if until is not None and self._clock() < until else None

    def check(self, identity: str, matches: Callable[[], bool]) -> tuple[bool, int]:
        """Run ``matches`` (the PIN comparison) unless ``identity`` is locked out; record the result.

        Returns ``(right, tries_left)``. Raises :class:`PinLockedError` while locked out (the
        comparison does not even run) or when this wrong PIN starts the lockout, and
        :class:`PinFileError` if the count cannot be kept.
        """
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "SELECT failures, lockouts, locked_until FROM pin_attempts WHERE identity = ?", (identity,)
            ).fetchone()
            failures, lockouts, until_text = row if row else (0, 0, None)
            now = self._clock()
            until = datetime.fromisoformat(until_text) if until_text else None
            if until is not None and now < until:
                conn.execute("ROLLBACK")
                raise PinLockedError(until, now)
            right = matches()
            locked_now = False
            if right:
                failures, lockouts, until = 0, 0, None
            else:
                failures += 1
                until = None
                if failures >= LOCKOUT_AFTER:
                    locked_now = True
                    until = now + min(LOCKOUT_BASE * (2 ** min(lockouts, 16)), LOCKOUT_MAX)
                    failures, lockouts = 0, lockouts + 1
            conn.execute(
                "INSERT INTO pin_attempts (identity, failures, lockouts, locked_until) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(identity) DO UPDATE SET failures = excluded.failures,"
                " lockouts = excluded.lockouts, locked_until = excluded.locked_until",
                (identity, failures, lockouts, until.isoformat() if until else None),
            )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise PinFileError(f"the PIN attempt count in {self.path} cannot be kept: {exc}") from None
        finally:
            conn.close()
        if locked_now and until is not None:
            raise PinLockedError(until, now, started=True)  # this wrong PIN started the lockout
        return right, LOCKOUT_AFTER - failures
