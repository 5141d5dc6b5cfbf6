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
from pathlib import Path

__all__ = ["PRIVATE_FILE_MODE", "atomic_write_text", "ensure_private_dir"]

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
