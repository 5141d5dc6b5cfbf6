"""Fetch a ``link`` for the emulator: loopback only, one total deadline, a size cap, no redirects.

Why so strict: the emulator runs on branch PCs and in CI. It must never become a way to make the
machine fetch arbitrary URLs (SSRF), nor leak a test image to the internet. The host is checked
*before* any socket exists, names other than ``localhost`` are never resolved, and the connection
goes to the literal loopback address. The deadline covers everything from connect to the last
byte, so a server that drips one byte a second is abandoned, not waited on for minutes.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "LinkFetchError",
    "LinkRefusedError",
    "fetch_loopback",
    "loopback_target",
]


class LinkRefusedError(ValueError):
    """The link is not a loopback http URL; the emulator makes no outbound requests (a 422)."""


class LinkFetchError(Exception):
    """A loopback link could not be fetched (an ``ok: false`` answer)."""


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where a link may be fetched from: a literal loopback address, never a name."""

    address: str
    port: int
    host_header: str
    path: str

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}{self.path}"


def loopback_target(link: str) -> LinkTarget:
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
    return LinkTarget(address, port or 80, parts.netloc.rpartition("@")[2], path)


async def fetch_loopback(link: str, *, deadline: float, max_bytes: int) -> bytes:
    """The body at a loopback link, within ``deadline`` seconds in all and ``max_bytes``.

    Raises :class:`LinkRefusedError` (not loopback) or :class:`LinkFetchError`.
    """
    target = loopback_target(link)
    import aiohttp  # with the server stack, on the server's thread
    import yarl

    try:
        async with asyncio.timeout(deadline):
            async with aiohttp.ClientSession(auto_decompress=False, trust_env=False) as session:
                response = await session.get(
                    yarl.URL(target.url, encoded=True),
                    headers={"Host": target.host_header, "Accept-Encoding": "identity"},
                    allow_redirects=False,
                )
                async with response:
                    if response.status != 200:
                        raise LinkFetchError(
                            f"HTTP {response.status} from the link (redirects are not followed)"
                        )
                    if response.content_length is not None and response.content_length > max_bytes:
                        raise LinkFetchError(f"the linked file is larger than {max_bytes} bytes")
                    body = bytearray()
                    while chunk := await response.content.readany():
                        body += chunk
                        if len(body) > max_bytes:
                            raise LinkFetchError(f"the linked file is larger than {max_bytes} bytes")
                    return bytes(body)
    except TimeoutError:
        raise LinkFetchError(f"the link did not answer in full within {deadline:g} s") from None
    except (OSError, aiohttp.ClientError) as exc:
        raise LinkFetchError(f"could not fetch the link: {exc.__class__.__name__}: {exc}") from None
