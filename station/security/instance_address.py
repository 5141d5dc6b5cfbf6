"""Where a station's single-instance socket and its lock live: a place no other account can take.

A local socket named after something everybody can work out (the key and the user name) in a
shared temporary folder can be created first by another local user, and the kiosk then finds
"another station" there and exits. So:

* **POSIX**: the socket and its lock are files in the user's own folder
  ``<user data dir>/instance``, created 0700 and checked to be the station account's and closed to
  everybody else before use; nobody else can create a file in it.
* **Windows**: a named pipe cannot live in a folder, so what keeps others off it is its name: it
  carries a random secret kept in that same private folder (under the user's profile, whose ACLs
  keep others out), and another user cannot guess it to squat on it. POSIX names carry the secret
  too, so the code that makes and keeps it is the same (and tested) everywhere.

Qt-free: :mod:`station.ui.single_instance` turns the address into a ``QLocalServer``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from station.locations import user_data_dir
from station.security.files import atomic_write_text

__all__ = ["InstanceAddress", "InstanceFolderError", "instance_address"]

#: A Unix socket path must fit in ``sockaddr_un.sun_path`` (108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH: Final = 100
_SECRET_FILE: Final = "instance.secret"  # noqa: S105 - a file name


class InstanceFolderError(Exception):
    """The private folder is not private (another account's, open to others) or not usable."""


@dataclass(frozen=True, slots=True)
class InstanceAddress:
    #: What ``QLocalServer.listen``/``QLocalSocket.connectToServer`` take: a socket path (POSIX)
    #: or a pipe name (Windows).
    server: str
    #: The lock file that serialises two stations starting at the same moment.
    lock: Path


def instance_address(key: str, folder: Path | None = None) -> InstanceAddress:
    """The address for ``key`` in ``folder`` (default ``<user data dir>/instance``).

    Raises :class:`InstanceFolderError` if the folder is not private to this account.
    """
    place = folder if folder is not None else user_data_dir() / "instance"
    _ensure_private(place)
    lock = place / f"station-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock"
    name = "station-" + hashlib.sha256(f"{key}\0{_secret(place)}".encode()).hexdigest()[:16]
    if sys.platform == "win32":
        return InstanceAddress(name, lock)
    socket_path = place / name
    if len(os.fsencode(socket_path)) > _MAX_SOCKET_PATH:
        raise InstanceFolderError(f"the folder {place} is too deep for a local socket path")
    return InstanceAddress(str(socket_path), lock)


def _ensure_private(place: Path) -> None:
    try:
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(place)
    except OSError as exc:
        raise InstanceFolderError(f"cannot create {place}: {exc.strerror or exc}") from exc
    if not stat.S_ISDIR(info.st_mode):
        raise InstanceFolderError(f"{place} is not a folder (a link or a file is in its place)")
    if sys.platform == "win32":
        return  # the profile's ACLs; mode bits mean nothing there
    if info.st_uid != os.geteuid():
        raise InstanceFolderError(f"{place} belongs to another account (uid {info.st_uid})")
    if stat.S_IMODE(info.st_mode) & 0o077:
        try:
            os.chmod(place, 0o700)  # our own folder, made too open by someone: close it again
        except OSError as exc:
            raise InstanceFolderError(f"cannot make {place} private: {exc.strerror or exc}") from exc


def _secret(place: Path) -> str:
    """The folder's secret, made once: the first start to link its file in wins, the rest read it."""
    path = place / _SECRET_FILE
    for _ in range(2):
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            raise InstanceFolderError(f"cannot read the instance secret {path}: {exc}") from exc
        if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
            return text
        if text:
            path.unlink(missing_ok=True)  # damaged: make a new one (the name only has to be private)
        made = place / f".{_SECRET_FILE}.{secrets.token_hex(6)}"
        try:
            atomic_write_text(made, secrets.token_hex(32) + "\n")
            os.link(made, path)  # fails if another start got there first: then theirs is read
        except FileExistsError:
            pass
        except OSError as exc:
            raise InstanceFolderError(f"cannot keep the instance secret in {place}: {exc}") from exc
        finally:
            made.unlink(missing_ok=True)
    raise InstanceFolderError(f"the instance secret {path} keeps changing")
