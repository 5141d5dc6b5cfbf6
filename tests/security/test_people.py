"""Who holds which PIN: the private store's people.json only; never policy, never the profile."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from station.application.people import load_people, pin_guard
from station.config.policy import LinuxPolicyFiles, read_policy
from station.locations import MachineFolders
from station.security.lockout import PinLedger
from station.security.people import (
    NO_ADMIN_PIN,
    NO_OPERATORS,
    People,
    PinAttempt,
    PinGuard,
    PinResult,
    read_people,
    write_people,
)
from station.security.pin import PinFileError, PinLockedError, PinNotSetError, hash_pin
from station.security.private_store import PrivateStore

ADMIN_PIN, SUP_PIN, ALICE_PIN = "482913", "736204", "590317"


def folders(tmp_path: Path) -> MachineFolders:
    (tmp_path / "config").mkdir(exist_ok=True)
    return MachineFolders(tmp_path / "config", tmp_path / "data", installed=True)


def store(tmp_path: Path) -> PrivateStore:
    return PrivateStore(tmp_path / "private")


def guard(people: People, tmp_path: Path) -> PinGuard:
    return PinGuard(people, PinLedger(tmp_path / "pins.sqlite3"))


def test_no_administrator_pin_means_no_administrator_actions(tmp_path: Path) -> None:
    with pytest.raises(PinNotSetError) as caught:
        guard(People(), tmp_path).check_admin(ADMIN_PIN)
    assert str(caught.value) == NO_ADMIN_PIN
    assert "station admin init" in NO_ADMIN_PIN and "admin_pin_hash" not in NO_ADMIN_PIN


def test_the_people_file_is_private_from_its_first_byte_and_read_back(tmp_path: Path) -> None:
    private = store(tmp_path)
    path = write_people(
        private,
        People(hash_pin(ADMIN_PIN), {"sup1": hash_pin(SUP_PIN)}, operators={"alice": hash_pin(ALICE_PIN)}),
    )
    assert os.stat(private.folder).st_mode & 0o777 == 0o700
    assert os.stat(path).st_mode & 0o777 == 0o600
    people = read_people(private)
    checking = guard(people, tmp_path)
    assert checking.check_admin(ADMIN_PIN)[0]
    assert checking.check_supervisor("sup1", SUP_PIN)[0]
    assert not checking.check_supervisor("sup1", ADMIN_PIN)[0]
    assert not checking.check_supervisor("sup2", SUP_PIN)[0]  # unknown: a wrong PIN, counted
    assert checking.check_operator("alice", ALICE_PIN)
    assert not checking.check_operator("alice", SUP_PIN)
    assert ADMIN_PIN not in path.read_text() and ALICE_PIN not in path.read_text()


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o606])
def test_a_people_file_another_account_could_read_or_write_is_refused(tmp_path: Path, mode: int) -> None:
    private = store(tmp_path)
    path = write_people(private, People(hash_pin(ADMIN_PIN)))
    os.chmod(path, mode)
    with pytest.raises(PinFileError, match="other accounts can read or write the file"):
        read_people(private)


@pytest.mark.parametrize("mode", [0o750, 0o705, 0o755, 0o777, 0o710])
def test_a_store_folder_another_account_could_enter_is_refused(tmp_path: Path, mode: int) -> None:
    private = store(tmp_path)
    write_people(private, People(hash_pin(ADMIN_PIN)))
    os.chmod(private.folder, mode)
    with pytest.raises(PinFileError, match="other accounts can read or write the folder"):
        read_people(private)
    with pytest.raises(PinFileError, match="private store"):
        pin_guard(store=private, folders=folders(tmp_path))


def test_a_store_owned_by_another_account_is_refused(tmp_path: Path) -> None:
    private = store(tmp_path)
    write_people(private, People(hash_pin(ADMIN_PIN)))
    stranger = 4242
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another account needs root (CI runs as root)")
    os.chown(private.folder, stranger, stranger)
    with pytest.raises(PinFileError, match="owned by uid 4242"):
        read_people(private)
    os.chown(private.folder, 0, 0)
    os.chown(private.path("people.json"), stranger, stranger)
    with pytest.raises(PinFileError, match="owned by uid 4242"):
        read_people(private)


def test_a_symlinked_store_or_file_is_refused(tmp_path: Path) -> None:
    real = store(tmp_path / "real")
    write_people(real, People(hash_pin(ADMIN_PIN)))
    linked = PrivateStore(tmp_path / "linked")
    linked.folder.symlink_to(real.folder)
    with pytest.raises(PinFileError, match="symbolic link"):
        read_people(linked)
    other = store(tmp_path / "other")
    other.open()
    other.path("people.json").symlink_to(real.path("people.json"))
    with pytest.raises(PinFileError, match="symbolic link"):
        read_people(other)


def test_a_policy_hash_is_ignored(tmp_path: Path) -> None:
    """A policy (readable by every account) that still names an administrator PIN and supervisors
    unlocks nothing: the guard knows only the private store, and here that is empty."""
    machine = folders(tmp_path)
    managed = machine.config / "policies" / "managed"
    managed.mkdir(parents=True)
    policy_file = managed / "10-people.json"
    policy_file.write_text(
        json.dumps(
            {
                "admin_pin_hash": str(hash_pin(ADMIN_PIN)),
                "supervisors": [{"id": "sup1", "pin_hash": str(hash_pin(SUP_PIN))}],
            }
        )
    )
    policy = read_policy([LinuxPolicyFiles(machine.config / "policies", trusted_owner=os.getuid())])
    assert {item.name for item in policy.ignored} == {"admin_pin_hash", "supervisors"}
    checking = pin_guard(policy, machine, store=store(tmp_path))
    with pytest.raises(PinNotSetError):
        checking.check_admin(ADMIN_PIN)
    with pytest.raises(PinNotSetError):
        checking.check_supervisor("sup1", SUP_PIN)


@pytest.mark.parametrize(
    "supervisors",
    [
        "sup1",
        [{"id": "", "pin_hash": "x"}],
        [{"id": "administrator", "pin_hash": str(hash_pin(SUP_PIN))}],
        [{"id": "a"}, {"id": "a"}],
        [{"id": "sup1", "pin_hash": "not a hash"}],
    ],
)
def test_bad_supervisor_lists_fail_closed(supervisors: object) -> None:
    with pytest.raises(PinFileError):
        People.parse(None, supervisors, "people.json")


def test_bad_operator_lists_fail_closed() -> None:
    with pytest.raises(PinFileError, match="operator 'alice' is listed twice"):
        People.parse(
            None,
            None,
            "people.json",
            [
                {"id": "Alice", "pin_hash": str(hash_pin(ALICE_PIN))},
                {"id": "alice", "pin_hash": str(hash_pin(SUP_PIN))},
            ],
        )


def test_nothing_in_the_operators_profile_counts(tmp_path: Path) -> None:
    # The old per-user admin_pin.json is simply not a source any more.
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "admin_pin.json").write_text(json.dumps({"version": 1, "hash": "x"}))
    people = load_people(store(tmp_path), folders(tmp_path))
    assert people.admin is None and not people.supervisors and not people.operators


def test_an_operator_signs_in_with_their_own_pin_whatever_the_case_they_type(tmp_path: Path) -> None:
    people = People.parse(None, None, "people.json", [{"id": "Alice", "pin_hash": str(hash_pin(ALICE_PIN))}])
    assert list(people.operators) == ["alice"]
    checking = guard(people, tmp_path)
    attempts: list[PinAttempt] = []
    checking.recorder = attempts.append
    assert checking.check_operator("ALICE", ALICE_PIN)
    assert checking.check_operator(" ａｌｉｃｅ ", ALICE_PIN)
    assert not checking.check_operator("bob", ALICE_PIN)  # unknown: wrong, counted under "bob"
    assert [(a.who, a.result) for a in attempts] == [
        ("operator alice", PinResult.RIGHT),
        ("operator alice", PinResult.RIGHT),
        ("operator bob", PinResult.WRONG),
    ]
    assert attempts[0].words == "operator alice: PIN right (sign in)"


def test_alice_and_alice_share_one_lockout(tmp_path: Path) -> None:
    """Typing `Alice` after four wrong PINs as `alice` is the fifth wrong PIN of one person."""
    people = People.parse(None, None, "people.json", [{"id": "alice", "pin_hash": str(hash_pin(ALICE_PIN))}])
    checking = guard(people, tmp_path)
    attempts: list[PinAttempt] = []
    checking.recorder = attempts.append
    for typed in ("alice", "Alice", "ALICE", "ａｌｉｃｅ"):
        assert not checking.check_operator(typed, "111111")
    with pytest.raises(PinLockedError):
        checking.check_operator("AlIcE", "111111")
    with pytest.raises(PinLockedError):  # even the right PIN, in any case, while locked
        checking.check_operator("alice", ALICE_PIN)
    assert [a.result for a in attempts[-2:]] == [PinResult.LOCKOUT_STARTED, PinResult.LOCKED_OUT]
    assert checking.ledger.locked_until("operator:alice") is not None


def test_no_operators_configured_says_how_it_sets_them(tmp_path: Path) -> None:
    checking = guard(People(), tmp_path)
    attempts: list[PinAttempt] = []
    checking.recorder = attempts.append
    with pytest.raises(PinNotSetError) as caught:
        checking.check_operator("alice", ALICE_PIN)
    assert str(caught.value) == NO_OPERATORS and "station admin operator add" in NO_OPERATORS
    assert attempts[0].result is PinResult.NOT_CONFIGURED
