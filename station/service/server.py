"""The station service's side of the port: the trusted parts, served to callers over a transport.

One :class:`StationService` holds the shared parts (the :class:`Verifier`: policy, client, journal;
the PIN guard; the attempts it decided). Each connection gets its own
:class:`~station.application.port.InProcessVerifier` over them, with its own journal context: the
operator it confirmed, and the caller's OS account in every row's notes. A caller outside
:class:`~station.service.access.AccessRule` is refused and the refusal journaled. A request under
way runs to its end (and its journal row is written) even if the caller goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Final

from station.application.health import JournalState
from station.application.kinds import EventKind
from station.application.port import (
    Capture,
    DeskEvent,
    FacePick,
    InProcessVerifier,
    LocalFailure,
    PickRefusedError,
    RecentAttempts,
    ReviewDecision,
    ReviewRefusedError,
)
from station.application.recording import JournalRecorder, Recorder
from station.application.verifier import Verifier
from station.security.identity import same_person
from station.security.people import PinGuard
from station.service.access import NOT_ALLOWED, AccessRule
from station.service.protocol import (
    VERSION,
    Empty,
    FrameError,
    Hello,
    Method,
    Refreshed,
    Refusal,
    Refused,
    Request,
    SignIn,
    Welcome,
    decode_request,
    encode_refusal,
    encode_response,
)
from station.service.transport import Connection, ConnectionClosedError, Peer

__all__ = ["OperatorRule", "StationService", "named_accounts", "shared_kiosk"]

_log = logging.getLogger(__name__)

#: Whether ``operator_id`` (with ``secret``, a PIN or None) may sign in for the caller ``peer``.
OperatorRule = Callable[[Peer, str, "str | None"], Awaitable[bool]]
#: Checks an operator's PIN (C's ``PinGuard.check_operator``): True if right.
OperatorCheck = Callable[[str, str], bool]

#: How long a refused caller has to say hello before the refusal is sent anyway.
_REFUSED_WAIT_S: Final = 10.0
#: One journaled refusal per refused account per this many seconds (each one is logged).
REFUSALS_JOURNALED_EVERY_S: Final = 60.0
#: The note on an attempt cancelled because its caller hung up (the in-process port's cancel).
CALLER_WENT_AWAY: Final = "cancelled: the caller went away"
#: How long connection handlers get to end once their connections are closed, at shutdown.
_HANDLERS_END_S: Final = 10.0
FAULT_MESSAGE: Final = "The station service could not do that. Its log has why; call IT support."


async def named_accounts(peer: Peer, operator_id: str, secret: str | None) -> bool:
    """Named OS accounts per operator: the operator is the caller's own OS account, nobody else."""
    return same_person(operator_id, peer.account)


def shared_kiosk(check: OperatorCheck | None) -> OperatorRule:
    """A shared kiosk account: every operator signs in with their own PIN, checked here. Without a
    way to check operator PINs nobody signs in."""

    async def rule(peer: Peer, operator_id: str, secret: str | None) -> bool:
        if check is None or not secret:
            return False
        return await asyncio.to_thread(check, operator_id, secret)

    return rule


class _Caller:
    """One connection's view of the service: its own port, its own journal context."""

    def __init__(self, service: StationService, peer: Peer) -> None:
        self.service = service
        self.peer = peer
        self.port = InProcessVerifier(service.verifier, service.pins)
        self.port.recent = service.recent  # a reconnecting desk can still settle its attempts
        self._derived_from: Recorder | None = None
        self._recorder: Recorder | None = None
        self._first_request = True

    @property
    def note(self) -> str:
        return f"caller {self.peer.account}"

    def _own_recorder(self, shared: Recorder) -> Recorder:
        """The shared journal with this caller's context (the operator it confirmed)."""
        if not isinstance(shared, JournalRecorder):
            return shared  # an unavailable journal stays unavailable, whoever asks
        if self._recorder is None or self._derived_from is not shared:
            own = JournalRecorder(shared.journal, replace(shared.context, operator_id=self.port.operator_id))
            own.on_written = shared.on_written  # the shipper wakes up for every caller's rows
            self._derived_from, self._recorder = shared, own
        return self._recorder

    def parts(self) -> InProcessVerifier:
        """The port over the service's current parts (a settings swap shows at the next request)."""
        shared = self.service.verifier
        view = copy.copy(shared)
        view.recorder = self._own_recorder(shared.recorder)
        if isinstance(shared.recorder, JournalRecorder) and shared.journal_state is JournalState.WRITABLE:
            # A journal deleted, replaced or cut since it was opened refuses the next capture.
            view.journal_state = shared.recorder.journal_state()
        self.port.verifier = view
        return self.port

    async def answer(self, request: Request) -> object:
        port = self.parts()
        if self._first_request:
            self._first_request = False
            if self.service.caller_is_operator:
                await port.authenticate_operator(self.peer.account, None)
        body = request.body
        match request.method:
            case Method.HELLO:
                return Welcome(VERSION, self.peer.account)
            case Method.REFRESH:
                return Refreshed(port.readiness(), port.terms())
            case Method.CHECK_SERVICE:
                return await port.check_service()
            case Method.VERIFY:
                assert isinstance(body, Capture)
                if body.camera_label:  # the camera as the desk names it, on this caller's rows
                    port.verifier.recorder.with_context(camera_source=body.camera_label)
                # The caller is who the kernel says, whatever the client put in the capture.
                return await port.verify(
                    replace(body, notes=(*body.notes, self.note), caller_account=self.peer.account)
                )
            case Method.RECORD_FAILURE:
                assert isinstance(body, LocalFailure)
                return await port.record_failure(replace(body, notes=(*body.notes, self.note)))
            case Method.PICK_FACE:
                assert isinstance(body, FacePick)
                return await port.pick_face(body)
            case Method.SETTLE_REVIEW:
                assert isinstance(body, ReviewDecision)
                return await port.settle_review(body)
            case Method.AUTHENTICATE:
                assert isinstance(body, SignIn)
                if not await self.service.operators(self.peer, body.operator_id, body.secret):
                    return None
                return await port.authenticate_operator(body.operator_id, None)
            case Method.RECORD_EVENT:
                assert isinstance(body, DeskEvent)
                await port.record_event(replace(body, notes=f"{body.notes}; {self.note}"))
                return Empty()
            case Method.WAIT_IDLE:
                await port.wait_idle()
                return Empty()


class StationService:
    """The trusted side, served: see the module docstring."""

    def __init__(
        self,
        verifier: Verifier,
        pins: PinGuard | None,
        access: AccessRule,
        operators: OperatorRule = named_accounts,
        *,
        caller_is_operator: bool = True,
    ) -> None:
        self.verifier = verifier
        self.pins = pins
        self.access = access
        self.operators = operators
        #: Named OS accounts: each connection's operator is its caller's account from the start (a
        #: desk that reconnects after a restart of the service is still recorded as its operator).
        self.caller_is_operator = caller_is_operator
        self.recent = RecentAttempts()
        self._busy: set[asyncio.Task[bytes]] = set()
        self._open: set[Connection] = set()
        self._answering: set[asyncio.Future[None]] = set()
        #: When each refused uid's refusal was last journaled (monotonic seconds).
        self._refused_at: dict[int | None, float] = {}
        self._handlers: set[asyncio.Task[object]] = set()

    async def handle(self, connection: Connection) -> None:
        """Serve one connection until the caller goes (see the module docstring)."""
        handler = asyncio.current_task()
        if handler is not None:
            self._handlers.add(handler)
        self._open.add(connection)
        try:
            peer = connection.peer
            if peer is None or not self.access.allows(peer):
                await self._refuse_caller(connection, peer)
                return
            await self._serve(connection, _Caller(self, peer))
        except ConnectionClosedError:
            pass
        finally:
            self._open.discard(connection)
            if handler is not None:
                self._handlers.discard(handler)
            await connection.close()

    async def _serve(self, connection: Connection, caller: _Caller) -> None:
        greeted = False
        while True:
            try:
                payload = await connection.receive()
            except FrameError as exc:  # the stream is out of step: say why, and end
                await connection.send(encode_refusal(Refused(exc.refusal, str(exc))))
                return
            try:
                request = decode_request(payload)
            except FrameError as exc:
                await connection.send(encode_refusal(Refused(exc.refusal, str(exc))))
                continue
            if not greeted:
                refused = _greeting_refusal(request)
                if refused is not None:
                    await connection.send(encode_refusal(refused))
                    continue
                greeted = True
            task = asyncio.ensure_future(self._respond(caller, request))
            self._busy.add(task)
            task.add_done_callback(self._busy.discard)
            answered = asyncio.get_running_loop().create_future()
            self._answering.add(answered)  # until the answer is sent: shutdown waits for it
            try:
                if not await self._answer_unless_gone(connection, task):
                    return
            finally:
                answered.set_result(None)
                self._answering.discard(answered)

    async def _answer_unless_gone(self, connection: Connection, task: asyncio.Task[bytes]) -> bool:
        """Send ``task``'s answer; if the caller hangs up first, cancel it as the in-process port
        is cancelled (a paid call under way is journaled as cancelled). False: the connection ends."""
        hangup = asyncio.ensure_future(connection.receive())
        try:
            await asyncio.wait({task, hangup}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not hangup.done():
                hangup.cancel()
                await asyncio.wait({hangup})  # its read has ended before the next one starts
        gone = hangup.done() and not hangup.cancelled() and hangup.exception() is not None
        if gone and not task.done():
            task.cancel(CALLER_WENT_AWAY)
        try:
            answer = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled() and not _current_task_cancelling():
                return False  # the caller went away: the cancellation is journaled
            raise
        if gone:
            return False
        await connection.send(answer)
        if hangup.done() and not hangup.cancelled():  # a second request before the first's answer
            await connection.send(encode_refusal(Refused(Refusal.MALFORMED, "One request at a time.")))
            return False
        return True

    async def _respond(self, caller: _Caller, request: Request) -> bytes:
        try:
            return encode_response(request.method, await caller.answer(request))
        except ReviewRefusedError as exc:
            return encode_refusal(Refused(Refusal.REVIEW, str(exc), exc.refusal))
        except PickRefusedError as exc:
            return encode_refusal(Refused(Refusal.PICK, str(exc)))
        except Exception:
            _log.exception("the service could not answer a %s request", request.method.value)
            return encode_refusal(Refused(Refusal.FAULT, FAULT_MESSAGE))

    async def _refuse_caller(self, connection: Connection, peer: Peer | None) -> None:
        who = (
            "an unknown caller"
            if peer is None
            else f"account {peer.account} (uid {peer.uid}, pid {peer.pid})"
        )
        _log.warning("refused %s: %s", who, NOT_ALLOWED)
        uid = None if peer is None else peer.uid
        now = time.monotonic()
        last = self._refused_at.get(uid)
        if last is None or now - last >= REFUSALS_JOURNALED_EVERY_S:  # a caller retrying cannot fill the disk
            self._refused_at[uid] = now
            self.verifier.record_event_soon(EventKind.SERVICE, f"refused {who}: {NOT_ALLOWED}")
        with contextlib.suppress(TimeoutError, FrameError):  # its hello first: the refusal is what it reads
            await asyncio.wait_for(connection.receive(), _REFUSED_WAIT_S)
        await connection.send(encode_refusal(Refused(Refusal.NOT_ALLOWED, f"{NOT_ALLOWED.capitalize()}.")))

    async def drain(self) -> None:
        """For shutdown: every request under way has answered and every journal write has ended."""
        pending: list[asyncio.Future[Any]] = [*self._busy, *self._answering]
        while busy := [future for future in pending if not future.done()]:
            await asyncio.wait(busy)
            pending = [*self._busy, *self._answering]
        for connection in list(self._open):  # idle callers: their handlers end on the close
            await connection.close()
        if handlers := [task for task in self._handlers if not task.done()]:
            await asyncio.wait(handlers, timeout=_HANDLERS_END_S)
        await self.verifier.wait_idle()


def _current_task_cancelling() -> bool:
    """Whether this task itself is being cancelled (then the cancellation is its own)."""
    current = asyncio.current_task()
    return current is not None and current.cancelling() > 0


def _greeting_refusal(request: Request) -> Refused | None:
    if request.method is not Method.HELLO:
        return Refused(Refusal.NO_HELLO, "Say hello with the protocol version first.")
    assert isinstance(request.body, Hello)
    if request.body.version != VERSION:
        return Refused(
            Refusal.VERSION,
            f"This station service speaks protocol {VERSION}, not {request.body.version}.",
        )
    return None
