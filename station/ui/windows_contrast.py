"""Windows' high-contrast setting, read from Windows itself.

Qt tells the contrast preference from 6.10 on (``QStyleHints.accessibility()``); the Windows build
runs Qt 6.8 LTS (Wine cannot load 6.10), which has none. So on Windows the station asks
``SystemParametersInfoW(SPI_GETHIGHCONTRAST)`` once when the window is built: ``HCF_HIGHCONTRASTON``
in ``HIGHCONTRASTW.dwFlags`` means the user turned high contrast on. A change while the station
runs is taken at its next start (no ``WM_SETTINGCHANGE`` hook). Qt-free.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, Final

__all__ = ["windows_high_contrast"]

_SPI_GETHIGHCONTRAST: Final = 0x0042
_HCF_HIGHCONTRASTON: Final = 0x00000001


class _HIGHCONTRASTW(ctypes.Structure):
    _fields_ = [
        ("cbSize", ctypes.c_uint32),  # UINT
        ("dwFlags", ctypes.c_uint32),  # DWORD (wintypes.DWORD is 8 bytes off Windows)
        ("lpszDefaultScheme", ctypes.c_wchar_p),  # LPWSTR
    ]


def windows_high_contrast() -> bool | None:
    """True when Windows' high contrast is on, False when off, None off Windows or when Windows
    does not answer (the standard theme then)."""
    if os.name != "nt":
        return None
    setting = _HIGHCONTRASTW()
    setting.cbSize = ctypes.sizeof(setting)
    try:
        windll: Any = getattr(ctypes, "windll")  # noqa: B009 - Windows-only in typeshed
        ok = windll.user32.SystemParametersInfoW(
            _SPI_GETHIGHCONTRAST, ctypes.sizeof(setting), ctypes.byref(setting), 0
        )
    except (AttributeError, OSError):
        return None
    if not ok:
        return None
    return bool(setting.dwFlags & _HCF_HIGHCONTRASTON)
