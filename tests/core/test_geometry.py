"""Letterboxing and box mapping: the arithmetic that puts a face box on the right face."""

from __future__ import annotations

import pytest

from station.core.geometry import Rect, fit_rect, map_box, place_label
from station.core.models import BBox, FrameSize


def approx_rect(rect: Rect | None) -> object:
    assert rect is not None
    return pytest.approx((rect.x, rect.y, rect.width, rect.height))


def test_rect_edges_and_intersection() -> None:
    a = Rect(10, 20, 100, 50)
    assert (a.right, a.bottom) == (110, 70)
    assert a.intersect(Rect(60, 0, 100, 40)) == Rect(60, 20, 50, 20)
    assert a.intersect(Rect(110, 20, 10, 10)) is None  # touching edges share no area
    assert Rect(0, 0, 0, 5).is_empty


@pytest.mark.parametrize(
    ("content", "target", "expected"),
    [
        ((1920, 1080), Rect(0, 0, 800, 600), (0, 75, 800, 450)),  # wide content: bars top and bottom
        ((1080, 1920), Rect(0, 0, 800, 600), (231.25, 0, 337.5, 600)),  # tall content: bars at the sides
        ((640, 480), Rect(10, 20, 800, 600), (10, 20, 800, 600)),  # same aspect: fills, keeps offset
        ((100, 100), Rect(0, 0, 300, 100), (100, 0, 100, 100)),  # centred
    ],
)
def test_fit_rect(
    content: tuple[int, int], target: Rect, expected: tuple[float, float, float, float]
) -> None:
    assert approx_rect(fit_rect(*content, target)) == expected


def test_fit_rect_rejects_empty_content_and_survives_empty_target() -> None:
    with pytest.raises(ValueError, match="positive"):
        fit_rect(0, 10, Rect(0, 0, 10, 10))
    assert fit_rect(10, 10, Rect(0, 0, 0, 0)).is_empty


def test_map_box_16_9_image_in_4_3_display_is_offset_by_the_bars() -> None:
    display = fit_rect(1920, 1080, Rect(0, 0, 800, 600))  # y offset 75, scale 800/1920
    box = map_box(BBox(960, 540, 192, 108), None, 1920, 1080, display)
    assert approx_rect(box) == (400, 75 + 225, 80, 45)


def test_map_box_4_3_image_in_16_9_display_is_offset_sideways() -> None:
    display = fit_rect(640, 480, Rect(0, 0, 1280, 720))  # x offset 160, scale 1.5
    box = map_box(BBox(0, 0, 64, 48), None, 640, 480, display)
    assert approx_rect(box) == (160, 0, 96, 72)


def test_service_frame_smaller_than_capture_doubles_the_boxes() -> None:
    display = Rect(0, 0, 1920, 1080)  # drawn at full size: display equals image pixels
    box = map_box(BBox(100, 50, 200, 100), FrameSize(960, 540), 1920, 1080, display)
    assert approx_rect(box) == (200, 100, 400, 200)


def test_service_frame_with_its_own_aspect_scales_each_axis() -> None:
    # The service saw a 1000x1000 copy of a 2000x1000 capture: x doubles, y does not.
    box = map_box(BBox(100, 100, 100, 100), FrameSize(1000, 1000), 2000, 1000, Rect(0, 0, 2000, 1000))
    assert approx_rect(box) == (200, 100, 200, 100)


def test_frame_none_means_the_image_size() -> None:
    display = Rect(50, 0, 500, 500)
    with_none = map_box(BBox(10, 20, 30, 40), None, 1000, 1000, display)
    with_same = map_box(BBox(10, 20, 30, 40), FrameSize(1000, 1000), 1000, 1000, display)
    assert with_none == with_same
    assert approx_rect(with_none) == (55, 10, 15, 20)


def test_box_partly_outside_is_clipped_to_the_display() -> None:
    display = Rect(100, 100, 640, 480)
    box = map_box(BBox(-20, 400, 100, 200), None, 640, 480, display)
    assert approx_rect(box) == (100, 500, 80, 80)


@pytest.mark.parametrize(
    "bbox",
    [
        BBox(700, 10, 50, 50),  # right of the picture
        BBox(10, -80, 50, 50),  # above it
        BBox(10, 10, 0, 50),  # degenerate: no width
        BBox(10, 10, 50, -5),  # degenerate: negative height
    ],
)
def test_box_outside_or_degenerate_is_none(bbox: BBox) -> None:
    assert map_box(bbox, None, 640, 480, Rect(0, 0, 640, 480)) is None


def test_unusable_sizes_are_none() -> None:
    assert map_box(BBox(0, 0, 10, 10), FrameSize(0, 480), 640, 480, Rect(0, 0, 640, 480)) is None
    assert map_box(BBox(0, 0, 10, 10), None, 0, 480, Rect(0, 0, 640, 480)) is None
    assert map_box(BBox(0, 0, 10, 10), None, 640, 480, Rect(0, 0, 0, 0)) is None


def test_label_goes_above_then_below_then_inside() -> None:
    display = Rect(0, 0, 400, 300)
    assert place_label(Rect(50, 100, 80, 80), 120, 20, display) == Rect(50, 78, 120, 20)
    assert place_label(Rect(50, 5, 80, 80), 120, 20, display) == Rect(50, 87, 120, 20)
    # A box filling the picture: neither above nor below fits, so the label sits inside.
    assert place_label(Rect(0, 0, 400, 300), 120, 20, display) == Rect(0, 0, 120, 20)


def test_label_stays_inside_the_display_horizontally() -> None:
    display = Rect(0, 0, 400, 300)
    assert place_label(Rect(350, 100, 50, 50), 120, 20, display).right == 400
    assert place_label(Rect(0, 100, 50, 50), 900, 20, display).width == 400


def test_secondary_labels_can_prefer_below() -> None:
    from station.core.geometry import place_label

    display = Rect(0, 0, 400, 400)
    box = Rect(100, 100, 50, 50)
    assert place_label(box, 80, 20, display).bottom <= box.y
    below = place_label(box, 80, 20, display, prefer_below=True)
    assert below.y >= box.bottom
    # No room below: it still goes above.
    low = Rect(100, 370, 50, 25)
    assert place_label(low, 80, 20, display, prefer_below=True).bottom <= low.y
