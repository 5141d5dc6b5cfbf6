"""Windows' high-contrast setting (``station/ui/windows_contrast.py``): the struct Windows fills
has its Win32 layout, and off Windows nothing is asked (the Wine test runs the Windows path in the
installed bundle's window: Wine answers "off", and cannot turn it on)."""

from __future__ import annotations

import ctypes

from station.ui import windows_contrast


def test_the_struct_has_the_win32_layout() -> None:
    # HIGHCONTRASTW: UINT cbSize, DWORD dwFlags, LPWSTR lpszDefaultScheme (pointer-aligned).
    pointer = ctypes.sizeof(ctypes.c_void_p)
    assert ctypes.sizeof(windows_contrast._HIGHCONTRASTW) == 8 + pointer
    assert windows_contrast._HIGHCONTRASTW.lpszDefaultScheme.offset == 8


def test_off_windows_nothing_is_asked() -> None:
    assert windows_contrast.windows_high_contrast() is None
