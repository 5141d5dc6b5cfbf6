"""The service's two environments and where requests may go.

One source of truth for the base URLs. A base-URL override (the local emulator, a bank's API
gateway) is allowed, but plain ``http://`` only to a loopback host: anything that leaves the
machine goes over TLS.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum

import httpx

from station.api.errors import ConfigurationError

__all__ = [
    "BALANCE_PATH",
    "LIVENESS_PATH",
    "Environment",
    "base_url_for",
    "is_loopback_host",
    "known_environment_of",
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


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def known_environment_of(url: httpx.URL) -> Environment | None:
    """Which environment a URL's host belongs to, if it is one of the service's own hosts."""
    for environment, base in _BASE_URLS.items():
        if httpx.URL(base).host == url.host:
            return environment
    return None


def validate_base_url(raw: str) -> httpx.URL:
    """Parse a base URL, refusing plain http off loopback, credentials, queries and fragments."""
    try:
        url = httpx.URL(raw.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"not a valid base URL: {raw!r}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"the base URL must start with https:// and name a host: {raw!r}")
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise ConfigurationError(
            f"plain http:// is only allowed to this machine (loopback); use https:// for {url.host}"
        )
    if url.userinfo or url.query or url.fragment:
        raise ConfigurationError("the base URL must not carry credentials, a query or a fragment")
    return url.copy_with(path=url.path.rstrip("/") or "")
