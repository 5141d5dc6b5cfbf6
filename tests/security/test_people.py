"""Who holds which PIN: policy first, then the machine's people.json; never the operator's profile."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from station.application.people import load_people
from station.config.policy import Policy, PolicyEntry, PolicyLevel
from station.locations import MachineFolders
from station.security.lockout import PinLedger
from station.security.people import (
    NO_ADMIN_PIN,
    People,
    PinGuard,
    read_people_file,
    write_people_file,
)
from station.security.pin import PinFileError, PinNotSetError, hash_pin

ADMIN_PIN, SUP_PIN = "482913", "736204"


def folders(tmp_path: Path) -> MachineFolders:
    (tmp_path / "config").mkdir(exist_ok=True)
    return MachineFolders(tmp_path / "config", tmp_path / "data", installed=True)


def guard(people: People, tmp_path: Path) -> PinGuard:
    return PinGuard(people, PinLedger(tmp_path / "pins.sqlite3"))


def test_no_administrator_pin_means_no_administrator_actions(tmp_path: Path) -> None:
    with pytest.raises(PinNotSetError) as caught:
        guard(People(), tmp_path).check_admin(ADMIN_PIN)
    assert str(caught.value) == NO_ADMIN_PIN
    assert "station admin init" in NO_ADMIN_PIN and "admin_pin_hash" in NO_ADMIN_PIN


def test_the_people_file_written_by_an_administrator_is_read(tmp_path: Path) -> None:
    path = folders(tmp_path).config / "people.json"
    write_people_file(path, People(hash_pin(ADMIN_PIN), {"sup1": hash_pin(SUP_PIN)}))
    assert os.stat(path).st_mode & 0o777 == 0o644
    people = read_people_file(path, trusted_owner=os.getuid())
    checking = guard(people, tmp_path)
    assert checking.check_admin(ADMIN_PIN)[0]
    assert checking.check_supervisor("sup1", SUP_PIN)[0]
    assert not checking.check_supervisor("sup1", ADMIN_PIN)[0]
    assert not checking.check_supervisor("sup2", SUP_PIN)[0]  # unknown: a wrong PIN, counted


def test_a_people_file_the_operator_could_write_is_refused(tmp_path: Path) -> None:
    path = folders(tmp_path).config / "people.json"
    write_people_file(path, People(hash_pin(ADMIN_PIN)))
    os.chmod(path, 0o666)
    with pytest.raises(PinFileError, match="writable by group or others"):
        read_people_file(path, trusted_owner=os.getuid())
    os.chmod(path, 0o644)
    with pytest.raises(PinFileError, match="not owned by root"):
        read_people_file(path, trusted_owner=os.getuid() + 1)


def test_policy_wins_over_the_file(tmp_path: Path) -> None:
    machine = folders(tmp_path)
    write_people_file(machine.config / "people.json", People(hash_pin("135790"), {"old": hash_pin(SUP_PIN)}))
    policy = Policy(
        {
            "admin_pin_hash": PolicyEntry(
                "admin_pin_hash", str(hash_pin(ADMIN_PIN)), PolicyLevel.MANDATORY_MACHINE, "HKLM"
            ),
            "supervisors": PolicyEntry(
                "supervisors",
                [{"id": "sup1", "pin_hash": str(hash_pin(SUP_PIN))}],
                PolicyLevel.MANDATORY_MACHINE,
                "HKLM",
            ),
        }
    )
    people = load_people(policy, machine)
    assert people.admin is not None and people.admin.matches(ADMIN_PIN)
    assert set(people.supervisors) == {"sup1"}
    file_only = load_people(Policy(), machine)
    assert file_only.admin is not None and file_only.admin.matches("135790")
    assert set(file_only.supervisors) == {"old"}


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
        People.parse(None, supervisors, "policy")


def test_nothing_in_the_operators_profile_counts(tmp_path: Path) -> None:
    # The old per-user admin_pin.json is simply not a source any more.
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "admin_pin.json").write_text(json.dumps({"version": 1, "hash": "x"}))
    people = load_people(Policy(), folders(tmp_path))
    assert people.admin is None and not people.supervisors
