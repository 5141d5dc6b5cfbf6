"""The benchmark runs headless and reports every number; speed itself is never asserted here."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

REQUIRED = (
    "preview_ms_per_frame",
    "preview_lag_ms",
    "ui_stall_max_ms",
    "capture_to_request_ms",
    "upload_bytes_1080p",
    "verify_overhead_ms",
    "rss_growth_mb",
    "start_to_first_frame_ms",
    "analyse_ms_per_frame",
    "idle_cpu_percent",
    "idle_cpu_percent_empty_counter",
    "false_face_rate_empty_counter",
)


def _bench_json(*args: str, timeout: float) -> dict[str, Any]:
    """Run ``python -m <args>`` headless from the project root; its stdout, one JSON object."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)  # stdout is exactly one JSON object
    assert isinstance(data, dict)
    return data


@pytest.mark.timeout(330)
def test_quick_json_has_every_number() -> None:
    data = _bench_json("station.bench", "--quick", "--json", timeout=320)
    for name in REQUIRED:
        for key in (name, f"{name}_naive"):
            assert key in data, f"missing {key}"
            value = data[key]
            assert isinstance(value, int | float), f"{key} is {value!r}"
            assert math.isfinite(value), f"{key} is {value!r}"
    assert all(v is None or isinstance(v, int | float) for v in data.values())
    # The guide's extras: an empty counter is looked at without the detector, and someone arriving
    # is seen (the times themselves are the benchmark's business, not this test's).
    assert data["analyse_ms_empty_counter_look"] < data["analyse_ms_empty_counter_naive"]
    assert math.isfinite(data["guide_wake_ms_median"])
    assert data["idle_fps_painted"] > 0 and data["idle_guide_looks_per_s"] > 0
    assert math.isfinite(data["idle_cpu_percent_guide_off"])
    # Issue 27: the empty counter is painted at 15 fps; the Xvfb variant is read from outside.
    assert data["idle_fps_painted_empty_counter"] < data["idle_fps_painted"]
    assert data["idle_cpu_percent_xvfb"] > 0 and math.isfinite(data["idle_xvfb_xserver_cpu_percent"])
    assert data["idle_xvfb_station_processes"] >= 1 and data["idle_xvfb_fps_painted"] > 0
    # Issue 26: the rates per scene, the station's beside the old cascade's, shares of frames.
    for scene in ("customer", "too_dark", "too_far", "two_people", "motion_blur"):
        for key in (f"no_face_rate_{scene}", f"no_face_rate_{scene}_naive"):
            assert 0.0 <= data[key] <= 1.0, key


@pytest.mark.timeout(200)
def test_the_overhead_floor_times_each_way_on_one_call_each() -> None:
    """``station.bench.overhead_floor``: every way (the station, the bare asyncio steps, the bare
    steps in one thread) made exactly one call to the emulator per round, or its round is not
    counted and ``samples`` falls short."""
    data = _bench_json("station.bench.overhead_floor", "--samples", "3", timeout=190)
    assert data["samples"] == 3
    for key in ("station_ms", "bare_async_ms", "bare_sync_ms"):
        assert math.isfinite(data[key]) and data[key] > 0, key
