r"""The trusted side's own store: a folder only the station's service account (or root) can read.

Machine policy and the machine config folder are readable by every local account, so a PIN hash
kept there cracks offline (a 6-digit PIN in under a minute). The hashes (``people.json``) and the
wrong-PIN ledger live here instead:

* Linux ``/var/lib/station/private``, mode 0700, owned by the ``station`` service account when it
  exists (root otherwise); every file in it 0600, created so from its first byte (``os.open`` with
  the mode, never a chmod after the write).
* Windows ``%ProgramData%\Station\private``: the installer's ACLs (SYSTEM and the service account
  only) protect it; they are the Windows installer's task, and only links are refused here.

The folder and each file are checked before use. A folder or file that another account could read
or write, that is a symbolic link, or that an account other than root, the service account or the
one running is owner of, is refused with :class:`PrivateStoreError` naming it: the station then
fails closed (no PIN can be checked) rather than trust or leak a hash.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from station.security.files import atomic_write_text
from station.security.pin import PinFileError

__all__ = ["SERVICE_ACCOUNT", "PrivateStore", "PrivateStoreError"]

#: The OS account the station's service runs as (created by ``install.sh --system``).
SERVICE_ACCOUNT: Final = "station"
_FOLDER_MODE: Final = 0o700
_FILE_MODE: Final = 0o600


class PrivateStoreError(PinFileError):
    """The private store cannot be used safely; the message names the folder or file."""


def _account_ids(name: str | None) -> tuple[int, int] | None:
    """(uid, gid) of the account ``name``, or None where there is no such account (or no pwd)."""
    if not name or sys.platform == "win32":
        return None
    try:
        import pwd

        entry = pwd.getpwnam(name)
    except (ImportError, KeyError):
        return None
    return entry.pw_uid, entry.pw_gid


@dataclass(frozen=True, slots=True)
class PrivateStore:
    """One private folder. ``service_account`` is the account that should own it (tests name
    another); when the store is written as root and that account exists, it is made the owner."""

    folder: Path
    service_account: str | None = SERVICE_ACCOUNT
    #: Also trust a store owned by the account running (a developer's checkout). Never on an
    #: installed station: there the operator's own account could have made the folder (older
    #: installs gave it the machine data folder) and filled it with PINs of its choosing.
    trust_running_account: bool = False

    def path(self, name: str) -> Path:
        return self.folder / name

    def _owner(self) -> tuple[int, int] | None:
        return _account_ids(self.service_account)

    def trusted_owners(self) -> frozenset[int]:
        """Root and the service account (and the account running, when
        :attr:`trust_running_account`): the only owners a folder or file of the store may have."""
        owners = {0}
        if self.trust_running_account and hasattr(os, "geteuid"):
            owners.add(os.geteuid())
        service = self._owner()
        if service is not None:
            owners.add(service[0])
        return frozenset(owners)

    def _give_to_service(self, path: Path) -> None:
        """As root, hand ``path`` to the service account (when it exists)."""
        owner = self._owner()
        if owner is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
            return
        try:
            os.chown(path, *owner, follow_symlinks=False)
        except OSError as exc:
            raise PrivateStoreError(
                f"{path}: cannot be given to the service account ({exc.strerror})"
            ) from None

    def _refusal(self, path: Path, *, folder: bool) -> str | None:
        what = "folder" if folder else "file"
        try:
            info = path.lstat()
        except OSError as exc:
            return f"the {what} cannot be read ({exc.strerror or exc})"
        if stat.S_ISLNK(info.st_mode):
            return f"the {what} is a symbolic link; it must be a real {what}"
        if (stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)) is False:
            return f"it is not a {what}"
        if sys.platform == "win32":  # pragma: no cover - the installer's ACLs guard it there
            return None
        if info.st_uid not in self.trusted_owners():
            return (
                f"the {what} is owned by uid {info.st_uid}, not by root or the station's service "
                f"account ({self.service_account}): that account could read or change the PINs"
            )
        if folder and not os.access(path, os.R_OK | os.W_OK | os.X_OK):
            return (
                f"this account (uid {os.geteuid()}) may not use it: only the station's service "
                "account and root may read the PINs"
            )
        if info.st_mode & 0o077:
            return (
                f"other accounts can read or write the {what} (mode {stat.S_IMODE(info.st_mode):o}); "
                f"it must be {_FOLDER_MODE if folder else _FILE_MODE:o}, "
                "or a PIN hash could be cracked offline"
            )
        return None

    def check(self) -> None:
        """:class:`PrivateStoreError` unless the folder exists and only the trusted side can use it."""
        problem = self._refusal(self.folder, folder=True)
        if problem is not None:
            raise PrivateStoreError(f"the station's private store {self.folder}: {problem}")

    def check_file(self, path: Path) -> None:
        """:class:`PrivateStoreError` unless ``path`` (in the store) is private to the trusted side."""
        problem = self._refusal(path, folder=False)
        if problem is not None:
            raise PrivateStoreError(f"{path}: {problem}")

    def open(self) -> None:
        """Create the folder if it is missing (0700 from the start, handed to the service account
        when run as root), then :meth:`check` it."""
        if not self.folder.exists() and not self.folder.is_symlink():
            try:
                self.folder.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileExistsError):  # made by another process meanwhile
                    self.folder.mkdir(mode=_FOLDER_MODE)  # checked below either way
            except OSError as exc:
                raise PrivateStoreError(
                    f"the station's private store {self.folder} cannot be created ({exc.strerror or exc}); "
                    "it is made by the station's service or `station admin init`, run as an administrator"
                ) from None
            self._give_to_service(self.folder)
        self.check()

    def write_text(self, name: str, text: str) -> Path:
        """Replace the file ``name`` atomically; it is 0600 from its first byte (the temporary file
        is created with that mode), and the service account's when written as root."""
        path = self.path(name)
        try:
            atomic_write_text(path, text, mode=_FILE_MODE)
        except OSError as exc:
            raise PrivateStoreError(f"{path}: cannot be written ({exc.strerror or exc})") from None
        self._give_to_service(path)
        return path

    def create_file(self, name: str) -> Path:
        """Make sure the file ``name`` exists, created empty with mode 0600 (and handed to the
        service account) if it did not, then check it."""
        path = self.path(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, _FILE_MODE)
        except FileExistsError:
            pass
        except OSError as exc:
            raise PrivateStoreError(f"{path}: cannot be created ({exc.strerror or exc})") from None
        else:
            os.close(fd)
            self._give_to_service(path)
        self.check_file(path)
        return path

    def remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(name).unlink()
