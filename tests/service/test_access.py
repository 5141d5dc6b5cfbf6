"""Who may call the service, and where an installed client looks for it: the kernel's word and the
program's own facts, never the caller's environment."""

from __future__ import annotations

import grp
import os
from pathlib import Path

from station.service.access import AccessRule
from station.service.transport import Peer
from station.service.unix import DEFAULT_SOCKET, ENV_SOCKET, socket_path

SERVICE, CLIENTS = 990, 991


def caller(uid: int, gid: int = 1000, groups: tuple[int, ...] = ()) -> Peer:
    return Peer(pid=4242, uid=uid, gid=gid, account=str(uid), groups=groups)


def test_the_service_root_and_the_clients_group_may_call() -> None:
    rule = AccessRule(SERVICE, CLIENTS)
    assert rule.allows(caller(SERVICE))
    assert rule.allows(caller(0))
    assert rule.allows(caller(1000, gid=CLIENTS))  # primary group
    assert rule.allows(caller(1000, groups=(27, CLIENTS)))  # supplementary group


def test_anyone_else_is_refused() -> None:
    rule = AccessRule(SERVICE, CLIENTS)
    assert not rule.allows(caller(1000, groups=(27, 100)))
    assert not rule.allows(caller(CLIENTS))  # a uid equal to the group's number is not a member


def test_without_a_clients_group_only_the_service_and_root_may_call() -> None:
    rule = AccessRule(SERVICE, None)
    assert rule.allows(caller(SERVICE)) and rule.allows(caller(0))
    assert not rule.allows(caller(1000, gid=CLIENTS, groups=(CLIENTS,)))


def test_an_unknown_group_name_admits_nobody_beyond_the_service_and_root() -> None:
    assert AccessRule.for_group("no-such-group-here", SERVICE) == AccessRule(SERVICE, None)
    assert AccessRule.for_group("4711", SERVICE) == AccessRule(SERVICE, 4711)


def test_an_installed_client_never_takes_the_socket_from_its_environment(tmp_path: Path) -> None:
    moved = {ENV_SOCKET: str(tmp_path / "evil.sock")}
    assert socket_path(moved, checkout=False) == DEFAULT_SOCKET
    assert socket_path(moved, checkout=True) == tmp_path / "evil.sock"
    assert socket_path({}, checkout=True) == DEFAULT_SOCKET


def test_the_service_account_defaults_to_the_one_the_service_runs_as() -> None:
    assert AccessRule.for_group("4711") == AccessRule(os.geteuid(), 4711)


def test_a_group_named_in_the_account_database_admits_its_members() -> None:
    known = grp.getgrall()[0]  # any group this machine's database names
    rule = AccessRule.for_group(known.gr_name, SERVICE)
    assert rule == AccessRule(SERVICE, known.gr_gid)
    assert rule.allows(caller(1000, groups=(known.gr_gid,)))
