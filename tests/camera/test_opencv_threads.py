"""Issue 27: OpenCV's worker threads spin only briefly between the station's calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_SPIN = ("OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER", "OPENCV_THREAD_POOL_ACTIVE_WAIT_MAIN")
_PROBE = (
    "import json, os, sys; import station.camera; "
    f"print(json.dumps({{name: os.environ.get(name) for name in {_SPIN!r}}} | "
    "{'cv2_after_station': list(sys.modules).index('cv2') > list(sys.modules).index('station')}))"
)


def _probe(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in _SPIN}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen: dict[str, object] = json.loads(done.stdout)
    return seen


def test_opencv_is_loaded_with_a_short_worker_spin() -> None:
    seen = _probe()
    assert seen["cv2_after_station"] is True  # the settings are in place when OpenCV reads them
    assert seen["OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER"] == "200"
    assert seen["OPENCV_THREAD_POOL_ACTIVE_WAIT_MAIN"] is None  # the calling thread's: OpenCV's own


def test_a_value_it_has_set_is_kept() -> None:
    seen = _probe(OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER="500")
    assert seen["OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER"] == "500"


_BLAS_PROBE = (
    "import json, os, sys; import station; import numpy; "
    "print(json.dumps({'threads': len(os.listdir('/proc/self/task')), "
    "'setting': os.environ.get('OPENBLAS_NUM_THREADS')}))"
)


def _blas_probe(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", _BLAS_PROBE], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen: dict[str, object] = json.loads(done.stdout)
    return seen


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2, reason="reads /proc")
def test_numpy_starts_no_blas_threads() -> None:
    """numpy's OpenBLAS would start a pool of its own as it loads (a thread per further core)."""
    assert _blas_probe() == {"threads": 1, "setting": "1"}
    # What the setting saves: without it, OpenBLAS's pool is there.
    unset = _blas_probe(OPENBLAS_NUM_THREADS="2")
    assert unset["threads"] == 2, unset
