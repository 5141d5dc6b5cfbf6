"""Fetch a ``link`` for the emulator: loopback only, short timeout, size cap, no redirects.

Why so strict: the emulator runs on branch PCs and in CI. It must never become a way to make the
machine fetch arbitrary URLs (SSRF), nor leak a test image to the internet. The host is checked
*before* any socket exists, names other than ``localhost`` are never resolved, and the connection
goes to the literal loopback address.
"""

from __future__ import annotations

import http.client
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "LINK_MAX_BYTES",
    "LINK_TIMEOUT_SECONDS",
    "LinkFetchError",
    "LinkRefusedError",
    "fetch_loopback",
    "loopback_target",
]

LINK_TIMEOUT_SECONDS = 5.0
LINK_MAX_BYTES = 20 * 1024 * 1024


class LinkRefusedError(ValueError):
    """The link is not a loopback http URL; the emulator makes no outbound requests (a 422)."""


class LinkFetchError(Exception):
    """A loopback link could not be fetched (an ``ok: false`` answer)."""


@dataclass(frozen=True, slots=True)
class _Target:
    address: str  # a literal loopback IP
    port: int
    host_header: str
    path: str


def loopback_target(link: str) -> _Target:
    """Where a link points, if and only if it is ``http://`` to a loopback host."""
    refusal = (
        "the emulator makes no outbound requests: a link must be an http:// URL on this "
        "machine (127.0.0.0/8, ::1 or localhost)"
    )
    try:
        parts = urlsplit(link.strip())
        port = parts.port
    except ValueError:
        raise LinkRefusedError(f"not a valid URL; {refusal}") from None
    if parts.scheme.lower() != "http":
        raise LinkRefusedError(f"scheme {parts.scheme or '(none)'!r} refused; {refusal}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise LinkRefusedError(f"the URL has no host; {refusal}")
    if host == "localhost":
        address = "127.0.0.1"  # never ask a resolver: /etc/hosts could say anything
    else:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise LinkRefusedError(f"host {host!r} refused; {refusal}") from None
        if not ip.is_loopback:
            raise LinkRefusedError(f"host {host!r} is not loopback; {refusal}")
        address = str(ip)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(address, port or 80, parts.netloc.rpartition("@")[2], path)


def fetch_loopback(
    link: str, *, timeout: float = LINK_TIMEOUT_SECONDS, max_bytes: int = LINK_MAX_BYTES
) -> bytes:
    """The body at a loopback link. Raises :class:`LinkRefusedError` or :class:`LinkFetchError`."""
    target = loopback_target(link)
    connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    try:
        connection.request("GET", target.path, headers={"Host": target.host_header})
        response = connection.getresponse()
        if response.status != 200:
            raise LinkFetchError(f"HTTP {response.status} from the link (redirects are not followed)")
        length = response.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise LinkFetchError(f"the linked file is larger than {max_bytes} bytes")
        data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise LinkFetchError(f"the linked file is larger than {max_bytes} bytes")
        return data
    except (OSError, http.client.HTTPException) as exc:
        raise LinkFetchError(f"could not fetch the link: {exc.__class__.__name__}: {exc}") from None
    finally:
        connection.close()
