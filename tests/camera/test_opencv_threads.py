"""Issue 27: OpenCV's worker threads spin only briefly between the station's calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
