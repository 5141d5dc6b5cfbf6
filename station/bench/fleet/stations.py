"""Simulated stations: each its own journal, key, anchor and the real :class:`Shipper`, many to a
process, one thread each (the shipper blocks on its socket; the GIL is released there, in
OpenSSL and in SQLite, so a few hundred threads share a core).

A worker process is driven over a pipe by :mod:`station.bench.fleet.scenario`:

``build``   write every station's backlog (:mod:`station.bench.fleet.backlog`); reply ``built``
``go``      start every station's shipper against the (still down) relay; they fail, back off
            with full jitter, and reconnect when the relay is back
(faults)    once a station marked ``rollback`` or ``delete`` has everything acknowledged, its
            journal is replaced by its old copy, or deleted and started afresh, and its shipper
            restarted: what the SIEM must then notice
``caught``  sent once every station has everything it holds acknowledged
``stop``    stop the shippers; reply ``stopped`` with every station's journals and counters
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path

from station.audit import AuditJournal
from station.bench.fleet.backlog import BacklogPlan, build_journal, restore
from station.bench.fleet.pki import Pki
from station.ship.config import ShipConfig, TargetKind
from station.ship.event import ShippedEvent
from station.ship.relp import RelpTlsTarget
from station.ship.shipper import Shipper
from station.ship.syslog import SyslogTlsTarget
from station.ship.target import ShipTarget

__all__ = ["Fault", "StationReport", "StationSpec", "WorkerSpec", "worker_main"]

_THREAD_STACK = 512 * 1024


class Fault(StrEnum):
    NONE = "none"
    ROLLBACK = "rollback"  # an old copy of the journal put back after it was shipped
    DELETE = "delete"  # the journal deleted after it was shipped; the station starts a new one
    STOP = "stop"  # the station switched off for hours during the outage


@dataclass(frozen=True, slots=True)
class StationSpec:
    station_id: str
    folder: Path
    seed: int
    fault: Fault
    plan: BacklogPlan


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    stations: tuple[StationSpec, ...]
    target: str  # "syslog_tls" or "relp_tls"
    relay_port: int
    pki: Pki
    backoff_cap_s: float
    resend_window_s: float
    batch_size: int


@dataclass(slots=True)
class StationReport:
    station_id: str
    fault: str
    #: every journal file the station has had: (path, key) — the current one last
    journals: list[str]
    key: bytes
    acked: int
    head: int
    frames_sent: int
    connections: int
    failures: int
    caught_up_at: float | None


@dataclass(slots=True)
class _Counters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    handshakes: list[float] = field(default_factory=list)
    frames: int = 0


class _Counted:
    """The real target behind a counter of handshakes and frames: every call goes to the target
    itself, so the sending path is the shipper's own."""

    def __init__(self, inner: SyslogTlsTarget | RelpTlsTarget, counters: _Counters, mine: list[int]) -> None:
        self._inner = inner
        self._counters = counters
        self._mine = mine
        self.name = inner.name
        self.needs_resend_window = inner.needs_resend_window

    def open(self) -> None:
        was = self._inner.connected
        self._inner.open()
        if not was:
            with self._counters.lock:
                self._counters.handshakes.append(time.time())
            self._mine[1] += 1

    def send(self, events: Sequence[ShippedEvent]) -> None:
        self._inner.send(events)
        with self._counters.lock:
            self._counters.frames += len(events)
        self._mine[0] += len(events)

    def is_alive(self) -> bool:
        return self._inner.is_alive()

    def closed_reason(self) -> str:
        return self._inner.closed_reason()

    def close(self) -> None:
        self._inner.close()


class _Station:
    def __init__(self, spec: StationSpec, worker: WorkerSpec, counters: _Counters) -> None:
        self.spec = spec
        self.path = spec.folder / "audit.sqlite3"
        self.key = random.Random(spec.seed ^ 0x5EED).randbytes(32)  # noqa: S311 - a simulated key
        self.anchor = spec.folder / "audit.anchor"
        self.worker = worker
        self.counters = counters
        self.mine = [0, 0]  # frames sent, connections
        self.snapshot: Path | None = None
        self.journals: list[Path] = [self.path]
        self.fault_done = spec.fault not in (Fault.ROLLBACK, Fault.DELETE)
        self.caught_up_at: float | None = None
        self.failures = 0
        self.journal: AuditJournal | None = None
        self.shipper: Shipper | None = None
        self.thread: threading.Thread | None = None
        self.rng = random.Random(spec.seed)  # noqa: S311 - jitter

    def build(self) -> int:
        built = build_journal(self.path, self.key, self.spec.plan)
        self.snapshot = built.snapshot
        return built.rows

    def _config(self) -> ShipConfig:
        w = self.worker
        return ShipConfig(
            target=TargetKind(w.target),
            station_id=self.spec.station_id,
            relay_host="127.0.0.1",
            relay_port=w.relay_port,
            ca_bundle=w.pki.ca,
            client_cert=w.pki.station_cert,
            client_key=w.pki.station_key,
            resend_window=timedelta(seconds=w.resend_window_s),
            backoff_cap=timedelta(seconds=w.backoff_cap_s),
        )

    def _target(self, config: ShipConfig) -> ShipTarget:
        inner = SyslogTlsTarget(config) if config.target is TargetKind.SYSLOG_TLS else RelpTlsTarget(config)
        return _Counted(inner, self.counters, self.mine)

    def start(self) -> None:
        config = self._config()
        self.journal = AuditJournal.open(self.path, self.key)
        self.shipper = Shipper(
            self.journal,
            config,
            self._target(config),
            key=self.key,
            anchor_path=self.anchor,
            rng=self.rng,
            batch_size=self.worker.batch_size,
        )
        self.thread = threading.Thread(target=self.shipper.run, name=self.spec.station_id, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.shipper is not None:
            self.shipper.request_stop()
        if self.thread is not None:
            self.thread.join()
        if self.shipper is not None:
            self.failures += self.shipper.status().errors_total
        if self.journal is not None:
            self.journal.close()

    def done(self) -> bool:
        """Everything this station holds is acknowledged."""
        assert self.shipper is not None
        status = self.shipper.status()
        return status.waiting == 0 and status.acked_sequence > 0

    def inject(self) -> None:
        """The station's fault, once it has shipped everything: see :class:`Fault`."""
        self.stop()
        if self.spec.fault is Fault.ROLLBACK:
            assert self.snapshot is not None
            original = self.path.with_name("audit.sqlite3.before-rollback")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{self.path}{suffix}", f"{original}{suffix}")
            restore(self.snapshot, self.path)
            self.journals.insert(0, original)
        else:
            gone = self.path.with_name("audit.sqlite3.deleted")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{self.path}{suffix}", f"{gone}{suffix}")
            self.journals.insert(0, gone)
        self.fault_done = True
        self.start()

    def report(self) -> StationReport:
        head = 0
        with (
            contextlib.suppress(Exception),
            AuditJournal.open(self.path, self.key, read_only=True) as journal,
        ):
            found = journal.head()
            head = found[0] if found else 0
        status = self.shipper.status() if self.shipper else None
        return StationReport(
            station_id=self.spec.station_id,
            fault=self.spec.fault.value,
            journals=[str(p) for p in self.journals],
            key=self.key,
            acked=status.acked_sequence if status else 0,
            head=head,
            frames_sent=self.mine[0],
            connections=self.mine[1],
            failures=self.failures,
            caught_up_at=self.caught_up_at,
        )


def worker_main(spec: WorkerSpec, conn: Connection) -> None:
    """The body of one worker process (see the module docstring)."""
    logging.basicConfig(level=logging.CRITICAL)  # a thousand "retrying in" lines say nothing here
    threading.stack_size(_THREAD_STACK)
    counters = _Counters()
    stations = [_Station(s, spec, counters) for s in spec.stations]
    assert conn.recv() == "build"
    rows = sum(station.build() for station in stations)
    conn.send(("built", rows))
    assert conn.recv() == "go"
    for station in stations:
        station.start()
    caught = False
    while not conn.poll(0.2):
        now = time.time()
        for station in stations:
            if (station.caught_up_at is None or not station.fault_done) and station.done():
                if not station.fault_done:
                    station.inject()
                elif station.caught_up_at is None:
                    station.caught_up_at = now
        if not caught and all(s.caught_up_at is not None for s in stations):
            caught = True
            conn.send(("caught", now))
    assert conn.recv() == "stop"
    for station in stations:
        if station.shipper is not None:
            station.shipper.request_stop()
    for station in stations:
        station.stop()
    with counters.lock:
        handshakes = list(counters.handshakes)
    conn.send(("stopped", [s.report() for s in stations], handshakes))
    conn.close()
