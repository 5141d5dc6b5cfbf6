"""What keeping the journal's head outside it costs per append: ``python -m station.audit.bench``.

Appends rows to a journal in a temporary folder (a real file, ``synchronous=FULL``) and times
each append (which now also checks the file is still the one open and rewrites the head file),
the head file's write alone, and the file check alone. Prints medians and 95th percentiles.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from station.audit.head import JournalHead, write_head
from station.audit.journal import AuditJournal
from station.audit.records import AuditRecord

__all__ = ["main"]

_KEY = bytes(range(32))


def _timed(action: Callable[[], object], times: int) -> list[float]:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return sorted(out)


def _line(label: str, seconds: list[float], unit: float = 1000.0, name: str = "ms") -> str:
    p95 = seconds[int(len(seconds) * 0.95)]
    return f"{label}: median {statistics.median(seconds) * unit:.2f} {name}, p95 {p95 * unit:.2f} {name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m station.audit.bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=500, help="appends to time (default 500)")
    args = parser.parse_args(argv)
    record = AuditRecord(outcome="LIVE", station_id="bench", notes="benchmark row")
    with tempfile.TemporaryDirectory(prefix="station-audit-bench-") as folder:
        with AuditJournal.open(Path(folder) / "audit.sqlite3", _KEY) as journal:
            appends = _timed(lambda: journal.append(record), args.rows)
            checks = _timed(journal.check_file, 2000)
        head = JournalHead("bench", 1, "0" * 64, datetime.now(UTC))
        heads = _timed(lambda: write_head(Path(folder) / "other.head", _KEY, head), args.rows)
    print(_line("append (file check + row + head file)", appends))
    print(_line("  of which the head file's write", heads))
    print(_line("  of which the file check", checks, 1e6, "µs"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
