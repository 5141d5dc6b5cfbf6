"""LatestFrameSlot: one frame held, newest wins, never a torn or shared-mutable frame."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

from station.camera import LatestFrameSlot


def _grey(value: int, shape: tuple[int, int] = (48, 64)) -> np.ndarray:
    return np.full((*shape, 3), value, np.uint8)


def test_empty_slot_has_no_frame_and_wait_times_out() -> None:
    slot = LatestFrameSlot()
    assert slot.latest() is None
    assert slot.seq == 0
    assert slot.wait_for_seq(0, timeout=0.01) is None


def test_put_numbers_frames_and_latest_is_newest() -> None:
    slot = LatestFrameSlot()
    first = slot.put(_grey(1))
    second = slot.put(_grey(2))
    assert (first.seq, second.seq) == (1, 2)
    assert slot.seq == 2
    latest = slot.latest()
    assert latest is second
    assert latest.image[0, 0, 0] == 2
    assert latest.captured_at >= first.captured_at
    assert (latest.width, latest.height) == (64, 48)
    assert 0.0 <= latest.age() < 60.0
    assert latest.age(now=latest.captured_at + 2.5) == 2.5
    # A frame already in the slot satisfies the wait at once.
    assert slot.wait_for_seq(1, timeout=0.0) is second


def test_frames_are_read_only_so_readers_can_share_them() -> None:
    slot = LatestFrameSlot()
    frame = slot.put(_grey(5))
    assert frame.image.flags.c_contiguous
    with pytest.raises(ValueError, match="read-only"):
        frame.image[0, 0, 0] = 9


def test_non_contiguous_input_is_made_contiguous() -> None:
    slot = LatestFrameSlot()
    frame = slot.put(_grey(3, (40, 80))[:, ::2])
    assert frame.image.flags.c_contiguous
    assert frame.image.shape == (40, 40, 3)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((4, 4), np.uint8),
        np.zeros((4, 4, 4), np.uint8),
        np.zeros((4, 4, 3), np.float32),
        np.zeros((0, 4, 3), np.uint8),
    ],
)
def test_put_rejects_what_is_not_a_bgr_picture(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"BGR|empty"):
        LatestFrameSlot().put(bad)


def test_slot_keeps_only_one_frame_in_memory() -> None:
    slot = LatestFrameSlot()
    refs = []
    for value in range(200):
        image = _grey(value % 256)
        refs.append(weakref.ref(image))
        slot.put(image)
        del image
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert len(alive) == 1
    assert alive[0]() is slot.latest().image  # type: ignore[union-attr]


def test_wait_for_seq_wakes_when_another_thread_puts() -> None:
    slot = LatestFrameSlot()
    go = threading.Event()

    def writer() -> None:
        go.wait(5.0)
        slot.put(_grey(7))

    thread = threading.Thread(target=writer)
    thread.start()
    go.set()
    frame = slot.wait_for_seq(0, timeout=5.0)
    thread.join(5.0)
    assert frame is not None
    assert frame.seq == 1
    assert frame.image[0, 0, 0] == 7


def test_concurrent_reader_never_sees_a_torn_or_mismatched_frame() -> None:
    """Frame k is uniformly k % 251: a half-written frame or a seq/image mix-up would show."""
    slot = LatestFrameSlot()
    done = threading.Event()
    caught_up = threading.Event()
    total, checkpoint = 2000, 100
    seen_seq = [0]

    def writer() -> None:
        for k in range(1, total + 1):
            slot.put(_grey(k % 251, (60, 80)))
            if k % checkpoint == 0:
                # Let the reader catch up now and then, so the two really interleave (on a busy
                # machine the writer could otherwise finish before the reader runs at all).
                assert caught_up.wait(5.0), "the reader stopped reading"
                caught_up.clear()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    checked = 0
    while seen_seq[0] < total:
        frame = slot.wait_for_seq(seen_seq[0], timeout=5.0)
        assert frame is not None, "no new frame within 5 s"
        assert frame.seq >= seen_seq[0]
        image = frame.image
        assert image.min() == image.max() == frame.seq % 251
        seen_seq[0] = frame.seq
        checked += 1
        if frame.seq % checkpoint == 0:
            caught_up.set()
    thread.join(5.0)
    assert done.is_set()
    assert slot.seq == total
    assert checked >= total // checkpoint
