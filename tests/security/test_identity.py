"""Ids compared as people are (issue 22, failure 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.security.identity import normalise_identity, same_person
from station.security.lockout import PinLedger
from station.security.people import People, PinGuard
from station.security.pin import PinFileError, hash_pin


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Alice", "alice", True),
        ("alice", " ALICE\t", True),
        ("ａｌｉｃｅ", "alice", True),  # full-width forms fold under NFKC
        ("Straße", "STRASSE", True),  # case folding, not lower()
        ("alice", "alicia", False),
        ("alice", "", False),
        (None, None, False),
        ("", "", False),
    ],
)
def test_same_person(first: str | None, second: str | None, same: bool) -> None:
    assert same_person(first, second) is same


def test_the_stored_form() -> None:
    assert normalise_identity("  Ｓｕｐ１ ") == "sup1"


def test_supervisor_ids_are_stored_and_checked_in_one_form(tmp_path: Path) -> None:
    people = People.parse(None, [{"id": "Sup1", "pin_hash": str(hash_pin("730284"))}], "policy")
    assert list(people.supervisors) == ["sup1"]
    guard = PinGuard(people, PinLedger(tmp_path / "pins.sqlite3"))
    assert guard.check_supervisor("SUP1", "730284")[0]
    assert guard.check_supervisor(" ｓｕｐ１ ", "730284")[0]
    with pytest.raises(PinFileError, match="listed twice"):
        People.parse(
            None,
            [
                {"id": "sup1", "pin_hash": str(hash_pin("730284"))},
                {"id": "SUP1", "pin_hash": str(hash_pin("730285"))},
            ],
            "policy",
        )
    with pytest.raises(PinFileError, match="not a usable supervisor id"):
        People.parse(None, [{"id": "Administrator", "pin_hash": str(hash_pin("730284"))}], "policy")
