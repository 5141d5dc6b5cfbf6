"""The head keeper writes the newest committed head, in commit order, off the appending thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from station.audit.head_keeper import HeadKeeper


@dataclass(frozen=True)
class Head:
    sequence: int


class HeldWriter:
    """A write that waits until the test lets it finish, recording what it wrote."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.door = threading.Event()
        self.written: list[int] = []

    def __call__(self, head: Head) -> None:
        self.started.set()
        assert self.door.wait(10)
        self.written.append(head.sequence)


def test_heads_that_arrive_during_a_write_are_coalesced_to_the_newest() -> None:
    writer = HeldWriter()
    keeper: HeadKeeper[Head] = HeadKeeper(writer)
    keeper.submit(Head(1))
    assert writer.started.wait(10)  # the keeper is writing row 1
    for sequence in (2, 3, 4):
        keeper.submit(Head(sequence))
    keeper.submit(Head(3))  # an older head never replaces a newer one pending
    assert not keeper.flush(timeout=0.01)  # still writing
    writer.door.set()
    assert keeper.flush(timeout=10)
    assert writer.written == [1, 4]
    assert keeper.close(timeout=10)


def test_close_writes_what_is_pending_then_refuses_more() -> None:
    writer = HeldWriter()
    writer.door.set()
    keeper: HeadKeeper[Head] = HeadKeeper(writer)
    keeper.submit(Head(7))
    assert keeper.close(timeout=10)
    assert writer.written == [7]
    with pytest.raises(RuntimeError):
        keeper.submit(Head(8))


def test_a_failing_write_does_not_stop_the_keeper() -> None:
    seen: list[int] = []

    def write(head: Head) -> None:
        seen.append(head.sequence)
        if head.sequence == 1:
            raise OSError("disk full")

    keeper: HeadKeeper[Head] = HeadKeeper(write)
    keeper.submit(Head(1))
    assert keeper.flush(timeout=10)
    keeper.submit(Head(2))
    assert keeper.flush(timeout=10)
    assert seen == [1, 2]
    assert keeper.close(timeout=10)
