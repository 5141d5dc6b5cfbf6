"""The face-liveness v5 client: one long-lived ``httpx.AsyncClient``, retries, deadline, typed result.

Use it as an async context manager so the connection pool is closed explicitly::

    async with LivenessClient(TokenStore().credential(Environment.SANDBOX)) as client:
        verification = await client.verify_image(jpeg_bytes)

Transport choices (see ECOSYSTEM.md): no custom ``transport=`` is passed (httpx would then ignore
``verify``); the client gets ``verify=`` the context of :mod:`station.api.trust` (the machine's
store, a policy CA bundle, optional SPKI pins) and ``proxy=`` from settings, which in production
only machine policy sets. ``trust_env`` is always off: ``HTTPS_PROXY``, ``ALL_PROXY``,
``NO_PROXY``, ``SSL_CERT_FILE``, ``SSL_CERT_DIR``, ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``,
``.netrc`` and the system proxy settings play no part; the trust store is not taken from the
environment either (see :mod:`station.api.trust`). Retries are tenacity's, not httpx's (which
only retries connects).

The client survives any answer: every failure while sending or reading (a status line or header
h11 refuses, a body that is not what its ``Content-Encoding`` says, a body over the cap once
decoded, an absurd ``Retry-After``, anything unexpected from httpx or h11) becomes a
:class:`LivenessAPIError` subclass. It asks for ``Accept-Encoding: identity``: an answer is a few
kB, so compression saves nothing worth a decoder's risk; a gzip or deflate body a gateway sends
anyway is inflated by :mod:`station.api.answer` within the cap.
"""

from __future__ import annotations

import asyncio
import email.utils
import importlib.util
import logging
import math
import ssl
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from station import __version__
from station.api.answer import (
    AnswerTooLargeError,
    BadEncodingError,
    content_coding,
    read_decoded,
)
from station.api.credentials import Credential
from station.api.environments import (
    BALANCE_PATH,
    LIVENESS_PATH,
    Environment,
    base_url_for,
    is_loopback_host,
    known_environment_of,
    validate_base_url,
)
from station.api.errors import (
    AuthError,
    BadRequestError,
    BadResponseError,
    ConfigurationError,
    EnvironmentMismatchError,
    LivenessAPIError,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    ServiceUnavailableError,
    TLSError,
)
from station.api.schema import parse_balance, parse_error_body, parse_liveness_response
from station.api.trust import SPKIPinMismatchError, build_ssl_context
from station.core.models import LivenessResult
from station.endpoint.network import NetworkSettings, RetryPolicy, Timeouts

__all__ = [
    "LivenessClient",
    "NetworkSettings",
    "RetryPolicy",
    "Timeouts",
    "Verification",
    "build_ssl_context",
]

_log = logging.getLogger(__name__)


def _absent_sniffio_fails_at_once() -> None:
    """httpcore and anyio ask ``sniffio`` which async library runs them, four times a request.
    The station does not install it (without it they answer "asyncio"), so each ask was a failed
    import searching ``sys.path`` through PySide6's import hook: up to 0.6 ms of CPU a
    verification (issue 27). ``None`` in ``sys.modules`` is Python's own mark for a module known to
    be absent: the import fails at once, with the same ``ImportError``, and nothing else changes.
    Should sniffio ever be installed, it is left alone."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_absent_sniffio_fails_at_once()

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
NEVER_RETRIED_STATUSES = frozenset({400, 401, 403, 404, 413, 422})

#: The most of an answer the client will read. The contract's example is about 600 bytes and each
#: further face adds about 200, so 64 KiB holds some 300 faces, far beyond any counter camera's
#: frame, while a hostile or broken service (a 1.5 GB body) costs at most 64 KiB of memory.
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Verification:
    """One successful answer plus what the audit journal needs to know about how it was had."""

    result: LivenessResult
    http_status: int
    attempts: int
    elapsed_ms: float
    requested_at: datetime
    answered_at: datetime
    api_host: str


class _TransientError(Exception):
    """An attempt failed in a way worth retrying; carries the error to raise if retries run out."""

    def __init__(self, error: LivenessAPIError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


#: A ``Retry-After`` in seconds longer than this many digits is "longer than any wait": it is not
#: converted at all (``int()`` of a very long string is refused, and costs time).
_MAX_DELAY_DIGITS = 9


def parse_retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, within ``0..cap``; None if it says nothing
    usable (empty, negative, not a number, NaN, a date that cannot be read).

    Hostile values never escape: a delay of a thousand digits or a date in the year 9999999999
    is simply "the cap"; the caller then waits at most the cap and never past its deadline.
    """
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # delay-seconds (RFC 9110 10.2.3)
        return cap if len(text) > _MAX_DELAY_DIGITS else min(float(text), cap)
    if not text.isascii():
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:  # not the RFC's form, but unambiguous when finite and not negative
        return min(seconds, cap) if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    except (TypeError, ValueError, OverflowError, IndexError):
        return cap if _far_future(text) else None
    return min(max(0.0, seconds), cap) if math.isfinite(seconds) else None


def _far_future(text: str) -> bool:
    """A date whose year has more digits than a datetime can hold: later than any wait."""
    parsed = email.utils.parsedate_tz(text)
    return parsed is not None and parsed[0] > 9999


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _has_ssl_cause(exc: BaseException) -> bool:
    if _ssl_cause(exc) is not None:
        return True
    text = str(exc)
    return "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text


@dataclass(frozen=True, slots=True)
class _Answer:
    """One HTTP answer. ``body`` is None if it could not be read within :data:`MAX_RESPONSE_BYTES`
    decoded bytes or could not be decoded; ``problem`` then says why, in plain words."""

    status: int
    headers: httpx.Headers
    body: bytes | None
    problem: str | None = None


async def _read_body(response: httpx.Response, limit: int, host: str) -> tuple[bytes | None, str | None]:
    """(body, None), or (None, why) as soon as the body is known to be too large or undecodable.

    The cap counts decoded bytes, and the decoding itself is bounded (see :mod:`station.api.answer`).
    A read that breaks on the network raises httpx's error, for the caller's retry rules.
    """
    too_large = (
        f"the answer from {host} is larger than {limit // 1024} KiB "
        "(a liveness answer is a few kB): refused without reading the rest"
    )
    try:
        coding = content_coding(response.headers)
    except BadEncodingError as exc:
        return None, f"the answer from {host} uses {exc}: refused"
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isascii() and declared.isdigit() and (len(declared) > 12 or int(declared) > limit):
        return None, too_large
    raw = response.aiter_raw()
    try:
        return await read_decoded(raw, coding, limit), None
    except AnswerTooLargeError:
        return None, too_large
    except BadEncodingError as exc:
        return None, f"the answer from {host} could not be decoded: {exc}"
    finally:
        # Close the connection first, then the half-read iterator, on this loop: left to the
        # garbage collector, httpcore's generators would try to close the connection with no
        # loop running (qasync installs no async-generator hooks), and say so on stderr.
        await response.aclose()
        closing = getattr(raw, "aclose", None)
        if closing is not None:
            await closing()


@dataclass
class _Attempts:
    count: int = 0
    last_status: int | None = None
    started: float = field(default_factory=time.monotonic)


class LivenessClient:
    """Calls ``face-liveness-v5`` for one environment with one enrolled token."""

    def __init__(
        self,
        credential: Credential,
        *,
        environment: Environment | None = None,
        base_url: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        network: NetworkSettings | None = None,
    ) -> None:
        self.environment = environment or credential.environment
        if credential.environment is not self.environment:
            raise EnvironmentMismatchError(
                f"refusing to send the {credential.environment.value} token to "
                f"{self.environment.value}: sandbox and production tokens are kept apart. "
                f"Enrol a {self.environment.value} token."
            )
        url = validate_base_url(base_url or base_url_for(self.environment))
        owner = known_environment_of(url)
        if owner is not None and owner is not self.environment:
            raise EnvironmentMismatchError(
                f"refusing to send the {self.environment.value} token to {url.host}, which is "
                f"the {owner.value} service: sandbox and production tokens are kept apart."
            )
        self.base_url = url
        self.api_host = url.netloc.decode("ascii")
        self._credential = credential
        self._timeouts = timeouts or Timeouts()
        self._retry = retry or RetryPolicy()
        network = network or NetworkSettings()
        loopback = is_loopback_host(url.host)
        self._http = httpx.AsyncClient(
            base_url=url,
            timeout=httpx.Timeout(
                connect=self._timeouts.connect,
                read=self._timeouts.read,
                write=self._timeouts.write,
                pool=self._timeouts.connect,
            ),
            verify=build_ssl_context(network.ca_bundle, network.spki_pins),
            # Never route the local emulator through a proxy; elsewhere the settings' proxy only.
            proxy=None if loopback else network.proxy,
            trust_env=False,  # no proxy, CA, .netrc or system setting from the operator's process
            follow_redirects=False,
            headers={
                "User-Agent": f"station/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": "identity",
            },
        )

    def __repr__(self) -> str:
        return f"LivenessClient(environment={self.environment.value!r}, host={self.api_host!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    # -- the three calls -------------------------------------------------------------------

    async def verify_image(self, image: bytes, filename: str = "capture.jpg") -> Verification:
        """An image as bytes, in a multipart part named ``file`` sent as octet-stream."""
        files = {"file": (filename, image, "application/octet-stream")}
        return await self._verify(files)

    async def verify_pdf(self, document: bytes, filename: str = "document.pdf") -> Verification:
        """A PDF: the same ``file`` part plus ``use_pdf=true``."""
        files = {
            "file": (filename, document, "application/octet-stream"),
            "use_pdf": (None, "true"),
        }
        return await self._verify(files)

    async def verify_link(self, link: str) -> Verification:
        """A link, sent as a multipart ``link`` field.

        The contract lists ``link`` among the multipart/form-data fields and also shows a JSON
        body without saying which content type goes with it. Multipart is the form the contract
        documents with a content type, and it keeps one request shape for all three calls.
        """
        parsed = httpx.URL(link)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise BadRequestError(f"the link must be an http(s) URL with a host, got {link[:80]!r}")
        files = {"link": (None, link)}
        return await self._verify(files)

    async def balance(self) -> float:
        """The credit balance, where the service's balance endpoint answers."""
        attempts = _Attempts()
        try:
            async with asyncio.timeout(self._timeouts.deadline):
                response = await self._send_once("GET", BALANCE_PATH, None, attempts)
        except _TransientError as transient:  # one attempt only: report the underlying error
            transient.error.attempts = attempts.count
            raise transient.error from None
        except TimeoutError:
            raise RequestTimeoutError(f"no answer from {self.api_host} in time", attempts=1) from None
        try:
            return parse_balance(self._body_of(response))
        except LivenessAPIError:
            raise
        except Exception as exc:  # a parser's surprise is still the service's answer
            raise self._unexpected(exc, response.status) from None

    # -- machinery ---------------------------------------------------------------------------

    async def _verify(self, files: Mapping[str, Any]) -> Verification:
        requested_at = datetime.now(UTC)
        attempts = _Attempts()
        deadline = attempts.started + self._timeouts.deadline
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.attempts) | self._would_pass(deadline),
            wait=self._wait,
            retry=retry_if_exception_type(_TransientError),
            reraise=True,
        )
        try:
            async with asyncio.timeout(self._timeouts.deadline):
                response: _Answer = await retrying(self._send_once, "POST", LIVENESS_PATH, files, attempts)
        except _TransientError as transient:
            error = transient.error
            error.attempts = attempts.count
            error.message = f"{error.message} (gave up after {_plural(attempts.count)})"
            raise error from None
        except TimeoutError:
            raise RequestTimeoutError(
                f"no answer from {self.api_host} within the {self._timeouts.deadline:g} s "
                f"deadline ({_plural(attempts.count)})",
                attempts=attempts.count,
                http_status=attempts.last_status,
            ) from None
        except LivenessAPIError as error:
            error.attempts = attempts.count
            raise
        except Exception as exc:  # the retry machinery's surprise: still a typed, final error
            surprise = self._unexpected(exc, attempts.last_status)
            surprise.attempts = attempts.count
            raise surprise from None
        try:
            result = parse_liveness_response(self._body_of(response))
        except BadResponseError as error:
            error.attempts = attempts.count
            error.http_status = response.status
            raise
        except Exception as exc:  # the parser's surprise (nesting, numbers): a bad answer
            surprise = self._unexpected(exc, response.status)
            surprise.attempts = attempts.count
            raise surprise from None
        answered_at = datetime.now(UTC)
        return Verification(
            result=result,
            http_status=response.status,
            attempts=attempts.count,
            elapsed_ms=(time.monotonic() - attempts.started) * 1000.0,
            requested_at=requested_at,
            answered_at=answered_at,
            api_host=self.api_host,
        )

    def _body_of(self, answer: _Answer) -> bytes:
        if answer.body is None:
            raise BadResponseError(
                answer.problem or "the answer could not be read", http_status=answer.status
            )
        return answer.body

    def _unexpected(self, exc: BaseException, status: int | None) -> LivenessAPIError:
        """Anything httpx, h11 or a parser raised that no rule above names: typed, never retried.

        Only the exception's type is kept: its text could quote a header or the request.
        """
        _log.warning("unexpected %s talking to %s", type(exc).__name__, self.api_host)
        if status is None:
            return NetworkError(
                f"the exchange with {self.api_host} failed unexpectedly ({type(exc).__name__})"
            )
        return BadResponseError(
            f"the answer from {self.api_host} could not be read ({type(exc).__name__})",
            http_status=status,
        )

    def _would_pass(self, deadline: float) -> Any:
        def stop(state: RetryCallState) -> bool:
            return time.monotonic() + state.upcoming_sleep >= deadline

        return stop

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, _TransientError) and exc.retry_after is not None:
            # Already within 0..cap; a wait that would pass the deadline stops the retries.
            return min(exc.retry_after, self._retry.retry_after_cap)
        backoff = wait_random_exponential(multiplier=self._retry.backoff_initial, max=self._retry.backoff_max)
        return float(backoff(state))

    async def _send_once(
        self, method: str, path: str, files: Mapping[str, Any] | None, attempts: _Attempts
    ) -> _Answer:
        attempts.count += 1
        headers = {"Authorization": self._credential.authorization_header()}
        status: int | None = None
        try:
            # Streamed, so the body is read only up to the cap; closing an unread stream drops the
            # connection instead of draining it.
            request = self._http.build_request(method, path, files=files, headers=headers)
            response = await self._http.send(request, stream=True)
            status = response.status_code
            try:
                content, problem = await _read_body(response, MAX_RESPONSE_BYTES, self.api_host)
            finally:
                await response.aclose()
            answer = _Answer(status, response.headers, content, problem)
        except httpx.TimeoutException as exc:
            phase = "connect to" if isinstance(exc, httpx.ConnectTimeout) else "answer from"
            raise _TransientError(
                RequestTimeoutError(f"timed out waiting to {phase} {self.api_host}")
            ) from None
        except httpx.ConnectError as exc:
            if isinstance(_ssl_cause(exc), SPKIPinMismatchError):
                raise TLSError(
                    f"the secure connection to {self.api_host} was refused: the server's key is not "
                    "the one machine policy pinned (service_spki_pins). Nothing was sent. Call IT: "
                    "someone may be intercepting the connection, or the service changed its key."
                ) from None
            if _has_ssl_cause(exc):
                raise TLSError(
                    f"the secure connection to {self.api_host} failed: the certificate is not "
                    "trusted or the handshake was refused. If the branch uses a TLS-inspecting "
                    "proxy, configure its CA bundle."
                ) from None
            raise _TransientError(NetworkError(f"could not connect to {self.api_host}")) from None
        except httpx.ProxyError:
            raise _TransientError(
                NetworkError(f"the proxy refused or failed the connection to {self.api_host}")
            ) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise ConfigurationError(f"cannot call {self.api_host}: {exc}") from None
        except httpx.TransportError:
            raise _TransientError(
                NetworkError(f"the connection to {self.api_host} broke before an answer came")
            ) from None
        except Exception as exc:  # h11, header values, anything else: typed and never retried
            raise self._unexpected(exc, status) from None

        attempts.last_status = status = answer.status
        _log.info("%s %s -> HTTP %d (attempt %d)", method, path, status, attempts.count)
        if status == 200:
            return answer
        retry_after = parse_retry_after(answer.headers.get("Retry-After"), self._retry.retry_after_cap)
        body = parse_error_body(answer.body or b"")  # an oversized or undecodable page says nothing
        detail = f": {body.message}" if body.message else ""
        common: dict[str, Any] = {"http_status": status, "message_code": body.message_code}
        if status in (401, 403):
            raise AuthError(
                f"the service refused the {self.environment.value} token (HTTP {status}{detail}). "
                f"It may be expired, invalid or for the other environment: enrol a new one with "
                f"`station token set --env {self.environment.value}`.",
                **common,
            )
        if status == 429:
            raise _TransientError(
                RateLimitedError(f"the service is rate limiting requests (HTTP 429{detail})", **common),
                retry_after=retry_after,
            )
        if status in RETRYABLE_STATUSES:
            raise _TransientError(
                ServiceUnavailableError(f"the service is unavailable (HTTP {status}{detail})", **common),
                retry_after=retry_after,
            )
        if status >= 500:
            raise ServiceUnavailableError(f"the service failed (HTTP {status}{detail})", **common)
        if 400 <= status < 500:
            raise BadRequestError(f"the service refused the request (HTTP {status}{detail})", **common)
        raise BadResponseError(f"unexpected HTTP {status} from {self.api_host}", **common)


def _plural(attempts: int) -> str:
    return f"{attempts} attempt" + ("" if attempts == 1 else "s")
