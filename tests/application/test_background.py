"""The one owner of the desk's background work: nothing is lost, a failure is logged, shutdown waits."""

from __future__ import annotations

import asyncio
import logging

import pytest

from station.application.background import Background

pytestmark = pytest.mark.anyio


async def test_wait_idle_waits_for_work_started_meanwhile_and_a_failure_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = Background()
    done: list[str] = []
    gate = asyncio.Event()

    async def second() -> None:
        await gate.wait()
        done.append("second")

    async def first() -> None:
        background.spawn(second(), "the second write")  # started while the first runs
        done.append("first")

    async def failing() -> None:
        raise RuntimeError("the disk is gone")

    background.spawn(first(), "the first write")
    background.spawn(failing(), "the failing write")
    assert background.pending == 2
    waiting = asyncio.ensure_future(background.wait_idle())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not waiting.done() and done == ["first"]  # the second one holds shutdown
    gate.set()
    with caplog.at_level(logging.ERROR, logger="station.application.background"):
        await asyncio.wait_for(waiting, timeout=10)
    assert done == ["first", "second"] and background.pending == 0
    assert "the failing write failed: the disk is gone" in caplog.text


async def test_cancel_all_ends_every_task_and_nothing_is_logged_for_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = Background()
    never = asyncio.Event()
    task = background.spawn(never.wait(), "a wait")
    background.cancel_all()
    with caplog.at_level(logging.ERROR, logger="station.application.background"):
        await background.wait_idle()
    assert task.cancelled() and background.pending == 0
    assert caplog.text == ""
