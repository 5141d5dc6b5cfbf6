"""Journals written by older stations (schema 1: 0.1.0; schema 2: before "attempt started")
open, verify, upgrade in place to schema 3, append and verify."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from station.audit import AuditJournal, AuditKeyError, AuditRecord, AuditWriteError, compute_mac
from station.audit.records import V1_COLUMN_NAMES, V2_COLUMN_NAMES, V2_FIELDS, V3_FIELDS, canonical_bytes
from tests.audit.support import KEY, make_record, raw

FIXTURE = Path(__file__).parent / "data" / "journal-0.1.0.sqlite3"


@pytest.fixture
def old_journal(tmp_path: Path) -> Path:
    path = tmp_path / "audit.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


def _macs(path: Path) -> dict[int, str]:
    with raw(path, drop_triggers=False) as conn:
        return dict(conn.execute("SELECT sequence, mac FROM journal"))


def test_the_fixture_is_a_version_1_journal(old_journal: Path) -> None:
    with raw(old_journal, drop_triggers=False) as conn:
        names = tuple(r[1] for r in conn.execute("PRAGMA table_info(journal)"))
        version = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0]
    assert names == V1_COLUMN_NAMES
    assert version == "1"


def test_read_only_open_verifies_without_upgrading(old_journal: Path) -> None:
    before = hashlib.sha256(old_journal.read_bytes()).hexdigest()
    with AuditJournal.open(old_journal, KEY, read_only=True) as journal:
        assert journal.schema_version == 1
        report = journal.verify()
        rows = journal.recent(20)
        assert journal.journal_id is None
    assert report.ok, report.message
    assert (report.first_sequence, report.last_sequence) == (6, 13)
    assert rows[0].record.client_id == "x" * 5000  # over today's limit, still readable evidence
    assert rows[0].record.session_id is None
    assert hashlib.sha256(old_journal.read_bytes()).hexdigest() == before


def test_opening_for_writing_upgrades_in_place_and_old_macs_still_hold(old_journal: Path) -> None:
    old_macs = _macs(old_journal)
    with AuditJournal.open(old_journal, KEY) as journal:
        assert journal.schema_version == 3
        assert journal.journal_id is not None
        assert journal.verify().ok
        sequence = journal.append(
            make_record(
                50,
                session_id="sess-1",
                settles_sequence=12,
                supervisor_id="sup-3",
                camera_source="device:Logitech C920",
                dev_overrides="fake_camera",
                policy_hash="sha256:" + "ab" * 32,
                consent="given",
                consent_notice_version="2024-05",
                consent_notice_sha256="cd" * 32,
                instruction_language="hi-IN",
                antispoof_score=0.97,
            )
        )
        assert sequence == 14
        report = journal.verify()
        stored = journal.recent(1)[0]
        recorded = journal.recorded_head()
    assert report.ok, report.message
    assert (report.first_sequence, report.last_sequence) == (6, 14)
    assert recorded is not None and recorded.sequence == 14
    assert stored.record.consent == "given"
    assert stored.record.antispoof_score == 0.97
    assert {seq: mac for seq, mac in _macs(old_journal).items() if seq < 14} == old_macs
    with raw(old_journal, drop_triggers=False) as conn:
        names = tuple(r[1] for r in conn.execute("PRAGMA table_info(journal)"))
        version = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0]
    assert names == (*V1_COLUMN_NAMES, *V2_FIELDS, *V3_FIELDS)
    assert version == "3"


def test_the_mac_rule_leaves_null_version_2_columns_out() -> None:
    """The documented rule, checked byte for byte: old rows' bytes do not change."""
    row: dict[str, Any] = {name: None for name in V1_COLUMN_NAMES}
    row.update(sequence=1, recorded_at="2024-05-01T00:00:00.000000Z", kind="verification", prev_mac="0" * 64)
    v1_bytes = json.dumps(
        {k: v for k, v in row.items() if k != "mac"}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    ).encode()
    assert canonical_bytes(row) == v1_bytes
    assert canonical_bytes({**row, **{name: None for name in V2_FIELDS}}) == v1_bytes
    with_consent = canonical_bytes({**row, "consent": "given"})
    assert with_consent != v1_bytes
    assert b'"consent":"given"' in with_consent
    assert compute_mac(KEY, row) != compute_mac(KEY, {**row, "consent": "given"})


def test_a_value_forced_into_a_new_column_of_an_old_row_breaks_its_mac(old_journal: Path) -> None:
    with AuditJournal.open(old_journal, KEY) as journal:
        journal.append(make_record(1))
    with raw(old_journal) as conn:
        conn.execute("UPDATE journal SET consent = 'given' WHERE sequence = 8")
    with AuditJournal.open(old_journal, KEY, read_only=True) as journal:
        assert journal.verify().message == "row 8: MAC mismatch (row altered)"


def test_a_wrong_key_neither_opens_nor_upgrades(old_journal: Path) -> None:
    before = old_journal.read_bytes()
    with pytest.raises(AuditKeyError, match="does not belong"):
        AuditJournal.open(old_journal, b"\x07" * 32)
    with raw(old_journal, drop_triggers=False) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0] == "1"
    assert old_journal.read_bytes() == before


def test_exported_jsonl_of_an_upgraded_journal_rechecks_every_mac(old_journal: Path, tmp_path: Path) -> None:
    with AuditJournal.open(old_journal, KEY) as journal:
        journal.append(AuditRecord(kind="review", session_id="s-9", settles_sequence=13, notes="approved"))
        out = tmp_path / "export.jsonl"
        with out.open("w", encoding="utf-8") as fh:
            assert journal.export("jsonl", fh) == 9
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(compute_mac(KEY, row) == row["mac"] for row in rows)
    assert rows[-1]["settles_sequence"] == 13
    assert rows[0]["session_id"] is None


def test_upgrade_is_one_transaction(old_journal: Path) -> None:
    """Another program holding the write lock: the open fails and the journal stays version 1."""
    with raw(old_journal, drop_triggers=False) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(Exception, match="locked"):
            AuditJournal.open(old_journal, KEY, busy_timeout=0.2)
        other.execute("ROLLBACK")
    with raw(old_journal, drop_triggers=False) as conn:
        names = tuple(r[1] for r in conn.execute("PRAGMA table_info(journal)"))
    assert names == V1_COLUMN_NAMES
    with AuditJournal.open(old_journal, KEY) as journal:
        assert journal.schema_version == 3


def test_an_unknown_newer_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        journal.append(make_record(1))
    with raw(path) as conn:
        conn.execute("ALTER TABLE journal ADD COLUMN from_the_future TEXT")
    with pytest.raises(Exception, match="unknown layout"):
        AuditJournal.open(path, KEY)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 1


# ---------------------------------------------------------------- schema 2 → 3

FIXTURE_V2 = Path(__file__).parent / "data" / "journal-v2.sqlite3"


@pytest.fixture
def v2_journal(tmp_path: Path) -> Path:
    """Five rows written by the station before schema 3 (its head file is not copied: a journal
    handed over alone)."""
    path = tmp_path / "audit.sqlite3"
    shutil.copyfile(FIXTURE_V2, path)
    return path


def _layout(path: Path) -> tuple[tuple[str, ...], str]:
    with raw(path, drop_triggers=False) as conn:
        names = tuple(r[1] for r in conn.execute("PRAGMA table_info(journal)"))
        version = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0]
    return names, version


def test_the_v2_fixture_is_a_version_2_journal(v2_journal: Path) -> None:
    assert _layout(v2_journal) == (V2_COLUMN_NAMES, "2")


def test_a_version_2_journal_opens_read_only_without_upgrading(v2_journal: Path) -> None:
    before = hashlib.sha256(v2_journal.read_bytes()).hexdigest()
    with AuditJournal.open(v2_journal, KEY, read_only=True) as journal:
        assert journal.schema_version == 2
        report = journal.verify()
        newest = journal.recent(1)[0]
        assert journal.open_attempts() == []
    assert report.ok, report.message
    assert report.rows_checked == 5
    assert newest.record.settles_sequence == 3 and newest.record.started_sequence is None
    assert hashlib.sha256(v2_journal.read_bytes()).hexdigest() == before


def test_a_version_2_journal_upgrades_in_place_and_its_macs_hold(v2_journal: Path) -> None:
    old_macs = _macs(v2_journal)
    with AuditJournal.open(v2_journal, KEY) as journal:
        assert journal.schema_version == 3
        started = journal.append(
            AuditRecord(kind="attempt_started", customer_ref="CIF-9", caller_account="alice")
        )
        outcome = journal.append(make_record(9, started_sequence=started, caller_account="alice"))
        report = journal.verify()
        stored = journal.recent(2)
    assert (started, outcome) == (6, 7)
    assert report.ok, report.message
    assert stored[0].record.started_sequence == 6 and stored[1].record.caller_account == "alice"
    assert {seq: mac for seq, mac in _macs(v2_journal).items() if seq < 6} == old_macs
    assert _layout(v2_journal) == ((*V2_COLUMN_NAMES, *V3_FIELDS), "3")


def test_a_value_forced_into_a_version_3_column_of_an_old_row_breaks_its_mac(v2_journal: Path) -> None:
    with AuditJournal.open(v2_journal, KEY) as journal:
        journal.append(make_record(1))
    with raw(v2_journal) as conn:
        conn.execute("UPDATE journal SET started_sequence = 2 WHERE sequence = 3")
    with AuditJournal.open(v2_journal, KEY, read_only=True) as journal:
        assert journal.verify().message == "row 3: MAC mismatch (row altered)"


def test_the_mac_rule_leaves_null_version_3_columns_out() -> None:
    row: dict[str, Any] = {name: None for name in V1_COLUMN_NAMES}
    row.update(sequence=1, recorded_at="2025-03-01T00:00:00.000000Z", kind="review", prev_mac="0" * 64)
    v1_bytes = canonical_bytes(row)
    assert canonical_bytes({**row, **{name: None for name in V3_FIELDS}}) == v1_bytes
    assert b'"started_sequence":4' in canonical_bytes({**row, "started_sequence": 4})
    assert compute_mac(KEY, row) != compute_mac(KEY, {**row, "caller_account": "alice"})


def test_a_wrong_key_does_not_upgrade_a_version_2_journal(v2_journal: Path) -> None:
    before = v2_journal.read_bytes()
    with pytest.raises(AuditKeyError, match="does not belong"):
        AuditJournal.open(v2_journal, b"\x07" * 32)
    assert v2_journal.read_bytes() == before
    assert _layout(v2_journal) == (V2_COLUMN_NAMES, "2")


def _declare(path: Path, version: str) -> None:
    with raw(path) as conn:
        conn.execute("DROP TRIGGER IF EXISTS meta_no_update")
        conn.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (version,))


@pytest.mark.parametrize("declared", ["2", "4", "1"])
def test_a_version_3_table_that_declares_another_version_is_refused(tmp_path: Path, declared: str) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        journal.append(make_record(1))
    _declare(path, declared)
    for read_only in (False, True):
        with pytest.raises(AuditWriteError, match="unknown layout"):
            AuditJournal.open(path, KEY, read_only=read_only)


@pytest.mark.parametrize("declared", ["3", "1"])
def test_a_version_2_table_that_declares_another_version_is_refused(v2_journal: Path, declared: str) -> None:
    _declare(v2_journal, declared)
    before = v2_journal.read_bytes()
    with pytest.raises(AuditWriteError, match="unknown layout"):
        AuditJournal.open(v2_journal, KEY)
    assert v2_journal.read_bytes() == before
