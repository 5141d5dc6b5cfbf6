"""The station's PIN guard, from the trusted side's own store.

The administrator's, supervisors' and operators' PIN hashes (``people.json``) and the wrong-PIN
ledger (``pin-attempts.sqlite3``) live in the private store (:func:`station.locations.service_store_dir`,
:mod:`station.security.private_store`), which only the station's service account or root can read,
so neither a hash nor the lockout is in the operator's reach. Machine policy no longer names them.

On first use, a ``people.json`` left in the machine config folder and a ledger left in the machine
data folder by an older station are moved into the store (hashes and lockout state kept) and the
old, readable copies removed (:func:`move_legacy_people`).
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from station.application.recording import open_journal
from station.audit.records import AuditRecord
from station.config.policy import Policy
from station.locations import MachineFolders, machine_folders, program_installed, service_store_dir
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
    read_legacy_people_file,
    read_people,
    write_people,
)
from station.security.pin import PIN_MAX_DIGITS, PinError, PinLockedError, PinNotSetError
from station.security.private_store import PrivateStore

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
    "move_legacy_people",
    "people_store",
    "pin_guard",
    "pin_record",
]

PIN_LEDGER_FILENAME: Final = "pin-attempts.sqlite3"
_LEDGER_SIDE_FILES: Final = ("-wal", "-shm", "-journal")

_log = logging.getLogger(__name__)


def people_store(folder: Path | None = None) -> PrivateStore:
    """The private store at ``folder`` (the service hands its own), else :func:`service_store_dir`.
    An installed station trusts only a store of root or the service account; a checkout also one of
    the developer's own account."""
    return PrivateStore(folder or service_store_dir(), trust_running_account=not program_installed())


def _remove_old(path: Path, notes: list[str]) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        note = (
            f"the old copy {path} cannot be removed ({exc.strerror or exc}); anyone on this computer "
            "can read it: IT removes it, or runs `station admin init` as an administrator"
        )
        _log.error("%s", note)
        notes.append(note)


def _move_people(store: PrivateStore, old: Path, notes: list[str]) -> None:
    if not old.exists() and not old.is_symlink():
        return
    if not store.path(PEOPLE_FILENAME).exists():
        people = read_legacy_people_file(old)  # refused if another account could have written it
        write_people(store, people)
        notes.append(f"moved {old} into the station's private store {store.folder}")
    _remove_old(old, notes)


#: What an old ledger may hold: the one table (and SQLite's index of its key), nothing else.
_LEDGER_SCHEMA: Final = {("table", "pin_attempts"), ("index", "sqlite_autoindex_pin_attempts_1")}


def _copy_ledger(old: Path, target: Path) -> str | None:
    """Copy the old ledger into ``target`` (already made 0600) and check the copy holds only the
    ledger's table with well-formed rows (the old file sat where the operator's account could write
    it); why not, or None."""
    try:
        with (
            contextlib.closing(sqlite3.connect(old)) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA trusted_schema=OFF")
            schema = set(copy.execute("SELECT type, name FROM sqlite_master").fetchall())
            if not schema <= _LEDGER_SCHEMA or ("table", "pin_attempts") not in schema:
                return "it holds more than the wrong-PIN count"
            rows = copy.execute(
                "SELECT identity, failures, lockouts, locked_until FROM pin_attempts"
            ).fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    for identity, failures, lockouts, until in rows:
        if not (isinstance(identity, str) and isinstance(failures, int) and isinstance(lockouts, int)):
            return "a row is damaged"
        try:
            if until is not None and datetime.fromisoformat(until).tzinfo is None:
                return "a row is damaged"
        except (TypeError, ValueError):
            return "a row is damaged"
    return None


def _move_ledger(store: PrivateStore, old: Path, notes: list[str]) -> None:
    if not old.exists() and not old.is_symlink():
        return
    target = store.path(PIN_LEDGER_FILENAME)
    if not old.is_symlink() and old.is_file() and not target.exists():
        store.create_file(PIN_LEDGER_FILENAME)  # 0600 before a byte is copied
        problem = _copy_ledger(old, target)
        if problem is None:
            notes.append(f"moved the wrong-PIN count {old} into {store.folder}")
        else:
            # Whoever could damage the old file could also have deleted it: start a new count.
            _log.error("the old wrong-PIN count %s cannot be used (%s); a new count starts", old, problem)
            store.remove(PIN_LEDGER_FILENAME)
    for suffix in ("", *_LEDGER_SIDE_FILES):
        _remove_old(old.with_name(old.name + suffix), notes)


def move_legacy_people(store: PrivateStore, folders: MachineFolders) -> list[str]:
    """Move an older station's ``people.json`` (machine config folder) and wrong-PIN ledger
    (machine data folder) into ``store`` and remove the readable copies; what was done, in words.
    The store's own files win: a copy found beside an existing one is only removed."""
    store.open()
    notes: list[str] = []
    _move_people(store, folders.config / PEOPLE_FILENAME, notes)
    _move_ledger(store, folders.data / PIN_LEDGER_FILENAME, notes)
    for note in notes:
        _log.warning("%s", note)
    return notes


def load_people(store: PrivateStore, folders: MachineFolders | None = None) -> People:
    """The administrator, the supervisors and the operators, from the private store (after moving
    an older station's files into it). Raises :class:`~station.security.pin.PinFileError` (fail
    closed) if the store is not private to the trusted side or its file cannot be used."""
    move_legacy_people(store, folders or machine_folders())
    return read_people(store)


def pin_guard(
    policy: Policy | None = None,
    folders: MachineFolders | None = None,
    *,
    store: PrivateStore | None = None,
) -> PinGuard:
    """The guard over the private store's PINs and ledger. ``policy`` is no longer a source of
    PINs (its retired ``admin_pin_hash`` / ``supervisors`` are reported in ``Policy.ignored``);
    it stays for the callers' sake. :class:`PinFileError` if the store cannot be used."""
    del policy
    store = store or people_store()
    people = load_people(store, folders)
    return PinGuard(people, PinLedger(store.create_file(PIN_LEDGER_FILENAME)))


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
