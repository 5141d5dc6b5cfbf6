"""``start_to_first_frame_ms``: process spawn to the first painted preview frame, demo mode.

Measured: ``time.monotonic()`` just before ``subprocess.Popen`` of
``python -m station.bench.first_frame`` in this process, to ``time.monotonic()`` in the child's
``frame_painted`` handler (after the first live frame was painted into the offscreen backing
store). CLOCK_MONOTONIC is one clock for all processes on Linux. Interpreter start, imports, the
QApplication, the emulator (which loads the face detector), the window, the camera thread and the
first poll + paint are all inside. The median of a few runs is reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from station.bench.qtsupport import median

__all__ = ["StartupResult", "measure_startup"]


@dataclass(frozen=True, slots=True)
class StartupResult:
    median_ms: float
    naive_median_ms: float
    phases_ms: dict[str, float]


def _one(naive: bool) -> tuple[float, dict[str, float]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # An installed station starts from compiled bytecode (pip writes it at install, the bundle holds
    # it): the warm-up run writes the checkout's, which PYTHONDONTWRITEBYTECODE would forbid, and
    # every run would then compile the station's modules again (30-60 ms of the first frame).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "station.bench.first_frame", *(["--naive"] if naive else [])]
    spawned = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"the first-frame child failed ({done.returncode}): {done.stderr[-2000:]}")
    marks: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    phases = {name: (stamp - spawned) * 1000.0 for name, stamp in marks.items()}
    return phases["first_frame"], phases


def measure_startup(runs: int) -> StartupResult:
    _one(naive=False)  # page cache warm and bytecode written, as on a station started every morning
    real: list[float] = []
    phases: list[dict[str, float]] = []
    naive: list[float] = []
    for _ in range(runs):
        value, marks = _one(naive=False)
        real.append(value)
        phases.append(marks)
        naive.append(_one(naive=True)[0])
    middle = sorted(phases, key=lambda p: p["first_frame"])[len(phases) // 2]
    return StartupResult(median(real), median(naive), middle)
