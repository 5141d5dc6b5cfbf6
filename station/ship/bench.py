"""Shipping benchmark: records per second over TLS to a local rsyslog, and a day's backlog drained.

Measures, against a real ``rsyslogd`` (Debian ``rsyslog`` + ``rsyslog-gnutls``) started on a
loopback port with a throwaway CA (``trustme``, a development dependency):

``ship_records_per_s``
    5 000 journal rows shipped by :class:`~station.ship.shipper.Shipper` (batches on one TLS
    connection), divided by the time until rsyslog has written the last one.
``ship_drain_5000_s``
    that time: a day's backlog of a busy station, drained.
``ship_naive_records_per_s`` / ``ship_naive_drain_5000_s``
    the naive path a developer writes first, one TLS connection per record (connect, handshake,
    send, close), measured on 300 records and extrapolated to 5 000.

``python -m station.ship.bench`` prints one JSON object; a figure that cannot be taken (no
rsyslogd, no trustme) is ``null`` with the reason under ``ship_skipped``. Run on a quiet machine.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from station.audit import AuditJournal, AuditRecord
from station.ship.config import ShipConfig, TargetKind
from station.ship.event import ShippedEvent
from station.ship.payload import encode_frame
from station.ship.shipper import Shipper
from station.ship.syslog import SyslogTlsTarget

__all__ = ["main", "measure", "measure_or_skip"]

ROWS = 5000
NAIVE_ROWS = 300
_KEY = bytes(range(32))


class _LocalRelay:
    """rsyslogd in the foreground on 127.0.0.1 with TLS, counting the lines it writes."""

    def __init__(self, rsyslogd: str, folder: Path, cert: Path, key: Path, ca: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.output = folder / "received.log"
        conf = folder / "rsyslog.conf"
        conf.write_text(
            f'global(workDirectory="{folder}" maxMessageSize="64k" defaultNetstreamDriver="gtls"\n'
            f'  defaultNetstreamDriverCAFile="{ca}" defaultNetstreamDriverCertFile="{cert}"\n'
            f'  defaultNetstreamDriverKeyFile="{key}")\n'
            'module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1"\n'
            '  streamDriver.authMode="anon")\n'
            'template(name="seq" type="string" string="%msgid%\\n")\n'
            f'input(type="imtcp" port="{self.port}" address="127.0.0.1")\n'
            f'action(type="omfile" file="{self.output}" template="seq")\n'
        )
        self.process = subprocess.Popen(  # noqa: S603 - rsyslogd found on PATH or in /usr/sbin
            [rsyslogd, "-n", "-f", str(conf), "-i", str(folder / "pid")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait(lambda: self._listening(), 20)

    def _listening(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False

    @staticmethod
    def _wait(condition: Any, timeout: float) -> float:
        start = time.perf_counter()
        while not condition():
            if time.perf_counter() - start > timeout:
                raise TimeoutError("the local rsyslog did not get there in time")
            time.sleep(0.002)  # polling a file: the resolution of the measurement
        return time.perf_counter() - start

    def lines(self) -> int:
        try:
            with self.output.open("rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 16), b""))
        except FileNotFoundError:
            return 0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


def _fill(journal: AuditJournal, count: int) -> None:
    for i in range(count):
        journal.append(
            AuditRecord(
                station_id="bench-station",
                operator_id="op-1",
                customer_ref=f"CUST-{i:06d}",
                client_id=f"face_liveness_v5_{i:012d}",
                outcome="LIVE",
                score=0.91,
                notes="bench row",
            )
        )


def measure(folder: Path, rows: int = ROWS) -> dict[str, Any]:
    """Every figure of the module docstring (seconds and records per second)."""
    import trustme  # development dependency: only the benchmark and the tests make a CA

    rsyslogd = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    ca_pem, cert, key = folder / "ca.pem", folder / "relay.pem", folder / "relay.key"
    ca.cert_pem.write_to_path(str(ca_pem))
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    relay = _LocalRelay(rsyslogd, folder, cert, key, ca_pem)
    try:
        config = ShipConfig(
            target=TargetKind.SYSLOG_TLS,
            station_id="bench-station",
            relay_host="127.0.0.1",
            relay_port=relay.port,
            ca_bundle=ca_pem,
            resend_window=timedelta(seconds=1),
            heartbeat_interval=timedelta(days=1),
        )
        with AuditJournal.open(folder / "audit.sqlite3", _KEY) as journal:
            _fill(journal, rows)
            shipper = Shipper(journal, config, SyslogTlsTarget(config), key=_KEY, anchor_path=None)
            start = time.perf_counter()
            expected = rows + 1  # and the start-up heartbeat
            while relay.lines() < expected:
                delay = shipper.step()
                if delay > 0 and relay.lines() < expected:
                    _LocalRelay._wait(lambda: relay.lines() >= expected, 60)
            drain = time.perf_counter() - start
            shipper.request_stop()
            naive = _naive(journal, config, ca_pem, relay, min(NAIVE_ROWS, rows))
    finally:
        relay.stop()
    return {
        "ship_records_per_s": round(expected / drain, 1),
        "ship_drain_5000_s": round(drain, 3),
        "ship_naive_records_per_s": round(naive, 1),
        "ship_naive_drain_5000_s": round(rows / naive, 3),
    }


def _naive(journal: AuditJournal, config: ShipConfig, ca_pem: Path, relay: _LocalRelay, count: int) -> float:
    """One TLS connection per record; returns records per second."""
    journal_id = journal.journal_id or "bench"
    rows = journal.rows_after(0, count)
    context = ssl.create_default_context(cafile=str(ca_pem))
    before = relay.lines()
    start = time.perf_counter()
    for row in rows:
        event = ShippedEvent.from_stored(row, station_id=config.station_id, journal_id=journal_id)
        with (
            socket.create_connection(("127.0.0.1", relay.port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(encode_frame(event, config.payload_format))
    relay._wait(lambda: relay.lines() >= before + len(rows), 60)
    return len(rows) / (time.perf_counter() - start)


def measure_or_skip(rows: int = ROWS) -> dict[str, Any]:
    """:func:`measure` in a scratch folder; figures ``None`` and ``ship_skipped`` saying why if
    rsyslogd (or trustme) is not there."""
    folder = Path(tempfile.mkdtemp(prefix="station-ship-bench-"))
    try:
        result: dict[str, Any] = measure(folder, rows)
    except (ImportError, OSError, TimeoutError, subprocess.SubprocessError) as exc:
        result = {
            "ship_records_per_s": None,
            "ship_drain_5000_s": None,
            "ship_naive_records_per_s": None,
            "ship_naive_drain_5000_s": None,
            "ship_skipped": f"{type(exc).__name__}: {exc} (needs rsyslog, rsyslog-gnutls and trustme)",
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> int:
    result = measure_or_skip()
    print(json.dumps(result, indent=2))
    return 0 if result.get("ship_skipped") is None else 1


if __name__ == "__main__":
    sys.exit(main())
