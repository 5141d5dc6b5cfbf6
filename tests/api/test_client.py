"""The client against the emulator over loopback: every scenario, retries, deadline, cancel."""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from station.api import (
    AuthError,
    BadRequestError,
    BadResponseError,
    Credential,
    LivenessClient,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    RetryPolicy,
    ServiceUnavailableError,
    Timeouts,
)
from station.core.models import ServiceVerdict
from station.emulator import Emulator
from station.resources import resources_root, sample_path
from station.vision.faces import FaceDetector
from tests.api.conftest import FAST_RETRY, SHORT
from tests.images import read_bgr

pytestmark = pytest.mark.anyio


def client_for(
    emulator: Emulator,
    credential: Credential,
    *,
    retry: RetryPolicy = FAST_RETRY,
    timeouts: Timeouts = SHORT,
) -> LivenessClient:
    return LivenessClient(credential, base_url=emulator.base_url, retry=retry, timeouts=timeouts)


async def test_live_image_every_field(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    async with client_for(emulator, credential) as client:
        verification = await client.verify_image(face_jpeg, "face.jpg")
    assert client.closed
    result = verification.result
    assert verification.http_status == 200
    assert verification.attempts == 1
    assert result.ok and result.live and result.verdict is ServiceVerdict.LIVE
    assert result.client_id and result.client_id.startswith("face_liveness_v5_")
    assert result.frame is not None and (result.frame.width, result.frame.height) == (512, 512)
    assert result.reason is not None and "emulated" in result.reason
    # The boxes are the detector's, in the frame's coordinates.

    detected = FaceDetector().detect(read_bgr(sample_path("face.jpg")))
    assert [(f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height) for f in result.faces] == [
        (d.x, d.y, d.width, d.height) for d in detected
    ]
    request = emulator.last_request
    assert request is not None
    assert request.file_name == "face.jpg"
    assert request.file_content_type == "application/octet-stream"
    assert (request.content_type or "").startswith("multipart/form-data")


async def test_one_connection_is_reused(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    async with client_for(emulator, credential) as client:
        first = await client.verify_image(face_jpeg)
        second = await client.verify_image(face_jpeg)
    assert first.result.client_id != second.result.client_id


async def test_pdf_sends_use_pdf(emulator: Emulator, credential: Credential) -> None:
    async with client_for(emulator, credential) as client:
        verification = await client.verify_pdf(sample_path("face.pdf").read_bytes())
    assert verification.result.face_count == 1
    assert emulator.last_request is not None
    assert emulator.last_request.use_pdf == "true"


@pytest.fixture
def sample_server() -> Iterator[str]:
    root = str(resources_root() / "samples")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=root, **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


async def test_link_as_multipart_field(
    emulator: Emulator, credential: Credential, sample_server: str
) -> None:
    async with client_for(emulator, credential) as client:
        verification = await client.verify_link(f"{sample_server}/two-faces.jpg")
    assert verification.result.face_count == 2
    request = emulator.last_request
    assert request is not None
    assert request.link == f"{sample_server}/two-faces.jpg"
    assert (request.content_type or "").startswith("multipart/form-data")


async def test_outbound_link_refused_and_not_retried(emulator: Emulator, credential: Credential) -> None:
    async with client_for(emulator, credential) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.verify_link("https://example.com/face.jpg")
    assert caught.value.http_status == 422
    assert caught.value.attempts == 1
    assert emulator.requests_received == 1


async def test_5xx_then_success(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("error_then_ok", failures=2)
    async with client_for(emulator, credential) as client:
        verification = await client.verify_image(face_jpeg)
    assert verification.attempts == 3
    assert verification.result.ok
    assert emulator.requests_received == 3


async def test_5xx_forever_is_bounded(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("error", status=503)
    async with client_for(emulator, credential) as client:
        with pytest.raises(ServiceUnavailableError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.attempts == 3
    assert caught.value.http_status == 503
    assert "gave up after 3 attempts" in str(caught.value)
    assert emulator.requests_received == 3


async def test_retries_stop_inside_the_deadline(
    emulator: Emulator, credential: Credential, face_jpeg: bytes
) -> None:
    # Backoff far longer than the deadline: the client gives up instead of sleeping past it.
    emulator.set_scenario("error", status=502)
    slow_backoff = RetryPolicy(attempts=5, backoff_initial=30, backoff_max=30)
    deadline = Timeouts(connect=1, read=1, write=1, deadline=1.5)
    started = time.monotonic()
    async with client_for(emulator, credential, retry=slow_backoff, timeouts=deadline) as client:
        with pytest.raises(ServiceUnavailableError) as caught:
            await client.verify_image(face_jpeg)
    assert time.monotonic() - started < 1.5
    assert 1 <= caught.value.attempts < 5


async def test_retry_after_is_honoured(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("rate_limited", failures=1, retry_after=1)
    started = time.monotonic()
    async with client_for(emulator, credential) as client:
        verification = await client.verify_image(face_jpeg)
    assert verification.attempts == 2
    # The jittered backoff alone is at most 0.05 s: only Retry-After explains a 1 s wait.
    assert time.monotonic() - started >= 0.95


async def test_retry_after_is_capped(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("rate_limited", failures=5, retry_after=120)
    capped = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.05, retry_after_cap=0.2)
    async with client_for(emulator, credential, retry=capped) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.attempts == 2
    assert caught.value.http_status == 429


async def test_hang_times_out_and_hangs_up(
    emulator: Emulator, credential: Credential, face_jpeg: bytes
) -> None:
    emulator.set_scenario("hang")
    quick = Timeouts(connect=1, read=0.3, write=1, deadline=5)
    retry = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02)
    async with client_for(emulator, credential, retry=retry, timeouts=quick) as client:
        with pytest.raises(RequestTimeoutError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.attempts == 2
    assert await asyncio.to_thread(emulator.wait_for_disconnect, 5.0, 2)


async def test_overall_deadline(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("slow", delay=10)
    tight = Timeouts(connect=1, read=30, write=1, deadline=0.5)
    async with client_for(emulator, credential, timeouts=tight) as client:
        with pytest.raises(RequestTimeoutError, match="deadline"):
            await client.verify_image(face_jpeg)


async def test_connection_reset(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("reset")
    async with client_for(emulator, credential) as client:
        with pytest.raises(NetworkError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.attempts == 3


async def test_malformed_json_is_not_retried(
    emulator: Emulator, credential: Credential, face_jpeg: bytes
) -> None:
    emulator.set_scenario("malformed_json")
    async with client_for(emulator, credential) as client:
        with pytest.raises(BadResponseError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.attempts == 1
    assert emulator.requests_received == 1


async def test_401_is_not_retried(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    emulator.set_scenario("unauthorized")
    async with client_for(emulator, credential) as client:
        with pytest.raises(AuthError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.http_status == 401
    assert caught.value.message_code == "unauthorized"
    assert caught.value.attempts == 1
    assert "station token set --env sandbox" in str(caught.value)


async def test_wrong_token_gets_401(emulator: Emulator, face_jpeg: bytes) -> None:
    from station.api import Environment

    wrong = Credential(Environment.SANDBOX, "not-the-token")
    async with client_for(emulator, wrong) as client:
        with pytest.raises(AuthError):
            await client.verify_image(face_jpeg)


async def test_cancel_mid_request_hangs_up_at_once(
    emulator: Emulator, credential: Credential, face_jpeg: bytes
) -> None:
    emulator.set_scenario("hang")
    patient = Timeouts(connect=1, read=60, write=1, deadline=120)
    async with client_for(emulator, credential, timeouts=patient) as client:
        task = asyncio.create_task(client.verify_image(face_jpeg))
        assert await asyncio.to_thread(emulator.wait_for_requests, 1, 5.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The server sees the connection go away: the request really was cancelled.
        assert await asyncio.to_thread(emulator.wait_for_disconnect, 5.0, 1)


async def test_balance(emulator: Emulator, credential: Credential, face_jpeg: bytes) -> None:
    async with client_for(emulator, credential) as client:
        before = await client.balance()
        await client.verify_image(face_jpeg)
        assert await client.balance() == before - 1


async def test_balance_errors_are_the_clients_own(emulator: Emulator, face_jpeg: bytes) -> None:
    from station.api import Environment, LivenessAPIError

    async with client_for(emulator, Credential(Environment.SANDBOX, "wrong")) as client:
        with pytest.raises(AuthError):
            await client.balance()
    gone = emulator.base_url
    emulator.stop()
    async with LivenessClient(
        Credential(Environment.SANDBOX, "tok"), base_url=gone, timeouts=SHORT
    ) as client:
        with pytest.raises(LivenessAPIError):
            await client.balance()
