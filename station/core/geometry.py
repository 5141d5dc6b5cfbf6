"""Where things land on screen: letterboxing a picture and mapping the service's face boxes onto it.

Pure arithmetic, no Qt, so the part of the overlay most likely to be subtly wrong (a box drawn a
few pixels off, or on the wrong face, when the service analysed a downscaled copy) is tested
without a display.

Three coordinate systems meet here:

* the *service frame* (``data.detail.frame``): the size of the image the service analysed, in
  which its ``bbox`` values are expressed. It may differ from the picture the station captured,
  for example when the service or the encoder downscaled it;
* the *image*: the captured picture, ``image_w`` x ``image_h`` pixels;
* the *display rect*: where that picture is drawn in the widget, after letterboxing.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.core.models import BBox, FrameSize

__all__ = ["Rect", "fit_rect", "map_box", "place_label"]


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle in floating-point pixels (top-left corner and size).

    Floats, not ints: rounding once, at paint time, keeps boxes from drifting by a pixel per step.
    """

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """The x coordinate just past the right edge (``x + width``)."""
        return self.x + self.width

    @property
    def bottom(self) -> float:
        """The y coordinate just past the bottom edge (``y + height``)."""
        return self.y + self.height

    @property
    def is_empty(self) -> bool:
        """True when the rectangle covers no area (a zero or negative side)."""
        return self.width <= 0 or self.height <= 0

    def intersect(self, other: Rect) -> Rect | None:
        """The overlap of two rectangles, or None when they share no area.

        None rather than an empty rectangle, so a caller cannot draw a zero-size box by accident.
        """
        left = max(self.x, other.x)
        top = max(self.y, other.y)
        right = min(self.right, other.right)
        bottom = min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return Rect(left, top, right - left, bottom - top)


def fit_rect(content_w: float, content_h: float, target: Rect) -> Rect:
    """The largest rectangle with the content's aspect ratio that fits in ``target``, centred.

    The operator must see the customer undistorted: a stretched face looks wrong and hides what
    the camera really sees, so the picture is letterboxed (or pillarboxed) instead.

    Raises ValueError for an empty content size, which can only be a programming error.
    """
    if content_w <= 0 or content_h <= 0:
        raise ValueError(f"content size must be positive, got {content_w}x{content_h}")
    if target.is_empty:
        return Rect(target.x + max(target.width, 0) / 2, target.y + max(target.height, 0) / 2, 0.0, 0.0)
    scale = min(target.width / content_w, target.height / content_h)
    width = content_w * scale
    height = content_h * scale
    return Rect(
        target.x + (target.width - width) / 2,
        target.y + (target.height - height) / 2,
        width,
        height,
    )


def map_box(
    bbox: BBox,
    service_frame: FrameSize | None,
    image_w: int,
    image_h: int,
    display: Rect,
) -> Rect | None:
    """Where a service box falls inside the display rect, clipped to it; None if nowhere.

    The box is first scaled from the service frame to the captured image (x by
    ``image_w / frame_w``, y by ``image_h / frame_h``: the service may have analysed a resized
    copy), then from the image into ``display``. With no ``service_frame`` the service is assumed
    to have seen the captured image itself. Clipping keeps a face at the edge of the picture from
    painting over the letterbox bars or the rest of the window.

    Returns None for a degenerate box (zero or negative size), an unusable frame or image size,
    or a box that lies wholly outside the picture: there is nothing sensible to draw.
    """
    if bbox.width <= 0 or bbox.height <= 0 or image_w <= 0 or image_h <= 0 or display.is_empty:
        return None
    frame_w, frame_h = (
        (service_frame.width, service_frame.height) if service_frame is not None else (image_w, image_h)
    )
    if frame_w <= 0 or frame_h <= 0:
        return None
    # Service frame -> captured image.
    to_image_x = image_w / frame_w
    to_image_y = image_h / frame_h
    # Captured image -> display rect.
    to_display_x = display.width / image_w
    to_display_y = display.height / image_h
    mapped = Rect(
        display.x + bbox.x * to_image_x * to_display_x,
        display.y + bbox.y * to_image_y * to_display_y,
        bbox.width * to_image_x * to_display_x,
        bbox.height * to_image_y * to_display_y,
    )
    return mapped.intersect(display)


def place_label(
    box: Rect, label_w: float, label_h: float, display: Rect, gap: float = 2.0, prefer_below: bool = False
) -> Rect:
    """Where a box's label goes: above the box, else below it, else inside its top edge.

    ``prefer_below`` swaps the first two choices, so the labels of faces side by side (the primary
    one above, the others below) do not cover each other.

    The label must stay inside the picture: a face near the top of the frame (the usual case for
    a tall customer) would otherwise have its scores cut off or drawn over the window chrome. The
    label is also shifted left when the box is near the right edge, and shrunk to the display
    width if it is wider than the picture.
    """
    width = min(label_w, max(display.width, 0.0))
    height = min(label_h, max(display.height, 0.0))
    x = min(max(box.x, display.x), display.right - width)
    above = box.y - gap - height
    below = box.bottom + gap
    fits_above = above >= display.y
    fits_below = below + height <= display.bottom
    if fits_above and not (prefer_below and fits_below):
        y = above
    elif fits_below:
        y = below
    else:
        y = min(max(box.y, display.y), display.bottom - height)
    return Rect(x, y, width, height)
