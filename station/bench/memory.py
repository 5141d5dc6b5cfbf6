"""Resident memory growth over 10,000 preview frames and 500 verifications, after a warm-up.

Real: the frames go through :class:`~station.ui.preview.PreviewWidget` exactly as in the
per-frame measurement (poll + ``repaint()``, watermark and chip), the verifications through one
:class:`~station.ui.controller.VerificationController` with its long-lived client against the
emulator's ``no_face`` scenario on a small (240 px) face: the emulator decodes the picture but
skips its detector, so 500 verifications fit in the time budget. The station-side path (encode,
request, parse, decide, signals) is the same as for a live verdict.

Naive: the same frames and verifications, but each verification builds its own controller and
``LivenessClient`` and never closes it — the "``async with`` forgotten / client made in the
capture slot" version. The frames go through the same code either way, so their growth is
measured once and counted in both. RSS is read from ``/proc/self/statm`` after ``gc.collect()``.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from station.bench.desk import bench_controller, bench_journal, verify_once
from station.bench.preview import _real_widget, paint_real_frames
from station.bench.qtsupport import rss_mb
from station.bench.verify import make_client
from station.camera import BGRImage
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
        await verify_once(controller, frame)


async def measure_memory(
    emulator: Emulator, pool: list[BGRImage], small: BGRImage, frames: int, verifications: int
) -> MemoryResult:
    """Real: frames, then verifications, growth from one baseline. Naive: the frame part is the
    same code, so its growth is reused; the naive verifications are measured on their own."""
    # ``no_face`` answers without running the detector (66 ms per request on a 240 px face
    # under this machine's load): the run then measures the station, not the emulator.
    emulator.set_scenario("no_face")
    baseline = rss_mb()
    widget = _real_widget()
    client = make_client(emulator, emulator.base_url)
    journals = bench_journal()
    journal = journals.__enter__()
    controller = bench_controller(client, journal)
    abandoned: list[VerificationController] = []
    try:
        # Warm-up: caches (fonts, the watermark layer, the JPEG encoder, the connection) filled.
        paint_real_frames(widget, pool, min(300, frames), first_seq=1)
        await _verify_many(controller, small, min(20, verifications))
        gc.collect()
        before = rss_mb()
        paint_real_frames(widget, pool, frames, first_seq=1_000_000)
        gc.collect()
        after_frames = rss_mb()
        await _verify_many(controller, small, verifications)
        gc.collect()
        after_real = rss_mb()
        for _ in range(verifications):
            fresh = bench_controller(make_client(emulator, emulator.base_url), journal)
            abandoned.append(fresh)  # in the window, its signal connections keep it alive
            await _verify_many(fresh, small, 1)
        gc.collect()
        after_naive = rss_mb()
    finally:
        widget.close()
        widget.deleteLater()
        await controller.wait_idle()
        await client.aclose()
        journals.__exit__(None, None, None)
    return MemoryResult(
        growth_mb=after_real - before,
        naive_growth_mb=(after_frames - before) + (after_naive - after_real),
        frames=frames,
        verifications=verifications,
        baseline_mb=baseline,
    )
