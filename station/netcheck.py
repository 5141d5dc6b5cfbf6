"""The engine of the network check panel: can this station reach the service, step by step?

Each step answers one question in words a branch's IT contact can act on::

    Proxy                  which proxy the station uses, and where that setting came from
    Name lookup (DNS)      does the service's name (or the proxy's) resolve?
    Connection (TCP)       does a connection to it open?
    Secure connection      does the TLS handshake succeed with the trust the station uses
                           (the OS store plus the configured CA bundle)?
    Credit balance         does the service accept the enrolled token (balance endpoint)?

When a proxy is in use, the station itself never connects to the service: the name lookup and the
connection are checked against the proxy, and the TLS handshake is made through the proxy's
``CONNECT`` tunnel, as the real requests are. A step whose prerequisite failed is skipped
(``ok=None``) and says why. No Qt here; the panel runs :func:`run_network_check` on its loop.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import ssl
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import httpx

from station.api.client import LivenessClient, NetworkSettings, RetryPolicy, Timeouts
from station.api.credentials import Credential
from station.api.environments import Environment, base_url_for, is_loopback_host, validate_base_url
from station.api.errors import (
    AuthError,
    BadRequestError,
    BadResponseError,
    ConfigurationError,
    LivenessAPIError,
)
from station.api.trust import SPKIPinMismatchError, build_ssl_context
from station.security.urls import mask_url_credentials
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "CHECK_BALANCE",
    "CHECK_DNS",
    "CHECK_PROXY",
    "CHECK_TCP",
    "CHECK_TLS",
    "CheckResult",
    "ProxyChoice",
    "choose_proxy",
    "run_network_check",
]

CHECK_PROXY: Final = QT_TRANSLATE_NOOP("NetworkCheck", "Proxy")
CHECK_DNS: Final = QT_TRANSLATE_NOOP("NetworkCheck", "Name lookup (DNS)")
CHECK_TCP: Final = QT_TRANSLATE_NOOP("NetworkCheck", "Connection (TCP)")
CHECK_TLS: Final = QT_TRANSLATE_NOOP("NetworkCheck", "Secure connection (TLS)")
CHECK_BALANCE: Final = QT_TRANSLATE_NOOP("NetworkCheck", "Credit balance")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One step. ``ok`` is True (passed), False (failed) or None (skipped, ``detail`` says why)."""

    name: str
    ok: bool | None
    detail: str
    elapsed_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class ProxyChoice:
    """The proxy requests to the service go through, if any, and where that came from."""

    url: str | None
    origin: str  # "settings", "loopback", or "" (no proxy)

    @property
    def shown(self) -> str:
        """The URL with any user name and password masked."""
        return mask_url_credentials(self.url) if self.url else ""


def choose_proxy(url: httpx.URL, configured: str | None) -> ProxyChoice:
    """Mirror :class:`LivenessClient`: never for loopback; else the setting, or none. The process
    environment (``HTTPS_PROXY``, ``NO_PROXY``) and the system's proxy settings are never used."""
    if is_loopback_host(url.host):
        return ProxyChoice(None, "loopback")
    if configured:
        return ProxyChoice(configured, "settings")
    return ProxyChoice(None, "")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def _timed(step: Awaitable[T], limit: float) -> tuple[T, float]:
    started = time.perf_counter()
    async with asyncio.timeout(limit):
        result = await step
    return result, _ms(started)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
        async with asyncio.timeout(1.0):
            await writer.wait_closed()


def _connect_failure(host: str, port: int, exc: BaseException, timeout: float) -> str:
    where = f"{host}:{port}"
    if isinstance(exc, TimeoutError):
        return f"No answer from {where} within {timeout:g} s: a firewall may be dropping the connection"
    if isinstance(exc, ConnectionRefusedError):
        return f"Connection refused by {where}: nothing is listening there, or a firewall refuses it"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return f"Cannot reach {where}: {reason}; check the network cable and the firewall"


def _tls_failure(exc: BaseException, ca_bundle: Path | None) -> str:
    if isinstance(exc, SPKIPinMismatchError):
        return "The server's key is not the one machine policy pinned: the connection may be intercepted"
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = (exc.verify_message or "").lower()
        if "hostname" in reason or "ip address mismatch" in reason:
            return "The certificate is for another name: the connection may be intercepted"
        if "expired" in reason:
            return "The server's certificate has expired"
        if ca_bundle is None:
            return "Certificate not trusted: configure the bank's CA bundle"
        return f"Certificate not trusted, even with the CA bundle {ca_bundle}: ask IT for the right CA file"
    if isinstance(exc, TimeoutError):
        return "The secure handshake did not finish in time"
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "Certificate not trusted: configure the bank's CA bundle"
    return f"The secure handshake failed ({type(exc).__name__}): a proxy or firewall may be interfering"


def _describe_peer(writer: asyncio.StreamWriter) -> str:
    ssl_object = writer.get_extra_info("ssl_object")
    version = ssl_object.version() if isinstance(ssl_object, ssl.SSLObject) else None
    cert = writer.get_extra_info("peercert") or {}
    issuer = dict(pair[0] for pair in cert.get("issuer", ()) if pair)
    by = issuer.get("organizationName") or issuer.get("commonName")
    text = f"{version or 'TLS'} handshake done; certificate trusted"
    return f"{text} (issued by {by})" if by else text


async def _open_tunnel(
    proxy: httpx.URL, host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """An HTTP ``CONNECT`` tunnel through ``proxy`` to ``host:port``; ``ConnectionError`` if refused."""
    reader, writer = await asyncio.open_connection(proxy.host, proxy.port or 80)
    lines = [f"CONNECT {host}:{port} HTTP/1.1", f"Host: {host}:{port}"]
    if proxy.username:
        pair = f"{urllib.parse.unquote(proxy.username)}:{urllib.parse.unquote(proxy.password or '')}"
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(pair.encode()).decode("ascii"))
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        await _close(writer)
        raise ConnectionError("the proxy closed the connection") from None
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or parts[1] != "200":
        await _close(writer)
        code = parts[1] if len(parts) > 1 else "?"
        hint = " (proxy sign-in needed)" if code == "407" else ""
        raise ConnectionError(f"the proxy refused the tunnel: HTTP {code}{hint}")
    return reader, writer


class _Check:
    """The state one run carries from step to step."""

    def __init__(
        self,
        url: httpx.URL,
        proxy: ProxyChoice,
        ca_bundle: Path | None,
        timeout: float,
        spki_pins: tuple[str, ...] = (),
    ) -> None:
        self.url = url
        self.proxy = proxy
        self.ca_bundle = ca_bundle
        self.spki_pins = spki_pins
        self.timeout = timeout
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.proxy_url = httpx.URL(proxy.url) if proxy.url else None
        # Without a proxy the station connects to the service; with one, only to the proxy.
        if self.proxy_url is not None:
            self.target_host = self.proxy_url.host
            self.target_port = self.proxy_url.port or (443 if self.proxy_url.scheme == "https" else 80)
            self.target_role = "the proxy "
        else:
            self.target_host, self.target_port, self.target_role = url.host, self.port, ""

    def proxy_result(self) -> CheckResult:
        origin = self.proxy.origin
        if self.proxy.url:
            source = "settings" if origin == "settings" else origin
            return CheckResult(CHECK_PROXY, True, f"Proxy {self.proxy.shown} (from {source})")
        if origin == "loopback":
            return CheckResult(CHECK_PROXY, True, "No proxy: the service is on this machine")
        return CheckResult(CHECK_PROXY, True, "No proxy")

    async def dns(self) -> CheckResult:
        host = self.target_host
        loop = asyncio.get_running_loop()
        try:
            infos, elapsed = await _timed(
                loop.getaddrinfo(host, self.target_port, type=socket.SOCK_STREAM), self.timeout
            )
        except TimeoutError:
            return CheckResult(
                CHECK_DNS, False, f"Name lookup for {self.target_role}{host} timed out: check the DNS server"
            )
        except (socket.gaierror, OSError, UnicodeError):
            return CheckResult(
                CHECK_DNS,
                False,
                f"Name lookup failed for {self.target_role}{host}: check the network cable or DNS",
            )
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        more = f" and {len(addresses) - 1} more" if len(addresses) > 1 else ""
        return CheckResult(
            CHECK_DNS,
            True,
            f"{self.target_role}{host} is {addresses[0]}{more} (found in {elapsed:.0f} ms)",
            elapsed,
        )

    async def tcp(self) -> CheckResult:
        host, port = self.target_host, self.target_port
        started = time.perf_counter()
        try:
            (_, writer), elapsed = await _timed(asyncio.open_connection(host, port), self.timeout)
        except (TimeoutError, OSError) as exc:
            return CheckResult(
                CHECK_TCP, False, _connect_failure(host, port, exc, self.timeout), _ms(started)
            )
        await _close(writer)
        return CheckResult(
            CHECK_TCP, True, f"Connected to {self.target_role}{host}:{port} in {elapsed:.0f} ms", elapsed
        )

    async def tls(self) -> CheckResult:
        if self.url.scheme == "http":
            return CheckResult(
                CHECK_TLS, None, "Skipped: plain http to this machine (the local emulator) needs no TLS"
            )
        try:
            context = build_ssl_context(self.ca_bundle, self.spki_pins)
        except ConfigurationError as exc:
            return CheckResult(CHECK_TLS, False, exc.message[:1].upper() + exc.message[1:])
        if self.proxy_url is not None and self.proxy_url.scheme != "http":
            return CheckResult(
                CHECK_TLS,
                None,
                f"Skipped: only http:// proxies can be checked here; the balance check below "
                f"goes through {self.proxy.shown}",
            )
        started = time.perf_counter()
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(self.timeout):
                if self.proxy_url is None:
                    _, writer = await asyncio.open_connection(
                        self.url.host, self.port, ssl=context, server_hostname=self.url.host
                    )
                else:
                    _, writer = await _open_tunnel(self.proxy_url, self.url.host, self.port)
                    await writer.start_tls(context, server_hostname=self.url.host)
            detail = _describe_peer(writer)
        except ConnectionError as exc:
            if writer is not None:
                await _close(writer)
            if isinstance(exc, ConnectionRefusedError | ConnectionResetError):
                return CheckResult(
                    CHECK_TLS,
                    False,
                    _connect_failure(self.target_host, self.target_port, exc, self.timeout),
                    _ms(started),
                )
            return CheckResult(CHECK_TLS, False, f"Through the proxy: {exc}", _ms(started))
        except (ssl.SSLError, OSError, TimeoutError) as exc:
            if writer is not None:
                await _close(writer)
            return CheckResult(CHECK_TLS, False, _tls_failure(exc, self.ca_bundle), _ms(started))
        elapsed = _ms(started)
        await _close(writer)
        via = f" through {self.proxy.shown}" if self.proxy_url is not None else ""
        return CheckResult(CHECK_TLS, True, f"{detail}{via}, in {elapsed:.0f} ms", elapsed)


async def _balance(
    credential: Credential | None,
    environment: Environment,
    base_url: str,
    ca_bundle: Path | None,
    proxy: str | None,
    limit: float,
    spki_pins: tuple[str, ...] = (),
) -> CheckResult:
    if credential is None:
        return CheckResult(CHECK_BALANCE, None, f"Skipped: no {environment.value} token is enrolled")
    started = time.perf_counter()
    try:
        async with LivenessClient(
            credential,
            environment=environment,
            base_url=base_url,
            timeouts=Timeouts(connect=limit, read=limit, write=limit, deadline=limit * 2),
            retry=RetryPolicy(attempts=1),
            network=NetworkSettings(ca_bundle=ca_bundle, proxy=proxy, spki_pins=spki_pins),
        ) as client:
            async with asyncio.timeout(limit * 2):
                balance = await client.balance()
    except TimeoutError:
        return CheckResult(
            CHECK_BALANCE, False, "Credit balance not available: no answer in time", _ms(started)
        )
    except LivenessAPIError as error:
        elapsed = _ms(started)
        if isinstance(error, AuthError):
            return CheckResult(
                CHECK_BALANCE,
                False,
                f"The service refused the {environment.value} token: {error.message}",
                elapsed,
            )
        if isinstance(error, BadRequestError | BadResponseError):
            return CheckResult(
                CHECK_BALANCE,
                None,
                f"Credit balance not available: the service did not answer the balance request "
                f"({error.message})",
                elapsed,
            )
        return CheckResult(CHECK_BALANCE, False, f"Credit balance not available: {error.message}", elapsed)
    elapsed = _ms(started)
    shown = f"{balance:g}" if balance != int(balance) else f"{int(balance)}"
    return CheckResult(CHECK_BALANCE, True, f"{shown} credits left; the token was accepted", elapsed)


def _skip(name: str, why: str) -> CheckResult:
    return CheckResult(name, None, f"Skipped: {why}")


async def run_network_check(
    base_url: str | None,
    environment: Environment,
    *,
    ca_bundle: Path | None,
    proxy: str | None,
    credential: Credential | None,
    spki_pins: tuple[str, ...] = (),
    timeout: float = 5.0,  # noqa: ASYNC109 - each step has its own limit, not one for the whole run
) -> list[CheckResult]:
    """Run every step in order; never raises for a network problem (each result says it)."""
    try:
        url = validate_base_url(base_url or base_url_for(environment))
    except ConfigurationError as exc:
        return [CheckResult("Service address", False, exc.message)]
    check = _Check(url, choose_proxy(url, proxy), ca_bundle, timeout, spki_pins)
    results = [check.proxy_result()]
    steps: list[tuple[str, Callable[[], Awaitable[CheckResult]]]] = [
        (CHECK_DNS, check.dns),
        (CHECK_TCP, check.tcp),
        (CHECK_TLS, check.tls),
    ]
    failed: str | None = None
    for name, step in steps:
        if failed is not None:
            results.append(_skip(name, f"the {failed.lower()} failed"))
            continue
        result = await step()
        results.append(result)
        if result.ok is False:
            failed = name.split(" (")[0]
    if failed is not None:
        results.append(_skip(CHECK_BALANCE, f"the {failed.lower()} failed"))
    else:
        results.append(
            await _balance(credential, environment, str(url), ca_bundle, proxy, timeout, spki_pins)
        )
    return results
