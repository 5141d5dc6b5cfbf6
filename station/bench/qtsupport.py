"""Small helpers the Qt-side measurements share: the application, signal waits, a busy UI, a
tick recorder for event-loop gaps, statistics and resident memory.

Why a busy-*spin* and not ``sleep`` for "the UI is busy": work on the UI thread holds the GIL
and a core, which is what competes with the capture thread and the event loop in the station.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

__all__ = [
    "COUNTER_SCREEN",
    "TickRecorder",
    "application",
    "median",
    "offscreen_platform",
    "percentile",
    "print_figures",
    "rss_mb",
    "spin",
    "wait_signal",
]


#: The screen a counter PC has (the Xvfb variant's too).
COUNTER_SCREEN = (1920, 1080)


def offscreen_platform(folder: Path) -> str:
    """``QT_QPA_PLATFORM`` for Qt's offscreen platform with one :data:`COUNTER_SCREEN` (its
    configuration written in ``folder``, which must outlive the process that uses it).

    Why: the offscreen platform's own screen is 800x800, smaller than the station's window can lay
    itself out in; the window filled it with its widgets overlapping the preview, and Qt repainted
    the buttons, labels and tabs under the picture with every frame (issue 27: 12 paint events per
    camera frame instead of one).
    """
    width, height = COUNTER_SCREEN
    screen = {"name": "Counter", "x": 0, "y": 0, "width": width, "height": height}
    screen |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config = folder / "offscreen-screen.json"
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def application() -> QApplication:
    """The process's QApplication (created on first use, offscreen when run by the bench)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(["station-bench"])
    assert isinstance(app, QApplication)
    # The bench opens and closes several windows; closing the last must not stop the event loop.
    app.setQuitOnLastWindowClosed(False)
    return app


def print_figures(
    argv: list[str] | None,
    prog: str,
    measure: Callable[[int], Coroutine[Any, Any, dict[str, float]]],
    samples: int,
) -> int:
    """``python -m <prog> [--samples N]``: run ``measure(N)`` (``samples`` by default) on a qasync
    loop over the process's (offscreen) QApplication and print its figures as one JSON line,
    rounded to hundredths; the exit status."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}")
    parser.add_argument("--samples", type=int, default=samples)
    count = parser.parse_args(argv).samples
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    app = application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        figures = loop.run_until_complete(measure(count))
    print(json.dumps({name: round(value, 2) for name, value in figures.items()}), flush=True)
    return 0


async def wait_signal(signal: SignalInstance, timeout: float) -> tuple[Any, ...]:  # noqa: ASYNC109
    """Wait on the running qasync loop until ``signal`` fires; its arguments. TimeoutError after."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def fired(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(fired)
    try:
        return await asyncio.wait_for(future, timeout)
    finally:
        signal.disconnect(fired)


def spin(seconds: float) -> None:
    """Keep this thread (and the GIL, in Python bytecode) busy for ``seconds``."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class TickRecorder(QObject):
    """A 1 ms precise Qt timer that notes when it actually ran: the gaps are the UI stalls."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ticks: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def start(self) -> None:
        self.ticks.clear()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def max_gap_ms(self, start: float, end: float) -> tuple[float, float]:
        """The longest interval (ms) between ticks, counting ``start`` and ``end`` as ticks too,
        and when it began (ms after ``start``)."""
        points = [start, *(t for t in self.ticks if start < t < end), end]
        gap, began = max((b - a, a) for a, b in itertools.pairwise(points))
        return gap * 1000.0, (began - start) * 1000.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rss_mb() -> float:
    """Resident set size now, in MiB (``/proc/self/statm``; ru_maxrss as a fallback)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
