"""The service's two environments and where requests may go.

One source of truth for the base URLs. A base-URL override (the local emulator, a bank's API
gateway) is allowed, but plain ``http://`` only to a loopback host: anything that leaves the
machine goes over TLS.

Every host is normalised before anything compares it, and the URL the client connects to is built
from the normalised host, so the sandbox/production guard and the connection see one and the same
name: ``KYC-API.surepass.app.:443`` (case, a trailing dot, the default port) or the same name in
full-width letters (IDNA/UTS #46 mapping) is the production host, and is refused for a sandbox
token before any DNS look-up.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from enum import StrEnum
from typing import TYPE_CHECKING

import idna

from station.endpoint.errors import ConfigurationError

if TYPE_CHECKING:  # httpx is imported where a URL is made: the settings load without it (issue 27)
    import httpx

__all__ = [
    "BALANCE_PATH",
    "LIVENESS_PATH",
    "Environment",
    "base_url_for",
    "is_loopback_host",
    "known_environment_of",
    "normalize_host",
    "validate_base_url",
]

LIVENESS_PATH = "/api/v1/ocr/face-liveness-v5"
BALANCE_PATH = "/api/v1/utils/usage/balance"


class Environment(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


_BASE_URLS: dict[Environment, str] = {
    Environment.SANDBOX: "https://sandbox.surepass.app",
    Environment.PRODUCTION: "https://kyc-api.surepass.app",
}


def base_url_for(environment: Environment) -> str:
    return _BASE_URLS[environment]


_SCHEMES = ("http", "https")


def _not_a_host(host: str) -> ConfigurationError:
    return ConfigurationError(f"not a valid host name: {host[:80]!r}")


def normalize_host(host: str) -> str:
    """The one spelling of a host: an IP address in its compressed form, or a DNS name in
    lower-case ASCII (IDNA 2008 with UTS #46 mapping, non-transitional, as browsers do) without
    the root's dot.

    Raises :class:`ConfigurationError` for anything that is not a host name (``%``, ``_``, empty
    labels, a hyphen at either end of a label …): no name that DNS could treat differently from
    this one gets through. (IDNA 2008 itself allows only letters, digits and hyphens in ASCII.)
    """
    text = host.strip()
    bracketed = text.startswith("[") and text.endswith("]")
    try:
        return ipaddress.ip_address(text[1:-1] if bracketed else text).compressed
    except ValueError:
        if bracketed:  # brackets hold an IPv6 address, never a name
            raise _not_a_host(host) from None
    try:
        mapped = idna.uts46_remap(text)
    except (idna.IDNAError, UnicodeError):
        raise _not_a_host(host) from None
    if mapped.endswith("."):  # the root: "kyc-api.surepass.app." is "kyc-api.surepass.app"
        mapped = mapped[:-1]
    if "" in mapped.split("."):  # idna.encode would take a second root dot ("app..") as the root
        raise _not_a_host(host)
    try:
        return idna.encode(mapped).decode()
    except (idna.IDNAError, UnicodeError):
        raise _not_a_host(host) from None


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``, however spelled."""
    try:
        name = normalize_host(host)
    except ConfigurationError:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def known_environment_of(url: httpx.URL) -> Environment | None:
    """Which environment a URL's host belongs to, if it is one of the service's own hosts.

    The port plays no part: a production token sent to the production host on another port is
    still a production token on the production host.
    """
    try:
        host = normalize_host(url.host)
    except ConfigurationError:  # not a name DNS would resolve; still compare its plainest spelling
        host = url.host.lower()
        while host.endswith("."):
            host = host[:-1]
    import httpx

    for environment, base in _BASE_URLS.items():
        if normalize_host(httpx.URL(base).host) == host:
            return environment
    return None


def validate_base_url(raw: str) -> httpx.URL:
    """Parse and normalise a base URL, refusing plain http off loopback, credentials, queries and
    fragments. The result is built from the normalised parts, so it is what the guard checked;
    httpx leaves out a scheme's default port."""
    text = raw.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"not a valid base URL: {raw[:200]!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not parts.hostname:
        raise ConfigurationError(f"the base URL must start with https:// and name a host: {raw[:200]!r}")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ConfigurationError("the base URL must not carry credentials, a query or a fragment")
    host = normalize_host(parts.hostname)
    if scheme == "http" and not is_loopback_host(host):
        raise ConfigurationError(
            f"plain http:// is only allowed to this machine (loopback); use https:// for {host}"
        )
    import httpx

    try:
        return httpx.URL(scheme=scheme, host=host, port=port, path=parts.path.rstrip("/"))
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ConfigurationError(f"not a valid base URL: {raw[:200]!r}") from None
