"""``station admin``: the administrator PIN and the supervisors, set by IT.

* ``hash-pin`` prints the one-line scrypt hash of a PIN, for a policy (``admin_pin_hash``, or a
  supervisor's ``pin_hash``) deployed by Group Policy, Intune or a policy file. Anyone may run it:
  it stores nothing.
* ``init`` sets the administrator PIN in ``people.json`` in the machine config folder;
  ``supervisor add ID`` / ``supervisor remove ID`` / ``supervisor list`` manage the named
  supervisors there. These need the operating system's administrator rights (root, or an elevated
  Administrator on Windows): the file is then owned by root and the operators cannot change it.

A PIN is asked for twice without echo (one line each from stdin when it is not a terminal); it is
never taken on the command line. With a policy that sets the PINs, the policy wins and these
commands say so.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Final, TextIO

from station.application.people import load_people
from station.commands.exit_codes import ExitCode
from station.config import Policy, PolicyError
from station.config.policy import default_policy_sources, read_policy
from station.locations import machine_folders
from station.security.people import (
    PEOPLE_FILENAME,
    People,
    is_os_administrator,
    read_people_file,
    write_people_file,
)
from station.security.pin import PinError, PinHash, hash_pin

__all__ = ["add_arguments", "run"]

#: EX_NOPERM: the OS's administrator rights are needed.
NO_PERMISSION: Final = 77


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="admin_action", metavar="ACTION", required=True)
    actions.add_parser("hash-pin", help="print a PIN's scrypt hash for a policy (stores nothing)")
    actions.add_parser("init", help="set the administrator PIN on this machine (OS administrator rights)")
    supervisor = actions.add_parser(
        "supervisor", help="manage the named supervisors (OS administrator rights)"
    )
    what = supervisor.add_subparsers(dest="supervisor_action", metavar="ACTION", required=True)
    add = what.add_parser("add", help="add a supervisor (or give one a new PIN)")
    add.add_argument("id", help="the supervisor's id, as they will type it")
    remove = what.add_parser("remove", help="remove a supervisor")
    remove.add_argument("id")
    what.add_parser("list", help="list the supervisors (ids only)")


def _ask(prompt: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    return "" if sys.stdin is None else sys.stdin.readline(64).strip()


def _new_pin(who: str, err: TextIO) -> PinHash | None:
    first = _ask(f"New {who} PIN (6-12 digits, not shown): ")
    second = _ask(f"The same {who} PIN again: ")
    if first != second:
        print("the two PINs are not the same: nothing changed", file=err)
        return None
    try:
        return hash_pin(first)
    except PinError as exc:
        print(f"{exc} Nothing changed.", file=err)
        return None


def _policy() -> Policy:
    return read_policy(default_policy_sources(machine_folders().config))


def _needs_admin_rights(err: TextIO) -> bool:
    if is_os_administrator():
        return False
    print(
        "this needs the operating system's administrator rights (run it as root, or from an elevated "
        "prompt on Windows): the operators must not be able to change who approves",
        file=err,
    )
    return True


def run(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    action = args.admin_action
    if action == "hash-pin":
        hashed = _new_pin("", err)
        if hashed is None:
            return int(ExitCode.USAGE)
        print(hashed, file=out)
        return 0
    if _needs_admin_rights(err):
        return NO_PERMISSION
    folders = machine_folders()
    path = folders.config / PEOPLE_FILENAME
    try:
        policy = _policy()
        current = read_people_file(path)
    except (PolicyError, PinError) as exc:
        print(f"cannot read who approves on this machine: {exc}", file=err)
        return int(ExitCode.FAILURE)
    if action == "init":
        if "admin_pin_hash" in policy.entries:
            print("note: a policy sets the administrator PIN; it wins over this file", file=out)
        hashed = _new_pin("administrator", err)
        if hashed is None:
            return int(ExitCode.USAGE)
        write_people_file(path, People(hashed, current.supervisors))
        print(f"administrator PIN set in {path}", file=out)
        return 0
    return _supervisor(args, policy, current, path, out, err)


def _supervisor(
    args: argparse.Namespace, policy: Policy, current: People, path: Path, out: TextIO, err: TextIO
) -> int:
    if "supervisors" in policy.entries:
        print("note: a policy lists the supervisors; it wins over this file", file=out)
    action = args.supervisor_action
    if action == "list":
        effective = load_people(policy, machine_folders())
        for identity in sorted(effective.supervisors):
            print(identity, file=out)
        return 0
    identity = str(args.id).strip()
    try:
        People.parse(None, [{"id": identity, "pin_hash": str(hash_pin("480269"))}], "the command line")
    except PinError as exc:
        print(str(exc), file=err)
        return int(ExitCode.USAGE)
    supervisors = dict(current.supervisors)
    if action == "remove":
        if supervisors.pop(identity, None) is None:
            print(f"no supervisor {identity!r} in {path}", file=err)
            return int(ExitCode.USAGE)
        write_people_file(path, People(current.admin, supervisors))
        print(f"supervisor {identity} removed", file=out)
        return 0
    hashed = _new_pin(f"supervisor {identity}'s", err)
    if hashed is None:
        return int(ExitCode.USAGE)
    supervisors[identity] = hashed
    write_people_file(path, People(current.admin, supervisors))
    print(
        f"supervisor {identity} {'given a new PIN' if identity in current.supervisors else 'added'}", file=out
    )
    return 0
