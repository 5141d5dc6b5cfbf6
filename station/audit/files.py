"""Reading and writing the journal's small side files (key, anchor, exports) without surprises.

The key loader once followed a symlink to ``/dev/zero``, chmod'ed the device and then hung reading
it; a FIFO in the key's place hung it too. So small files are opened with ``O_NOFOLLOW`` (a link
is refused, not followed) and ``O_NONBLOCK`` (opening a FIFO returns at once), checked with
``fstat`` on the open descriptor (no race between the check and the read) to be a regular file
of a sane size, and only then read. Files the station writes are written whole to a private
temporary file and renamed over the target, so they are created 0600 by us, never half-written,
and never written through a link someone planted.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["NotASmallFileError", "PrivateFileWriter", "read_small_file"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class NotASmallFileError(OSError):
    """The path is a link, a FIFO, a device, a folder, or larger than allowed."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def read_small_file(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result, int]:
    """The bytes of a regular file of at most ``max_bytes``, its ``fstat``, and an open descriptor.

    Returns ``(data, stat, fd)``; the caller owns ``fd`` (it may ``fchmod`` the very file it
    read) and must close it. Raises :class:`NotASmallFileError` naming what the path is instead.
    """
    if not _NOFOLLOW and path.is_symlink():  # Windows: no O_NOFOLLOW; check first
        raise NotASmallFileError(f"{path} is a symbolic link, not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY)
    except OSError as exc:
        if _NOFOLLOW and path.is_symlink():  # ELOOP: O_NOFOLLOW refused the link
            raise NotASmallFileError(f"{path} is a symbolic link, not a regular file") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotASmallFileError(f"{path} is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise NotASmallFileError(f"{path} is {info.st_size} bytes; at most {max_bytes} expected")
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise NotASmallFileError(f"{path} grew past {max_bytes} bytes while being read")
    except BaseException:
        os.close(fd)
        raise
    return b"".join(chunks), info, fd


class PrivateFileWriter:
    """Write ``target`` as a new 0600 file: a temporary file beside it, then an atomic rename.

    Use as a context manager; :attr:`fd` is the temporary file's descriptor. On success the
    temporary file is fsynced and renamed over ``target`` (replacing a link, never following
    it); on an exception it is removed and ``target`` is untouched. An existing target that is not
    a regular file (a device, a FIFO, a folder) is refused: ``--out /dev/null`` must not replace
    ``/dev/null``. ``sync_folder=False`` skips the folder's fsync after the rename, for a file
    whose previous version is still a right answer if the rename is lost in a power cut (the
    journal's head file: one row behind is accepted).
    """

    def __init__(self, target: Path, *, sync_folder: bool = True) -> None:
        self.target = target
        self.sync_folder = sync_folder
        self.temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        self.fd = -1

    def __enter__(self) -> PrivateFileWriter:
        try:
            info = os.lstat(self.target)
        except FileNotFoundError:
            pass
        else:
            if not stat.S_ISREG(info.st_mode):
                raise NotASmallFileError(f"{self.target} is {_kind(info.st_mode)}; refusing to replace it")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
        self.fd = os.open(self.temp, flags, 0o600)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        done = False
        try:
            if exc_type is None:
                os.fsync(self.fd)
                os.close(self.fd)
                self.fd = -1
                os.replace(self.temp, self.target)
                done = True
        finally:
            if self.fd >= 0:
                os.close(self.fd)
            if not done:
                with contextlib.suppress(OSError):
                    os.unlink(self.temp)
        if self.sync_folder:
            _fsync_dir(self.target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable on POSIX; nothing to do where folders cannot be opened."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
