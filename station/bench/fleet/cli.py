"""``python -m station.bench fleet [--stations N] [--json] …``: the outage scenario, one JSON object.

Progress goes to stderr; with ``--json`` stdout carries only the JSON object. Needs rsyslog and
rsyslog-gnutls (and rsyslog-relp for ``--target relp_tls``) and the development dependency
``trustme``. Exit 0 when nothing was lost, first arrivals were in order and the alert rules
found exactly the injected faults; 1 otherwise; 64 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from station.bench.fleet.relay import RelaySettings
from station.bench.fleet.scenario import FleetParams, run_fleet

__all__ = ["main"]


def _progress(message: str) -> None:
    print(f"[fleet {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m station.bench fleet", description=__doc__)
    p.add_argument("--stations", type=int, default=50)
    p.add_argument("--records-per-day", type=int, default=50, help="verifications per station per day")
    p.add_argument("--outage-days", type=float, default=3.0, help="the backlog's span (simulated)")
    p.add_argument("--outage-s", type=float, default=10.0, help="the relay's downtime in wall seconds")
    p.add_argument("--jitter-cap-s", type=float, default=30.0, help="the shippers' backoff cap")
    p.add_argument("--resend-window-s", type=float, default=5.0)
    p.add_argument("--batch", type=int, default=200, help="rows per send")
    p.add_argument("--workers", type=int, default=2, help="station processes")
    p.add_argument(
        "--target",
        choices=("syslog_tls", "relp_tls", "both"),
        default="syslog_tls",
        help="both: the same scenario twice, to compare the targets' throughput",
    )
    p.add_argument("--max-sessions", type=int, default=2000, help="imtcp's MaxSessions")
    p.add_argument("--tls-priority", default=None, help="GnuTLS priority string for the relay")
    p.add_argument(
        "--relay-queue",
        choices=("LinkedList", "Direct"),
        default="LinkedList",
        help="the stations ruleset's queue",
    )
    p.add_argument("--relay-cpu", type=int, default=None, help="pin the relay to this CPU (taskset)")
    p.add_argument("--no-faults", action="store_true", help="no rollback, deleted journal or stop")
    p.add_argument("--series", action="store_true", help="keep the per-second ingest series")
    p.add_argument(
        "--restart-s",
        type=float,
        default=0.0,
        help="after the catch-up, restart the relay and watch this long",
    )
    p.add_argument("--timeout-s", type=float, default=1800.0, help="give up on a stage after this long")
    p.add_argument("--folder", type=Path, default=None, help="work here and keep it (default: a temp dir)")
    p.add_argument(
        "--capacity", action="store_true", help="measure the relay's maximum ingest instead (several senders)"
    )
    p.add_argument("--senders", type=int, default=3, help="sender processes for --capacity")
    p.add_argument("--seconds", type=float, default=20.0, help="how long --capacity sends")
    p.add_argument("--json", action="store_true", help="print only one JSON object on stdout")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.stations < 1 or args.workers < 1 or args.jitter_cap_s < 1 or args.outage_s < 0:
        print("python -m station.bench fleet: stations, workers >= 1, jitter cap >= 1 s", file=sys.stderr)
        return 64
    if args.capacity:
        return _capacity(args)
    targets = ("syslog_tls", "relp_tls") if args.target == "both" else (args.target,)
    results = []
    for target in targets:
        params = _params(args, target)
        folder = None if args.folder is None else (args.folder / target if len(targets) > 1 else args.folder)
        try:
            result = run_fleet(params, folder, progress=_progress)
        except (OSError, ValueError, TimeoutError, RuntimeError, ImportError) as exc:
            print(f"python -m station.bench fleet: {exc}", file=sys.stderr)
            return 1
        if not args.series:
            result.pop("ingest_per_s", None)
        results.append(result)
    result = results[0]
    if len(results) > 1:
        result["relp_tls"] = results[1]
        result["throughput_records_per_s"] = {r["target"]: r["catch_up_records_per_s"] for r in results}
    print(json.dumps(result, indent=None if args.json else 2))
    ok = all(r["lost"] == 0 and r["in_order"] and (r["alerts_match"] or args.no_faults) for r in results)
    return 0 if ok else 1


def _params(args: argparse.Namespace, target: str) -> FleetParams:
    return FleetParams(
        stations=args.stations,
        records_per_day=args.records_per_day,
        outage_days=args.outage_days,
        outage_s=args.outage_s,
        jitter_cap_s=args.jitter_cap_s,
        resend_window_s=args.resend_window_s,
        batch_size=args.batch,
        workers=args.workers,
        target=target,
        faults=not args.no_faults,
        relay=RelaySettings(
            max_sessions=args.max_sessions,
            tls_priority=args.tls_priority,
            relp=target == "relp_tls",
            cpu=args.relay_cpu,
            queue=args.relay_queue,
        ),
        timeout_s=args.timeout_s,
        restart_s=args.restart_s,
    )


def _capacity(args: argparse.Namespace) -> int:
    from station.bench.fleet.capacity import measure_capacity, measure_handshakes
    from station.bench.fleet.scenario import find_rsyslogd

    try:
        _progress(f"relay ingest: {args.senders} sender processes for {args.seconds:g} s")
        result = measure_capacity(
            find_rsyslogd(), senders=args.senders, seconds=args.seconds, relay_cpu=args.relay_cpu
        )
        _progress(f"relay TLS handshakes: {args.senders} sender processes")
        result.update(
            measure_handshakes(find_rsyslogd(), senders=args.senders, seconds=10.0, relay_cpu=args.relay_cpu)
        )
    except (OSError, TimeoutError, RuntimeError, ImportError) as exc:
        print(f"python -m station.bench fleet --capacity: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=None if args.json else 2))
    return 0
