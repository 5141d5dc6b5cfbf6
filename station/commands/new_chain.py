"""``station audit new-chain --reason TEXT``: the administrator's way past a vanished journal.

A station whose journal file was deleted, emptied, replaced or cut refuses to write (its head
file or anchor names the journal that stood there) and every verdict is not final. Only this
command, after the administrator PIN (the same guard, lockout and prompt as ``station audit
purge``), starts a new chain: its row 1, of kind ``chain_restarted``, records the old journal's
id, last row and MAC, when it was last written and the reason given; the file found in the
journal's place is set aside beside it, never deleted (:mod:`station.audit.restart`).

The PIN attempt is journaled in the station's own journal, as every attempt is; when that journal
is the one that vanished (the usual case here), the attempt goes into the new chain instead, as
its row 2, or, if the PIN was wrong and no chain is started, is reported as not journaled (it
still counts towards the lockout).

Exit status: 0 a new chain was started; 1 nothing to restart, or any failure; 64 no reason given;
77 the PIN was not given or wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from station.audit.errors import AuditError, JournalVanishedError
from station.audit.keys import load_key, read_key_file
from station.audit.paths import anchor_path_beside
from station.audit.restart import start_new_chain

if TYPE_CHECKING:
    from station.audit.records import AuditRecord
    from station.config import ResolvedSettings

__all__ = ["NOT_AUTHORISED", "add_parser", "run"]

#: EX_NOPERM: the administrator's authorisation was not given (as for ``station audit purge``).
NOT_AUTHORISED = 77
_ACTION = "audit new-chain"


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``new-chain`` to ``station audit``'s sub-commands."""
    parser = commands.add_parser(
        "new-chain",
        parents=[common],
        help="start a new chain over a deleted or replaced journal (administrator)",
        description="After the administrator PIN, start a new journal whose first row records the "
        "vanished journal's last head; the file found in its place is set aside, never deleted.",
    )
    parser.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why (recorded in the new chain's first row), e.g. the incident number",
    )


def run(args: argparse.Namespace, resolved: ResolvedSettings, path: Path, ask_pin: Callable[[], str]) -> int:
    """Run ``station audit new-chain`` on the journal at ``path``; return the exit status."""
    reason = str(args.reason).strip()
    if not reason:
        print("station audit new-chain: --reason must say why (it is recorded).", file=sys.stderr)
        return 64
    key_arg: Path | None = getattr(args, "key_file", None)
    anchor_arg: Path | None = getattr(args, "anchor_file", None)
    try:
        key = read_key_file(key_arg) if key_arg is not None else load_key()
        held = _authorised(resolved, ask_pin)
        if held is None:
            return NOT_AUTHORISED
        restart = start_new_chain(
            path,
            key,
            reason=reason,
            station_id=resolved.settings.station_id,
            administrator="administrator",
            anchor_file=anchor_arg if anchor_arg is not None else anchor_path_beside(path),
            then=held,
        )
    except (AuditError, OSError) as exc:
        print(f"station audit new-chain: {exc}", file=sys.stderr)
        return 1
    print(f"New audit chain started at {path} (journal {restart.new_journal_id}).")
    print(
        f"Row 1 records the old head: journal {restart.old_journal_id}, row {restart.old_sequence}, "
        f"MAC {restart.old_mac} (the journal was {restart.finding.value})."
    )
    if restart.set_aside:
        names = ", ".join(str(aside) for aside in restart.set_aside)
        print(f"What was found in its place was set aside as {names}: keep it as evidence.")
    return 0


def _authorised(resolved: ResolvedSettings, ask_pin: Callable[[], str]) -> list[AuditRecord] | None:
    """The administrator PIN with the machine-wide lockout, every attempt journaled in the
    station's own journal. None if refused; else the attempt's row when that journal is the one
    that vanished (it goes into the new chain)."""
    from station.application.people import journal_pin_attempts, pin_guard, pin_record
    from station.security.people import PinAttempt
    from station.security.pin import PinError

    settings = resolved.settings
    held: list[PinAttempt] = []
    try:
        guard = pin_guard(resolved.policy)
        journal_pin_attempts(guard, settings.audit_db, settings.station_id)
        to_station = guard.recorder

        def record(attempt: PinAttempt) -> None:
            try:
                to_station(attempt)
            except JournalVanishedError:  # the station's own journal is the one being replaced
                held.append(attempt)

        guard.recorder = record
        right, tries_left = guard.check_admin(ask_pin(), _ACTION)
    except PinError as exc:
        print(f"station audit new-chain: {exc}", file=sys.stderr)
        return None
    except AuditError as exc:
        print(
            f"station audit new-chain: the PIN attempt could not be journaled ({exc}); no new chain.",
            file=sys.stderr,
        )
        return None
    if right:
        return [pin_record(attempt, settings.station_id) for attempt in held]
    unrecorded = (
        " The attempt could not be journaled (the station's journal is gone); it counts towards the lockout."
        if held
        else ""
    )
    wrong = f"wrong administrator PIN ({tries_left} tries left); no new chain."
    print(f"station audit new-chain: {wrong}{unrecorded}", file=sys.stderr)
    return None
