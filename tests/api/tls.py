"""TLS servers on loopback for the trust tests: a service with a private CA's certificate, and a
proxy that intercepts (``CONNECT`` answered, then TLS with a forged certificate for the host asked).

Both record what reached them, so a test can say that nothing (no request, no token) did.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from typing import Any

import trustme

from tests.api.contract import CONTRACT_EXAMPLE

#: What the interceptor answers: the contract's LIVE example with a client_id it made up.
FORGED_CLIENT_ID = "face_liveness_v5_forgedByTheProxy000"


def _read_request(conn: ssl.SSLSocket | socket.socket) -> bytes:
    """One HTTP request (head and a Content-Length body), or what came before the peer hung up."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def _answer(document: dict[str, Any]) -> bytes:
    body = json.dumps(document).encode()
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


class _Listener:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port: int = self.sock.getsockname()[1]
        #: Every connection accepted, and every request read (decrypted where TLS was made).
        self.connections = 0
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            try:
                self._handle(raw)
            except (ssl.SSLError, OSError, ValueError):
                pass
            finally:
                raw.close()

    def _record(self, request: bytes) -> None:
        if request:
            with self._lock:
                self.requests.append(request)

    def _handle(self, raw: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()
        self.thread.join(5)


class TLSService(_Listener):
    """HTTPS on 127.0.0.1 with a certificate from ``ca``, answering the contract's example."""

    def __init__(self, ca: trustme.CA) -> None:
        self.certificate = ca.issue_cert("127.0.0.1", "localhost")
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.certificate.configure_cert(self.context)
        super().__init__()
        self.url = f"https://127.0.0.1:{self.port}"

    def _handle(self, raw: socket.socket) -> None:
        with self.context.wrap_socket(raw, server_side=True) as conn:
            request = _read_request(conn)
            self._record(request)
            if request:
                conn.sendall(_answer(CONTRACT_EXAMPLE))


class InterceptingProxy(_Listener):
    """An HTTP proxy that answers ``CONNECT`` with 200 and then plays the service with a
    certificate for the requested host from its own CA (``ca``): what a TLS-inspecting box, or an
    operator's own tool, does. It answers LIVE with :data:`FORGED_CLIENT_ID`."""

    def __init__(self, ca: trustme.CA) -> None:
        self.ca = ca
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tunnels: list[bytes] = []

    def _handle(self, raw: socket.socket) -> None:
        opening = _read_request(raw)
        first = opening.split(b"\r\n", 1)[0]
        with self._lock:
            self.tunnels.append(first)
        if not first.startswith(b"CONNECT "):
            self._record(opening)
            return
        host = first.split()[1].rsplit(b":", 1)[0].decode()
        raw.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert(host).configure_cert(context)
        with context.wrap_socket(raw, server_side=True) as conn:
            request = _read_request(conn)
            self._record(request)
            answer = json.loads(json.dumps(CONTRACT_EXAMPLE))
            answer["data"]["client_id"] = FORGED_CLIENT_ID
            conn.sendall(_answer(answer))
