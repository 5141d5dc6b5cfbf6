"""How far ``verify_overhead_ms`` is from the floor of the same work on this machine.

``python -m station.bench.overhead_floor [--samples 60]`` does a verification's work on one 1080p
frame three ways, in turn, in one process against one emulator:

* ``station_ms``: what ``verify_overhead_ms`` measures (the desk, the customer session, the port,
  the service client with its retries and deadline, the journal: Space to ``finished``);
* ``bare_async_ms``: the same steps and nothing else, as asyncio on the same qasync loop: the JPEG
  encode in a worker thread, its SHA-256, the "attempt started" row (in a worker thread), one
  multipart POST with a bare ``httpx.AsyncClient``, the answer parsed, the outcome row;
* ``bare_sync_ms``: the same steps in one worker thread with a bare ``httpx.Client``: about the
  least any station could do for the same evidence.

Each is the time minus the emulator's own (as ``verify_overhead_ms``). Taking them in turn,
verification by verification, keeps the machine's drift from minute to minute (which is larger
than the differences) out of the comparison. Prints one JSON object of medians.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from station.bench.qtsupport import median, print_figures

__all__ = ["compare_with_floor", "main"]

_WARM_UP_ROUNDS = 3


async def compare_with_floor(samples: int) -> dict[str, float]:
    import httpx

    from station.api.schema import parse_liveness_response
    from station.audit.records import KIND_ATTEMPT_STARTED, KIND_VERIFICATION, AuditRecord
    from station.bench.desk import bench_controller, bench_journal, timed_verification
    from station.bench.frames import full_hd_frame
    from station.bench.verify import make_client
    from station.core.encode import DEFAULT_JPEG_QUALITY, encode_jpeg
    from station.emulator import LIVENESS_PATH, Emulator, Scenario

    frame = full_hd_frame()
    emulator = Emulator(scenario=Scenario.LIVE).start()
    headers = {"Authorization": f"Bearer {emulator.token}"}
    times: dict[str, list[float]] = {"station_ms": [], "bare_async_ms": [], "bare_sync_ms": []}
    try:
        client = make_client(emulator, emulator.base_url)
        async with httpx.AsyncClient(base_url=emulator.base_url, trust_env=False) as bare_async:
            with (
                httpx.Client(base_url=emulator.base_url, trust_env=False) as bare_sync,
                bench_journal() as station_journal,
                bench_journal() as bare_journal,
            ):
                controller = bench_controller(client, station_journal)

                def rows(sha256: str) -> tuple[AuditRecord, AuditRecord]:
                    started = AuditRecord(kind=KIND_ATTEMPT_STARTED, station_id="bench", image_sha256=sha256)
                    return started, replace(started, kind=KIND_VERIFICATION, outcome="LIVE")

                def upload(jpeg: bytes) -> dict[str, tuple[str, bytes, str]]:
                    return {"file": ("capture.jpg", jpeg, "application/octet-stream")}

                async def station() -> float:
                    _, elapsed_ms = await timed_verification(controller, frame)
                    return elapsed_ms

                async def asynchronous() -> float:
                    started_at = time.perf_counter()
                    jpeg = await asyncio.to_thread(encode_jpeg, frame, DEFAULT_JPEG_QUALITY)
                    started, outcome = rows(hashlib.sha256(jpeg).hexdigest())
                    await asyncio.to_thread(bare_journal.append, started)
                    answer = await bare_async.post(LIVENESS_PATH, files=upload(jpeg), headers=headers)
                    parse_liveness_response(answer.content)
                    await asyncio.to_thread(bare_journal.append, outcome)
                    return (time.perf_counter() - started_at) * 1000.0

                def in_one_thread() -> None:
                    jpeg = encode_jpeg(frame, DEFAULT_JPEG_QUALITY)
                    started, outcome = rows(hashlib.sha256(jpeg).hexdigest())
                    bare_journal.append(started)
                    answer = bare_sync.post(LIVENESS_PATH, files=upload(jpeg), headers=headers)
                    parse_liveness_response(answer.content)
                    bare_journal.append(outcome)

                async def synchronous() -> float:
                    started_at = time.perf_counter()
                    await asyncio.to_thread(in_one_thread)
                    return (time.perf_counter() - started_at) * 1000.0

                ways: dict[str, Callable[[], Awaitable[float]]] = {
                    "station_ms": station,
                    "bare_async_ms": asynchronous,
                    "bare_sync_ms": synchronous,
                }
                with emulator.timing() as durations:
                    for round_ in range(samples + _WARM_UP_ROUNDS):
                        for name, way in ways.items():
                            seen = len(durations)
                            total = await way()
                            if round_ >= _WARM_UP_ROUNDS and len(durations) == seen + 1:
                                times[name].append(total - durations[seen] * 1000.0)
                            await asyncio.sleep(0.01)
                await controller.wait_idle()
        await client.aclose()
    finally:
        emulator.stop()
    result = {name: median(values) for name, values in times.items()}
    result["samples"] = float(min(len(values) for values in times.values()))
    return result


def main(argv: list[str] | None = None) -> int:
    return print_figures(argv, "station.bench.overhead_floor", compare_with_floor, samples=60)


if __name__ == "__main__":
    raise SystemExit(main())
