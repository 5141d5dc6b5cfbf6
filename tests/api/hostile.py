"""A hostile service on a real loopback socket: answers as large as it likes, streamed.

The first path segment of the request picks the answer:

- ``/small/…``   a normal 200 liveness answer (the contract's example)
- ``/declared/…`` 200 with ``Content-Length`` of :data:`HUGE` and a body streamed until the client
  stops reading
- ``/chunked/…``  200, chunked, no length announced, streamed the same way
- ``/error502/…`` 502 with a chunked HTML page of the same size
- ``/text/…``     200 with the contract's example, ``client_id`` set to :attr:`HostileService.client_id`
- ``/gzipok/…``   200, the contract's example gzipped, ``Content-Encoding: gzip``
- ``/gzipjunk/…`` 200, ``Content-Encoding: gzip`` over a body that is not gzip
- ``/gzipbomb/…`` 200, ``Content-Encoding: gzip``: :data:`BOMB_SIZE` zero bytes gzipped once (a few
  hundred kB on the wire)
- ``/stacked/…``  200, ``Content-Encoding: gzip, gzip``: the same bytes gzipped twice (under 1 kB)
- ``/br/…``       200, ``Content-Encoding: br`` (any coding the client did not ask for)
- ``/retry-<kind>/…`` 503 with a hostile ``Retry-After`` (:data:`RETRY_AFTER` names them)
- ``/badhead-<kind>/…`` an answer HTTP cannot parse (:data:`BAD_HEADS` names them)

The server counts the bytes it managed to send, so a test can tell that the client stopped early.
Nothing here is timed: the stream stops when the client closes its end or after :data:`HUGE`.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.api.contract import CONTRACT_EXAMPLE

#: 1.5 GB, the body the issue measured.
HUGE = 1_500_000_000
_CHUNK = b"A" * (1 << 20)
#: What the gzip bombs inflate to: 300 MB, as the red team's did.
BOMB_SIZE = 300 * 1024 * 1024
#: Hostile ``Retry-After`` values, by the name the ``/retry-<kind>/`` path uses.
RETRY_AFTER = {
    "date": "Mon, 01 Jan 9999999999 00:00:00 GMT",
    "huge": "9" * 5000,
    "nan": "NaN",
    "negative": "-5",
    "inf": "1e999",
}


#: Answers whose head no HTTP parser accepts, by the name the ``/badhead-<kind>/`` path uses.
BAD_HEADS = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n{}",
    "status": b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}",
    "header": b"HTTP/1.1 200 OK\r\nX-Bad\x00Name: 1\r\nContent-Length: 2\r\n\r\n{}",
    "notHTTP": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
}


def _gzip_zeros(size: int) -> bytes:
    """``size`` zero bytes gzipped, made a megabyte at a time (never all in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


@functools.cache
def bombs() -> tuple[bytes, bytes]:
    """(gzipped once, gzipped twice) :data:`BOMB_SIZE` zero bytes."""
    once = _gzip_zeros(BOMB_SIZE)
    return once, gzip.compress(once, 9)


class HostileService:
    def __init__(self) -> None:
        self.sent: dict[str, int] = {}
        self.requests: dict[str, int] = {}
        self.client_id = "x"
        self._lock = threading.Lock()
        self._streamed = threading.Condition(self._lock)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, mode: str) -> str:
        return f"{self.base}/{mode}"

    def _count(self, mode: str, sent: int) -> None:
        with self._streamed:
            self.sent[mode] = self.sent.get(mode, 0) + sent
            self._streamed.notify_all()

    def bytes_sent(self, mode: str, timeout: float = 30.0) -> int:
        """What the server had sent when the stream in ``mode`` ended (the client hung up)."""
        with self._streamed:
            if not self._streamed.wait_for(lambda: mode in self.sent, timeout):
                raise AssertionError(f"the {mode} stream did not end within {timeout} s")
            return self.sent[mode]

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                mode = self.path.strip("/").split("/")[0]
                with service._lock:
                    service.requests[mode] = service.requests.get(mode, 0) + 1
                try:
                    if mode == "small":
                        self._json(CONTRACT_EXAMPLE)
                    elif mode == "text":
                        answer = json.loads(json.dumps(CONTRACT_EXAMPLE))
                        answer["data"]["client_id"] = service.client_id
                        self._json(answer)
                    elif mode == "declared":
                        self._stream(200, "application/json", chunked=False, mode=mode)
                    elif mode == "chunked":
                        self._stream(200, "application/json", chunked=True, mode=mode)
                    elif mode == "error502":
                        self._stream(502, "text/html", chunked=True, mode=mode)
                    elif mode == "gzipok":
                        self._raw(200, gzip.compress(json.dumps(CONTRACT_EXAMPLE).encode()), "gzip")
                    elif mode == "gzipjunk":
                        self._raw(200, json.dumps(CONTRACT_EXAMPLE).encode(), "gzip")
                    elif mode == "gzipbomb":
                        self._raw(200, bombs()[0], "gzip", mode=mode)
                    elif mode == "stacked":
                        self._raw(200, bombs()[1], "gzip, gzip", mode=mode)
                    elif mode == "br":
                        self._raw(200, json.dumps(CONTRACT_EXAMPLE).encode(), "br")
                    elif mode.startswith("badhead-") and mode[8:] in BAD_HEADS:
                        self.close_connection = True
                        self.wfile.write(BAD_HEADS[mode[8:]])
                    elif mode.startswith("retry-") and mode[6:] in RETRY_AFTER:
                        self._raw(503, b'{"message": "busy"}', None, retry_after=RETRY_AFTER[mode[6:]])
                    else:
                        self.send_error(404)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _raw(
                self,
                status: int,
                body: bytes,
                encoding: str | None,
                *,
                mode: str | None = None,
                retry_after: str | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if encoding is not None:
                    self.send_header("Content-Encoding", encoding)
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                finally:
                    if mode is not None:
                        service._count(mode, len(body))

            def _json(self, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, status: int, content_type: str, *, chunked: bool, mode: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(HUGE))
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                sent = 0
                try:
                    opening = b'{"data": {"client_id": "'
                    self._write(opening, chunked)
                    sent += len(opening)
                    while sent < HUGE:
                        piece = _CHUNK[: HUGE - sent]
                        self._write(piece, chunked)
                        sent += len(piece)
                finally:
                    service._count(mode, sent)

            def _write(self, data: bytes, chunked: bool) -> None:
                if chunked:
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                else:
                    self.wfile.write(data)

        return Handler

    def __enter__(self) -> HostileService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@contextmanager
def hostile_service() -> Iterator[HostileService]:
    with HostileService() as service:
        yield service
