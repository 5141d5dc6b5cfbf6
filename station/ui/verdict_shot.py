"""``station --screenshot PATH`` (the demo, or a station outside production): capture once, save
the window with its verdict, and quit.

Proves the GUI path where no screen can be looked at (the Windows build under Wine draws with Qt's
offscreen platform): the real window, the real demo camera and emulator, one real capture as an
operator's Space makes it, then the window rendered to a PNG (``QWidget.grab``, which needs no
screen and is in every Qt 6). The outcome's name is returned for the log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Final

from station.application.attempt import AttemptReport
from station.application.desk_state import DeskState
from station.ui.main_window import MainWindow

__all__ = ["SHOT_SECONDS", "SMALLEST_SCREEN", "CaptureRefusedError", "take_verdict_shot"]

#: How long the camera's first frames and the verdict may take before the shot is given up.
SHOT_SECONDS: Final = 180.0
_POLL_SECONDS: Final = 0.05
#: The smallest screen the station supports (README): the shot is never smaller.
SMALLEST_SCREEN: Final = (1024, 768)


async def _until(ready: Callable[[], bool], within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not ready():
        if loop.time() > deadline:
            raise TimeoutError("the demo station did not get there in time")
        await asyncio.sleep(_POLL_SECONDS)


class CaptureRefusedError(RuntimeError):
    """The desk refused the capture: what the screen says, for the log."""


def _why_not(state: DeskState) -> str:
    reasons = [
        f"capture refused ({state.capture_refusal.value})" if state.capture_refusal else "",
        state.banner.message,
        state.problem,
    ]
    return "; ".join(reason for reason in reasons if reason) or "the capture was not taken"


async def take_verdict_shot(window: MainWindow, path: Path, within: float = SHOT_SECONDS) -> str:
    """Capture as Space would, wait for the verdict, save ``window`` to ``path`` (PNG), at least
    :data:`SMALLEST_SCREEN` in size (the offscreen platform's screen is 800x800)."""
    width, height = SMALLEST_SCREEN
    if window.isFullScreen() or window.isMaximized():
        window.showNormal()
    window.resize(max(window.width(), width), max(window.height(), height))
    desk = window.controller.desk
    # As an operator would: Space once the camera shows a picture and the desk would take it (a
    # station on its service waits for the service's first answer: the port's own readiness).
    try:

        def ready() -> bool:
            answered = desk.port.readiness().ready
            return window.has_new_frame() and answered and desk.state().capture_refusal is None

        await _until(ready, within)
    except TimeoutError:
        raise TimeoutError(f"the station was not ready in time: {_why_not(desk.state())}") from None
    verdict: asyncio.Future[AttemptReport] = asyncio.get_running_loop().create_future()

    def finished(report: object) -> None:
        if not verdict.done() and isinstance(report, AttemptReport):
            verdict.set_result(report)

    window.controller.finished.connect(finished)
    try:
        window.capture()
        if not verdict.done() and not window.controller.busy:  # the guide held it back: again
            window.capture()
        if not verdict.done() and not window.controller.busy:
            raise CaptureRefusedError(_why_not(window.controller.desk.state()))
        report = await asyncio.wait_for(verdict, within)
    finally:
        window.controller.finished.disconnect(finished)
    await asyncio.sleep(0)  # the window's own handler of ``finished`` has run: paint it now
    shot = window.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not shot.save(str(path), "PNG"):
        raise OSError(f"{path}: the screenshot could not be saved")
    return report.kind.value
