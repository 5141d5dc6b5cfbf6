"""The relay's maximum ingest on this machine, measured before the fleet is let loose on it.

Several sender processes (so the senders are not the bottleneck) each hold a few mutual-TLS
connections to the relay and write pre-encoded RFC 5425 frames of the station's real size
(rows of a built backlog, :func:`station.ship.payload.encode_frame`) as fast as the relay reads
them, for ``seconds``. The relay is pinned to one CPU with ``taskset`` and the senders to the
others. The relay is judged by its own ``impstats`` counters, one block a second: what ``imtcp``
submitted, what the SIEM action wrote, the queue size, and anything discarded. The maximum is the
median of the per-second rates over the steady part of the run (the first and last seconds cut).

``python -m station.bench fleet --capacity`` prints it as one JSON object.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import ssl
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from station.audit import AuditJournal
from station.bench.fleet.backlog import BacklogPlan, build_journal
from station.bench.fleet.pki import Pki, make_pki
from station.bench.fleet.relay import Relay, RelaySettings
from station.ship.config import PayloadFormat
from station.ship.event import ShippedEvent
from station.ship.payload import encode_frame

__all__ = ["measure_capacity", "measure_handshakes"]


def _frames(folder: Path) -> bytes:
    """A chunk of real frames (a day of one station's rows, about 340)."""
    key = bytes(range(32))
    plan = BacklogPlan("capacity-station", datetime.now(UTC), 1.0, 50, seed=1)
    build_journal(folder / "audit.sqlite3", key, plan)
    with AuditJournal.open(folder / "audit.sqlite3", key, read_only=True) as journal:
        jid = journal.journal_id or "capacity"
        rows = journal.rows_after(0, 10_000)
    events = [ShippedEvent.from_stored(r, station_id="capacity-station", journal_id=jid) for r in rows]
    return b"".join(encode_frame(e, PayloadFormat.JSON) for e in events)


def _sender(
    port: int,
    pki: Pki,
    chunk: bytes,
    frames: int,
    connections: int,
    seconds: float,
    cpus: set[int],
    conn: Connection,
) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)
    context = ssl.create_default_context(cafile=str(pki.ca))
    context.load_cert_chain(str(pki.station_cert), str(pki.station_key))
    sent = [0]
    lock = threading.Lock()

    def blast() -> None:
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            conn_ready.wait()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                tls.sendall(chunk)
                with lock:
                    sent[0] += frames

    conn_ready = threading.Event()
    threads = [threading.Thread(target=blast, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    conn.send("ready")
    conn.recv()
    conn_ready.set()
    for t in threads:
        t.join()
    conn.send(sent[0])


def _handshaker(port: int, pki: Pki, seconds: float, cpus: set[int], conn: Connection) -> None:
    """Full TLS handshakes (with the client certificate), one after another, for ``seconds``."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    context = ssl.create_default_context(cafile=str(pki.ca))
    context.load_cert_chain(str(pki.station_cert), str(pki.station_key))
    conn.send("ready")
    conn.recv()
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(b"")
        done += 1
    conn.send(done)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_handshakes(
    rsyslogd: str, *, senders: int = 3, seconds: float = 10.0, relay_cpu: int | None = None
) -> dict[str, Any]:
    """Full handshakes per second the relay completes, and its CPU per handshake."""
    cpus = sorted(os.sched_getaffinity(0))
    if relay_cpu is None and len(cpus) >= 2:
        relay_cpu = cpus[-1]
    others = {c for c in cpus if c != relay_cpu}
    with tempfile.TemporaryDirectory(prefix="station-fleet-handshakes-") as tmp:
        root = Path(tmp)
        pki = make_pki(root / "pki")
        relay = Relay(
            rsyslogd, root / "relay", pki.relay_cert, pki.relay_key, pki.ca, RelaySettings(cpu=relay_cpu)
        )
        relay.start()
        assert relay.pid is not None
        context = multiprocessing.get_context("spawn")
        pipes, processes = [], []
        try:
            for _ in range(senders):
                parent, child = context.Pipe()
                p = context.Process(target=_handshaker, args=(relay.port, pki, seconds, others, child))
                p.start()
                pipes.append(parent)
                processes.append(p)
            for pipe in pipes:
                assert pipe.recv() == "ready"
            cpu_before, started = _cpu_seconds(relay.pid), time.monotonic()
            for pipe in pipes:
                pipe.send("go")
            done = sum(int(pipe.recv()) for pipe in pipes)
            elapsed, cpu = time.monotonic() - started, _cpu_seconds(relay.pid) - cpu_before
        finally:
            for p in processes:
                p.join(timeout=30)
            relay.stop()
    return {
        "handshakes": done,
        "handshakes_per_s": round(done / elapsed, 1),
        "relay_cpu_ms_per_handshake": round(1000 * cpu / done, 2) if done else None,
        "relay_cpu_pct_during": round(100 * cpu / elapsed, 1),
    }


def measure_capacity(
    rsyslogd: str,
    *,
    senders: int = 3,
    connections: int = 4,
    seconds: float = 20.0,
    relay_cpu: int | None = None,
) -> dict[str, Any]:
    """See the module docstring. ``relay_cpu`` defaults to the last CPU when there are two or more."""
    cpus = sorted(os.sched_getaffinity(0))
    if relay_cpu is None and len(cpus) >= 2:
        relay_cpu = cpus[-1]
    others = {c for c in cpus if c != relay_cpu}
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="station-fleet-capacity-") as tmp:
        root = Path(tmp)
        pki = make_pki(root / "pki")
        chunk = _frames(root)
        frames = chunk.count(b"[station@32473")
        relay = Relay(
            rsyslogd, root / "relay", pki.relay_cert, pki.relay_key, pki.ca, RelaySettings(cpu=relay_cpu)
        )
        relay.start()
        context = multiprocessing.get_context("spawn")
        pipes = []
        processes = []
        try:
            for _ in range(senders):
                parent, child = context.Pipe()
                p = context.Process(
                    target=_sender, args=(relay.port, pki, chunk, frames, connections, seconds, others, child)
                )
                p.start()
                pipes.append(parent)
                processes.append(p)
            for pipe in pipes:
                assert pipe.recv() == "ready"
            started = time.time()
            for pipe in pipes:
                pipe.send("go")
            sent = sum(int(pipe.recv()) for pipe in pipes)
            blasted = time.time() - started
            # let the relay finish its queue, then stop it
            deadline = time.monotonic() + 120
            while _lines(relay.received) < sent and time.monotonic() < deadline:
                time.sleep(0.2)  # polling the received file's length
            drained = time.time() - started
        finally:
            for p in processes:
                p.join(timeout=30)
            relay.stop()
        stats = relay.stats()
        written = _lines(relay.received)
    return _summary(stats, sent, written, blasted, drained, senders, connections, relay_cpu, load_start)


def _lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def _summary(
    stats: list[dict[str, Any]],
    sent: int,
    written: int,
    blasted: float,
    drained: float,
    senders: int,
    connections: int,
    relay_cpu: int | None,
    load_start: float,
) -> dict[str, Any]:
    submitted = [int(s.get("submitted", 0)) for s in stats if s.get("origin") == "imtcp"]
    queues = [s for s in stats if s.get("origin") == "core.queue" and s.get("name") == "stations"]
    # action-0 is the stations ruleset's omfile (the SIEM's stand-in), the first action defined
    actions = [int(s.get("processed", 0)) for s in stats if s.get("name") == "action-0-builtin:omfile"]
    busy = [v for v in submitted if v > 0]
    steady = busy[2:-2] if len(busy) > 6 else busy
    written_steady = [v for v in actions if v > 0]
    written_steady = written_steady[2:-2] if len(written_steady) > 6 else written_steady
    return {
        "relay_max_ingest_per_s": round(statistics.median(steady)) if steady else 0,
        "relay_max_written_per_s": round(statistics.median(written_steady)) if written_steady else 0,
        "relay_peak_submitted_per_s": max(submitted, default=0),
        "relay_max_queue_size": max((int(q.get("maxqsize", 0)) for q in queues), default=0),
        "relay_discarded": sum(
            int(q.get("discarded.full", 0)) + int(q.get("discarded.nf", 0)) for q in queues
        ),
        "frames_sent": sent,
        "frames_written": written,
        "send_s": round(blasted, 1),
        "drain_s": round(drained, 1),
        "overall_written_per_s": round(written / drained) if drained else 0,
        "senders": senders,
        "connections_per_sender": connections,
        "relay_cpu": relay_cpu,
        "load_avg_1m_start": round(load_start, 2),
        "load_avg_1m_end": round(os.getloadavg()[0], 2),
    }
