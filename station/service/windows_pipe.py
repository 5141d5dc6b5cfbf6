"""The station service's transport on Windows: a local named pipe, and the caller's account from it.

The Windows half of the service's transport (the Unix socket is the other): whole messages in and
out, each framed by a 4-byte big-endian length, and on the service's side the caller's identity
taken from the pipe itself, never from what the caller says.

* :class:`PipeListener` (the service) owns ``\\\\.\\pipe\\<name>``. Its first instance is created
  with ``FILE_FLAG_FIRST_PIPE_INSTANCE``, so a process that took the name first makes the service
  fail loudly instead of sharing the name; one instance is always waiting, so the name is never
  free for another process to take between two callers. ``PIPE_REJECT_REMOTE_CLIENTS``: local
  callers only. The pipe's security descriptor (:func:`pipe_sddl`) gives SYSTEM and the service's
  own account full control and interactive users read and write **without**
  ``FILE_CREATE_PIPE_INSTANCE`` (which ``GENERIC_WRITE`` would include), so a caller cannot add
  instances of its own to the name; network logons are denied.
* :class:`PipeTransport` is one connection. On the service's side :meth:`PipeTransport.peer` is
  the caller's account (``ImpersonateNamedPipeClient`` then the thread token's user: Windows
  allows that only after a message was read, hence after :meth:`PipeTransport.receive`) and its
  process id (``GetNamedPipeClientProcessId``).
* :func:`connect` (the clients: the GUI, the ``station`` command) opens the pipe at
  *identification* level (``SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION``): the service can
  learn who is calling but cannot act as the caller.

All I/O is overlapped, so :meth:`PipeListener.close` and :meth:`PipeTransport.close` from another
thread end a wait in :meth:`PipeListener.accept` or :meth:`PipeTransport.receive` (the service's
stop control). Qt-free; importable on every OS (the calls fail with
:class:`~station.service.win32_api.NotOnWindowsError` off Windows).

What Wine 8.0 does with this is measured in the README ("The station service on Windows"): it
runs, but Wine enforces no security descriptor, and every process there has the same account.
"""

from __future__ import annotations

import ctypes
import functools
import struct
import threading
import time
from collections.abc import Callable
from ctypes import wintypes
from dataclasses import dataclass
from typing import Any, Final

from station.service import win32_api as win
from station.service.win32_api import Account

__all__ = [
    "CLIENT_RIGHTS",
    "MAX_MESSAGE",
    "MessageTooLargeError",
    "PipeClosedError",
    "PipeError",
    "PipeListener",
    "PipePeer",
    "PipeTransport",
    "connect",
    "frame",
    "pipe_path",
    "pipe_sddl",
    "read_frame",
]

#: The largest message either side accepts (a request carries one JPEG picture).
MAX_MESSAGE: Final = 16 * 1024 * 1024
_HEADER: Final = struct.Struct(">I")

_PIPE_ACCESS_DUPLEX: Final = 0x3
_FILE_FLAG_OVERLAPPED: Final = 0x40000000
_FILE_FLAG_FIRST_PIPE_INSTANCE: Final = 0x00080000
_PIPE_REJECT_REMOTE_CLIENTS: Final = 0x8
_PIPE_UNLIMITED_INSTANCES: Final = 255
_BUFFER: Final = 64 * 1024
_OPEN_EXISTING: Final = 3
_SECURITY_SQOS_PRESENT: Final = 0x00100000
_SECURITY_IDENTIFICATION: Final = 0x00010000
_SDDL_REVISION_1: Final = 1
_APPEAR_POLL_SECONDS: Final = 0.1

# FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE: what a client opens with.
_CLIENT_OPEN: Final = 0x1 | 0x2 | 0x80 | 0x100000
#: What the pipe grants interactive users: the above plus FILE_READ_EA, FILE_WRITE_ATTRIBUTES and
#: READ_CONTROL; never FILE_APPEND_DATA, which on a pipe is FILE_CREATE_PIPE_INSTANCE.
CLIENT_RIGHTS: Final = 0x1 | 0x2 | 0x8 | 0x80 | 0x100 | 0x20000 | 0x100000


class PipeError(OSError):
    """The pipe could not be created, opened, read or written."""


class PipeClosedError(PipeError):
    """The other side went away, or this side was closed (the service is stopping)."""


class MessageTooLargeError(PipeError):
    """A frame announced more than :data:`MAX_MESSAGE` bytes: the connection is dropped unread."""


@dataclass(frozen=True, slots=True)
class PipePeer:
    """Who is on the other end of the pipe, as Windows knows it."""

    #: ``DOMAIN\\user`` (``LookupAccountSidW``) of the caller's token.
    account: str
    #: The caller's SID string (``S-1-5-21-…``): the account's identity, stable across renames.
    sid: str
    #: The caller's process id (``GetNamedPipeClientProcessId``).
    pid: int


def pipe_path(name: str) -> str:
    """``\\\\.\\pipe\\<name>`` for a bare pipe name (letters, digits, ``.``, ``-``, ``_``)."""
    if not name or not all(c.isascii() and (c.isalnum() or c in ".-_") for c in name):
        raise ValueError(f"not a pipe name: {name!r}")
    return "\\\\.\\pipe\\" + name


def pipe_sddl(service_sid: str) -> str:
    """The pipe's security descriptor: SYSTEM and ``service_sid`` full control, interactive users
    :data:`CLIENT_RIGHTS`, network logons nothing; protected from inheritance."""
    if not service_sid.startswith("S-1-") or not all(c.isdigit() or c == "-" for c in service_sid[4:]):
        raise ValueError(f"not a SID: {service_sid!r}")
    return f"D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;{service_sid})(A;;{CLIENT_RIGHTS:#x};;;IU)"


def frame(message: bytes) -> bytes:
    """One message as it travels: its length (4 bytes, big-endian) then its bytes."""
    if len(message) > MAX_MESSAGE:
        raise MessageTooLargeError(f"a message of {len(message)} bytes is over the {MAX_MESSAGE}-byte limit")
    return _HEADER.pack(len(message)) + message


def read_frame(read_exactly: Callable[[int], bytes]) -> bytes:
    """One message from a stream, ``read_exactly(n)`` returning exactly ``n`` bytes (or raising)."""
    (length,) = _HEADER.unpack(read_exactly(_HEADER.size))
    if length > MAX_MESSAGE:
        raise MessageTooLargeError(f"the peer announced {length} bytes, over the {MAX_MESSAGE}-byte limit")
    return read_exactly(length) if length else b""


class _Handle:
    """An overlapped pipe handle, the calls in flight on it, and the event that ends their waits.

    Closing (from any thread) wakes and cancels every call in flight; the handle itself is
    released only once the last of them has returned, so the kernel never completes a call into
    a buffer, an OVERLAPPED or an event that is gone.
    """

    def __init__(self, handle: int) -> None:
        self._k32 = win.kernel32()
        self.handle = handle
        self._closed_event = _event()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._closing = False
        self._released = False
        self._before_release: Callable[[], None] | None = None

    @property
    def closed(self) -> bool:
        return self._closing

    def detach(self) -> int:
        """Hand the pipe handle on (to a transport); nothing may be in flight on it."""
        with self._lock:
            assert self._in_flight == 0, "detach() with a call in flight"
            self._closing = self._released = True
        self._k32.CloseHandle(self._closed_event)
        return self.handle

    def wake_and_close(self, before_release: Callable[[], None] | None = None) -> None:
        """End every wait on this handle; release it (after ``before_release``) once they are over."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._before_release = before_release
            idle = self._in_flight == 0
        self._k32.SetEvent(self._closed_event)
        self._k32.CancelIoEx(self.handle, None)
        if idle:
            self._release()

    def _release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        if self._before_release is not None:
            self._before_release()
        self._k32.CloseHandle(self.handle)
        self._k32.CloseHandle(self._closed_event)

    def overlapped(self, call: str, start: Callable[[win.OVERLAPPED], bool], timeout: float | None) -> int:
        """Start an overlapped call and wait for it, for the close event or for ``timeout`` seconds.

        Returns the bytes transferred. Raises :class:`PipeClosedError` when the peer went away or
        this handle was closed, :class:`TimeoutError` after ``timeout``.
        """
        with self._lock:
            if self.closed:
                raise PipeClosedError("the pipe is closed")
            self._in_flight += 1
        event = _event()
        try:
            return self._wait(call, start, timeout, event)
        finally:
            self._k32.CloseHandle(event)
            with self._lock:
                self._in_flight -= 1
                last = self._closing and self._in_flight == 0
            if last:
                self._release()

    def _wait(
        self, call: str, start: Callable[[win.OVERLAPPED], bool], timeout: float | None, event: int
    ) -> int:
        k32 = self._k32
        ov = win.OVERLAPPED()
        ov.hEvent = event
        if not start(ov):
            error = win.last_error()
            if error == win.ERROR_PIPE_CONNECTED:  # ConnectNamedPipe: the client came first
                return 0
            if error != win.ERROR_IO_PENDING:
                raise _failure(call, error)
            handles = (wintypes.HANDLE * 2)(event, self._closed_event)
            wait = win.INFINITE if timeout is None else max(0, int(timeout * 1000))
            woke = k32.WaitForMultipleObjects(2, handles, False, wait)
            if woke != win.WAIT_OBJECT_0:
                # Closed or timed out: cancel, and wait for the cancel to land before ``ov`` and
                # the buffer go out of scope (the kernel writes into both until then).
                k32.CancelIoEx(self.handle, ctypes.byref(ov))
                k32.GetOverlappedResult(self.handle, ctypes.byref(ov), ctypes.byref(wintypes.DWORD()), True)
                if woke == win.WAIT_TIMEOUT:
                    raise TimeoutError(f"{call}: no answer within {timeout} s")
                raise PipeClosedError("the pipe was closed")
        done = wintypes.DWORD(0)
        if not k32.GetOverlappedResult(self.handle, ctypes.byref(ov), ctypes.byref(done), True):
            raise _failure(call, win.last_error())
        return int(done.value)


class PipeTransport:
    """One connection over the pipe: whole messages in and out, and (service side) the caller."""

    def __init__(self, handle: int, *, server: bool) -> None:
        self._io = _Handle(handle)
        self._server = server
        self._peer: PipePeer | None = None
        self._read_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def send(self, message: bytes, timeout: float | None = None) -> None:
        """Send one whole message. After a :class:`TimeoutError` the connection is closed (a
        frame may be half-written)."""
        data = frame(message)
        with self._write_lock:
            try:
                self._write_all(memoryview(data), timeout)
            except TimeoutError:
                self.close()
                raise

    def _write_all(self, view: memoryview, timeout: float | None) -> None:
        while view:
            chunk = (ctypes.c_char * len(view)).from_buffer_copy(view)
            written = self._io.overlapped(
                "WriteFile",
                lambda ov, chunk=chunk: bool(  # type: ignore[misc]
                    self._io._k32.WriteFile(self._io.handle, chunk, len(chunk), None, ctypes.byref(ov))
                ),
                timeout,
            )
            if written == 0:
                raise PipeClosedError("the peer stopped reading")
            view = view[written:]

    def receive(self, timeout: float | None = None) -> bytes:
        """The next whole message. :class:`PipeClosedError` when the peer has gone."""
        with self._read_lock:
            try:
                message = read_frame(lambda n: self._read_exactly(n, timeout))
            except (TimeoutError, MessageTooLargeError):
                self.close()  # the stream is mid-frame: nothing after this could be trusted
                raise
            if self._server and self._peer is None:
                self._peer = self._identify()
            return message

    def peer(self) -> PipePeer:
        """The caller (service side), known once its first message was read."""
        if not self._server:
            raise PipeError("only the service's side of a pipe has a caller")
        if self._peer is None:
            raise PipeError("the caller is known only after its first message")
        return self._peer

    def server_pid(self) -> int:
        """The process id of the pipe's server (client side: who is answering)."""
        pid = wintypes.ULONG(0)
        win.check(
            "GetNamedPipeServerProcessId",
            win.kernel32().GetNamedPipeServerProcessId(self._io.handle, ctypes.byref(pid)),
        )
        return int(pid.value)

    def close(self) -> None:
        """Drop the connection (from any thread; a wait in :meth:`receive` ends with PipeClosedError)."""
        handle = self._io.handle
        k32 = self._io._k32

        def disconnect() -> None:
            if self._server:
                k32.DisconnectNamedPipe(handle)

        self._io.wake_and_close(disconnect)

    def _read_exactly(self, size: int, timeout: float | None) -> bytes:
        buffer = ctypes.create_string_buffer(size)
        got = 0
        while got < size:
            offset = got
            want = size - got
            target = ctypes.byref(buffer, offset)
            n = self._io.overlapped(
                "ReadFile",
                lambda ov, target=target, want=want: bool(  # type: ignore[misc]
                    self._io._k32.ReadFile(self._io.handle, target, want, None, ctypes.byref(ov))
                ),
                timeout,
            )
            if n == 0:
                raise PipeClosedError("the peer closed the pipe")
            got += n
        return buffer.raw[:size]

    def _identify(self) -> PipePeer:
        k32, api = win.kernel32(), win.advapi32()
        pid = wintypes.ULONG(0)
        win.check(
            "GetNamedPipeClientProcessId",
            k32.GetNamedPipeClientProcessId(self._io.handle, ctypes.byref(pid)),
        )
        win.check("ImpersonateNamedPipeClient", api.ImpersonateNamedPipeClient(self._io.handle))
        try:
            token = wintypes.HANDLE()
            # OpenAsSelf: the service's own rights open the thread token, not the caller's.
            win.check(
                "OpenThreadToken",
                api.OpenThreadToken(k32.GetCurrentThread(), win.TOKEN_QUERY, True, ctypes.byref(token)),
            )
        finally:
            if not api.RevertToSelf():  # still the caller: nothing more may run on this thread
                raise SystemExit("RevertToSelf failed: the service stops rather than act as its caller")
        try:
            account: Account = win.token_account(token.value or 0)
        finally:
            k32.CloseHandle(token)
        return PipePeer(account=account.name, sid=account.sid, pid=int(pid.value))


class PipeListener:
    """The service's end of ``\\\\.\\pipe\\<name>``: :meth:`accept` one caller at a time.

    ``sddl`` defaults to :func:`pipe_sddl` of the service's own account.
    """

    def __init__(self, name: str, sddl: str | None = None) -> None:
        self.path = pipe_path(name)
        self._sddl = sddl if sddl is not None else pipe_sddl(win.process_account().sid)
        self._descriptor: int | None = _security_descriptor(self._sddl)
        self._lock = threading.Lock()
        self._waiting: _Handle | None = _Handle(self._create(first=True))

    def accept(self) -> PipeTransport:
        """The next caller's connection. :class:`PipeClosedError` once :meth:`close` was called.

        A caller that connects and leaves before it is seen (``ERROR_NO_DATA``) costs its pipe
        instance, never the listener: a fresh instance takes its place and the wait goes on.
        """
        k32 = win.kernel32()
        while True:
            with self._lock:
                waiting = self._waiting
                if waiting is None:
                    raise PipeClosedError("the listener is closed")
            try:
                waiting.overlapped("ConnectNamedPipe", _connect_call(k32, waiting.handle), None)
            except PipeClosedError:
                with self._lock:
                    if self._waiting is not waiting:  # close() was called
                        raise
                    self._waiting = _Handle(self._create(first=False))
                waiting.wake_and_close(functools.partial(k32.DisconnectNamedPipe, waiting.handle))
                continue
            with self._lock:
                if self._waiting is None:
                    raise PipeClosedError("the listener is closed")
                # The next instance before this one is handed over: the name is never unowned.
                self._waiting = _Handle(self._create(first=False))
            # The connected instance leaves the listener: its own transport from here.
            return PipeTransport(waiting.detach(), server=True)

    def close(self) -> None:
        """Stop listening (from any thread; a waiting :meth:`accept` raises PipeClosedError)."""
        with self._lock:
            waiting, self._waiting = self._waiting, None
            descriptor, self._descriptor = self._descriptor, None
        if waiting is not None:
            waiting.wake_and_close()
        if descriptor:
            win.kernel32().LocalFree(descriptor)

    def _create(self, *, first: bool) -> int:
        attributes = win.SECURITY_ATTRIBUTES()
        attributes.nLength = ctypes.sizeof(attributes)
        attributes.lpSecurityDescriptor = self._descriptor
        attributes.bInheritHandle = False
        open_mode = _PIPE_ACCESS_DUPLEX | _FILE_FLAG_OVERLAPPED
        if first:
            open_mode |= _FILE_FLAG_FIRST_PIPE_INSTANCE
        handle = win.kernel32().CreateNamedPipeW(
            self.path,
            open_mode,
            _PIPE_REJECT_REMOTE_CLIENTS,  # PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT are 0
            _PIPE_UNLIMITED_INSTANCES,
            _BUFFER,
            _BUFFER,
            0,
            ctypes.byref(attributes),
        )
        if handle in (None, win.INVALID_HANDLE):
            error = win.last_error()
            if first and error == 5:  # ERROR_ACCESS_DENIED: FILE_FLAG_FIRST_PIPE_INSTANCE refused
                raise PipeError(
                    f"{self.path} is already taken by another process: the service won't share it"
                )
            raise _failure("CreateNamedPipeW", error)
        return int(handle)


def connect(name: str, timeout: float = 10.0, appear_within: float = 0.0) -> PipeTransport:
    """The client's end: open ``\\\\.\\pipe\\<name>``, waiting up to ``timeout`` s while it is busy.

    ``appear_within``: how long to wait for a pipe that does not exist yet (a service being
    started, e.g. auto-started with the session under Wine); 0 reports at once that the service is
    not running. ``WaitNamedPipeW`` does not wait for a pipe that does not exist, so this polls.
    """
    path = pipe_path(name)
    k32 = win.kernel32()
    wait_ms = max(1, int(timeout * 1000))
    give_up = time.monotonic() + appear_within
    while True:
        handle = k32.CreateFileW(
            path,
            _CLIENT_OPEN,
            0,
            None,
            _OPEN_EXISTING,
            _FILE_FLAG_OVERLAPPED | _SECURITY_SQOS_PRESENT | _SECURITY_IDENTIFICATION,
            None,
        )
        if handle not in (None, win.INVALID_HANDLE):
            return PipeTransport(int(handle), server=False)
        error = win.last_error()
        if error == win.ERROR_FILE_NOT_FOUND and time.monotonic() < give_up:
            time.sleep(_APPEAR_POLL_SECONDS)
            continue
        if error == win.ERROR_FILE_NOT_FOUND:
            raise PipeClosedError(f"{path}: the station service is not running (no such pipe)")
        if error != win.ERROR_PIPE_BUSY:
            raise _failure("CreateFileW", error)
        if not k32.WaitNamedPipeW(path, wait_ms):
            raise TimeoutError(f"{path}: the station service stayed busy for {timeout} s")


def _connect_call(k32: Any, handle: int) -> Callable[[win.OVERLAPPED], bool]:
    def start(ov: win.OVERLAPPED) -> bool:
        return bool(k32.ConnectNamedPipe(handle, ctypes.byref(ov)))

    return start


def _event() -> int:
    handle = win.kernel32().CreateEventW(None, True, False, None)
    if not handle:
        raise _failure("CreateEventW", win.last_error())
    return int(handle)


def _security_descriptor(sddl: str) -> int:
    descriptor = ctypes.c_void_p()
    ok = win.advapi32().ConvertStringSecurityDescriptorToSecurityDescriptorW(
        sddl, _SDDL_REVISION_1, ctypes.byref(descriptor), None
    )
    if not ok:
        raise PipeError(f"the pipe's security descriptor {sddl!r} is not valid SDDL ({win.last_error()})")
    return int(descriptor.value or 0)


def _failure(call: str, error: int) -> PipeError:
    closed = (
        win.ERROR_BROKEN_PIPE,
        win.ERROR_NO_DATA,
        win.ERROR_PIPE_NOT_CONNECTED,
        win.ERROR_OPERATION_ABORTED,
    )
    if error in closed:
        return PipeClosedError(f"{call}: the peer went away (Windows error {error})")
    return PipeError(f"{call} failed (Windows error {error})")
