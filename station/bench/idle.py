"""``idle_cpu_percent``: the station's own process, idle at the counter, preview and guide running.

Run as ``python -m station.bench.idle [--seconds 20] [--picture customer|nobody]
[--guide station|naive|off]``: it
builds the real station as ``station --demo`` does (the window, the camera feed, the preview, the
quality feed, the controller, the in-process emulator), with a 30 fps 1080p counter camera
(:class:`~station.bench.scenes.CounterCamera`) instead of the demo still, on Qt's offscreen
platform with a counter PC's 1920x1080 screen (:func:`~station.bench.qtsupport.offscreen_platform`).
After a warm-up (first frames painted, first reports) it reads the process's CPU time
(``getrusage``, every thread: camera, preview, guide, emulator, Qt) over ``--seconds`` of wall
time and prints one JSON line: CPU as a percentage of one core, frames painted, looks and full
analyses of the guide.

``--guide naive``: the guide as it was (:class:`~station.bench.guide.NaiveAnalyser` on every tick
of a monitor with no watch interval); ``--guide off``: no guide at all (the quality gate switched
off in the settings), to show what the preview and the camera cost on their own; everything else
identical. The parent, :func:`measure_idle`, spawns the children one after another.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["IdleResult", "main", "measure_idle"]

WARMUP_S = 3.0
#: Printed by a child run with ``--announce`` when its warm-up is over (``station.bench.xvfb``).
WARM_LINE = "warm"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _run(seconds: float, picture_name: str, guide: str, announce: bool = False) -> dict[str, float]:
    from station.app import build_station
    from station.application.factory import StationConfig
    from station.bench.guide import NaiveAnalyser
    from station.bench.scenes import CounterCamera, Picture
    from station.ui.guidance import QualityFeed
    from station.vision.quality import QualityReport
    from station.vision.quality_worker import QualityMonitor

    class NaiveFeed(QualityFeed):
        """The quality feed with the old analyser and a monitor that never watches cheaply."""

        def __init__(self, latest: Any) -> None:
            super().__init__(latest)
            self._naive_latest = latest
            self._naive_monitor: QualityMonitor | None = None

        def start(self) -> None:
            if self._naive_monitor is None:
                self._naive_monitor = QualityMonitor(
                    self._naive_latest, self.report_ready.emit, analyser=NaiveAnalyser()
                )
                self._naive_monitor.start()

        def stop(self, timeout: float = 2.0) -> bool:
            monitor, self._naive_monitor = self._naive_monitor, None
            return True if monitor is None else monitor.stop(timeout)

    with tempfile.TemporaryDirectory(prefix="station-bench-idle-") as folder:
        config = StationConfig(
            demo=True,
            camera="demo",
            audit_db=Path(folder) / "idle-audit.sqlite3",
            station_id="bench-idle",
            operator_id="bench",
            quality_gate=guide != "off",
        )
        camera = CounterCamera(1920, 1080, fps=30.0, shows=Picture(picture_name))
        station = build_station(config, source_factory=lambda: camera)
        if guide == "naive":
            feed = NaiveFeed(station.camera.latest)
            feed.report_ready.connect(station.window.show_quality)
            station.quality = feed
        assert station.quality is not None
        counts = {"looks": 0, "full": 0}

        def counted(report: QualityReport) -> None:
            counts["looks"] += 1
            counts["full"] += 0 if report.reused else 1

        station.quality.report_ready.connect(counted)
        station.start()
        try:
            deadline = time.monotonic() + 30.0
            while station.window.preview.frames_painted < 10 or (guide != "off" and counts["looks"] < 2):
                if time.monotonic() > deadline:
                    raise RuntimeError("the station did not start painting and analysing within 30 s")
                await asyncio.sleep(0.05)
            await asyncio.sleep(WARMUP_S)
            if announce:  # the Xvfb variant measures from outside, from this line on
                print(WARM_LINE, flush=True)
            painted0, looks0, full0 = station.window.preview.frames_painted, counts["looks"], counts["full"]
            wall0, cpu0 = time.monotonic(), _cpu_seconds()
            await asyncio.sleep(seconds)
            wall1, cpu1 = time.monotonic(), _cpu_seconds()
            painted1, looks1, full1 = station.window.preview.frames_painted, counts["looks"], counts["full"]
        finally:
            await station.aclose()
    wall = wall1 - wall0
    return {
        "cpu_percent": 100.0 * (cpu1 - cpu0) / wall,
        "wall_s": wall,
        "fps_painted": (painted1 - painted0) / wall,
        "looks_per_s": (looks1 - looks0) / wall,
        "full_analyses_per_s": (full1 - full0) / wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m station.bench.idle")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--picture", choices=["customer", "nobody"], default="customer")
    parser.add_argument("--guide", choices=["station", "naive", "off"], default="station")
    parser.add_argument("--announce", action="store_true", help=f"print {WARM_LINE!r} after the warm-up")
    args = parser.parse_args(argv)
    os.environ.setdefault("STATION_LOG_LEVEL", "WARNING")

    import qasync

    from station.bench.qtsupport import application, offscreen_platform

    with tempfile.TemporaryDirectory(prefix="station-bench-screen-") as screen:
        os.environ.setdefault("QT_QPA_PLATFORM", offscreen_platform(Path(screen)))
        app = application()
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            result = loop.run_until_complete(_run(args.seconds, args.picture, args.guide, args.announce))
    print(json.dumps(result), flush=True)
    return 0


@dataclass(frozen=True, slots=True)
class IdleResult:
    """``runs[(picture, guide)]`` = the child's JSON object."""

    runs: dict[tuple[str, str], dict[str, float]]

    def cpu(self, picture: str, guide: str) -> float:
        return self.runs.get((picture, guide), {}).get("cpu_percent", float("nan"))


def _child(seconds: float, picture: str, guide: str) -> dict[str, float]:
    from station.bench.qtsupport import offscreen_platform

    command = [sys.executable, "-m", "station.bench.idle", "--seconds", str(seconds)]
    command += ["--picture", picture, "--guide", guide]
    with tempfile.TemporaryDirectory(prefix="station-bench-screen-") as screen:
        env = dict(os.environ, QT_QPA_PLATFORM=offscreen_platform(Path(screen)))
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            command, env=env, capture_output=True, text=True, timeout=seconds + 90, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"the idle child failed ({done.returncode}): {done.stderr[-2000:]}")
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


RUNS = (
    ("customer", "station"),
    ("customer", "naive"),
    ("customer", "off"),
    ("nobody", "station"),
    ("nobody", "naive"),
)


def measure_idle(seconds: float, runs: tuple[tuple[str, str], ...] = RUNS) -> IdleResult:
    """Each (picture, guide) in one child process, one after another."""
    return IdleResult({(picture, guide): _child(seconds, picture, guide) for picture, guide in runs})


if __name__ == "__main__":
    raise SystemExit(main())
