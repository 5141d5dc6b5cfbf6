"""The line between a station and the emulator during the scripted day: the service's latency, its
moods and the network's trouble, request by request.

Why a relay and not the emulator's own scenario switch: the day needs *one* 503, *one* 429, *one*
slow answer, *one* reset, each on a chosen customer's first call, while every other call of the
same verification is answered normally (so a station that retries is not punished twice). A relay
sees each request begin, so it can:

* add the emulator's per-request headers (``X-Emulator-Scenario`` and its parameters) to that
  request only: the customer in front of the camera (``auto`` for a live person or nobody,
  ``spoof`` for a photo held up) by default, a planned fault once;
* hold every answer until the service latency has passed since its request began (the service
  takes 1 s, as issue 16 measures click-to-verdict at);
* reset a connection (``SO_LINGER`` 0: an RST, as a broken link or a load balancer does).

Loopback only, one thread pair per connection, no Qt: it runs under the station's event loop
without touching it.
"""

from __future__ import annotations

import collections
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RESET", "ServiceLink", "Trouble"]


@dataclass(frozen=True, slots=True)
class Trouble:
    """What one request meets: emulator headers, or a reset of its connection."""

    name: str
    headers: Mapping[str, str] = field(default_factory=dict)
    reset: bool = False


#: The connection is reset as the request arrives.
RESET = Trouble("reset", reset=True)

_LINGER_NOW = struct.pack("ii", 1, 0)


class ServiceLink:
    """A loopback TCP relay in front of ``upstream`` (see the module docstring)."""

    def __init__(self, upstream: tuple[str, int], latency_s: float) -> None:
        self._upstream = upstream
        self._latency = float(latency_s)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._default: Mapping[str, str] = {}
        self._planned: collections.deque[Trouble] = collections.deque()
        self._requests = 0
        self._met: list[str] = []
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="bench-service-link", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def requests(self) -> int:
        """Requests that began on this link (reset ones too)."""
        with self._lock:
            return self._requests

    @property
    def trouble_met(self) -> list[str]:
        """The planned troubles requests have met, in order."""
        with self._lock:
            return list(self._met)

    @property
    def planned(self) -> int:
        with self._lock:
            return len(self._planned)

    def set_default(self, headers: Mapping[str, str]) -> None:
        """The emulator headers every request without a planned trouble carries."""
        with self._lock:
            self._default = dict(headers)

    def plan(self, trouble: Trouble) -> None:
        """The next request that begins meets ``trouble`` (then the default again)."""
        with self._lock:
            self._planned.append(trouble)

    def clear_plan(self) -> None:
        with self._lock:
            self._planned.clear()

    def start(self) -> ServiceLink:
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._accepter.join(2.0)
        self._listener.close()
        for thread in self._threads:
            thread.join(2.0)

    # -- internals ------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), name="bench-link-conn", daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._upstream, timeout=30.0)
        except OSError:
            client.close()
            return
        client.settimeout(None)
        upstream.settimeout(None)
        state = _Exchange()
        back = threading.Thread(
            target=self._answers, args=(upstream, client, state), name="bench-link-back", daemon=True
        )
        back.start()
        reset = False
        try:
            reset = self._requests_from(client, upstream, state)
        finally:
            # A reset closes at once with SO_LINGER 0 (an RST); anything else closes politely.
            for sock in (upstream,) if reset else (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            client.close()
            upstream.close()
            back.join(2.0)

    def _requests_from(self, client: socket.socket, upstream: socket.socket, state: _Exchange) -> bool:
        """Relay the client's requests; True if the connection was reset on purpose."""
        head = b""
        while not self._stop.is_set():
            try:
                data = client.recv(65536)
            except OSError:
                return False
            if not data:
                return False
            if state.between_requests():
                head += data
                if b"\r\n" not in head:
                    continue  # the request line is not complete yet
                trouble = self._begin()
                if trouble is not None and trouble.reset:
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_NOW)
                    return True
                headers = trouble.headers if trouble is not None else self._current_default()
                line_end = head.index(b"\r\n") + 2
                extra = b"".join(f"{k}: {v}\r\n".encode("ascii") for k, v in headers.items())
                data, head = head[:line_end] + extra + head[line_end:], b""
                state.request_began()
            try:
                upstream.sendall(data)
            except OSError:
                return False
        return False

    def _answers(self, upstream: socket.socket, client: socket.socket, state: _Exchange) -> None:
        while True:
            try:
                data = upstream.recv(65536)
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_WR)
                return
            began = state.answer_begins()
            if began is not None:
                wait = began + self._latency - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    return
            try:
                client.sendall(data)
            except OSError:
                return

    def _begin(self) -> Trouble | None:
        with self._lock:
            self._requests += 1
            trouble = self._planned.popleft() if self._planned else None
            if trouble is not None:
                self._met.append(trouble.name)
            return trouble

    def _current_default(self) -> Mapping[str, str]:
        with self._lock:
            return self._default


class _Exchange:
    """One connection's place in its request/answer cycle (HTTP/1.1, one request at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._began: float | None = None
        self._answering = True  # no request yet: the next client bytes begin one

    def between_requests(self) -> bool:
        with self._lock:
            return self._answering

    def request_began(self) -> None:
        with self._lock:
            self._began = time.monotonic()
            self._answering = False

    def answer_begins(self) -> float | None:
        """When the request being answered began, on the answer's first bytes (else None)."""
        with self._lock:
            if self._answering:
                return None
            self._answering = True
            began, self._began = self._began, None
            return began
