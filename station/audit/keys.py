"""The audit journal's HMAC key: 32 random bytes kept outside the database.

Where the key lives
    On an installed station, always in the key file ``audit.key`` in the machine data folder,
    beside the journal: the journal is the machine's, written from every operator's session, so
    its key cannot live in one operator's keyring.

    Elsewhere (development, a copy run from a folder), in the operating system's keyring
    (Windows Credential Manager, macOS Keychain, Secret Service on Linux desktops) under service
    ``station``, user ``audit-hmac-key``, hex encoded. It is created with :mod:`secrets` the first
    time the station records an attempt.

    Where no keyring is available (headless Linux kiosks: keyring raises ``NoKeyringError``, or
    the active backend is keyring's ``fail``/``null`` backend or a plain-text backend from
    ``keyrings.alt``), the key lives in its own file instead: by default ``audit.key`` in the
    station's data folder, or the path given. The file is created with
    ``os.open(O_CREAT | O_EXCL, 0o600)``, so on POSIX only the station's account can read it; on
    Windows the folder's ACLs (set by the installer) protect it. It is never inside the journal database, so a
    copy of the database (or an export) cannot be used to forge rows.

    If the keyring holds no key but a key file exists, the file's key is used, so a kiosk that
    gains a keyring later keeps the key its journal was written with. A keyring that exists but
    refuses access (locked, denied) is an error, never a reason to fall back to a file: silently
    switching keys would break the chain.

Why a keyring and not the database
    The MAC chain proves the journal was not altered only if whoever can edit the database file
    cannot also compute MACs. The key must therefore be somewhere the database is not.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from station.audit.errors import AuditKeyError
from station.audit.files import NotASmallFileError, read_small_file
from station.audit.paths import default_key_path
from station.locations import machine_folders

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring (about 40-80 ms to import) is imported when a key is looked up, not with this module:
# the settings import it, on the path to the station's first frame (issue 27).

__all__ = ["KEYRING_SERVICE", "KEYRING_USER", "KEY_BYTES", "load_key", "load_or_create_key", "read_key_file"]

log = logging.getLogger(__name__)

KEYRING_SERVICE = "station"
KEYRING_USER = "audit-hmac-key"
KEY_BYTES = 32
#: A key file is 64 hex digits and a newline; anything much larger is not a key file.
_MAX_KEY_FILE_BYTES = 1024


def load_or_create_key(key_file: Path | None = None) -> bytes:
    """Return the audit HMAC key, creating and storing 32 random bytes on first use.

    Order: an existing key in the OS keyring; else an existing key file (``key_file`` or
    :func:`~station.audit.paths.default_key_path`); else a new key in the OS keyring if one is
    usable; else a new key file created with mode 0600. See the module docstring.

    Raises :class:`AuditKeyError` if the keyring refuses access or the key file is unreadable or
    malformed.
    """
    return _load(key_file, create=True)


def load_key(key_file: Path | None = None) -> bytes:
    """Like :func:`load_or_create_key` but never creates a key (for verify, export and purge).

    Raises :class:`AuditKeyError` if there is no key anywhere.
    """
    return _load(key_file, create=False)


def read_key_file(key_file: Path) -> bytes:
    """Read the key from exactly this file, ignoring any keyring (``--key-file`` on the CLI).

    For auditors checking a copied journal and headless kiosks. Raises :class:`AuditKeyError`.
    """
    if not os.path.lexists(key_file):
        raise AuditKeyError(f"There is no audit key file at {key_file}.")
    return _read_key_file(key_file)


def _load(key_file: Path | None, *, create: bool) -> bytes:
    import keyring.errors

    path = key_file if key_file is not None else default_key_path()
    backend = _usable_keyring()
    if backend is not None:
        try:
            stored = _keyring_get(backend)
        except keyring.errors.NoKeyringError:
            backend, stored = None, None  # e.g. keyring is installed but no Secret Service runs
        if stored is not None:
            return _decode(stored, f"the keyring entry {KEYRING_SERVICE}/{KEYRING_USER}")
    if os.path.lexists(path):  # a dangling link is refused by the reader, not taken as "no key"
        return _read_key_file(path)
    if not create:
        where = "the OS keyring" if backend is not None else "any keyring (none is available)"
        raise AuditKeyError(
            f"No audit key was found in {where} or in the key file {path}. "
            "Without the key the journal cannot be checked; give the right file with --key-file."
        )
    key = secrets.token_bytes(KEY_BYTES)
    if backend is not None and _keyring_set(backend, key):
        return key
    log.info("No OS keyring available: storing the audit key in %s (mode 0600)", path)
    return _create_key_file(path, key)


def _usable_keyring() -> KeyringBackend | None:
    """The keyring to keep the key in, or None to use the key file.

    None on an installed station: its journal belongs to the machine and every operator's session
    writes to it, so the key must be the machine's too (the key file in the machine data folder),
    never one operator's keyring, which the next operator's session cannot see. Otherwise the
    OS keyring if :func:`~station.security.keyring_rules.secure_keyring` trusts it.
    """
    if machine_folders().installed:
        return None
    from station.security.keyring_rules import secure_keyring

    return secure_keyring()


def _keyring_get(backend: KeyringBackend) -> str | None:
    import keyring.errors

    try:
        value = backend.get_password(KEYRING_SERVICE, KEYRING_USER)
    except keyring.errors.NoKeyringError:
        raise
    except keyring.errors.KeyringError as exc:
        raise AuditKeyError(
            f"The OS keyring refused to give the audit key ({exc}). Unlock the keyring and retry."
        ) from exc
    return value if isinstance(value, str) else None


def _keyring_set(backend: KeyringBackend, key: bytes) -> bool:
    """Store the key; False if it turns out there is no keyring after all."""
    import keyring.errors

    encoded = key.hex()
    try:
        backend.set_password(KEYRING_SERVICE, KEYRING_USER, encoded)
        readback = backend.get_password(KEYRING_SERVICE, KEYRING_USER)
    except keyring.errors.NoKeyringError:
        return False
    except keyring.errors.KeyringError as exc:
        raise AuditKeyError(f"The OS keyring refused to store the new audit key ({exc}).") from exc
    if readback != encoded:
        raise AuditKeyError(
            "The OS keyring accepted the audit key but did not return it; refusing to use a key "
            "that would be lost."
        )
    return True


def _decode(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise AuditKeyError(
            f"The audit key in {where} is malformed (expected {KEY_BYTES} bytes "
            "as hex). Restore it from backup; do not replace it with a new key."
        )
    return key


def _read_key_file(path: Path) -> bytes:
    """Read a key file without following links or blocking, and tighten only our own file.

    A link (to ``/dev/zero``, say), a FIFO, a device or a folder is refused with an
    :class:`AuditKeyError` naming the path: never followed, never read, never chmod'ed. A key
    file others may read is narrowed to 0600 through the descriptor just read, and only when it is
    a regular file owned by the station's own account (one it created); anybody else's file is
    left as it is, with a warning.
    """
    try:
        data, info, fd = read_small_file(path, _MAX_KEY_FILE_BYTES)
    except NotASmallFileError as exc:
        raise AuditKeyError(f"Refusing the audit key file: {exc}.") from exc
    except OSError as exc:
        raise AuditKeyError(f"Cannot read the audit key file {path}: {exc.strerror or exc}") from exc
    try:
        mode = stat.S_IMODE(info.st_mode)
        if sys.platform != "win32" and mode & 0o077:
            if info.st_uid == os.geteuid():
                log.warning("Audit key file %s had mode %o; restricting it to 0600", path, mode)
                os.fchmod(fd, 0o600)
            else:
                log.warning(
                    "Audit key file %s has mode %o and belongs to another account (uid %d); "
                    "leaving it as it is: make it private to the station's account",
                    path,
                    mode,
                    info.st_uid,
                )
    except OSError as exc:
        raise AuditKeyError(f"Cannot restrict the audit key file {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        text = ""
    return _decode(text, f"the key file {path}")


def _create_key_file(path: Path, key: bytes) -> bytes:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        return _read_key_file(path)  # another process created it first: use theirs
    except OSError as exc:
        raise AuditKeyError(f"Cannot create the audit key file {path}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.hex().encode("ascii") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)  # never leave a half-written key behind
        raise AuditKeyError(f"Cannot write the audit key file {path}: {exc}") from exc
    return key
