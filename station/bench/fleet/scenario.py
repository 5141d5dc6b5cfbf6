"""The outage scenario: N stations with a backlog, the relay down, then back; what arrived, when.

1. A private CA (``trustme``) and the relay's certificate; the relay configured, not started.
2. Worker processes build every station's journal: ``outage_days`` of rows ending now, with
   their heartbeats (:mod:`station.bench.fleet.backlog`), and the injected faults.
3. Every station's real shipper starts against the relay, which is still down: connections are
   refused, the shippers back off (full jitter, ``jitter_cap_s``), for ``outage_s`` seconds of
   wall time (the three days are in the timestamps; the backoff reaches its cap in this time).
4. The relay starts. Stations reconnect when their backoff says so and drain their backlogs;
   the relay's CPU and sessions are sampled, its ``impstats`` counters read.
5. Once every station has everything acknowledged, the shippers stop and the relay is stopped
   (its queue flushed). The received file is checked against every journal the stations had:
   every acknowledged row arrived (``lost``), first arrivals in order per station, duplicates;
   and the README's alert rules run over it (:mod:`station.bench.fleet.alerts`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from station.audit import AuditJournal
from station.bench.fleet.alerts import Rule, run_rules
from station.bench.fleet.backlog import HEARTBEAT_EVERY, BacklogPlan
from station.bench.fleet.pki import make_pki
from station.bench.fleet.received import Arrival, read_arrivals
from station.bench.fleet.relay import Relay, RelaySampler, RelaySettings, Sample
from station.bench.fleet.stations import Fault, StationReport, StationSpec, WorkerSpec, worker_main

__all__ = ["FleetParams", "find_rsyslogd", "run_fleet"]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class FleetParams:
    stations: int = 50
    records_per_day: int = 50
    outage_days: float = 3.0
    outage_s: float = 10.0
    jitter_cap_s: float = 30.0
    resend_window_s: float = 5.0
    batch_size: int = 200
    workers: int = 2
    target: str = "syslog_tls"
    faults: bool = True
    relay: RelaySettings = field(default_factory=RelaySettings)
    timeout_s: float = 1800.0
    #: After the catch-up, restart the relay and keep going this long (0: no restart).
    restart_s: float = 0.0


def _faults(params: FleetParams) -> dict[int, Fault]:
    if not params.faults:
        return {}
    if params.stations < 4:
        raise ValueError("the injected faults need at least 4 stations (or run without faults)")
    return {1: Fault.ROLLBACK, 2: Fault.DELETE, 3: Fault.STOP}


def _specs(params: FleetParams, root: Path, end: datetime) -> list[StationSpec]:
    faults = _faults(params)
    days = params.outage_days
    middle = end - timedelta(days=days / 2)
    off = min(timedelta(hours=4), timedelta(days=days / 8))
    half_rows = int(days * (288 + params.records_per_day) / 2)
    specs = []
    for i in range(params.stations):
        station_id = f"branch-{i:05d}-desk-1"
        fault = faults.get(i, Fault.NONE)
        plan = BacklogPlan(
            station_id=station_id,
            end=end,
            days=days,
            verifications_per_day=params.records_per_day,
            seed=i,
            silent=(middle - off, middle + off) if fault is Fault.STOP else None,
            snapshot_at=half_rows if fault is Fault.ROLLBACK else None,
        )
        specs.append(StationSpec(station_id, root / "stations" / station_id, i, fault, plan))
    return specs


def find_rsyslogd() -> str:
    path = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.access(path, os.X_OK):
        raise FileNotFoundError("rsyslogd not found (Debian packages rsyslog, rsyslog-gnutls)")
    return path


def run_fleet(
    params: FleetParams, folder: Path | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Run the scenario in ``folder`` (a fresh temporary one by default, removed afterwards)."""
    say = progress or (lambda _: None)
    own = folder is None
    root = Path(tempfile.mkdtemp(prefix="station-fleet-")) if folder is None else folder
    root.mkdir(parents=True, exist_ok=True)
    try:
        return _run(params, root, say)
    finally:
        if own:
            shutil.rmtree(root, ignore_errors=True)


def _run(params: FleetParams, root: Path, say: Progress) -> dict[str, Any]:
    started = time.monotonic()
    load_start = os.getloadavg()[0]
    pki = make_pki(root / "pki")
    relay = Relay(find_rsyslogd(), root / "relay", pki.relay_cert, pki.relay_key, pki.ca, params.relay)
    port = relay.port if params.target == "syslog_tls" else relay.relp_port
    assert port is not None, "the relp_tls target needs RelaySettings(relp=True)"
    end = datetime.now(UTC).replace(microsecond=0)
    specs = _specs(params, root, end)
    context = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    processes = []
    for w in range(params.workers):
        mine = tuple(specs[w :: params.workers])
        if not mine:
            continue
        spec = WorkerSpec(
            mine, params.target, port, pki, params.jitter_cap_s, params.resend_window_s, params.batch_size
        )
        parent, child = context.Pipe()
        process = context.Process(target=worker_main, args=(spec, child), name=f"fleet-worker-{w}")
        process.start()
        pipes.append(parent)
        processes.append(process)
    sampler = RelaySampler([port])
    try:
        say(f"building {params.stations} journals ({params.outage_days:g} days each)")
        for pipe in pipes:
            pipe.send("build")
        rows_built = sum(_expect(pipe, "built", params.timeout_s)[1] for pipe in pipes)
        build_s = time.monotonic() - started
        say(f"{rows_built} rows built in {build_s:.0f} s; relay down for {params.outage_s:g} s")
        sampler.start()
        for pipe in pipes:
            pipe.send("go")
        threading.Event().wait(params.outage_s)  # the outage, in wall time
        relay.start()
        up = time.time()
        sampler.follow(relay.pid)
        say(f"relay up on port {port}; waiting for every station to catch up")
        caught = [_expect(pipe, "caught", params.timeout_s)[1] for pipe in pipes]
        caught_at = max(caught)
        restarted: float | None = None
        if params.restart_s > 0:
            say(f"restarting the relay; watching the reconnections for {params.restart_s:g} s")
            relay.stop()
            restarted = time.time()
            relay.start()
            sampler.follow(relay.pid)
            threading.Event().wait(params.restart_s)
        for pipe in pipes:
            pipe.send("stop")
        stopped = [_expect(pipe, "stopped", params.timeout_s) for pipe in pipes]
        _drained(relay, sum(r.frames_sent for message in stopped for r in message[1]))
        sampler.follow(None)
        relay.stop()
    finally:
        sampler.stop()
        relay.stop()
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    reports: list[StationReport] = [r for message in stopped for r in message[1]]
    handshakes = sorted(t for message in stopped for t in message[2])
    say("reading what the relay received")
    arrivals = list(read_arrivals(relay.received))
    result = _judge(params, reports, arrivals, end.timestamp(), up)
    result.update(_relay_figures(relay, sampler.samples, handshakes, arrivals, up, caught_at))
    if restarted is not None:
        result["restart"] = _restart_figures(params, sampler.samples, handshakes, restarted)
    result.update(
        rows_built=rows_built,
        build_s=round(build_s, 1),
        duration_s=round(time.monotonic() - started, 1),
        load_avg_1m_start=round(load_start, 2),
        load_avg_1m_end=round(os.getloadavg()[0], 2),
        cpu_count=os.cpu_count(),
        params={**asdict(params), "relay": asdict(params.relay)},
    )
    return result


def _drained(relay: Relay, sent: int, quiet_s: float = 3.0, timeout: float = 120.0) -> None:
    """Wait until the relay has written every frame sent, or has written nothing new for
    ``quiet_s`` (frames sent on a connection that then broke never arrive): stopping it earlier
    could cut its queue short (rsyslog gives a queue only a short time at shutdown)."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        lines = _count_lines(relay.received)
        if lines >= sent:
            return
        if lines != last:
            last, since = lines, time.monotonic()
        elif time.monotonic() - since > quiet_s:
            return
        time.sleep(0.2)  # polling the received file's length


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def _expect(pipe: Connection, what: str, timeout: float) -> Any:
    """The worker's next message, which must be ``what``."""
    if not pipe.poll(timeout):
        raise TimeoutError(f"a fleet worker did not report '{what}' within {timeout:g} s")
    try:
        message = pipe.recv()
    except EOFError:
        raise RuntimeError(f"a fleet worker died before reporting '{what}'") from None
    if message[0] != what:
        raise RuntimeError(f"a fleet worker said {message[0]!r}, expected {what!r}")
    return message


def _journal_rows(path: str, key: bytes) -> tuple[str, list[tuple[int, str]]]:
    with AuditJournal.open(Path(path), key, read_only=True) as journal:
        journal_id = journal.journal_id or ""
    with sqlite3.connect(Path(path).as_uri() + "?mode=ro", uri=True) as conn:
        rows = [
            (int(s), str(m)) for s, m in conn.execute("SELECT sequence, mac FROM journal ORDER BY sequence")
        ]
    return journal_id, rows


def _judge(
    params: FleetParams, reports: list[StationReport], arrivals: list[Arrival], end: float, up: float
) -> dict[str, Any]:
    received = {(a.station, a.journal, a.seq, a.mac) for a in arrivals}
    expected: set[tuple[str, str, int, str]] = set()
    owed: set[tuple[str, str, int, str]] = set()
    for report in reports:
        for i, path in enumerate(report.journals):
            journal_id, rows = _journal_rows(path, report.key)
            current = i == len(report.journals) - 1
            for seq, mac in rows:
                row = (report.station_id, journal_id, seq, mac)
                expected.add(row)
                if not current or seq <= report.acked:
                    owed.add(row)
    first: dict[tuple[str, str, int], float] = {}
    last_seq: dict[tuple[str, str], int] = {}
    out_of_order: set[str] = set()
    backlog_last = up
    for a in arrivals:
        k = (a.station, a.journal, a.seq)
        if k in first:
            continue
        first[k] = a.arrived
        if a.seq <= last_seq.get((a.station, a.journal), 0):
            out_of_order.add(a.station)
        last_seq[(a.station, a.journal)] = a.seq
        if a.recorded_at <= end:
            backlog_last = max(backlog_last, a.arrived)
    per_station = Counter(a.station for a in arrivals)
    unique_per_station = Counter(station for station, _, _, _ in received)
    duplicates = {
        st: n - unique_per_station[st] for st, n in per_station.items() if n > unique_per_station[st]
    }
    now = max((a.recorded_at for a in arrivals if a.msgid == "heartbeat"), default=end)
    alerts = run_rules(arrivals, heartbeat_interval_s=HEARTBEAT_EVERY.total_seconds(), now=now)
    injected = sorted(
        (
            {Fault.ROLLBACK.value: Rule.HEAD_BACKWARDS, Fault.DELETE.value: Rule.HEAD_BACKWARDS}.get(
                r.fault, Rule.SILENT_HEARTBEAT
            ).value,
            r.station_id,
        )
        for r in reports
        if r.fault != Fault.NONE.value
    )
    found = sorted((a.rule.value, a.station) for a in alerts)
    return {
        "stations": params.stations,
        "target": params.target,
        "records": len(expected),
        "records_sent": sum(r.frames_sent for r in reports),
        "records_received": len(arrivals),
        "unique_received": len(received),
        "duplicates": len(arrivals) - len(received),
        "duplicates_by_station": dict(sorted(duplicates.items())),
        "lost": len(owed - received),
        "unshipped_at_stop": len(expected - owed - received),
        "in_order": not out_of_order,
        "out_of_order_stations": sorted(out_of_order),
        "catch_up_s": round(backlog_last - up, 2),
        "catch_up_records_per_s": round(len(expected) / max(backlog_last - up, 1e-3), 1),
        "connections": sum(r.connections for r in reports),
        "shipper_failures": sum(r.failures for r in reports),
        "alerts": [asdict(a) for a in alerts],
        "injected": [list(i) for i in injected],
        "alerts_match": found == injected,
    }


def _relay_figures(
    relay: Relay,
    samples: list[Sample],
    handshakes: list[float],
    arrivals: list[Arrival],
    up: float,
    caught_at: float,
) -> dict[str, Any]:
    window = [s for s in samples if up <= s.t <= caught_at]  # a restart may follow at once
    cpu_peak = 0.0
    for a, b in zip(window, window[4:], strict=False):  # over about a second
        if b.t > a.t and b.cpu_s >= a.cpu_s:
            cpu_peak = max(cpu_peak, (b.cpu_s - a.cpu_s) / (b.t - a.t))
    cpu_s = window[-1].cpu_s if window else 0.0
    span = max(caught_at - up, 1e-9)
    per_second = Counter(int(a.arrived - up) for a in arrivals if a.arrived >= up)
    hs = Counter(int(t - up) for t in handshakes if t >= up)
    stats = relay.stats()
    queues = [s for s in stats if s.get("origin") == "core.queue" and s.get("name") == "stations"]
    inputs = [s for s in stats if s.get("origin") in ("imtcp", "imrelp")]
    return {
        "peak_connections": max((s.sessions for s in samples), default=0),
        "handshakes_after_relay_up": len([t for t in handshakes if t >= up]),
        "peak_handshakes_per_s": max(hs.values(), default=0),
        "relay_cpu_s": round(cpu_s, 2),
        "relay_cpu_mean_pct": round(100 * cpu_s / span, 1),
        "relay_cpu_peak_pct": round(100 * cpu_peak, 1),
        "peak_ingest_per_s": max(per_second.values(), default=0),
        "mean_ingest_per_s": round(sum(per_second.values()) / span, 1),
        "ingest_per_s": [per_second.get(i, 0) for i in range(int(span) + 1)],
        "impstats": {
            "max_queue_size": max((int(q.get("maxqsize", q.get("size", 0))) for q in queues), default=0),
            "discarded": sum(int(q.get("discarded.full", 0)) + int(q.get("discarded.nf", 0)) for q in queues),
            "peak_submitted_per_s": max((int(s.get("submitted", 0)) for s in inputs), default=0),
            "submitted": sum(int(s.get("submitted", 0)) for s in inputs),
        },
        "refused_sessions": relay.refused_sessions(),
        "relay_max_rss_mb": round(
            max((int(s.get("maxrss", 0)) for s in stats if s.get("name") == "resource-usage"), default=0)
            / 1024,
            1,
        ),
    }


def _restart_figures(
    params: FleetParams, samples: list[Sample], handshakes: list[float], restarted: float
) -> dict[str, Any]:
    """How the stations came back after a relay restart (no outage: they were all connected)."""
    after = [t - restarted for t in handshakes if t >= restarted]
    per_second = Counter(int(t) for t in after)
    ordered = sorted(after)
    half = ordered[len(ordered) // 2] if ordered else None
    return {
        "watched_s": params.restart_s,
        "handshakes": len(after),
        "handshakes_first_5_s": sum(1 for t in after if t < 5),
        "peak_handshakes_per_s": max(per_second.values(), default=0),
        "median_reconnect_s": None if half is None else round(half, 1),
        "sessions_before_stop": max(
            (
                s.sessions
                for s in samples
                if restarted + params.restart_s - 2 <= s.t <= restarted + params.restart_s
            ),
            default=0,
        ),
    }
