"""Checking the HMAC chain: which row was altered, which are missing, where the chain breaks.

Pure functions over rows already read, so ``verify`` and ``purge`` (which refuses to destroy the
evidence of a broken chain) judge alike, and a test can feed them rows directly.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from station.audit.records import GENESIS_MAC, compute_mac, stored_columns

__all__ = ["MAX_PROBLEMS", "BreakKind", "Head", "Problem", "VerifyReport", "verify_rows"]

MAX_PROBLEMS = 100


class BreakKind(StrEnum):
    """Why a row fails verification."""

    MAC_MISMATCH = "MAC mismatch (row altered)"
    MISSING_ROW = "missing row"
    CHAIN_GAP = "chain gap"
    #: The journal's own head record names rows that are no longer there.
    TRUNCATED = "rows cut off the end"


@dataclass(frozen=True, slots=True)
class Head:
    """The newest row's sequence and MAC: what an off-box anchor records."""

    sequence: int
    mac: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One break in the chain, at ``sequence``; ``detail`` says what was expected."""

    sequence: int
    kind: BreakKind
    detail: str = ""

    def __str__(self) -> str:
        text = f"row {self.sequence}: {self.kind.value}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Result of a chain check. ``problems`` is sorted; at most :data:`MAX_PROBLEMS` are kept."""

    ok: bool
    rows_checked: int
    first_sequence: int | None = None
    last_sequence: int | None = None
    problems: tuple[Problem, ...] = ()
    problems_total: int = 0
    #: The newest row (None for an empty journal).
    head: Head | None = None

    @property
    def first_broken(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def first_broken_sequence(self) -> int | None:
        return self.problems[0].sequence if self.problems else None

    @property
    def reason(self) -> BreakKind | None:
        return self.problems[0].kind if self.problems else None

    @property
    def message(self) -> str:
        """One line for a person: "row 17: MAC mismatch (row altered)" or an all-clear."""
        if self.ok:
            if self.rows_checked == 0:
                return "journal is empty"
            return f"{self.rows_checked} rows intact (sequences {self.first_sequence}–{self.last_sequence})"
        return str(self.problems[0])


def verify_rows(
    key: bytes, rows: Iterable[Mapping[str, Any]], recorded_head: Head | None = None
) -> VerifyReport:
    """Check every row's MAC and link, in sequence order, and the head the journal recorded.

    ``recorded_head`` is the journal's ``journal_head`` (schema version 2; None before): rows
    removed from the end with SQL leave it naming a row that is gone.
    """
    problems: list[Problem] = []
    checked = 0
    first: Mapping[str, Any] | None = None
    prev: Mapping[str, Any] | None = None
    anchor: Mapping[str, Any] | None = None  # the newest checkpoint whose own MAC is valid
    for raw in rows:
        row = stored_columns(raw)
        checked += 1
        seq = row["sequence"]
        mac_ok = _mac_matches(key, row)
        if prev is None:
            first = row
        elif seq != prev["sequence"] + 1:
            missing = (
                f"row {prev['sequence'] + 1} is absent"
                if seq == prev["sequence"] + 2
                else f"rows {prev['sequence'] + 1}–{seq - 1} are absent"
            )
            problems.append(Problem(prev["sequence"] + 1, BreakKind.MISSING_ROW, missing))
        if not mac_ok:
            problems.append(Problem(seq, BreakKind.MAC_MISMATCH))
        elif prev is not None and seq == prev["sequence"] + 1 and row["prev_mac"] != prev["mac"]:
            problems.append(Problem(seq, BreakKind.CHAIN_GAP, f"does not follow row {prev['sequence']}"))
        if mac_ok and row["purged_through"] is not None:
            anchor = row
        prev = row
    if first is None:
        if recorded_head is not None:
            problem = Problem(
                1,
                BreakKind.TRUNCATED,
                f"every row is gone, but the journal's head record names row {recorded_head.sequence}",
            )
            return VerifyReport(ok=False, rows_checked=0, problems=(problem,), problems_total=1)
        return VerifyReport(ok=True, rows_checked=0)
    assert prev is not None
    problems.extend(_check_start(first, anchor, {p.sequence for p in problems}))
    problems.sort(key=lambda p: p.sequence)
    last = int(prev["sequence"])
    problems.extend(_check_recorded_head(last, str(prev["mac"]), recorded_head))
    return VerifyReport(
        ok=not problems,
        rows_checked=checked,
        first_sequence=int(first["sequence"]),
        last_sequence=last,
        problems=tuple(problems[:MAX_PROBLEMS]),
        problems_total=len(problems),
        head=Head(last, str(prev["mac"])),
    )


def _mac_matches(key: bytes, row: Mapping[str, Any]) -> bool:
    try:
        return hmac.compare_digest(compute_mac(key, row), str(row["mac"]))
    except (TypeError, ValueError):  # a value of the wrong type was forced into the row
        return False


def _check_start(
    first: Mapping[str, Any], anchor: Mapping[str, Any] | None, reported: set[int]
) -> list[Problem]:
    """The first row must be row 1 (after genesis) or follow the newest valid checkpoint."""
    seq = int(first["sequence"])
    if anchor is None:
        expected, expected_mac = 1, GENESIS_MAC
        basis = "no valid checkpoint accounts for purged rows"
    else:
        expected, expected_mac = int(anchor["purged_through"]) + 1, anchor["purged_through_mac"]
        basis = f"checkpoint row {anchor['sequence']} purged rows up to {expected - 1}"
    if seq > expected:
        span = f"row {expected} is" if seq == expected + 1 else f"rows {expected}–{seq - 1} are"
        return [Problem(expected, BreakKind.MISSING_ROW, f"{span} absent; {basis}")]
    if seq < expected:
        return [Problem(seq, BreakKind.CHAIN_GAP, f"row is present but {basis}")]
    if first["prev_mac"] != expected_mac and seq not in reported:
        what = "the start of the journal" if anchor is None else "the purged row's MAC"
        return [Problem(seq, BreakKind.CHAIN_GAP, f"does not follow {what}; {basis}")]
    return []


def _check_recorded_head(last: int, last_mac: str, recorded: Head | None) -> list[Problem]:
    if recorded is None or recorded.sequence < last:
        return []  # rows past the head were not written by the station: their MACs tell
    if recorded.sequence > last:
        span = (
            f"row {last + 1} is"
            if recorded.sequence == last + 1
            else f"rows {last + 1}–{recorded.sequence} are"
        )
        return [
            Problem(
                last + 1,
                BreakKind.TRUNCATED,
                f"{span} gone; the journal's head record names row {recorded.sequence}",
            )
        ]
    if not hmac.compare_digest(recorded.mac, last_mac):
        return [
            Problem(last, BreakKind.TRUNCATED, "the last row is not the one the journal's head record names")
        ]
    return []
