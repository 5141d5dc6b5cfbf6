""":class:`Emulator`, the in-process handle: bind, serve on a background thread, stop.

Why a real server on a real socket: the station's client must be tested against the things that
only happen on the wire — keep-alive, ``Expect: 100-continue``, a server that never answers, a
connection reset — and ``curl`` must work against it exactly as against the provider.

Threads: :meth:`Emulator.start` binds and listens on the caller's thread (so a taken port fails
there, and ``base_url`` is known at once), then returns. A daemon thread waits — without holding
the GIL — for the first connection, and only then imports the server stack (aiohttp, about
0.15 s) and runs its event loop. In demo mode the first request comes when the operator first
presses Space, so the window's first frame never competes with that import; connections made in
between wait in the listen backlog. Analyses run on a small thread pool beside the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import selectors
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from station.emulator.endpoints import (
    BALANCE_PATH,
    CONTROL_PATH,
    DEFAULT_BALANCE,
    DEFAULT_TOKEN,
    LIVENESS_PATH,
)
from station.emulator.limits import Limits
from station.emulator.scenarios import Scenario, ScenarioConfig
from station.emulator.state import EmulatorState, RecordedRequest
from station.vision.faces import FaceDetector

__all__ = [
    "BALANCE_PATH",
    "CONTROL_PATH",
    "DEFAULT_BALANCE",
    "DEFAULT_TOKEN",
    "LIVENESS_PATH",
    "Emulator",
    "RecordedRequest",
]

log = logging.getLogger("station.emulator")


def _loopback_address(host: str) -> tuple[socket.AddressFamily, str]:
    """The literal loopback address to bind for ``host``; ValueError for anything else."""
    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return socket.AF_INET, "127.0.0.1"
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = None
    if ip is None or not ip.is_loopback:
        raise ValueError(
            f"the emulator only listens on loopback (127.0.0.1, ::1 or localhost), not {host!r}: "
            "it has a well-known token and must not be reachable from the network"
        )
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return family, str(ip)


def _listen(family: socket.AddressFamily, address: str, port: int, backlog: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":  # on Windows SO_REUSEADDR lets a second process take the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


class _ServerThread:
    """The thread that serves one bound socket; started lazily, stopped promptly."""

    def __init__(
        self, sock: socket.socket, state: EmulatorState, detector: FaceDetector, limits: Limits
    ) -> None:
        self._sock = sock
        self._state = state
        self._detector = detector
        self._limits = limits
        self._lock = threading.Lock()
        self._stop_requested = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(
            target=self._run, name=f"station-emulator-{sock.getsockname()[1]}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        with self._lock:
            self._stop_requested = True
            loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just finished by itself
                loop.call_soon_threadsafe(stopping.set)
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the emulator's server thread did not stop within %.1f s", timeout)

    def _run(self) -> None:
        try:
            if self._first_connection():
                asyncio.run(self._serve())
        except Exception:
            log.exception("the emulator stopped with an error")
        finally:
            self._sock.close()
            self._wake_reader.close()
            self._wake_writer.close()

    def _first_connection(self) -> bool:
        """Block (GIL released) until a client connects (True) or stop is asked for (False)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    return key.fileobj is self._sock

    async def _serve(self) -> None:
        from station.emulator.service import serve  # the server stack: imported here, on first use

        stopping = asyncio.Event()
        with self._lock:
            if self._stop_requested:
                return
            self._loop, self._stopping = asyncio.get_running_loop(), stopping
        await serve(self._sock, self._state, self._detector, self._limits, stopping)


class Emulator:
    """A local Surepass face-liveness v5 emulator on a loopback port.

    >>> with Emulator() as emulator:           # doctest: +SKIP
    ...     httpx.post(emulator.base_url + LIVENESS_PATH, ...)

    ``stop()`` is prompt: it ends open connections and unblocks ``hang`` and ``slow`` requests.
    ``limits`` shortens or widens the bounds of :mod:`station.emulator.limits` for one emulator.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        scenario: ScenarioConfig | Scenario | str = Scenario.AUTO,
        balance: int = DEFAULT_BALANCE,
        detector: FaceDetector | None = None,
        limits: Limits | None = None,
    ) -> None:
        self._family, self._address = _loopback_address(host)
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0-65535, not {port}")
        if not token or token != token.strip() or any(c.isspace() for c in token):
            raise ValueError("the token must be a non-empty string without whitespace")
        self._port = port
        self._state = EmulatorState(token=token, config=ScenarioConfig.of(scenario), balance=balance)
        self._detector = detector
        self._limits = limits or Limits()
        self._server: _ServerThread | None = None
        self._bound_port = 0
        self._lifecycle = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind, listen and serve on a daemon thread; returns self. OSError if the port is taken."""
        with self._lifecycle:
            if self._server is not None:
                raise RuntimeError("the emulator is already running")
            if self._detector is None:
                self._detector = FaceDetector()
            sock = _listen(self._family, self._address, self._port, self._limits.listen_backlog)
            self._bound_port = int(sock.getsockname()[1])
            self._server = _ServerThread(sock, self._state, self._detector, self._limits)
            self._server.start()
            log.info("emulator listening on %s", self.base_url)
            return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop serving, end open connections (hanging ones too) and release the port."""
        with self._lifecycle:
            server, self._server = self._server, None
            if server is not None:
                server.stop(timeout)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        """The bound port (the ephemeral one when constructed with ``port=0``)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``http://[::1]:PORT`` on IPv6)."""
        host = f"[{self._address}]" if self._family == socket.AF_INET6 else self._address
        return f"http://{host}:{self.port}"

    @property
    def liveness_url(self) -> str:
        return self.base_url + LIVENESS_PATH

    @property
    def token(self) -> str:
        """The token the emulator accepts (a development value, see :data:`DEFAULT_TOKEN`)."""
        return self._state.token

    @property
    def limits(self) -> Limits:
        return self._limits

    # -- scenario -------------------------------------------------------------------------------

    @property
    def scenario(self) -> ScenarioConfig:
        return self._state.current_config()

    def set_scenario(self, scenario: ScenarioConfig | Scenario | str, **params: Any) -> ScenarioConfig:
        """Switch scenario (``params``: failures, delay, retry_after, status); resets counters."""
        config = ScenarioConfig.of(scenario)
        if params:
            config = ScenarioConfig.from_mapping({**config.to_json(), **params})
        self._state.set_config(config)
        return config

    # -- observation ----------------------------------------------------------------------------

    @property
    def requests_received(self) -> int:
        """Liveness POSTs received so far (counted before auth and scenarios)."""
        with self._state.cond:
            return self._state.requests_received

    @property
    def disconnects(self) -> int:
        """Clients that hung up on a ``hang`` request."""
        with self._state.cond:
            return self._state.disconnects

    @property
    def hanging(self) -> int:
        """Requests currently held open by the ``hang`` scenario."""
        with self._state.cond:
            return self._state.hanging

    @property
    def balance(self) -> int:
        with self._state.cond:
            return self._state.balance

    @property
    def last_request(self) -> RecordedRequest | None:
        """The latest API request (liveness or balance); never holds the token."""
        with self._state.cond:
            return self._state.history[-1] if self._state.history else None

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """The latest API requests, oldest first (at most 100)."""
        with self._state.cond:
            return tuple(self._state.history)

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> bool:
        """Block until at least ``n`` liveness POSTs arrived; False on timeout."""
        return self._state.wait(lambda: self._state.requests_received >= n, timeout)

    def wait_for_disconnect(self, timeout: float = 5.0, count: int = 1) -> bool:
        """Block until ``count`` clients hung up on ``hang`` requests; False on timeout."""
        return self._state.wait(lambda: self._state.disconnects >= count, timeout)

    def wait_for_hanging(self, n: int = 1, timeout: float = 5.0) -> bool:
        """Block until ``n`` requests are being held open by ``hang``; False on timeout."""
        return self._state.wait(lambda: self._state.hanging >= n, timeout)

    @contextlib.contextmanager
    def timing(self) -> Iterator[list[float]]:
        """Durations (s) of the liveness answers given while the block runs, in order: from the
        handler's start (headers parsed) to the answer ready to write. For the benchmark, which
        subtracts the emulator's own time from the station's."""
        durations: list[float] = []
        listener: Callable[[float], None] = durations.append
        with self._state.cond:
            self._state.timers.append(listener)
        try:
            yield durations
        finally:
            with self._state.cond:
                self._state.timers.remove(listener)
