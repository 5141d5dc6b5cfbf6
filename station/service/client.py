"""The verifier port over the station service: what the desk and ``station verify`` use on an
installed station (:func:`connect_port`).

:meth:`ServiceVerifier.readiness` and :meth:`~ServiceVerifier.terms` answer from the last
:meth:`~ServiceVerifier.refresh` (no I/O: the desk asks them on the UI thread). When the service is
not there, readiness holds :attr:`NotReady.SERVICE` and a capture is refused with nothing sent; a
service that goes away mid-request leaves a clear ERROR that is not final (its journal may or may
not have the row; the service's own journal says). The next call connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from station.application.attempt import AttemptReport
from station.application.consent import ConsentRecord
from station.application.health import Level, Part, PartHealth
from station.application.kinds import ErrorKind
from station.application.port import (
    Capture,
    CounterTerms,
    DeskEvent,
    FacePick,
    LocalFailure,
    OperatorIdentity,
    PickRefusedError,
    ReviewDecision,
    ReviewRefusal,
    ReviewRefusedError,
    ServiceCheck,
)
from station.application.readiness import NO_ANSWER, Hold, NotReady, Readiness
from station.core.models import OutcomeKind
from station.service.protocol import (
    VERSION,
    Empty,
    FrameError,
    Hello,
    Method,
    Refreshed,
    Refusal,
    Refused,
    SignIn,
    Welcome,
    decode_response,
    encode_request,
)
from station.service.transport import Connection, ConnectionClosedError, Connector
from station.words import QT_TRANSLATE_NOOP

__all__ = [
    "NOT_ALLOWED_HERE",
    "NOT_ASKED_YET",
    "SERVICE_DOWN",
    "SERVICE_LOST",
    "ServiceVerifier",
    "connect_port",
    "service_connector",
    "service_probe",
]

_log = logging.getLogger(__name__)

SERVICE_DOWN: Final = QT_TRANSLATE_NOOP("Refusal", "The station service is not running. Call IT support.")
SERVICE_LOST: Final = QT_TRANSLATE_NOOP(
    "Details",
    "The station service stopped during the verification: it was not recorded here. "
    "Do not capture again; call IT support.",
)
NOT_ASKED_YET: Final = QT_TRANSLATE_NOOP("Refusal", "The station service has not answered yet.")
#: ``NOT_ALLOWED`` (the service's own words, in its log) as the operator reads it.
NOT_ALLOWED_HERE: Final = QT_TRANSLATE_NOOP(
    "Refusal", "This account may not use the station service. Call IT support."
)

T = TypeVar("T")


class _UnreachableError(Exception):
    """The service could not be reached or refused the caller: nothing was sent."""


class _LostError(Exception):
    """The service went away with a request under way (it may have acted on it)."""


@dataclass(frozen=True, slots=True)
class _Local:
    """The facts of a report the client makes itself (nothing reached the service's journal)."""

    session_id: str | None
    customer_ref: str | None
    consent: ConsentRecord
    notes: tuple[str, ...]


def _local_error(facts: _Local, message: str, kind: ErrorKind) -> AttemptReport:
    now = datetime.now(UTC)
    return AttemptReport(
        kind=OutcomeKind.ERROR,
        message=message,
        requested_at=now,
        answered_at=now,
        elapsed_ms=0.0,
        submission_sha256="",
        api_host="",
        environment="",
        audit_error="the station service did not record it",
        notes=facts.notes,
        customer_ref=facts.customer_ref,
        session_id=facts.session_id,
        consent=facts.consent,
        error_kind=kind,
    )


class ServiceVerifier:
    """:class:`~station.application.port.VerifierPort` over a connection to the station service."""

    def __init__(self, connect: Connector) -> None:
        self._connect = connect
        self._connection: Connection | None = None
        self._lock = asyncio.Lock()
        self._readiness = Readiness((Hold(NotReady.SERVICE, NOT_ASKED_YET),))
        self._terms = CounterTerms()
        #: The caller's OS account as the service saw it at the last hello (None: not connected).
        self.account: str | None = None

    def readiness(self) -> Readiness:
        return self._readiness

    def terms(self) -> CounterTerms:
        return self._terms

    def _down(self, message: str = SERVICE_DOWN) -> None:
        self._readiness = Readiness((Hold(NotReady.SERVICE, message),))

    async def _drop(self) -> None:
        connection, self._connection, self.account = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(OSError):
                await connection.close()

    async def _exchange(self, connection: Connection, method: Method, body: object) -> object:
        await connection.send(encode_request(method, body))
        return decode_response(method, await connection.receive())

    async def _connected(self) -> Connection:
        if self._connection is not None:
            return self._connection
        try:
            connection = await self._connect()
        except PermissionError as exc:  # the socket is closed to this account by its permissions
            _log.error("the station service's socket refused this account: %s", exc)
            self._down(NOT_ALLOWED_HERE)
            raise _UnreachableError(NOT_ALLOWED_HERE) from exc
        except OSError as exc:
            _log.warning("the station service cannot be reached: %s", exc)
            self._down()
            raise _UnreachableError(SERVICE_DOWN) from exc
        try:
            answer = await self._exchange(connection, Method.HELLO, Hello(VERSION))
        except asyncio.CancelledError:  # no answer yet (not the service, or a caller gave up)
            with contextlib.suppress(OSError):
                await connection.close()
            raise
        except (ConnectionClosedError, FrameError, OSError) as exc:
            await connection.close()
            self._down()
            raise _UnreachableError(SERVICE_DOWN) from exc
        if isinstance(answer, Refused):
            await connection.close()
            _log.error("the station service refused this client: %s", answer.message)
            self._down(answer.message)
            raise _UnreachableError(answer.message)
        assert isinstance(answer, Welcome)
        self._connection, self.account = connection, answer.account
        return connection

    async def _call(self, method: Method, body: object) -> object:
        """The service's answer (a :class:`Refused` included); :class:`_UnreachableError` if
        nothing was sent, :class:`_LostError` if the service went away during the request."""
        async with self._lock:
            connection = await self._connected()
            try:
                return await self._exchange(connection, method, body)
            except asyncio.CancelledError:  # the answer would come to the next request: hang up
                await self._drop()  # the service then cancels the request, as in-process
                raise
            except (ConnectionClosedError, FrameError, OSError) as exc:
                _log.error("the station service went away during a %s request: %s", method.value, exc)
                await self._drop()
                self._down()
                raise _LostError(SERVICE_DOWN) from exc

    async def _ask(self, method: Method, body: object, answer: type[T]) -> T:
        """:meth:`_call` for an answer of type ``answer``: a refusal of the port's own kinds is
        raised as the port's error, any other as :class:`_UnreachableError` (nothing was done)."""
        got = await self._call(method, body)
        if isinstance(got, Refused):
            if got.refusal is Refusal.REVIEW:
                raise ReviewRefusedError(got.review or ReviewRefusal.CANNOT_CHECK, got.message)
            if got.refusal is Refusal.PICK:
                raise PickRefusedError(got.message)
            _log.error("the station service refused a %s request: %s", method.value, got.message)
            raise _UnreachableError(got.message)
        if not isinstance(got, answer):
            raise _UnreachableError(
                f"The station service answered a {method.value} request with something else."
            )
        return got

    async def refresh(self) -> Readiness:
        try:
            answer = await self._ask(Method.REFRESH, Empty(), Refreshed)
        except (_UnreachableError, _LostError):
            return self._readiness
        self._readiness, self._terms = answer.readiness, answer.terms
        return self._readiness

    async def check_service(self) -> ServiceCheck:
        try:
            return await self._ask(Method.CHECK_SERVICE, Empty(), ServiceCheck)
        except (_UnreachableError, _LostError):
            hold = self._readiness.first  # why, as the last hello or refresh found it
            fix = hold.message if hold is not None and hold.reason is NotReady.SERVICE else SERVICE_DOWN
            return ServiceCheck(PartHealth(Part.SERVICE, Level.BAD, NO_ANSWER, fix))

    async def _report(self, method: Method, body: object, facts: _Local) -> AttemptReport:
        try:
            return await self._ask(method, body, AttemptReport)
        except _UnreachableError as exc:
            return _local_error(facts, str(exc), ErrorKind.NOT_READY)
        except _LostError:
            return _local_error(facts, SERVICE_LOST, ErrorKind.UNEXPECTED)

    async def verify(self, capture: Capture) -> AttemptReport:
        facts = _Local(capture.session_id, capture.customer_ref, capture.consent, capture.notes)
        return await self._report(Method.VERIFY, capture, facts)

    async def record_failure(self, failure: LocalFailure) -> AttemptReport:
        facts = _Local(failure.session_id, failure.customer_ref, failure.consent, failure.notes)
        return await self._report(Method.RECORD_FAILURE, failure, facts)

    async def pick_face(self, pick: FacePick) -> AttemptReport:
        try:
            return await self._ask(Method.PICK_FACE, pick, AttemptReport)
        except (_UnreachableError, _LostError) as exc:
            raise PickRefusedError(str(exc)) from exc

    async def settle_review(self, decision: ReviewDecision) -> AttemptReport:
        try:
            return await self._ask(Method.SETTLE_REVIEW, decision, AttemptReport)
        except (_UnreachableError, _LostError) as exc:
            raise ReviewRefusedError(ReviewRefusal.CANNOT_CHECK, str(exc)) from exc

    async def authenticate_operator(self, operator_id: str, secret: str | None) -> OperatorIdentity | None:
        try:
            got = await self._call(Method.AUTHENTICATE, SignIn(operator_id, secret))
        except (_UnreachableError, _LostError):
            return None
        return got if isinstance(got, OperatorIdentity) else None

    async def record_event(self, event: DeskEvent) -> None:
        try:
            await self._ask(Method.RECORD_EVENT, event, Empty)
        except (_UnreachableError, _LostError) as exc:
            _log.error("the %s event could not reach the station service: %s", event.kind, exc)

    async def wait_idle(self) -> None:
        try:
            await self._ask(Method.WAIT_IDLE, Empty(), Empty)
        except (_UnreachableError, _LostError) as exc:
            _log.warning("the station service could not be asked to finish its journal writes: %s", exc)

    async def close(self) -> None:
        async with self._lock:
            await self._drop()


def _where(path: Path | None) -> str:
    if sys.platform == "win32":
        from station.service.windows_endpoint import service_pipe_path

        return service_pipe_path()
    from station.service.unix import socket_path  # pwd: never imported on Windows

    return str(path or socket_path())


def service_connector(path: Path | None = None) -> Connector:
    """The station service's connector on this OS: its named pipe on Windows, else the Unix socket
    at ``path`` (default: :func:`~station.service.unix.socket_path`)."""
    if sys.platform == "win32":
        from station.service.windows_endpoint import service_pipe_connector

        return service_pipe_connector()
    from station.service.unix import socket_path, unix_connector

    return unix_connector(path or socket_path())


async def connect_port(path: Path | None = None) -> ServiceVerifier:
    """The port over the station service (:func:`service_connector`), asked once.
    It never raises for a service that is not there: its readiness says so."""
    port = ServiceVerifier(service_connector(path))
    await port.refresh()
    return port


def service_probe(path: Path | None = None, timeout: float = 5.0) -> Callable[[], str]:
    """For ``station doctor``: ask the service at ``path`` over its protocol (hello, then
    readiness). Returns what it said; raises :class:`OSError` with plain words when it does not
    answer, refuses this account, or does not speak the protocol within ``timeout`` seconds."""
    where = _where(path)

    async def ask() -> Readiness:
        port = ServiceVerifier(service_connector(path))
        try:
            return await asyncio.wait_for(port.refresh(), timeout)
        finally:
            await port.close()

    def probe() -> str:
        try:
            readiness = asyncio.run(ask())
        except TimeoutError:
            raise OSError(
                f"{where} accepted but did not answer in {timeout:g} s: not the station service"
            ) from None
        lost = next((hold for hold in readiness.holds if hold.reason is NotReady.SERVICE), None)
        if lost is not None:
            raise OSError(f"{where}: {lost.message}")
        refusing = ", ".join(hold.reason.value for hold in readiness.holds)
        state = f"it would refuse a capture now ({refusing})" if refusing else "ready for captures"
        return f"{where} answers (protocol v{VERSION}); {state}"

    return probe
