"""The station's benchmark suite: ``python -m station.bench [--json] [--quick]``.

Why a package inside ``station`` rather than a script: every number here is measured through the
product's own code paths (the preview widget, the latest-frame slot and capture worker, the
verification controller, the httpx client, the emulator on loopback, the composition root), so a
change to any of them shows up in the next run. Each target is paired with a naive baseline, run
in the same process and the same run, so a number is always read against the code a developer
would have written first.

The benchmark is headless: it selects Qt's ``offscreen`` platform itself before Qt loads.
Targets are goals, never test assertions: ``tests/bench`` only checks that every number is there.
"""

from __future__ import annotations

__all__: list[str] = []
