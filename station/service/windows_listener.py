"""The named pipe in the station service's asyncio shape: a listener that hands each caller's
connection to a coroutine, and a connector for the clients.

The same shape as the Unix socket's listener and connections (``start(handler)``/``close()``;
``peer``, ``receive()`` a payload, ``send(frame)`` a whole frame, header included, ``close()``),
over :mod:`station.service.windows_pipe`'s blocking, overlapped calls run in worker threads.

Windows names a pipe's caller only after it has read a message from it
(``ImpersonateNamedPipeClient``), while the service decides on the caller before it answers. So
each connection's first frame is read before the handler sees the connection: ``peer`` is known
from the start, and the handler's first ``receive()`` returns that frame. A caller that connects
and says nothing holds one worker thread, never the accept loop.

``make_peer`` turns the pipe's :class:`~station.service.windows_pipe.PipePeer` into the service's
own peer type, and ``errors`` a pipe failure into the service's own exceptions (its "connection
closed" and "frame too large"), so its handler and client need nothing Windows-specific.
Qt-free; importable everywhere (the pipe calls fail off Windows).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Final, Generic, TypeVar

from station.service.windows_pipe import (
    MAX_MESSAGE,
    MessageTooLargeError,
    PipeClosedError,
    PipeError,
    PipeListener,
    PipePeer,
    PipeTransport,
    connect,
)

__all__ = ["FIRST_FRAME_SECONDS", "READ_AHEAD", "AsyncPipeListener", "PipeConnection", "pipe_connector"]

P = TypeVar("P")
Handler = Callable[["PipeConnection[P]"], Awaitable[None]]

_HEADER_SIZE: Final = 4
#: Frames a connection reads ahead of its ``receive()`` calls.
READ_AHEAD: Final = 2
#: How long a caller may take to send its first frame before its connection is dropped.
FIRST_FRAME_SECONDS: Final = 30.0


class PipeConnection(Generic[P]):
    """One caller's connection (service side, ``peer`` set) or the client's (``peer`` None).

    One reader thread per connection reads frames ahead (at most :data:`READ_AHEAD` not yet
    taken) into a queue, so a ``receive()`` that is cancelled (the service's hang-up watch is)
    loses nothing: the frame waits for the next ``receive()``, as a stream's buffer keeps it.
    Once the pipe fails, every later ``receive()`` raises.
    """

    def __init__(
        self,
        transport: PipeTransport,
        peer: P | None,
        first: bytes | None = None,
        errors: Callable[[PipeError], Exception] | None = None,
    ) -> None:
        self._transport = transport
        self._peer = peer
        self._first = first
        #: The caller's own exception for a pipe failure (the service's "connection closed" and
        #: "frame too large"); the pipe's own by default.
        self._errors = errors
        self._frames: asyncio.Queue[bytes | BaseException] | None = None
        self._credit = threading.Semaphore(READ_AHEAD)
        self._failed: BaseException | None = None

    @property
    def peer(self) -> P | None:
        return self._peer

    async def receive(self) -> bytes:
        """The next payload: :class:`PipeClosedError` when the other side has gone,
        :class:`MessageTooLargeError` past the limit (the connection is then closed)."""
        if self._first is not None:
            first, self._first = self._first, None
            return first
        if self._failed is not None:
            raise self._failed
        if self._frames is None:
            self._frames = asyncio.Queue()
            self._start_reader(asyncio.get_running_loop(), self._frames)
        item = await self._frames.get()
        self._credit.release()
        if isinstance(item, BaseException):
            self._failed = self._translate(item)
            raise self._failed
        return item

    def _translate(self, error: BaseException) -> BaseException:
        if self._errors is not None and isinstance(error, PipeError):
            return self._errors(error)
        return error

    def _start_reader(
        self, loop: asyncio.AbstractEventLoop, frames: asyncio.Queue[bytes | BaseException]
    ) -> None:
        def read_ahead() -> None:
            while True:
                self._credit.acquire()
                item: bytes | BaseException
                try:
                    item = self._transport.receive()
                except (PipeError, TimeoutError) as exc:
                    item = exc
                try:
                    loop.call_soon_threadsafe(frames.put_nowait, item)
                except RuntimeError:  # the loop is closed: nobody will read
                    return
                if isinstance(item, BaseException):
                    return

        threading.Thread(target=read_ahead, name="pipe-reader", daemon=True).start()

    async def send(self, frame: bytes) -> None:
        """Write one whole frame (its 4-byte big-endian length, then the payload)."""
        if (
            len(frame) < _HEADER_SIZE
            or int.from_bytes(frame[:_HEADER_SIZE], "big") != len(frame) - _HEADER_SIZE
        ):
            raise ValueError("not one whole frame: its header does not announce its length")
        if len(frame) - _HEADER_SIZE > MAX_MESSAGE:
            raise self._translate(MessageTooLargeError(f"a frame of {len(frame)} bytes is over the limit"))
        try:
            await asyncio.to_thread(self._transport.send, frame[_HEADER_SIZE:])
        except PipeError as exc:
            raise self._translate(exc) from exc

    async def close(self) -> None:
        self._transport.close()


class AsyncPipeListener(Generic[P]):
    """The service's end of ``\\\\.\\pipe\\<name>``: each caller, once its first frame has named
    it, goes to ``handler`` as a :class:`PipeConnection` on the running loop."""

    def __init__(
        self,
        name: str,
        make_peer: Callable[[PipePeer], P],
        sddl: str | None = None,
        errors: Callable[[PipeError], Exception] | None = None,
    ) -> None:
        self.name = name
        self._make_peer = make_peer
        self._sddl = sddl
        self._errors = errors
        self._listener: PipeListener | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, handler: Handler[P]) -> None:
        """Listen: callers can connect once this returns."""
        listener = await asyncio.to_thread(PipeListener, self.name, self._sddl)
        self._listener = listener
        loop = asyncio.get_running_loop()

        def accept_loop() -> None:
            while True:
                try:
                    transport = listener.accept()
                except PipeClosedError:
                    return
                try:
                    loop.call_soon_threadsafe(self._spawn, transport, handler)
                except RuntimeError:  # the loop is closed: the service is going away
                    transport.close()
                    return

        self._thread = threading.Thread(target=accept_loop, name=f"pipe-accept-{self.name}", daemon=True)
        self._thread.start()

    def _spawn(self, transport: PipeTransport, handler: Handler[P]) -> None:
        task = asyncio.get_running_loop().create_task(self._serve(transport, handler))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, transport: PipeTransport, handler: Handler[P]) -> None:
        try:
            first = await asyncio.to_thread(transport.receive, FIRST_FRAME_SECONDS)
            peer = self._make_peer(transport.peer())
        except (PipeError, TimeoutError):
            transport.close()  # gone, silent or over the limit before it said anything
            return
        try:
            await handler(PipeConnection(transport, peer, first, self._errors))
        finally:
            transport.close()  # the handler's to close; a handler that failed leaves no caller waiting

    async def close(self) -> None:
        """Stop accepting (connections under way are the handler's)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.to_thread(thread.join, 10)


def pipe_connector(
    name: str,
    timeout: float = 10.0,
    appear_within: float = 0.0,
    errors: Callable[[PipeError], Exception] | None = None,
) -> Callable[[], Awaitable[PipeConnection[PipePeer]]]:
    """Opens a connection to the service's pipe (:class:`PipeClosedError`, an OSError, if it is
    not there: raised as is, since a connector's failure is an OSError)."""

    async def open_connection() -> PipeConnection[PipePeer]:
        transport = await asyncio.to_thread(connect, name, timeout, appear_within)
        return PipeConnection(transport, None, errors=errors)

    return open_connection
