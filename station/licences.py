"""Where the third-party notices the station ships with are, in a bundle and in a checkout.

The build writes ``THIRD-PARTY-NOTICES.txt`` (every component's licence and its full text) into
the bundle folder beside the executable, and the Windows installer puts it beside
``station.exe``: that is where an administrator looks, and where Help ▸ About ▸ Licences reads
it. A source checkout has it only after ``python3 packaging/build`` (in ``dist/station/``); a
development run without a build says so instead of showing nothing. No Qt here, so the
self-test and the command line can use it too.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NOTICES_NAME", "Notices", "find_notices", "read_notices"]

NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
_CHECKOUT = Path(__file__).resolve().parent.parent
NOT_BUILT = (
    "The third-party notices are written by the build (python3 packaging/build) into the bundle, "
    "beside the station program. This is a development run from a source checkout that has not "
    "been built, so there is nothing to show; the licences of the dependencies are in their "
    "packages' metadata (pip show --files NAME)."
)


@dataclass(frozen=True)
class Notices:
    """The notices' text and where it was read (``path`` is None when there are none)."""

    text: str
    path: Path | None


def candidates() -> list[Path]:
    """Where to look, in order: beside the frozen executable, else the checkout's built bundle."""
    if getattr(sys, "frozen", False):
        here = Path(sys.executable).resolve().parent
        places = [here / NOTICES_NAME]
        bundle_data = getattr(sys, "_MEIPASS", None)
        if bundle_data is not None:
            places.append(Path(bundle_data).parent / NOTICES_NAME)
        return places
    return [_CHECKOUT / "dist" / "station" / NOTICES_NAME]


def find_notices() -> Path | None:
    return next((path for path in candidates() if path.is_file()), None)


def read_notices() -> Notices:
    """The shipped notices, or an explanation (never an exception: this backs a Help menu item)."""
    path = find_notices()
    if path is None:
        if getattr(sys, "frozen", False):
            looked = ", ".join(str(p) for p in candidates())
            return Notices(f"{NOTICES_NAME} is missing from this installation (looked in {looked}).", None)
        return Notices(NOT_BUILT, None)
    try:
        return Notices(path.read_text(encoding="utf-8", errors="replace"), path)
    except OSError as exc:
        return Notices(f"{path} could not be read: {exc.strerror or exc}", None)
