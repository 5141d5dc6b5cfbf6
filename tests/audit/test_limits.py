"""Every text field the journal stores has a cap; over-long values never reach a write."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from station.audit import TEXT_LIMITS, AuditJournal, AuditRecord
from station.audit.records import fit_text
from tests.audit.support import KEY, make_record

TEXT_FIELDS = [f.name for f in fields(AuditRecord) if f.name in TEXT_LIMITS]
_FIXED = {"image_sha256", "consent_notice_sha256", "consent", "kind"}  # patterns or enums


def test_every_text_field_has_a_limit() -> None:
    text = {f.name for f in fields(AuditRecord) if "str" in str(f.type)}
    assert text == set(TEXT_LIMITS)


@pytest.mark.parametrize("name", [n for n in TEXT_FIELDS if n not in _FIXED])
def test_a_value_at_the_limit_is_kept_and_one_byte_more_is_refused(name: str) -> None:
    limit = TEXT_LIMITS[name]
    at_limit: dict[str, Any] = {name: "a" * limit}
    assert AuditRecord(**at_limit).to_columns()[name] == "a" * limit
    over: dict[str, Any] = {name: "a" * (limit + 1)}
    with pytest.raises(
        ValueError, match=rf"{name} is too long: {limit + 1} bytes, the journal stores at most {limit}"
    ):
        AuditRecord(**over)


def test_limits_count_utf8_bytes_not_characters() -> None:
    assert AuditRecord(notes="é" * 1024)  # 2 048 bytes
    with pytest.raises(ValueError, match="notes is too long: 2050 bytes"):
        AuditRecord(notes="é" * 1025)


def test_a_5_mb_client_id_from_the_service_is_refused_and_nothing_is_written(db_path: Path) -> None:
    with AuditJournal.open(db_path, KEY) as journal:
        journal.append(make_record(1))
        with pytest.raises(ValueError, match="client_id is too long: 5242880 bytes"):
            journal.append(make_record(2, client_id="A" * 5 * 1024 * 1024))
        assert journal.head() is not None and journal.head()[0] == 1  # type: ignore[index]
        assert journal.verify().ok


def test_the_chosen_caps() -> None:
    for name in ("station_id", "operator_id", "customer_ref", "client_id", "session_id", "supervisor_id"):
        assert TEXT_LIMITS[name] == 256
    assert TEXT_LIMITS["notes"] == TEXT_LIMITS["error_message"] == 2048


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"consent": "maybe"}, "consent must be one of"),
        ({"consent_notice_sha256": "xyz"}, "consent_notice_sha256 must be 64 lower-case hex"),
        ({"settles_sequence": 0}, "settles_sequence must name a journal row"),
        ({"antispoof_score": float("inf")}, "antispoof_score must be a finite number"),
        ({"kind": "heart beat"}, "kind must be 1-32 letters"),
        ({"kind": "Heartbeat!"}, "kind must be 1-32 letters"),
        ({"kind": "k" * 33}, "kind must be 1-32 letters"),
        ({"kind": ""}, "kind must be 1-32 letters"),
        ({"kind": "9lives"}, "kind must be 1-32 letters"),
    ],
)
def test_new_fields_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AuditRecord(**kwargs)  # type: ignore[arg-type]


def test_new_field_types_are_checked() -> None:
    with pytest.raises(TypeError, match="settles_sequence must be an int"):
        AuditRecord(settles_sequence="12")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="session_id must be a str"):
        AuditRecord(session_id=12)  # type: ignore[arg-type]


def test_kinds_other_parts_may_use() -> None:
    for kind in (
        "verification",
        "quality_gate",
        "face_pick",
        "POLICY_ERROR",
        "session.closed",
        "verdict-cleared",
    ):
        assert AuditRecord(kind=kind).kind == kind


def test_fit_text_cuts_the_stations_own_text_visibly() -> None:
    assert fit_text("notes", "short") == "short"
    assert fit_text("notes", None) is None
    long = "é" * 5000
    cut = fit_text("error_message", long)
    assert cut is not None and cut.endswith(" …[cut]")
    assert len(cut.encode()) <= TEXT_LIMITS["error_message"]
    assert AuditRecord(error_message=cut).error_message == cut
