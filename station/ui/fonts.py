"""The bundled Devanagari font, used only where the system has none.

A bare Linux kiosk (and the machine the screenshots are taken on) has no font with Devanagari
glyphs: Hindi would be drawn as boxes. Windows has Nirmala UI and most desktops have a Noto or
Lohit font, which are left alone (they match the rest of the system). Registering the bundled
Noto Sans Devanagari as an application font is enough: Qt's font fallback picks it for any
Devanagari character, whatever family a widget asks for.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Final

from PySide6.QtGui import QFontDatabase

from station.resources import ResourceMissingError, resource_path

__all__ = ["BUNDLED_FILES", "devanagari_families", "ensure_devanagari_font", "offscreen_uses_windows_fonts"]

_log = logging.getLogger(__name__)

#: The bundled font files (resources/fonts/, with OFL.txt beside them).
BUNDLED_FILES: Final = ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf")


def offscreen_uses_windows_fonts() -> None:
    """Windows: Qt's offscreen platform reads fonts from one folder (``QT_QPA_FONTDIR``, else
    PySide6's ``lib/fonts``, which the wheel does not ship), not from Windows, and draws every
    letter as a box without one: point it at the Windows fonts folder. Call before the
    QApplication exists; the ``windows`` platform ignores the variable. A folder already named
    there is kept."""
    if os.name != "nt" or os.environ.get("QT_QPA_FONTDIR"):
        return
    import ctypes

    buffer = ctypes.create_unicode_buffer(260)
    windll: Any = getattr(ctypes, "windll")  # noqa: B009 - Windows-only in typeshed
    length = windll.kernel32.GetWindowsDirectoryW(buffer, 260)
    if 0 < length < 260:
        os.environ["QT_QPA_FONTDIR"] = str(Path(buffer.value) / "Fonts")


def devanagari_families() -> list[str]:
    """The font families Qt knows that can write Devanagari (system and application fonts)."""
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari))


def ensure_devanagari_font(*, force: bool = False) -> list[str]:
    """Register the bundled font when no installed font writes Devanagari (or when ``force``);
    returns the families registered (empty when the system's own font is used). Needs a
    QGuiApplication. A missing file is logged, never fatal: English stays readable."""
    if devanagari_families() and not force:
        return []
    registered: list[str] = []
    for name in BUNDLED_FILES:
        try:
            path = resource_path("fonts", name)
        except ResourceMissingError as exc:
            _log.warning("%s: Hindi may show as boxes", exc)
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            _log.warning("the bundled font %s could not be loaded: Hindi may show as boxes", path)
            continue
        registered += [f for f in QFontDatabase.applicationFontFamilies(font_id) if f not in registered]
    return registered
