"""Small files that must never be half-written or readable by other users.

``atomic_write_text`` writes a temporary file in the same directory (created with mode 0600 from
the start, so the content is never briefly world-readable), flushes and fsyncs it, then
``os.replace``-s it over the target: a reader sees the old file or the new one, never a mix, and a
power cut leaves one of the two.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from pathlib import Path

__all__ = ["PRIVATE_FILE_MODE", "atomic_write_text", "ensure_private_dir", "untrusted_because"]

#: Owner read/write only. On Windows only the read-only bit is honoured; the per-user profile
#: directories the station uses are already private to the user there.
PRIVATE_FILE_MODE = 0o600
_PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` (and parents) if missing; a new directory is owner-only."""
    directory.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def atomic_write_text(path: Path, text: str, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically, the result having ``mode``."""
    ensure_private_dir(path.parent)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)  # the umask may have narrowed or (never) widened os.open's mode
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def untrusted_because(path: Path, trusted_owner: int, what: str = "file") -> str | None:
    """Why ``path`` cannot be trusted to hold what only IT may set, or None if it can.

    On POSIX: it must not be a symbolic link, must be owned by ``trusted_owner`` (root) and must
    not be writable by group or others, or whoever can write it could change the bank's rules.
    On Windows the installer's ACLs protect the folder; only links are refused here.
    """
    try:
        info = path.lstat()
    except OSError as exc:
        return f"the {what} cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return f"the {what} is a symbolic link; it must be a real {what}"
    if sys.platform == "win32":
        return None
    if info.st_uid != trusted_owner:
        return (
            f"the {what} is not owned by root (owner uid {info.st_uid}); "
            "anyone who owns it could change the bank's rules"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"the {what} is writable by group or others (mode {stat.S_IMODE(info.st_mode):o})"
    return None
