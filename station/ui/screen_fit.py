"""The window's first size, from the screen it opens on.

A kiosk's X server often runs without a window manager, and then nothing maximises or fits a
window for the station: a window that asks for more than the screen is simply cut at its edge
(1280×760 on a 1024×768 screen read "SPOO"). So the first geometry is the station's own choice:
the whole available area below the size the layout is made for, the preferred size (centred)
above it, and never more than the screen. With larger system text both sizes grow with it (a
200 % font on a 1920×1080 screen takes the whole screen).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QRect, QSize

from station.ui import style

__all__ = ["MAXIMISE_BELOW", "PREFERRED", "first_geometry"]

#: Below this available area the window takes all of it (maximised).
MAXIMISE_BELOW: Final = QSize(1280, 800)
#: The window's size on a larger screen (before the operator or a window manager changes it).
PREFERRED: Final = QSize(1280, 760)


def first_geometry(available: QRect, text_scale: float | None = None) -> tuple[QRect, bool]:
    """Where the window opens on a screen whose available area is ``available``, and whether it
    is maximised there. Larger system text (``text_scale``, the system's by default: see
    :func:`station.ui.style.text_scale`) needs a larger window: the sizes grow with it."""
    scale = style.text_scale() if text_scale is None else max(1.0, text_scale)
    below, preferred = MAXIMISE_BELOW * scale, PREFERRED * scale
    if available.width() < below.width() or available.height() < below.height():
        return QRect(available), True
    size = preferred.boundedTo(available.size())
    geometry = QRect(0, 0, size.width(), size.height())
    geometry.moveCenter(available.center())
    return geometry, False
