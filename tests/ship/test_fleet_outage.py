"""The fleet after a relay outage, at a small scale: ``python -m station.bench fleet`` itself.

Fifty stations over TLS syslog (twenty over RELP), each with its own journal, key and the real
shipper, hold half a day of backlog (verifications and a heartbeat every five minutes) while the
real rsyslog relay is down; the relay comes back and every station reconnects under its own
full-jitter backoff. Three stations carry a fault (a journal rolled back to an old copy after it
was shipped, a journal deleted and started afresh, a station switched off for hours). Asserted:
nothing acknowledged is missing at the relay, first arrivals are in order per station and
journal, and the README's alert rules flag exactly the three faults. The full scale is the bench
command (figures in the README).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.audit import KIND_HEARTBEAT, AuditJournal
from station.bench.fleet.alerts import Rule, run_rules
from station.bench.fleet.backlog import BacklogPlan, build_journal
from station.bench.fleet.received import Arrival


@pytest.mark.timeout(300)  # 10-15 s on a quiet machine; generous for a loaded 2-core one
@pytest.mark.parametrize(("target", "stations"), [("syslog_tls", 50), ("relp_tls", 20)])
def test_the_fleet_catches_up_after_an_outage_with_nothing_lost(
    rsyslogd: str, tmp_path: Path, target: str, stations: int
) -> None:
    command = [
        sys.executable, "-m", "station.bench", "fleet", "--target", target,
        "--stations", str(stations), "--outage-days", "0.5", "--outage-s", "3",
        "--jitter-cap-s", "5", "--resend-window-s", "2", "--timeout-s", "240",
        "--folder", str(tmp_path / "fleet"), "--json",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=280, check=False)
    assert done.stdout.count("\n") == 1, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert done.returncode == 0, json.dumps(result, indent=1)[:4000]
    assert (result["stations"], result["target"]) == (stations, target)
    assert result["lost"] == 0
    # Every station's half day holds its heartbeats, one every five minutes (144), less a silent
    # stretch of two hours (24) on a station that was switched off. Its verifications fall in the
    # branch's opening hours, so how many the last half day holds depends on the hour the test runs
    # (a fixed 150 a station failed after 22:00 UTC): they are not counted on here.
    assert result["records_received"] >= result["records"] >= stations * (144 - 24)
    assert result["unique_received"] == result["records"] - result["unshipped_at_stop"]
    assert result["in_order"], result["out_of_order_stations"]
    assert result["records_sent"] >= result["records_received"]
    assert result["catch_up_s"] > 0
    assert result["peak_connections"] >= 1
    assert result["impstats"]["discarded"] == 0
    assert sorted(map(tuple, result["injected"])) == [
        (Rule.HEAD_BACKWARDS.value, "branch-00001-desk-1"),
        (Rule.HEAD_BACKWARDS.value, "branch-00002-desk-1"),
        (Rule.SILENT_HEARTBEAT.value, "branch-00003-desk-1"),
    ]
    found = sorted((a["rule"], a["station"]) for a in result["alerts"])
    assert found == sorted(map(tuple, result["injected"]))


def test_a_built_backlog_is_a_journal_that_verifies(tmp_path: Path) -> None:
    end = datetime(2026, 12, 7, tzinfo=UTC)  # one whole calendar day of branch hours
    key = random.Random(1).randbytes(32)
    plan = BacklogPlan(
        station_id="s-1", end=end, days=1.0, verifications_per_day=50, seed=7,
        silent=(end - timedelta(hours=10), end - timedelta(hours=8)), snapshot_at=100,
    )  # fmt: skip
    built = build_journal(tmp_path / "audit.sqlite3", key, plan)
    assert built.heartbeats == 288 - 24  # a heartbeat every 5 minutes, none in the 2 silent hours
    assert built.rows == built.heartbeats + 50
    with AuditJournal.open(tmp_path / "audit.sqlite3", key, read_only=True) as journal:
        assert journal.verify().ok
        assert journal.head() is not None
        rows = journal.rows_after(0, 10_000)
    assert [r.sequence for r in rows] == list(range(1, built.rows + 1))
    times = [r.recorded_at for r in rows]
    assert times == sorted(times) and end - timedelta(days=1) <= times[0] and times[-1] < end
    assert not any(end - timedelta(hours=10) <= t < end - timedelta(hours=8) for t in times)
    beat = next(r for r in reversed(rows) if r.record.kind == KIND_HEARTBEAT)
    assert json.loads(beat.record.notes or "{}")["head_sequence"] == beat.sequence - 1
    assert built.snapshot is not None
    with AuditJournal.open(built.snapshot, key, read_only=True) as old:
        assert old.head() == (100, rows[99].mac) and old.verify().ok


def _arrival(
    station: str, seq: int, *, at: float, journal: str = "j1", mac: str = "", head: int | None = None
) -> Arrival:
    body = "-" if head is None else json.dumps({"notes": json.dumps({"head_sequence": head})})
    return Arrival(at, "heartbeat" if head is not None else "verification", at, station, journal, seq,
                   f"{station}/{journal}/{seq}", mac or f"m{seq}", body)  # fmt: skip


def test_the_alert_rules_find_a_gap_a_silence_and_a_head_that_moved_back() -> None:
    beats = [_arrival("ok", i, at=300.0 * i, head=i - 1) for i in range(1, 8)]
    gap = [_arrival("gap", i, at=300.0 * i, head=i - 1) for i in (1, 2, 3, 5, 6, 7)]
    silent = [_arrival("quiet", i, at=300.0 * i, head=i - 1) for i in (1, 2, 3)]  # then nothing
    back = [_arrival("back", i, at=300.0 * i, head=i - 1) for i in range(1, 8)]
    back.append(_arrival("back", 8, at=300.0 * 7.5, head=4))  # an older copy, writing again
    twice = [*(_arrival("twice", i, at=300.0 * i, head=i - 1) for i in range(1, 8))]
    twice.append(_arrival("twice", 3, at=300.0 * 3, mac="other"))
    alerts = run_rules([*beats, *gap, *silent, *back, *twice], heartbeat_interval_s=300, now=300.0 * 8)
    assert [(a.rule, a.station) for a in alerts] == [
        (Rule.HEAD_BACKWARDS, "back"),
        (Rule.HEAD_BACKWARDS, "twice"),
        (Rule.SEQUENCE_GAP, "gap"),
        (Rule.SILENT_HEARTBEAT, "quiet"),
    ]
