"""The station's own verification path for the benchmarks: the desk, its port and a journal.

The benchmarks measure what Space really does: the customer session, encoding in a thread, the
long-lived client, the decision and the journal write (fsync included), on a throwaway journal.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from station.api.client import LivenessClient
from station.application.attempt import AttemptReport
from station.application.desk import Desk
from station.application.factory import build_port
from station.application.gate import QualityGate
from station.application.recording import AttemptContext, JournalRecorder
from station.application.verifier import Verifier
from station.audit import AuditJournal
from station.bench.qtsupport import wait_signal
from station.camera import BGRImage
from station.core.decision import DecisionPolicy
from station.ui.controller import VerificationController

__all__ = ["bench_controller", "bench_journal", "timed_verification", "verify_once"]

_BENCH_KEY = b"bench-audit-key-".ljust(32, b"-")


#: The bench's frames are numbered as a camera numbers them: the desk never sends one twice.
_FRAME_NUMBERS = itertools.count(1)


@contextmanager
def bench_journal() -> Iterator[AuditJournal]:
    """A journal in a temporary folder, removed afterwards (never the station's own)."""
    with tempfile.TemporaryDirectory(prefix="station-bench-") as folder:
        journal = AuditJournal.open(Path(folder) / "bench-audit.sqlite3", _BENCH_KEY)
        try:
            yield journal
        finally:
            journal.close()


def bench_controller(client: LivenessClient, journal: AuditJournal) -> VerificationController:
    """A controller over a desk as the window has one (the quality gate off: frames are synthetic)."""
    verifier = Verifier(
        client, DecisionPolicy(), JournalRecorder(journal, AttemptContext(station_id="bench"))
    )
    return VerificationController(Desk(build_port(verifier), gate=QualityGate(enabled=False)))


async def verify_once(
    controller: VerificationController,
    frame: BGRImage,
    timeout: float = 30.0,  # noqa: ASYNC109
) -> AttemptReport:
    """One customer, one capture: the next customer's session, Space, the report."""
    report, _ = await timed_verification(controller, frame, timeout)
    return report


async def timed_verification(
    controller: VerificationController,
    frame: BGRImage,
    timeout: float = 30.0,  # noqa: ASYNC109
) -> tuple[AttemptReport, float]:
    """:func:`verify_once`, and the milliseconds from Space to ``finished``.

    The previous customer's session is closed first and its journal row written (at a counter the
    operator moves to the next customer before they sit down, not with Space): what is timed is
    Space alone, not the close of the last session or its row being written beside the capture."""
    controller.next_customer()
    await controller.desk.background.wait_idle()
    finished = asyncio.ensure_future(wait_signal(controller.finished, timeout))
    await asyncio.sleep(0)  # the waiter is connected before the press
    pressed = time.perf_counter()
    check = controller.try_capture(frame, sequence=next(_FRAME_NUMBERS))  # a new frame each time
    if not check.allowed:
        finished.cancel()
        raise RuntimeError(f"the bench capture was refused: {check.message}")
    (report,) = await finished
    elapsed_ms = (time.perf_counter() - pressed) * 1000.0
    assert isinstance(report, AttemptReport)
    return report, elapsed_ms
