"""The station's PIN guard, from machine policy and the machine's ``people.json``.

Policy wins (``admin_pin_hash``, ``supervisors``); otherwise the file ``station admin`` writes
with the OS's administrator rights. The wrong-PIN count lives in the machine data folder, so it is
shared by every station process of the machine (see :mod:`station.security.lockout`).
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from station.application.recording import open_journal
from station.audit.records import AuditRecord
from station.config.policy import Policy
from station.locations import MachineFolders, machine_folders
from station.security.identity import normalise_identity
from station.security.lockout import PinLedger
from station.security.people import (
    NO_ADMIN_PIN,
    PEOPLE_FILENAME,
    AdminApproval,
    People,
    PinAttempt,
    PinGuard,
    PinResult,
    read_people_file,
)
from station.security.pin import PIN_MAX_DIGITS, PinError, PinLockedError, PinNotSetError

# The guard, its approval and its errors are re-exported for the screen's PIN dialogs, which may
# not import station.security (an import-linter contract).
__all__ = [
    "NO_ADMIN_PIN",
    "PIN_LEDGER_FILENAME",
    "PIN_MAX_DIGITS",
    "AdminApproval",
    "PinError",
    "PinGuard",
    "PinLockedError",
    "PinNotSetError",
    "journal_pin_attempts",
    "load_people",
    "pin_guard",
    "pin_record",
]

PIN_LEDGER_FILENAME: Final = "pin-attempts.sqlite3"


def load_people(policy: Policy, folders: MachineFolders) -> People:
    """The administrator and the supervisors: each from policy if it sets them, else the file.
    Raises :class:`~station.security.pin.PinFileError` (fail closed) if either cannot be used."""
    from_file = read_people_file(folders.config / PEOPLE_FILENAME)
    admin_entry = policy.entries.get("admin_pin_hash")
    supervisors_entry = policy.entries.get("supervisors")
    from_policy = People.parse(
        admin_entry.value if admin_entry else None,
        supervisors_entry.value if supervisors_entry else None,
        admin_entry.origin if admin_entry else (supervisors_entry.origin if supervisors_entry else ""),
    )
    return People(
        admin=from_policy.admin or from_file.admin,
        supervisors=from_policy.supervisors if supervisors_entry else from_file.supervisors,
        origin=from_policy.origin or from_file.origin,
    )


def pin_guard(policy: Policy, folders: MachineFolders | None = None) -> PinGuard:
    folders = folders or machine_folders()
    return PinGuard(load_people(policy, folders), PinLedger(folders.data / PIN_LEDGER_FILENAME))


def _os_account() -> str | None:
    try:
        return normalise_identity(getpass.getuser()) or None
    except (OSError, KeyError, ImportError):
        return None


def journal_pin_attempts(guard: PinGuard, journal_path: Path, station_id: str) -> None:
    """Every PIN attempt of ``guard`` written to the station's own journal at ``journal_path``
    (the settings' ``audit_db``, never a file named on a command line), synchronously: if the row
    cannot be written the :class:`~station.audit.AuditError` reaches the caller, and the action the
    PIN was for is refused. For command-line tools; the window journals through its verifier."""

    def record(attempt: PinAttempt) -> None:
        with open_journal(journal_path) as journal:
            journal.append(pin_record(attempt, station_id))

    guard.recorder = record


def pin_record(attempt: PinAttempt, station_id: str | None) -> AuditRecord:
    """The journal row of one PIN attempt (the OS account that typed it as the operator)."""
    return AuditRecord(
        kind="pin",
        requested_at=datetime.now(UTC),
        outcome="APPROVED" if attempt.result is PinResult.RIGHT else "REFUSED",
        station_id=station_id,
        operator_id=_os_account(),
        notes=attempt.words,
    )
