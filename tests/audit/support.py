"""Helpers shared by the audit tests: a fixed key, realistic records, an attacker's connection."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from station.audit import AuditRecord, compute_mac
from station.audit.head import JournalHead, head_path_beside, write_head

KEY = bytes(range(32))


def make_record(i: int = 0, **overrides: Any) -> AuditRecord:
    """A realistic verification attempt (no token, no image: only the image's SHA-256)."""
    start = datetime(2024, 5, 1, 9, 30, tzinfo=UTC) + timedelta(minutes=i)
    fields: dict[str, Any] = {
        "requested_at": start,
        "responded_at": start + timedelta(milliseconds=420),
        "station_id": "branch-042-desk-1",
        "operator_id": "op-7",
        "customer_ref": f"CUST-{i:05d}",
        "environment": "sandbox",
        "api_host": "api.sandbox.example.invalid",
        "client_id": f"req-{i}",
        "http_status": 200,
        "message_code": "OK",
        "attempts": 1,
        "outcome": "LIVE",
        "score": 0.91,
        "service_verdict": "live",
        "service_threshold": 0.5,
        "station_threshold": 0.6,
        "face_count": 1,
        "primary_detection_score": 0.99,
        "image_sha256": hashlib.sha256(f"image {i}".encode()).hexdigest(),
        "notes": "operator picked face 1",
    }
    fields.update(overrides)
    return AuditRecord(**fields)


@contextlib.contextmanager
def raw(path: Path, *, drop_triggers: bool = True) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, as someone with file access would use it (always closed)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if drop_triggers:
            conn.execute("DROP TRIGGER IF EXISTS journal_no_update")
            conn.execute("DROP TRIGGER IF EXISTS journal_no_delete")
        yield conn
    finally:
        conn.close()


def backdate(path: Path, sequence_to_time: dict[int, str]) -> None:
    """Rewrite ``recorded_at`` of some rows and re-sign the chain with the key (and move the
    journal's head record and its head file to the re-signed last row), as if the rows had been
    written then."""
    with raw(path) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("SELECT * FROM journal ORDER BY sequence")]
        prev = "0" * 64
        for row in rows:
            row["recorded_at"] = sequence_to_time.get(row["sequence"], row["recorded_at"])
            row["prev_mac"] = prev
            row["mac"] = prev = compute_mac(KEY, row)
            conn.execute(
                "UPDATE journal SET recorded_at = ?, prev_mac = ?, mac = ? WHERE sequence = ?",
                (row["recorded_at"], row["prev_mac"], row["mac"], row["sequence"]),
            )
        if rows:
            conn.execute("DROP TRIGGER IF EXISTS head_forward_only")
            conn.execute("UPDATE journal_head SET sequence = ?, mac = ?", (rows[-1]["sequence"], prev))
            journal_id = conn.execute("SELECT value FROM meta WHERE name = 'journal_id'").fetchone()[0]
    head_file = head_path_beside(path)
    if rows and head_file.exists():  # the head kept beside the journal moves with it
        write_head(head_file, KEY, JournalHead(journal_id, rows[-1]["sequence"], prev, datetime.now(UTC)))


def days_ago(days: int) -> str:
    """A stored timestamp ``days`` days before now."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def forget_head(path: Path) -> None:
    """Remove the head file kept beside the journal, as an attacker who also deletes it would:
    what the journal itself records must still tell."""
    head_path_beside(path).unlink()
