"""``station audit verify|export|purge``: the auditor's and the branch administrator's commands.

The main CLI calls :func:`add_arguments` on its ``audit`` sub-parser and :func:`run` with the
parsed arguments. Every failure an operator can cause (no journal, wrong key, broken chain,
locked file) ends in one plain sentence on stderr and exit status 1, never a traceback.

``verify`` and ``export`` open the journal read-only and never write to it, so they work on a
read-only copy handed to an auditor. ``purge`` removes evidence: it needs the administrator PIN
(asked for without echo, or one line from stdin), never goes below the retention the policy or the
administrator set, and a wrong PIN is itself written to the journal. ``verify`` also compares the
journal with the anchor (the last head shipped off the box, kept beside the key) and says whether
it was deleted, emptied, replaced, rolled back or truncated.

``verify`` lists the *open attempts*: "attempt started" rows that no outcome row names (a
request went out and the station stopped before journaling the answer — a SIGKILL, a power cut —
or the call is still under way on a running station).

Exit status: 0 success (journal intact, no open attempt); 1 broken chain or any failure; 2 bad
usage (argparse); 3 (``verify``) chain intact but open attempts listed
(:class:`~station.commands.exit_codes.AuditVerifyCode`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from station.audit.anchor import read_anchor
from station.audit.continuity import Continuity, check_continuity, compare_with_anchor
from station.audit.errors import AuditError, AuditKeyError, JournalNotFoundError
from station.audit.files import NotASmallFileError, PrivateFileWriter
from station.audit.journal import AuditJournal
from station.audit.keys import load_key, read_key_file
from station.audit.paths import ENV_AUDIT_DB, anchor_path_beside, default_anchor_path
from station.audit.records import format_timestamp
from station.audit.restart import restart_row
from station.commands import new_chain
from station.commands.exit_codes import AuditVerifyCode

__all__ = ["add_arguments", "run"]

if TYPE_CHECKING:
    from station.audit.anchor import Anchor
    from station.audit.records import StoredRecord
    from station.config import ResolvedSettings

#: EX_NOPERM: the administrator's authorisation was not given.
NOT_AUTHORISED = 77


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``verify``, ``export`` and ``purge`` (and ``--audit-db``/``--key-file``) to ``parser``.

    ``--audit-db`` and ``--key-file`` are accepted both before and after the sub-command; they
    default to ``argparse.SUPPRESS`` so a top-level ``--audit-db`` is not overwritten.
    """
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common)
    _add_common(parser)
    commands = parser.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)

    commands.add_parser(
        "verify",
        parents=[common],
        help="check every row's MAC and the chain",
        description="Check the journal; exit 0 if intact, 1 naming the first broken row, "
        "3 if intact but with open attempts (a request sent, no outcome recorded).",
    )

    export = commands.add_parser(
        "export",
        parents=[common],
        help="write rows as CSV or JSONL",
        description="Export rows (MACs included) for auditors.",
    )
    fmt = export.add_mutually_exclusive_group(required=True)
    fmt.add_argument(
        "--csv",
        dest="export_format",
        action="store_const",
        const="csv",
        help="comma-separated values with a header row",
    )
    fmt.add_argument(
        "--jsonl", dest="export_format", action="store_const", const="jsonl", help="one JSON object per line"
    )
    export.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="only rows recorded on or after this date (00:00 UTC)",
    )
    export.add_argument(
        "--customer-ref",
        metavar="REF",
        help="only this customer's rows (a customer's request to see their records)",
    )
    export.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write to FILE instead of stdout; the file is written anew with mode 0600, also when it existed",
    )

    purge = commands.add_parser(
        "purge",
        parents=[common],
        help="remove old rows (retention)",
        description="Remove rows older than DAYS days, leaving a signed "
        "checkpoint so the rest still verifies.",
    )
    purge.add_argument(
        "--older-than",
        type=_days,
        metavar="DAYS",
        help="remove rows recorded more than DAYS days ago (at least 1; default: the settings' retention)",
    )
    new_chain.add_parser(commands, common)


def _settings() -> ResolvedSettings:
    from station.config import resolve_station_settings

    return resolve_station_settings()


def _ask_pin() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Administrator PIN (not shown): ")
    return "" if sys.stdin is None else sys.stdin.readline(64).strip()


def _authorised(resolved: ResolvedSettings) -> bool:
    """The administrator PIN, checked with the machine-wide lockout. Every attempt, right or
    wrong, is journaled in the station's own journal (``audit_db`` of its settings), whichever
    file is being purged; an attempt that cannot be journaled refuses the purge."""
    from station.application.people import journal_pin_attempts, pin_guard
    from station.security.pin import PinError

    try:
        guard = pin_guard(resolved.policy)
        journal_pin_attempts(guard, resolved.settings.audit_db, resolved.settings.station_id)
        right, tries_left = guard.check_admin(_ask_pin(), "audit purge")
    except PinError as exc:
        print(f"station audit purge: {exc}", file=sys.stderr)
        return False
    except AuditError as exc:
        print(
            f"station audit purge: the PIN attempt could not be journaled ({exc}); nothing removed.",
            file=sys.stderr,
        )
        return False
    if right:
        return True
    print(
        f"station audit purge: wrong administrator PIN ({tries_left} tries left); nothing removed.",
        file=sys.stderr,
    )
    return False


def run(args: argparse.Namespace) -> int:
    """Run the parsed ``station audit`` command; return the process exit status."""
    command: str = args.audit_command
    db_arg: Path | None = getattr(args, "audit_db", None)
    key_arg: Path | None = getattr(args, "key_file", None)
    from station.config import PolicyError

    # An auditor verifying or exporting a copy needs no settings; purge always does (the PIN, the
    # retention), and so does finding the station's own journal.
    resolved: ResolvedSettings | None = None
    if command in ("purge", "new-chain") or db_arg is None:
        try:
            resolved = _settings()
        except (ValueError, PolicyError) as exc:  # the policy or the settings cannot be used
            print(f"station audit: {exc}", file=sys.stderr)
            return 1
    path = db_arg if db_arg is not None else resolved.settings.audit_db if resolved else Path()
    if command == "new-chain":
        assert resolved is not None
        return new_chain.run(args, resolved, path, _ask_pin)
    if command == "purge":
        assert resolved is not None
        settings = resolved.settings
        retention = settings.audit_retention_days
        if getattr(args, "older_than", None) is None:
            args.older_than = retention
        elif args.older_than < retention:
            print(
                f"station audit purge: --older-than {args.older_than} is below the retention this "
                f"station keeps ({retention} days, {resolved.origin('audit_retention_days').value}); "
                "nothing removed.",
                file=sys.stderr,
            )
            return 64
    handlers: dict[str, Callable[[AuditJournal, argparse.Namespace], int]] = {
        "export": _export,
        "purge": _purge,
    }
    try:
        if not path.is_file():
            if command == "verify":
                deleted = _deleted_journal(path, key_arg, getattr(args, "anchor_file", None))
                if deleted is not None:
                    return deleted
            raise JournalNotFoundError(
                f"There is no audit journal at {path}. Nothing has been recorded there yet, or "
                f"the journal is elsewhere: give it with --audit-db PATH or {ENV_AUDIT_DB}."
            )
        key = read_key_file(key_arg) if key_arg is not None else load_key()
        if command == "purge" and resolved is not None and not _authorised(resolved):
            return NOT_AUTHORISED
        anchor_path = _anchor_path(key_arg, getattr(args, "anchor_file", None))
        if command == "verify":
            with AuditJournal.open(path, key, read_only=True) as journal:
                return _verify(journal, read_anchor(anchor_path, key))
        with AuditJournal.open(path, key, create=False, read_only=command == "export") as journal:
            return handlers[command](journal, args)
    except AuditError as exc:
        print(f"station audit {command}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. --out into a missing folder
        print(f"station audit {command}: {exc}", file=sys.stderr)
        return 1


def _anchor_path(key_arg: Path | None, anchor_arg: Path | None) -> Path:
    if anchor_arg is not None:
        return anchor_arg
    return anchor_path_beside(key_arg) if key_arg is not None else default_anchor_path()


def _deleted_journal(path: Path, key_arg: Path | None, anchor_arg: Path | None) -> int | None:
    """With no journal file, an anchor still says one was shipped from here: report DELETED."""
    try:
        key = read_key_file(key_arg) if key_arg is not None else load_key()
    except AuditKeyError:
        return None  # no key: "there is no journal" is all that can be said
    anchor = read_anchor(_anchor_path(key_arg, anchor_arg), key)  # an altered anchor is reported
    if anchor is None:
        return None
    return _report_continuity(path, check_continuity(path, key, anchor))


def _verify(journal: AuditJournal, anchor: Anchor | None) -> int:
    report = journal.verify()
    continuity = compare_with_anchor(journal, anchor) if anchor is not None else None
    open_attempts = journal.open_attempts()
    if report.ok and (continuity is None or continuity.ok):
        print(f"Audit journal {journal.path}: intact, {report.message}.")
        restarted = restart_row(journal)
        if restarted is not None:
            print(
                f"  Chain restarted by an administrator (row {restarted.sequence}): {restarted.record.notes}."
            )
        if continuity is not None:
            print(f"  Anchor: {continuity.message}.")
        _report_open_attempts(open_attempts)
        return int(AuditVerifyCode.OPEN_ATTEMPTS if open_attempts else AuditVerifyCode.INTACT)
    if not report.ok:
        print(
            f"Audit journal {journal.path}: BROKEN. {report.problems_total} problem(s); "
            f"{report.rows_checked} rows read."
        )
        for problem in report.problems:
            print(f"  {problem}")
        if report.problems_total > len(report.problems):
            print(f"  ... and {report.problems_total - len(report.problems)} more")
    if continuity is not None and not continuity.ok:
        _report_continuity(journal.path, continuity)
    _report_open_attempts(open_attempts)
    return int(AuditVerifyCode.BROKEN)


def _report_open_attempts(rows: list[StoredRecord]) -> None:
    """One line per open attempt: sequence, time, operator and customer reference."""
    if not rows:
        return
    print(
        f"  {len(rows)} open attempt(s): a request was sent and no outcome was recorded (the station "
        "stopped mid-request, or the call is still under way). Reconcile with the service's billing:"
    )
    for row in rows:
        record = row.record
        when = record.requested_at or row.recorded_at
        line = (
            f"    row {row.sequence}: started {format_timestamp(when)}, "
            f"operator {record.operator_id or '(none)'}, customer {record.customer_ref or '(none)'}"
        )
        if record.caller_account:
            line += f", caller account {record.caller_account}"
        print(line)


def _report_continuity(path: Path, continuity: Continuity) -> int:
    assert continuity.finding is not None
    print(
        f"Audit journal {path}: {continuity.finding.value.upper()}. {continuity.message[:1].upper()}"
        f"{continuity.message[1:]}."
    )
    return 1


def _export(journal: AuditJournal, args: argparse.Namespace) -> int:
    fmt: Literal["csv", "jsonl"] = args.export_format
    since: datetime | None = args.since
    out_path: Path | None = args.out
    if out_path is None:
        count = journal.export(fmt, sys.stdout, since=since, customer_ref=args.customer_ref)
    else:
        try:
            with (
                PrivateFileWriter(out_path) as out,
                open(out.fd, "w", encoding="utf-8", newline="", closefd=False) as fh,
            ):
                count = journal.export(fmt, fh, since=since, customer_ref=args.customer_ref)
        except NotASmallFileError as exc:
            raise AuditError(f"Cannot export there: {exc}.") from exc
    where = "stdout" if out_path is None else str(out_path)
    print(f"Exported {count} rows to {where}.", file=sys.stderr)
    return 0


def _purge(journal: AuditJournal, args: argparse.Namespace) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=args.older_than)
    waiting = {c.target: journal.backlog(c.acked_sequence).count for c in journal.ship_cursors()}
    removed = journal.purge(cutoff)
    if removed:
        print(
            f"Removed {removed} rows recorded before {cutoff:%Y-%m-%d %H:%M} UTC; "
            "a signed checkpoint row replaces them."
        )
    else:
        print(f"Removed 0 rows: none recorded before {cutoff:%Y-%m-%d %H:%M} UTC.")
    for target, count in waiting.items():
        if count:
            print(f"{count} rows are not yet shipped to {target}: purge never removes those.")
    return 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--audit-db",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"journal file (default: ${ENV_AUDIT_DB}, else the settings', else the machine data folder)",
    )
    parser.add_argument(
        "--key-file",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="read the HMAC key from this file instead of the OS keyring",
    )
    parser.add_argument(
        "--anchor-file",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the last shipped head to check against (default: audit.anchor beside the key file)",
    )


def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-05-31") from None


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (1 or more)")
    return days
