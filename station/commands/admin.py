"""``station admin``: the administrator PIN, the supervisors and the kiosk operators, set by IT.

* ``init`` sets the administrator PIN;
* ``supervisor add ID`` / ``remove ID`` / ``list``: who may settle a REVIEW, each with their PIN;
* ``operator add ID`` / ``remove ID`` / ``list``: the operators of a shared kiosk account, who sign
  in with their own PIN.

They write ``people.json`` in the station's private store (``/var/lib/station/private``, 0700, the
service account's; ``%ProgramData%\\Station\\private`` on Windows), which no operator's account can
read, and they need the operating system's administrator rights (root; an elevated Administrator
on Windows). A PIN is never taken on the command line: ``--pin-stdin`` reads it once from the
first line of stdin (for a deployment script); otherwise it is asked twice, without echo on a
terminal (one line each from stdin when that is not a terminal).

Machine policy no longer carries PIN hashes: a policy that still sets ``admin_pin_hash`` or
``supervisors`` is ignored for those keys, and every action here says so; a new PIN whose hash
such a policy holds (readable by every account) is refused. ``hash-pin`` is gone for the same
reason and says what to run instead.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Final, TextIO

from station.application.people import move_legacy_people, people_store
from station.commands.exit_codes import ExitCode
from station.config import PolicyError
from station.config.policy import IgnoredPolicy, default_policy_sources, read_policy
from station.locations import machine_folders
from station.security.people import (
    People,
    check_person_id,
    is_os_administrator,
    read_people,
    write_people,
)
from station.security.pin import PinError, PinHash, hash_pin
from station.security.private_store import PrivateStore

__all__ = ["add_arguments", "run"]

#: EX_NOPERM: the OS's administrator rights are needed.
NO_PERMISSION: Final = 77
#: How many hashes of a retired policy value a new PIN is compared with (each takes ~60 ms).
_MAX_RETIRED_HASHES: Final = 50
_PIN_STDIN_HELP = "read the PIN once from the first line of stdin (scripts); never from the command line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="admin_action", metavar="ACTION", required=True)
    actions.add_parser("hash-pin", help="retired: PIN hashes no longer go into policy (says what to run)")
    init = actions.add_parser(
        "init", help="set the administrator PIN on this machine (OS administrator rights)"
    )
    init.add_argument("--pin-stdin", action="store_true", help=_PIN_STDIN_HELP)
    for group, words in (("supervisor", "the named supervisors"), ("operator", "the kiosk's operators")):
        people = actions.add_parser(group, help=f"manage {words} (OS administrator rights)")
        what = people.add_subparsers(dest="people_action", metavar="ACTION", required=True)
        add = what.add_parser("add", help=f"add a {group} (or give one a new PIN)")
        add.add_argument("id", help=f"the {group}'s id, as they will type it")
        add.add_argument("--pin-stdin", action="store_true", help=_PIN_STDIN_HELP)
        remove = what.add_parser("remove", help=f"remove a {group}")
        remove.add_argument("id")
        what.add_parser("list", help=f"list the {group}s (ids only)")


def _ask(prompt: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    return "" if sys.stdin is None else sys.stdin.readline(64).strip()


def _new_pin(who: str, err: TextIO, *, once: bool, retired: tuple[IgnoredPolicy, ...] = ()) -> PinHash | None:
    if once:
        first = second = "" if sys.stdin is None else sys.stdin.readline(64).strip()
    else:
        first = _ask(f"New {who} PIN (6-12 digits, not shown): ")
        second = _ask(f"The same {who} PIN again: ")
    if first != second:
        print("the two PINs are not the same: nothing changed", file=err)
        return None
    try:
        hashed = hash_pin(first)
    except PinError as exc:
        print(f"{exc} Nothing changed.", file=err)
        return None
    exposed = _readable_elsewhere(first, retired)
    if exposed is not None:
        print(
            f"this PIN's hash is in {exposed}, which every account on this computer can read (and "
            "crack offline): choose another PIN. Nothing changed.",
            file=err,
        )
        return None
    return hashed


def _needs_admin_rights(err: TextIO) -> bool:
    if is_os_administrator():
        return False
    print(
        "this needs the operating system's administrator rights (run it as root, or from an elevated "
        "prompt on Windows): the operators must not be able to change or read who approves",
        file=err,
    )
    return True


def _report_retired_policy(err: TextIO) -> tuple[IgnoredPolicy, ...]:
    """Say so (on stderr, so that a script reading ``list`` gets ids only) when a policy still sets
    a retired PIN key; its value is not used. Those entries, for :func:`_readable_elsewhere`."""
    try:
        policy = read_policy(default_policy_sources(machine_folders().config))
    except PolicyError as exc:
        print(f"note: the machine policy cannot be used: {exc}", file=err)
        return ()
    for item in policy.ignored:
        print(f"note: {item.words}", file=err)
    return policy.ignored


def _hashes_in(item: IgnoredPolicy) -> list[PinHash]:
    """The PIN hashes a retired policy value holds (whatever parses; junk is skipped)."""
    value = item.readable_value
    if item.name == "supervisors" and isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    texts = [value] if item.name == "admin_pin_hash" else []
    if isinstance(value, list):
        texts = [entry.get("pin_hash") for entry in value if isinstance(entry, dict)]
    found = []
    for text in texts[:_MAX_RETIRED_HASHES]:
        try:
            found.append(PinHash.parse(str(text)))
        except PinError:
            continue
    return found


def _readable_elsewhere(pin: str, retired: tuple[IgnoredPolicy, ...]) -> str | None:
    """The policy that holds a hash of ``pin`` readable by every account, if one does: a PIN whose
    hash any account can read must not become a PIN the station trusts."""
    for item in retired:
        if any(old.matches(pin) for old in _hashes_in(item)):
            return item.origin
    return None


def run(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    action = args.admin_action
    if action == "hash-pin":
        print(
            "hash-pin is retired: a PIN hash in a policy is readable by every account and is no longer "
            "read. Run `station admin init --pin-stdin` (and `supervisor add ID --pin-stdin`) on each "
            "station as an administrator.",
            file=err,
        )
        return int(ExitCode.USAGE)
    if _needs_admin_rights(err):
        return NO_PERMISSION
    retired = _report_retired_policy(err)
    store = people_store()
    try:
        for note in move_legacy_people(store, machine_folders()):  # an older station's files first
            print(f"note: {note}", file=err)
        current = read_people(store)
    except PinError as exc:
        print(f"cannot read who approves on this machine: {exc}", file=err)
        return int(ExitCode.FAILURE)
    if action == "init":
        hashed = _new_pin("administrator", err, once=args.pin_stdin, retired=retired)
        if hashed is None:
            return int(ExitCode.USAGE)
        return _save(
            store,
            People(hashed, current.supervisors, operators=current.operators),
            out,
            err,
            "administrator PIN set",
        )
    return _people(args, action, store, current, retired, out, err)


def _save(store: PrivateStore, people: People, out: TextIO, err: TextIO, done: str) -> int:
    try:
        path = write_people(store, people)
    except PinError as exc:
        print(f"nothing changed: {exc}", file=err)
        return int(ExitCode.FAILURE)
    print(f"{done} in {path}", file=out)
    return 0


def _people(
    args: argparse.Namespace,
    group: str,
    store: PrivateStore,
    current: People,
    retired: tuple[IgnoredPolicy, ...],
    out: TextIO,
    err: TextIO,
) -> int:
    table = dict(current.supervisors if group == "supervisor" else current.operators)
    action = args.people_action
    if action == "list":
        for identity in sorted(table):
            print(identity, file=out)
        return 0
    try:
        identity = check_person_id(str(args.id), group)
    except PinError as exc:
        print(str(exc), file=err)
        return int(ExitCode.USAGE)
    if action == "remove":
        if table.pop(identity, None) is None:
            print(f"no {group} {identity!r} on this station", file=err)
            return int(ExitCode.USAGE)
        done = f"{group} {identity} removed"
    else:
        hashed = _new_pin(f"{group} {identity}'s", err, once=args.pin_stdin, retired=retired)
        if hashed is None:
            return int(ExitCode.USAGE)
        done = f"{group} {identity} {'given a new PIN' if identity in table else 'added'}"
        table[identity] = hashed
    if group == "supervisor":
        updated = People(current.admin, table, operators=current.operators)
    else:
        updated = People(current.admin, current.supervisors, operators=table)
    return _save(store, updated, out, err, done)
