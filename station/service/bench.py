"""What the station service's socket costs a verification: ``python -m station.service.bench``.

The same parts (the emulator on loopback, the HTTP client, a journal in a temporary folder) serve
verifications in the caller's process (:class:`~station.application.port.InProcessVerifier`) and
through the service over a real Unix socket (:class:`~station.service.client.ServiceVerifier`),
alternating one attempt of each so both see the same machine load; then ``refresh()`` (the
desk's readiness question) alone. Prints medians and 95th percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from station.api import Credential, Environment, LivenessClient, RetryPolicy, Timeouts
from station.application.port import Capture, InProcessVerifier, VerifierPort
from station.application.recording import AttemptContext, JournalRecorder
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.core.decision import DecisionPolicy
from station.emulator import Emulator
from station.resources import sample_path
from station.service.access import AccessRule
from station.service.client import ServiceVerifier
from station.service.server import StationService
from station.service.unix import UnixListener, unix_connector

__all__ = ["main"]

_KEY = bytes(range(32))


def _line(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"{label}: median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def _timed_verify(port: VerifierPort, capture: Capture) -> float:
    start = time.perf_counter()
    report = await port.verify(capture)
    elapsed = time.perf_counter() - start
    if not report.final:
        raise SystemExit(f"a benchmark verification was not final: {report.message}")
    return elapsed


async def _run(attempts: int, folder: Path) -> list[str]:
    jpeg = sample_path("face.jpg").read_bytes()
    with Emulator(scenario="live") as emulator, AuditJournal.open(folder / "audit.sqlite3", _KEY) as journal:
        async with LivenessClient(
            Credential(Environment.SANDBOX, emulator.token),
            base_url=emulator.base_url,
            timeouts=Timeouts(connect=2, read=10, write=2, deadline=20),
            retry=RetryPolicy(attempts=1),
        ) as client:
            parts = Verifier(client, DecisionPolicy(), JournalRecorder(journal, AttemptContext()))
            service = StationService(parts, None, AccessRule(os.geteuid(), None))
            listener = UnixListener(folder / "station.sock")
            await listener.start(service.handle)
            remote = ServiceVerifier(unix_connector(listener.path))
            local = InProcessVerifier(parts)
            try:
                await remote.refresh()
                times: dict[str, list[float]] = {"in-process": [], "service": []}
                for number in range(attempts + 3):  # the first three warm both paths up
                    capture = Capture(jpeg, number, "bench")
                    for name, port in (("in-process", local), ("service", remote)):
                        elapsed = await _timed_verify(port, capture)
                        if number >= 3:
                            times[name].append(elapsed)
                refreshes = []
                for _ in range(500):
                    start = time.perf_counter()
                    await remote.refresh()
                    refreshes.append(time.perf_counter() - start)
            finally:
                await remote.close()
                await listener.close()
                await service.drain()
    median_gap = statistics.median(times["service"]) - statistics.median(times["in-process"])
    return [
        f"JPEG {len(jpeg)} bytes, {attempts} verifications each",
        _line("verify in-process", times["in-process"]),
        _line("verify through the service", times["service"]),
        f"the socket's cost per verification (difference of medians): {median_gap * 1000:.2f} ms",
        _line("refresh() through the service", refreshes),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m station.service.bench", description=__doc__)
    parser.add_argument("--attempts", type=int, default=100, help="verifications per path (default 100)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="station-svc-bench-") as folder:
        for line in asyncio.run(_run(args.attempts, Path(folder))):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
