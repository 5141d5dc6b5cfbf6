"""The emulator's HTTP/1.1 server and its in-process handle, :class:`Emulator`.

Why a real server on a real socket: the station's client must be tested against the things that
only happen on the wire — keep-alive, ``Expect: 100-continue``, a server that never answers, a
connection reset — and ``curl`` must work against it exactly as against the provider.

Threads: ``ThreadingHTTPServer`` serves each connection on its own thread. Shared state (scenario,
counters, balance, the last request) lives in :class:`_State` behind one condition variable, which
is also what the ``wait_for_*`` helpers wait on, so tests synchronise without sleeping.

Never stored or logged: the ``Authorization`` header's value. Only its scheme is recorded.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import logging
import select
import socket
import socketserver
import struct
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from station.emulator import responses
from station.emulator.analysis import (
    AnalysisFailure,
    analyse,
    decode_image,
    failed_detail,
    rasterise_pdf,
)
from station.emulator.inputs import LivenessInput, media_type, parse_liveness_request
from station.emulator.links import LinkFetchError, LinkRefusedError, fetch_loopback
from station.emulator.scenarios import Scenario, ScenarioConfig, ScenarioError
from station.vision.faces import FaceDetector

__all__ = [
    "BALANCE_PATH",
    "CONTROL_PATH",
    "DEFAULT_BALANCE",
    "DEFAULT_TOKEN",
    "LIVENESS_PATH",
    "MAX_BODY_BYTES",
    "Emulator",
    "RecordedRequest",
]

log = logging.getLogger("station.emulator")

#: A development token with no value anywhere: the emulator accepts it by default. Not a secret.
DEFAULT_TOKEN = "demo-token"  # noqa: S105
DEFAULT_BALANCE = 1000
LIVENESS_PATH = "/api/v1/ocr/face-liveness-v5"
BALANCE_PATH = "/api/v1/utils/usage/balance"
CONTROL_PATH = "/_emulator/scenario"
#: Request bodies above this size are refused with a 413.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: How often a hanging handler looks for a departed client or a stopping server.
_HANG_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What a client sent, for tests to check. Holds no credential."""

    method: str
    path: str
    content_type: str | None
    fields: tuple[str, ...] = ()
    file_name: str | None = None
    file_content_type: str | None = None
    file_size: int | None = None
    use_pdf: str | None = None
    link: str | None = None
    scenario: Scenario = Scenario.AUTO
    authorization_scheme: str | None = None  # "Bearer"; the token itself is never kept
    headers: tuple[str, ...] = ()  # header *names*, lower-cased, in order


@dataclass
class _State:
    """Everything the handler threads share; guard every access with ``cond``."""

    token: str
    config: ScenarioConfig
    balance: int
    cond: threading.Condition = field(default_factory=threading.Condition)
    counters: dict[ScenarioConfig, int] = field(default_factory=dict)
    requests_received: int = 0
    disconnects: int = 0
    hanging: int = 0
    history: list[RecordedRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_call(self, config: ScenarioConfig) -> int:
        """The 0-based index of this call under ``config`` (for N-failures scenarios)."""
        with self.cond:
            index = self.counters.get(config, 0)
            self.counters[config] = index + 1
            return index


class _Server(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` that tracks connections so :meth:`Emulator.stop` can end them."""

    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second process bind the same port: never there.
    allow_reuse_address = sys.platform != "win32"
    state: _State
    detector: FaceDetector

    def __init__(self, address: tuple[str, int], state: _State, detector: FaceDetector) -> None:
        self.state = state
        self.detector = detector
        self._connections: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        self._reset: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._track = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can take
        # seconds on a misconfigured branch PC. The name is only used for CGI: skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._track:
            self._connections.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        current = threading.current_thread()
        with self._track:
            self._handler_threads.add(current)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._track:
                self._handler_threads.discard(current)

    def mark_for_reset(self, request: socket.socket) -> None:
        """Close this connection with an RST (SO_LINGER 0, no FIN first)."""
        request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._reset.add(request)

    def shutdown_request(self, request: Any) -> None:
        with self._track:
            self._connections.discard(request)
        if request in self._reset:
            request.close()  # linger 0: the kernel sends RST; a shutdown() would send FIN first
            return
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("connection from %s ended: %r", client_address, exc)
        else:
            log.exception("emulator handler failed for %s", client_address)

    def end_connections(self, timeout: float) -> None:
        """Shut down every open connection and wait (bounded) for their threads."""
        with self._track:
            connections = list(self._connections)
            threads = list(self._handler_threads)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SurepassEmulator/1.0"
    sys_version = ""
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK and every kept-alive answer gains ~40 ms (measured by the benchmark).
    disable_nagle_algorithm = True
    server: _Server

    # -- plumbing -------------------------------------------------------------------------------

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path
        routes = {
            LIVENESS_PATH: ("POST", self._liveness),
            BALANCE_PATH: ("GET", self._balance),
            CONTROL_PATH: ("GET POST", self._control),
        }
        route = routes.get(path)
        if route is None:
            if self._read_body() is not None:
                self._send_json(404, responses.error_body(404, f"no such endpoint: {path}", "not_found"))
            return
        allowed, handler = route
        if method not in allowed.split():
            if self._read_body() is not None:
                self._send_json(
                    405,
                    responses.error_body(405, f"{method} is not allowed here", "method_not_allowed"),
                    {"Allow": ", ".join(allowed.split())},
                )
            return
        handler(method)

    def _read_body(self) -> bytes | None:
        """The request body, or None after an error answer (the connection is then closed)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        if not raw_length.strip().isdigit():
            self.close_connection = True
            self._send_json(400, responses.error_body(400, "bad Content-Length", "bad_request"))
            return None
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send_json(413, _too_large())
            return None
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away mid-body
            self.close_connection = True
            return None
        return body

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                self._send_json(400, responses.error_body(400, "bad chunked encoding", "bad_request"))
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                self._send_json(413, _too_large())
                return None
            chunk = self.rfile.read(size)
            self.rfile.readline(8)
            if len(chunk) < size:
                self.close_connection = True
                return None
            chunks.append(chunk)

    def _send_json(self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
        self._send_bytes(status, responses.dumps(body), headers)

    def _send_bytes(self, status: int, payload: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _authorised(self, state: _State) -> bool:
        header = self.headers.get("Authorization")
        if header is None:
            return False
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return hmac.compare_digest(token.strip().encode(), state.token.encode())

    def _send_unauthorised(self) -> None:
        self._send_json(401, responses.UNAUTHORIZED_BODY, {"WWW-Authenticate": "Bearer"})

    def _effective_config(self, state: _State) -> ScenarioConfig:
        with state.cond:
            config = state.config
        return config.with_headers(dict(self.headers.items()))

    # -- endpoints ------------------------------------------------------------------------------

    def _liveness(self, method: str) -> None:
        state = self.server.state
        body = self._read_body()
        if body is None:
            return
        content_type = self.headers.get("Content-Type")
        request = parse_liveness_request(body, content_type)
        config_error: ScenarioError | None = None
        try:
            config = self._effective_config(state)
        except ScenarioError as exc:
            config, config_error = state.config, exc
        self._record(method, content_type, request, config.name, counted=True)

        if not self._authorised(state) or config.name is Scenario.UNAUTHORIZED:
            self._send_unauthorised()
            return
        if config_error is not None:
            self._send_json(422, responses.error_body(422, str(config_error), "invalid_scenario"))
            return
        if not self._play_transport_scenario(config):
            return
        if request.error is not None:
            error = request.error
            self._send_json(422, responses.error_body(422, error.message, error.message_code))
            return
        try:
            detail = self._analyse(request, config.name)
        except LinkRefusedError as exc:  # re-checked at fetch time; never reached in practice
            self._send_json(422, responses.error_body(422, str(exc), "link_refused"))
            return
        with state.cond:
            state.balance = max(0, state.balance - 1)
        payload = responses.dumps(responses.success_body(detail))
        if config.name is Scenario.MALFORMED_JSON:
            payload = payload[: max(1, len(payload) // 2)]
        self._send_bytes(200, payload)

    def _play_transport_scenario(self, config: ScenarioConfig) -> bool:
        """Act out error/transport scenarios; True when the request should be answered normally."""
        state = self.server.state
        name = config.name
        if name is Scenario.RESET:
            self.close_connection = True
            self.server.mark_for_reset(self.connection)
            return False
        if name is Scenario.HANG:
            self._hang()
            return False
        if name is Scenario.SLOW and state.stopping.wait(config.delay):
            self.close_connection = True  # stopping: leave without an answer
            return False
        if name is Scenario.ERROR:
            index = state.next_call(config)
            self._send_json(config.status, responses.server_error_body(config.status, index))
            return False
        if name is Scenario.ERROR_THEN_OK:
            index = state.next_call(config)
            if index < config.failures:
                self._send_json(config.status, responses.server_error_body(config.status, index))
                return False
        if name is Scenario.RATE_LIMITED:
            index = state.next_call(config)
            if index < config.failures:
                self._send_json(429, responses.rate_limited_body(), {"Retry-After": str(config.retry_after)})
                return False
        return True

    def _hang(self) -> None:
        """Never answer: wait until the client hangs up or the server stops."""
        state = self.server.state
        self.close_connection = True
        with state.cond:
            state.hanging += 1
            state.cond.notify_all()
        connection = self.connection
        try:
            while not state.stopping.is_set():
                try:
                    readable, _, _ = select.select([connection], [], [], _HANG_POLL_SECONDS)
                except (OSError, ValueError):
                    return  # the socket was shut down by stop()
                if not readable:
                    continue
                try:
                    data = connection.recv(65536)  # anything a client sends now is ignored
                except OSError:
                    data = b""
                if not data:
                    if not state.stopping.is_set():
                        with state.cond:
                            state.disconnects += 1
                            state.cond.notify_all()
                    return
        finally:
            with state.cond:
                state.hanging -= 1
                state.cond.notify_all()

    def _analyse(self, request: LivenessInput, scenario: Scenario) -> dict[str, Any]:
        try:
            if request.file is not None:
                data = request.file.data
                image = rasterise_pdf(data) if request.use_pdf else decode_image(data)
            else:
                assert request.link is not None
                try:
                    data = fetch_loopback(request.link)
                except LinkFetchError as exc:
                    raise AnalysisFailure(f"link_unreachable ({exc})") from None
                image = decode_image(data)
        except AnalysisFailure as failure:
            return failed_detail(failure.reason)
        return analyse(image, self.server.detector, scenario, seed=data)

    def _balance(self, method: str) -> None:
        state = self.server.state
        if self._read_body() is None:
            return
        try:
            config = self._effective_config(state)
        except ScenarioError as exc:
            self._send_json(422, responses.error_body(422, str(exc), "invalid_scenario"))
            return
        self._record(method, self.headers.get("Content-Type"), None, config.name, counted=False)
        if not self._authorised(state) or config.name is Scenario.UNAUTHORIZED:
            self._send_unauthorised()
            return
        with state.cond:
            balance = state.balance
        self._send_json(200, responses.balance_body(balance))

    def _control(self, method: str) -> None:
        state = self.server.state
        body = self._read_body()
        if body is None:
            return
        if method == "POST":
            try:
                data = json.loads(body.decode("utf-8") or "null")
                if not isinstance(data, dict):
                    raise ScenarioError('send a JSON object such as {"name": "spoof"}')
                config = ScenarioConfig.from_mapping(data)
            except (UnicodeDecodeError, json.JSONDecodeError):
                self._send_json(422, responses.error_body(422, "invalid JSON", "invalid_json"))
                return
            except ScenarioError as exc:
                self._send_json(422, responses.error_body(422, str(exc), "invalid_scenario"))
                return
            _set_config(state, config)
            log.info("scenario set to %s", config.to_json())
        with state.cond:
            current = state.config
        self._send_json(200, current.to_json())

    def _record(
        self,
        method: str,
        content_type: str | None,
        request: LivenessInput | None,
        scenario: Scenario,
        *,
        counted: bool,
    ) -> None:
        authorization = self.headers.get("Authorization")
        scheme = authorization.strip().partition(" ")[0] if authorization else None
        file = request.file if request is not None else None
        record = RecordedRequest(
            method=method,
            path=urlsplit(self.path).path,
            content_type=media_type(content_type) or None,
            fields=request.fields if request is not None else (),
            file_name=file.filename if file is not None else None,
            file_content_type=file.content_type if file is not None else None,
            file_size=len(file.data) if file is not None else None,
            use_pdf=request.use_pdf_raw if request is not None else None,
            link=request.link if request is not None else None,
            scenario=scenario,
            authorization_scheme=scheme or None,
            headers=tuple(name.lower() for name in self.headers),
        )
        state = self.server.state
        with state.cond:
            state.history.append(record)
            del state.history[:-100]
            if counted:
                state.requests_received += 1
            state.cond.notify_all()


def _too_large() -> dict[str, Any]:
    return responses.error_body(413, f"request body larger than {MAX_BODY_BYTES} bytes", "payload_too_large")


def _set_config(state: _State, config: ScenarioConfig) -> None:
    with state.cond:
        state.config = config
        state.counters.clear()
        state.cond.notify_all()


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


class _Server6(_Server):
    address_family = socket.AF_INET6


class Emulator:
    """A local Surepass face-liveness v5 emulator on a loopback port.

    >>> with Emulator() as emulator:           # doctest: +SKIP
    ...     httpx.post(emulator.base_url + LIVENESS_PATH, ...)

    ``stop()`` is prompt: it ends open connections and unblocks ``hang`` and ``slow`` handlers.
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
    ) -> None:
        self._family, self._address = _loopback_address(host)
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be 0-65535, not {port}")
        if not token or token != token.strip() or any(c.isspace() for c in token):
            raise ValueError("the token must be a non-empty string without whitespace")
        self._port = port
        self._state = _State(token=token, config=ScenarioConfig.of(scenario), balance=balance)
        self._detector = detector
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve on a daemon thread; returns self. Raises OSError if the port is taken."""
        with self._lifecycle:
            if self._server is not None:
                raise RuntimeError("the emulator is already running")
            if self._detector is None:
                self._detector = FaceDetector()
            self._state.stopping.clear()
            server_class = _Server6 if self._family == socket.AF_INET6 else _Server
            server = server_class((self._address, self._port), self._state, self._detector)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"station-emulator-{server.server_port}",
                daemon=True,
            )
            self._server, self._thread = server, thread
            thread.start()
            log.info("emulator listening on %s", self.base_url)
            return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop serving, end open connections (hanging ones too) and release the port."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            if server is None:
                return
            self._state.stopping.set()
            server.shutdown()
            server.end_connections(timeout)
            server.server_close()
            if thread is not None:
                thread.join(timeout)
            self._server = self._thread = None

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
        return self._server.server_port

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

    # -- scenario -------------------------------------------------------------------------------

    @property
    def scenario(self) -> ScenarioConfig:
        with self._state.cond:
            return self._state.config

    def set_scenario(self, scenario: ScenarioConfig | Scenario | str, **params: Any) -> ScenarioConfig:
        """Switch scenario (``params``: failures, delay, retry_after, status); resets counters."""
        config = ScenarioConfig.of(scenario)
        if params:
            config = ScenarioConfig.from_mapping({**config.to_json(), **params})
        _set_config(self._state, config)
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
        return self._wait(lambda: self._state.requests_received >= n, timeout)

    def wait_for_disconnect(self, timeout: float = 5.0, count: int = 1) -> bool:
        """Block until ``count`` clients hung up on ``hang`` requests; False on timeout."""
        return self._wait(lambda: self._state.disconnects >= count, timeout)

    def wait_for_hanging(self, n: int = 1, timeout: float = 5.0) -> bool:
        """Block until ``n`` requests are being held open by ``hang``; False on timeout."""
        return self._wait(lambda: self._state.hanging >= n, timeout)

    def _wait(self, predicate: Any, timeout: float) -> bool:
        with self._state.cond:
            return bool(self._state.cond.wait_for(predicate, timeout))
