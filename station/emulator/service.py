"""The emulated service on aiohttp: routes, the bearer check, the scenarios and the limits.

Why aiohttp: it parses HTTP/1.1 (chunked bodies, ``Expect: 100-continue``, header limits) with a
maintained parser, closes a connection that sends no request within the idle time (new or kept
alive), drains a refused body briefly so the client can read the refusal, and hands a handler the
raw transport, which the ``reset`` scenario needs to send a TCP RST. The README's *Limits*
section has the measurements behind the choice.

Order inside a liveness request, so that a client without the token costs nothing: route →
bearer check (before ``100 Continue`` is sent, before a byte of the body is read) → declared
size → a request slot (:data:`~station.emulator.limits.REQUESTS_IN_FLIGHT`) → the body, streamed
within its limits → record → scenario → analysis on a small thread pool (decode after the pixel
check, then face detection) → answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from station.core.pixels import PictureTooLargeError
from station.emulator import responses
from station.emulator.analysis import AnalysisFailure, analyse, decode_image, failed_detail, rasterise_pdf
from station.emulator.bodies import BodyRefused, read_json, read_liveness_input
from station.emulator.endpoints import BALANCE_PATH, CONTROL_PATH, LIVENESS_PATH
from station.emulator.inputs import LivenessInput, media_type
from station.emulator.limits import Limits
from station.emulator.links import LinkFetchError, LinkRefusedError, fetch_loopback
from station.emulator.scenarios import Scenario, ScenarioConfig, ScenarioError
from station.emulator.state import EmulatorState, RecordedRequest
from station.vision.faces import FaceDetector

__all__ = ["LivenessService", "serve"]

log = logging.getLogger("station.emulator")

SERVER_HEADER = "SurepassEmulator/2.0"
#: How often a hanging request looks for a departed client.
HANG_POLL_SECONDS = 0.05
#: On stop, requests still running get this long to finish before they are cancelled.
SHUTDOWN_GRACE_SECONDS = 1.0

_JSON = {"Content-Type": "application/json"}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=responses.dumps(body), headers={**_JSON, **(headers or {})})


def _error(status: int, message: str, message_code: str) -> web.Response:
    return _json(status, responses.error_body(status, message, message_code))


def _unauthorised() -> web.Response:
    return _json(401, responses.UNAUTHORIZED_BODY, {"WWW-Authenticate": "Bearer"})


def _no_answer(request: web.BaseRequest) -> web.Response:
    """Close the connection without an answer; aiohttp drops the response it cannot write."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


class _ClientFaults(logging.Filter):
    """aiohttp logs a malformed request (a chunk size of -1, say) as an error with a traceback.
    It is the client's fault, not the emulator's: one line at INFO instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "refused a malformed request: %s"
            record.args = (str(exc.message).strip().splitlines()[0] if exc.message else exc.code,)
            record.exc_info = record.exc_text = None
        return True


class LivenessService:
    """The handlers; one per running emulator, living on its event loop."""

    def __init__(
        self,
        state: EmulatorState,
        detector: FaceDetector,
        limits: Limits,
        stopping: asyncio.Event,
        pool: ThreadPoolExecutor,
    ) -> None:
        self._state = state
        self._detector = detector
        self._limits = limits
        self._stopping = stopping
        self._pool = pool
        self._slots = asyncio.Semaphore(limits.requests_in_flight)

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._errors_as_json])
        app.router.add_post(LIVENESS_PATH, self._liveness, expect_handler=self._expect)
        app.router.add_get(BALANCE_PATH, self._balance, allow_head=False)
        app.router.add_get(CONTROL_PATH, self._control, allow_head=False)
        app.router.add_post(CONTROL_PATH, self._control, expect_handler=self._expect)
        app.on_response_prepare.append(self._server_header)
        return app

    # -- plumbing -------------------------------------------------------------------------------

    @web.middleware
    async def _errors_as_json(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except web.HTTPMethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.allowed_methods))
            body = responses.error_body(405, f"{request.method} is not allowed here", "method_not_allowed")
            return _json(405, body, {"Allow": allowed})
        except web.HTTPNotFound:
            return _error(404, f"no such endpoint: {request.path}", "not_found")
        except web.HTTPException as exc:
            return _error(exc.status, exc.reason, exc.reason.lower().replace(" ", "_"))
        except ConnectionError:
            return _no_answer(request)  # the client left mid-request
        except Exception:
            log.exception("emulator handler failed for %s %s", request.method, request.path)
            return _error(500, "the emulator failed; see its log", "emulator_error")

    @staticmethod
    async def _server_header(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Server"] = SERVER_HEADER

    def _authorised(self, request: web.BaseRequest) -> bool:
        header = request.headers.get("Authorization")
        if header is None:
            return False
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return hmac.compare_digest(token.strip().encode(), self._state.token.encode())

    async def _expect(self, request: web.Request) -> None:
        """Send ``100 Continue`` only to a client that may send its body: the right token and a
        declared size within the cap. Anyone else gets the refusal before sending a byte."""
        if request.headers.get("Expect", "").lower() != "100-continue" or request.version < (1, 1):
            return
        declared = request.content_length
        if self._authorised(request) and (declared is None or declared <= self._limits.max_body_bytes):
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0  # the answer proper has not started

    def _config(self, request: web.BaseRequest) -> tuple[ScenarioConfig, ScenarioError | None]:
        config = self._state.current_config()
        try:
            return config.with_headers(request.headers), None
        except ScenarioError as exc:
            return config, exc

    def _record(
        self, request: web.BaseRequest, received: LivenessInput | None, scenario: Scenario, *, counted: bool
    ) -> None:
        authorization = request.headers.get("Authorization")
        scheme = authorization.strip().partition(" ")[0] if authorization else None
        file = received.file if received is not None else None
        self._state.record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                content_type=media_type(request.headers.get("Content-Type")) or None,
                fields=received.fields if received is not None else (),
                file_name=file.filename if file is not None else None,
                file_content_type=file.content_type if file is not None else None,
                file_size=len(file.data) if file is not None else None,
                use_pdf=received.use_pdf_raw if received is not None else None,
                link=received.link if received is not None else None,
                scenario=scenario,
                authorization_scheme=scheme or None,
                headers=tuple(name.lower() for name in request.headers),
            ),
            counted=counted,
        )

    # -- liveness -------------------------------------------------------------------------------

    async def _liveness(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await self._answer_liveness(request)
        finally:
            self._state.answered(time.perf_counter() - started)

    async def _answer_liveness(self, request: web.Request) -> web.StreamResponse:
        config, config_error = self._config(request)
        if not self._authorised(request) or config.name is Scenario.UNAUTHORIZED:
            self._record(request, None, config.name, counted=True)
            return _unauthorised()
        async with self._slots:
            try:
                received = await read_liveness_input(request, self._limits)
            except BodyRefused as refused:
                self._record(request, None, config.name, counted=True)
                return _error(refused.status, refused.message, refused.message_code)
            self._record(request, received, config.name, counted=True)
            if config_error is not None:
                return _error(422, str(config_error), "invalid_scenario")
            if config.name is not Scenario.HANG:
                return await self._answer(request, config, received)
        return await self._hang(request)

    async def _answer(
        self, request: web.Request, config: ScenarioConfig, received: LivenessInput
    ) -> web.StreamResponse:
        early = await self._play_transport_scenario(request, config)
        if early is not None:
            return early
        if received.error is not None:
            return _error(422, received.error.message, received.error.message_code)
        try:
            detail = await self._analyse(received, config.name)
        except PictureTooLargeError as exc:
            return _error(422, str(exc), "image_too_large")
        except LinkRefusedError as exc:  # re-checked at fetch time; never reached in practice
            return _error(422, str(exc), "link_refused")
        self._state.charge()
        payload = responses.dumps(responses.success_body(detail))
        if config.name is Scenario.MALFORMED_JSON:
            payload = payload[: max(1, len(payload) // 2)]
        return web.Response(status=200, body=payload, headers=_JSON)

    async def _play_transport_scenario(
        self, request: web.Request, config: ScenarioConfig
    ) -> web.StreamResponse | None:
        """Act out error/transport scenarios; None when the request should be answered normally."""
        name = config.name
        if name is Scenario.RESET:
            return _reset(request)
        if name is Scenario.SLOW:
            try:
                await asyncio.wait_for(self._stopping.wait(), config.delay)
            except TimeoutError:
                return None
            return _no_answer(request)  # stopping: leave without an answer
        if name is Scenario.ERROR:
            index = self._state.next_call(config)
            return _json(config.status, responses.server_error_body(config.status, index))
        if name is Scenario.ERROR_THEN_OK:
            index = self._state.next_call(config)
            if index < config.failures:
                return _json(config.status, responses.server_error_body(config.status, index))
        if name is Scenario.RATE_LIMITED:
            index = self._state.next_call(config)
            if index < config.failures:
                return _json(429, responses.rate_limited_body(), {"Retry-After": str(config.retry_after)})
        return None

    async def _hang(self, request: web.Request) -> web.StreamResponse:
        """Never answer: wait until the client hangs up or the emulator stops."""
        self._state.hang_started()
        client_left = False
        try:
            while not self._stopping.is_set():
                transport = request.transport
                if transport is None or transport.is_closing():
                    client_left = True
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), HANG_POLL_SECONDS)
        finally:
            self._state.hang_ended(client_left=client_left)
        return _no_answer(request)

    async def _analyse(self, received: LivenessInput, scenario: Scenario) -> dict[str, Any]:
        if received.file is not None:
            data = received.file.data
            use_pdf = received.use_pdf
        else:
            assert received.link is not None
            try:
                data = await fetch_loopback(
                    received.link,
                    deadline=self._limits.link_deadline_seconds,
                    max_bytes=self._limits.max_file_bytes,
                )
            except LinkFetchError as exc:
                return failed_detail(f"link_unreachable ({exc})")
            use_pdf = False
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._analyse_bytes, data, use_pdf, scenario)

    def _analyse_bytes(self, data: bytes, use_pdf: bool, scenario: Scenario) -> dict[str, Any]:
        """On an analysis thread: decode (after the pixel check) and find the faces."""
        try:
            image = rasterise_pdf(data) if use_pdf else decode_image(data, max_pixels=self._limits.max_pixels)
        except AnalysisFailure as failure:
            return failed_detail(failure.reason)
        return analyse(image, self._detector, scenario, seed=data)

    # -- balance and control ----------------------------------------------------------------------

    async def _balance(self, request: web.Request) -> web.StreamResponse:
        config, config_error = self._config(request)
        self._record(request, None, config.name, counted=False)
        if not self._authorised(request) or config.name is Scenario.UNAUTHORIZED:
            return _unauthorised()
        if config_error is not None:
            return _error(422, str(config_error), "invalid_scenario")
        with self._state.cond:
            balance = self._state.balance
        return _json(200, responses.balance_body(balance))

    async def _control(self, request: web.Request) -> web.StreamResponse:
        """``GET``/``POST /_emulator/scenario``: the same bearer token as the API, because whoever
        can switch the scenario can make the station under test see any verdict."""
        if not self._authorised(request):
            return _unauthorised()
        if request.method == "POST":
            try:
                data = await read_json(request, self._limits)
                if not isinstance(data, dict):
                    raise ScenarioError('send a JSON object such as {"name": "spoof"}')
                config = ScenarioConfig.from_mapping(data)
            except BodyRefused as refused:
                return _error(refused.status, refused.message, refused.message_code)
            except ScenarioError as exc:
                return _error(422, str(exc), "invalid_scenario")
            except ValueError:
                return _error(422, "invalid JSON", "invalid_json")
            self._state.set_config(config)
            log.info("scenario set to %s", config.to_json())
        return _json(200, self._state.current_config().to_json())


def _reset(request: web.BaseRequest) -> web.Response:
    """Close the connection with an RST (SO_LINGER 0, no FIN first)."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=204)


async def serve(
    sock: socket.socket,
    state: EmulatorState,
    detector: FaceDetector,
    limits: Limits,
    stopping: asyncio.Event,
) -> None:
    """Serve on the listening ``sock`` until ``stopping`` is set, then shut down within
    :data:`SHUTDOWN_GRACE_SECONDS` (hanging and slow requests end at once)."""
    http_log = logging.getLogger("station.emulator.http")
    if not any(isinstance(f, _ClientFaults) for f in http_log.filters):
        http_log.addFilter(_ClientFaults())
    pool = ThreadPoolExecutor(limits.analysis_workers, thread_name_prefix="station-emulator-analysis")
    service = LivenessService(state, detector, limits, stopping, pool)
    runner = web.AppRunner(
        service.application(),
        handle_signals=False,
        access_log=logging.getLogger("station.emulator.access"),
        access_log_format='%a "%r" %s %b',
        logger=http_log,
        keepalive_timeout=limits.idle_seconds,
        lingering_time=limits.linger_seconds,
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
    )
    await runner.setup()
    try:
        site = web.SockSite(runner, sock, backlog=limits.listen_backlog)
        await site.start()
        await stopping.wait()
    finally:
        await runner.cleanup()
        pool.shutdown(wait=False, cancel_futures=True)
