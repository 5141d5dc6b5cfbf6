"""The one place that finds files under ``resources/``, in a source checkout and in a frozen bundle.

PyInstaller unpacks data next to the executable under ``sys._MEIPASS``; a source checkout keeps them
in ``resources/`` at the repository root. Every other module asks here instead of building paths.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["ResourceMissingError", "resource_path", "resources_root", "sample_path"]


class ResourceMissingError(FileNotFoundError):
    """A file the station ships with is not where it should be (a broken install)."""


def resources_root() -> Path:
    """The folder holding the station's bundled resources."""
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base is not None:
        return Path(frozen_base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one bundled resource; raises :class:`ResourceMissingError` if it is absent."""
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise ResourceMissingError(f"bundled resource missing: {'/'.join(parts)} (looked in {path})")
    return path


def sample_path(name: str) -> Path:
    """A bundled sample image (``face.jpg``, ``two-faces.jpg`` …) used by demo mode and tests."""
    return resource_path("samples", name)
