"""``python -m station.bench day [--customers 20] [--json] [--script FILE]``: a scripted counter day.

The real station runs headless (Qt offscreen) as ``station --demo`` builds it — window,
controller, customer session, quality gate and guide, verifier, client, journal — with a scripted
1280x720 camera (:class:`~station.bench.scenes.CounterCamera`) and its in-process emulator behind
a :class:`~station.bench.servicelink.ServiceLink` (1 s service latency, the script's 5xx, 429,
slow answer and reset). An operator (:func:`serve`) works through the customers of
``resources/bench/day.json``: presses Space at the script's moments (a double press too), follows
the instruction shown (the guide's objection, a RETRY, "try once more" after a first SPOOF), waits
for the guide's Ready after fixing a picture, and presses Enter for the next customer. Then the
same day again on the naive station (:class:`~station.bench.counters.NaiveCounter`: no guide,
retry on every error, no debounce), on its own window, camera and emulator.

Counted, per station:

* **paid calls**: credits the emulator charged (one per answered liveness call, as the service
  bills; a call the client gave up on but the service finished is charged too);
* **calls made**: requests that reached the link (5xx, 429 and reset ones included);
* **completed verifications**: verdicts on the person (LIVE, SPOOF, REVIEW) the operator acted on;
  a RETRY, an ERROR or the second answer of a double press completes nothing;
* **calls refused by the guide**: captures the quality gate stopped and the operator let go;
* **click-to-verdict**: from a press that started a verification to its result on screen;
* **verdicts correct**: every LIVE/SPOOF shown against the person the script put in front of the
  camera, and each customer's final verdict against the script's.

What the service answers about each picture is the script's ``service_answers`` (the emulator has
no liveness model, and its own detector misses a face in a few frames in a hundred): a capture of
the seated customer is answered for the person (live, or spoof for a photo held up), a poor one
as the service would (no face, several faces, low detection).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from station.bench.counters import NaiveCounter, Press, Result, StationCounter
from station.bench.dayscript import Customer, DayScript, DayScriptError, load_day
from station.bench.qtsupport import median, percentile
from station.bench.results import Metric, format_table, to_json
from station.bench.scenes import CounterCamera, Picture
from station.bench.servicelink import ServiceLink
from station.core.models import OutcomeKind

__all__ = ["DayTally", "main", "run_day"]

VERDICTS = (OutcomeKind.LIVE, OutcomeKind.SPOOF, OutcomeKind.REVIEW)
CAMERA_SIZE = (1280, 720)
#: How long the operator waits for the guide's Ready after fixing a picture before pressing anyway.
READY_PATIENCE_S = 5.0


class Counter(Protocol):
    name: str

    def press(self) -> Press | None: ...
    def guide_ready(self) -> bool: ...
    def next_customer(self) -> None: ...
    async def aclose(self) -> None: ...

    @property
    def refused_by_guide(self) -> int: ...
    @property
    def has_guide(self) -> bool: ...
    @property
    def session_closed(self) -> bool: ...


@dataclass
class DayTally:
    """One station's day."""

    name: str
    customers: int = 0
    presses: int = 0
    verifications: int = 0
    completed: int = 0
    verdicts_shown: int = 0
    verdicts_wrong: int = 0
    finals_right: int = 0
    refused_by_guide: int = 0
    paid_calls: int = 0
    calls_made: int = 0
    click_to_verdict_s: list[float] = field(default_factory=list)
    duration_s: float = 0.0
    log: list[str] = field(default_factory=list)

    @property
    def paid_per_completed(self) -> float:
        return self.paid_calls / self.completed if self.completed else float("nan")


async def _until(condition: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def serve(
    customer: Customer,
    counter: Counter,
    camera: CounterCamera,
    link: ServiceLink,
    script: DayScript,
    tally: DayTally,
) -> None:
    """One customer, as the script and the instructions on screen say."""
    habits = script.operator
    picture = customer.first_picture
    camera.show(picture)
    link.set_default(script.answer(customer, picture))
    link.clear_plan()
    if customer.fault is not None:
        link.plan(script.faults[customer.fault])
    await asyncio.sleep(customer.press_after_s)
    spoofs = 0
    final: OutcomeKind | None = None
    double = customer.double_press

    async def fix() -> None:
        """The customer does what the operator asked: light on, closer, alone, still, seated."""
        nonlocal picture
        await asyncio.sleep(customer.fix_after_s)
        picture = Picture.CUSTOMER
        camera.show(picture)
        link.set_default(script.answer(customer, picture))
        if counter.has_guide:
            await _until(counter.guide_ready, READY_PATIENCE_S)

    for _ in range(habits.max_presses_per_customer):
        tally.presses += 1
        press = counter.press()
        if double:
            double = False
            await asyncio.sleep(habits.double_press_gap_s)
            tally.presses += 1
            extra = counter.press()
            if extra is not None:
                tally.verifications += 1  # a second call for nothing: nobody waits for it
        if press is None:
            await fix()  # the guide objected: follow its instruction, then press on Ready
            continue
        tally.verifications += 1
        result: Result = await press.result
        tally.click_to_verdict_s.append(time.monotonic() - press.at)
        tally.log.append(f"{customer.id} {picture.value} -> {result.kind.value}")
        if result.kind in VERDICTS:
            tally.completed += 1
            tally.verdicts_shown += 1
            truth = OutcomeKind.SPOOF if customer.spoof else OutcomeKind.LIVE
            tally.verdicts_wrong += result.kind is not truth
            final = result.kind
        if result.kind is OutcomeKind.RETRY:
            await fix()
            continue
        if result.kind is OutcomeKind.ERROR:
            await asyncio.sleep(habits.presses_again_after_error_s)
            continue
        if result.kind is OutcomeKind.SPOOF:
            spoofs += 1
            if spoofs < 2 and not counter.session_closed:
                await asyncio.sleep(habits.tries_again_after_spoof_s)  # "try once more"
                continue
        break
    tally.customers += 1
    tally.finals_right += final is not None and final.value == customer.expected
    await asyncio.sleep(habits.reads_verdict_s)
    counter.next_customer()


async def _run_station(kind: str, script: DayScript) -> DayTally:
    from station.api.credentials import Credential
    from station.app import build_station
    from station.application.factory import StationConfig, build_client

    tally = DayTally(kind)
    with tempfile.TemporaryDirectory(prefix="station-bench-day-") as folder:
        config = StationConfig(
            demo=True,
            camera="demo",
            audit_db=Path(folder) / "day-audit.sqlite3",
            quality_gate=kind == "station",
            station_id="bench-day",
            operator_id="bench-operator",
        )
        camera = CounterCamera(*CAMERA_SIZE, fps=30.0, shows=Picture.NOBODY)
        for picture in Picture:
            camera.show(picture)  # every picture made before the clock starts
        camera.show(Picture.NOBODY)
        station = build_station(config, source_factory=lambda: camera)
        emulator = station.emulator
        assert emulator is not None
        link = ServiceLink(("127.0.0.1", emulator.port), script.service_latency_s).start()
        counter: Counter
        if kind == "station":
            client, why = build_client(
                config, credential=Credential(config.environment, emulator.token), base_url=link.url
            )
            if client is None:
                raise RuntimeError(f"the station's client could not be built: {why}")
            old = station.verifier.swap_client(client)
            if old is not None:
                await old.aclose()
            counter = StationCounter(station)
        else:
            counter = NaiveCounter(station, link.url, emulator.token)
        station.start()
        try:
            if not await _until(lambda: station.window.preview.frames_painted > 5, 30.0):
                raise RuntimeError("the station's preview did not start")
            if kind == "station" and not await _until(lambda: station.window.gate.latest is not None, 30.0):
                raise RuntimeError("the station's guide did not report")
            balance, requests = emulator.balance, link.requests
            started = time.monotonic()
            for customer in script.customers:
                await serve(customer, counter, camera, link, script, tally)
            await counter.aclose()
            await asyncio.sleep(0.2)  # the last journal writes and answers settle
            tally.duration_s = time.monotonic() - started
            tally.paid_calls = balance - emulator.balance
            tally.calls_made = link.requests - requests
            tally.refused_by_guide = counter.refused_by_guide
        finally:
            await station.aclose()
            link.stop()
    return tally


async def run_day(script: DayScript) -> tuple[DayTally, DayTally]:
    """The day on the real station, then on the naive one."""
    real = await _run_station("station", script)
    naive = await _run_station("naive", script)
    return real, naive


def _metrics(real: DayTally, naive: DayTally, script: DayScript) -> list[Metric]:
    customers = len(script.customers)
    return [
        Metric(
            "paid_calls_per_completed_verification",
            real.paid_per_completed,
            naive.paid_per_completed,
            "calls",
            "<= 1.1",
            limit=1.1,
            naive_label="no guide, retry on every error (2 s timeout, no backoff), no debounce",
            note="credits the emulator charged / verdicts on the person the operator acted on",
            extras={
                "paid_calls": real.paid_calls,
                "paid_calls_naive": naive.paid_calls,
                "calls_made": real.calls_made,
                "calls_made_naive": naive.calls_made,
                "completed_verifications": real.completed,
                "completed_verifications_naive": naive.completed,
                "paid_calls_per_customer": real.paid_calls / customers,
                "paid_calls_per_customer_naive": naive.paid_calls / customers,
            },
        ),
        Metric(
            "calls_refused_by_guide",
            real.refused_by_guide,
            naive.refused_by_guide,
            "calls",
            "report",
            naive_label="no guide",
            note="captures the quality gate stopped and the operator let go (the shift's calls saved)",
        ),
        Metric(
            "click_to_verdict_median_s",
            median(real.click_to_verdict_s),
            median(naive.click_to_verdict_s),
            "s",
            "<= 1.5",
            limit=1.5,
            naive_label="the same presses on the naive station",
            note=f"press that started a verification -> its result on screen, service latency "
            f"{script.service_latency_s:g} s; {len(real.click_to_verdict_s)} presses "
            f"({len(naive.click_to_verdict_s)} naive)",
            extras={
                "click_to_verdict_p95_s": percentile(real.click_to_verdict_s, 0.95),
                "click_to_verdict_p95_s_naive": percentile(naive.click_to_verdict_s, 0.95),
                "click_to_verdict_max_s": max(real.click_to_verdict_s, default=float("nan")),
            },
        ),
        Metric(
            "verdicts_wrong",
            real.verdicts_wrong,
            naive.verdicts_wrong,
            "verdicts",
            "0",
            limit=0.0,
            naive_label="the same script",
            note="LIVE/SPOOF shown against the person the script put in front of the camera",
            extras={
                "verdicts_shown": real.verdicts_shown,
                "verdicts_shown_naive": naive.verdicts_shown,
                "customers_final_verdict_right": real.finals_right,
                "customers_final_verdict_right_naive": naive.finals_right,
                "customers": customers,
                "presses": real.presses,
                "presses_naive": naive.presses,
                "day_duration_s": real.duration_s,
                "day_duration_s_naive": naive.duration_s,
            },
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m station.bench day", description=__doc__)
    parser.add_argument("--customers", type=int, default=None, help="the first N customers (default: all 20)")
    parser.add_argument("--json", action="store_true", help="print only one JSON object on stdout")
    parser.add_argument("--script", type=Path, default=None, help="another day script (JSON)")
    parser.add_argument("--log", action="store_true", help="print each verification on stderr")
    args = parser.parse_args(argv)
    try:
        script = load_day(args.script)
        if args.customers is not None:
            script = script.first(args.customers)
    except DayScriptError as exc:
        print(f"python -m station.bench day: {exc}", file=sys.stderr)
        return 64
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("STATION_LOG_LEVEL", "WARNING")
    load_before = os.getloadavg()[0]

    import qasync

    from station.bench.qtsupport import application

    app = application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        real, naive = loop.run_until_complete(run_day(script))
    if args.log:
        for tally in (real, naive):
            print("\n".join(f"[{tally.name}] {line}" for line in tally.log), file=sys.stderr)
    context: dict[str, float] = {
        "cpu_count": float(os.cpu_count() or 0),
        "load_avg_1m_start": round(load_before, 2),
        "load_avg_1m_end": round(os.getloadavg()[0], 2),
        "service_latency_s": script.service_latency_s,
    }
    metrics = _metrics(real, naive, script)
    print(to_json(metrics, context) if args.json else format_table(metrics, context))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
