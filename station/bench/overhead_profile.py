"""Where ``verify_overhead_ms`` goes: one verification of a 1080p frame, cut into its parts.

``python -m station.bench.overhead_profile [--samples 30]`` runs what ``verify_overhead_ms`` runs
(a controller over the station's desk, verifier, client and journal, the emulator on loopback,
Space to ``finished``) and times, per verification, the parts the station's own code spends:

* ``encode_ms``: the JPEG encode on its worker thread (``encode_jpeg``, quality 90);
* ``client_ms``: ``LivenessClient.verify_image`` (building the multipart body, the loopback
  round trip, reading and parsing the answer) minus the emulator's handler time;
* ``journal_ms``: the journal's appends of the attempt, per verification: the "attempt started"
  row before the call (``journal_started_ms``) and the outcome row after it (SQLite,
  ``synchronous=FULL``), of which ``head_ms`` keeping the head file beside the journal;
* ``rest_ms``: the remainder of Space → ``finished`` minus the emulator: the desk's checks, the
  hand-offs between the event loop and the worker threads, the hash of the upload, the decision,
  the signals.

The parts are timed by wrapping the station's functions in this process only (the product is not
changed). Prints one JSON object of medians.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from station.bench.qtsupport import median, print_figures

__all__ = ["main", "profile_overhead"]


async def profile_overhead(samples: int) -> dict[str, float]:
    import station.application.session as verifier_module
    from station.api.client import LivenessClient
    from station.application.recording import JournalRecorder
    from station.audit import AuditJournal
    from station.bench.desk import bench_controller, bench_journal, timed_verification
    from station.bench.frames import full_hd_frame
    from station.bench.verify import make_client
    from station.emulator import Emulator, Scenario

    parts: dict[str, list[float]] = {"encode_ms": [], "client_ms": [], "journal_ms": [], "head_ms": []}
    encode: Callable[..., bytes] = getattr(verifier_module, "encode_jpeg")  # noqa: B009

    def timed_encode(*args: Any, **kwargs: Any) -> bytes:
        started = time.perf_counter()
        try:
            return encode(*args, **kwargs)
        finally:
            parts["encode_ms"].append((time.perf_counter() - started) * 1000.0)

    def timed_async(name: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            finally:
                parts[name].append((time.perf_counter() - started) * 1000.0)

        return wrapper

    def timed_sync(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                parts[name].append((time.perf_counter() - started) * 1000.0)

        return wrapper

    verify_image, record = LivenessClient.verify_image, JournalRecorder.__call__
    keep_head = AuditJournal._keep_head
    setattr(AuditJournal, "_keep_head", timed_sync("head_ms", keep_head))  # noqa: B010
    setattr(verifier_module, "encode_jpeg", timed_encode)  # noqa: B010 - this process only
    setattr(LivenessClient, "verify_image", timed_async("client_ms", verify_image))  # noqa: B010
    setattr(JournalRecorder, "__call__", timed_async("journal_ms", record))  # noqa: B010
    frame = full_hd_frame()
    emulator = Emulator(scenario=Scenario.LIVE).start()
    totals: list[float] = []
    server: list[float] = []
    # Per counted verification: each part's calls summed (a verification appends two rows).
    per_verification: dict[str, list[float]] = {name: [] for name in parts}
    started_rows: list[float] = []
    try:
        client = make_client(emulator, emulator.base_url)
        with bench_journal() as journal:
            controller = bench_controller(client, journal)
            with emulator.timing() as durations:
                for index in range(samples + 2):
                    if index < 2:  # warm-ups: their parts are not counted
                        for values in parts.values():
                            values.clear()
                    seen = len(durations)
                    marks = {name: len(values) for name, values in parts.items()}
                    _, total = await timed_verification(controller, frame)
                    if index >= 2 and len(durations) == seen + 1:
                        totals.append(total - durations[seen] * 1000.0)
                        server.append(durations[seen] * 1000.0)
                        for name, values in parts.items():
                            per_verification[name].append(sum(values[marks[name] :]))
                        journal_calls = parts["journal_ms"][marks["journal_ms"] :]
                        if journal_calls:
                            started_rows.append(journal_calls[0])
                    await asyncio.sleep(0.01)
            await controller.wait_idle()
        await client.aclose()
    finally:
        emulator.stop()
        setattr(verifier_module, "encode_jpeg", encode)  # noqa: B010
        setattr(LivenessClient, "verify_image", verify_image)  # noqa: B010
        setattr(JournalRecorder, "__call__", record)  # noqa: B010
        setattr(AuditJournal, "_keep_head", keep_head)  # noqa: B010
    count = len(totals)
    encode_ms = median(per_verification["encode_ms"])
    client_ms = median([c - s for c, s in zip(per_verification["client_ms"], server, strict=True)])
    journal_ms = median(per_verification["journal_ms"])
    overhead = median(totals)
    return {
        "verify_overhead_ms": overhead,
        "encode_ms": encode_ms,
        "client_ms": client_ms,
        "journal_ms": journal_ms,
        "journal_started_ms": median(started_rows),
        "head_ms": median(per_verification["head_ms"]),
        "rest_ms": overhead - encode_ms - client_ms - journal_ms,
        "emulator_ms": median(server),
        "samples": float(count),
    }


def main(argv: list[str] | None = None) -> int:
    return print_figures(argv, "station.bench.overhead_profile", profile_overhead, samples=30)


if __name__ == "__main__":
    raise SystemExit(main())
