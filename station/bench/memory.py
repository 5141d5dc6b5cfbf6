"""Resident memory growth over 10,000 preview frames and 500 verifications, after a warm-up.

Real: the frames go through :class:`~station.ui.preview.PreviewWidget` exactly as in the
per-frame measurement (poll + ``repaint()``, watermark and chip), the verifications through one
:class:`~station.ui.controller.VerificationController` with its long-lived client against the
emulator's ``live`` scenario on a small (240 px) face, so the emulator's detector stays cheap.

Naive: the same frames and verifications, but each verification builds its own controller and
``LivenessClient`` and never closes it — the "``async with`` forgotten / client made in the
capture slot" version. RSS is read from ``/proc/self/statm`` after ``gc.collect()``.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass

from station.bench.preview import _real_widget, paint_real_frames
from station.bench.qtsupport import rss_mb, wait_signal
from station.bench.verify import make_client
from station.camera import BGRImage
from station.core.decision import DecisionPolicy
from station.emulator import Emulator
from station.ui.controller import VerificationController

__all__ = ["MemoryResult", "measure_memory"]


@dataclass(frozen=True, slots=True)
class MemoryResult:
    growth_mb: float
    naive_growth_mb: float
    frames: int
    verifications: int
    baseline_mb: float


async def _verify_many(controller: VerificationController, frame: BGRImage, count: int) -> None:
    for _ in range(count):
        finished = asyncio.ensure_future(wait_signal(controller.finished, 30.0))
        await asyncio.sleep(0)
        controller.submit(frame)
        await finished


async def _run(
    emulator: Emulator, pool: list[BGRImage], small: BGRImage, frames: int, verifications: int, naive: bool
) -> float:
    widget = _real_widget()
    client = make_client(emulator, emulator.base_url)
    controller = VerificationController(client, DecisionPolicy())
    abandoned: list[VerificationController] = []
    try:
        # Warm-up: caches (fonts, the watermark layer, the JPEG encoder, the connection) filled.
        paint_real_frames(widget, pool, min(300, frames), first_seq=1)
        await _verify_many(controller, small, min(20, verifications))
        gc.collect()
        before = rss_mb()
        paint_real_frames(widget, pool, frames, first_seq=1_000_000)
        for _ in range(verifications):
            if naive:
                fresh = VerificationController(make_client(emulator, emulator.base_url), DecisionPolicy())
                abandoned.append(fresh)  # kept by the window's signal connections in real code
                await _verify_many(fresh, small, 1)
            else:
                await _verify_many(controller, small, 1)
        gc.collect()
        return rss_mb() - before
    finally:
        widget.close()
        widget.deleteLater()
        await controller.wait_idle()
        await client.aclose()


async def measure_memory(
    emulator: Emulator, pool: list[BGRImage], small: BGRImage, frames: int, verifications: int
) -> MemoryResult:
    emulator.set_scenario("live")
    baseline = rss_mb()
    growth = await _run(emulator, pool, small, frames, verifications, naive=False)
    naive = await _run(emulator, pool, small, frames, verifications, naive=True)
    return MemoryResult(growth, naive, frames, verifications, baseline)
