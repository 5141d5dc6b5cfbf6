"""The token never appears in output, logs, reprs or exception text, whatever fails."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from station.api import Credential, Environment, LivenessAPIError, LivenessClient, RetryPolicy, Timeouts
from station.emulator import Emulator
from station.logs import RedactingFilter, redact
from station.resources import sample_path
from tests.api.conftest import SECRET

FAILURES = [
    ("live", {}),
    ("spoof", {}),
    ("unauthorized", {}),
    ("error", {"status": 500}),
    ("error_then_ok", {"failures": 1}),
    ("rate_limited", {"failures": 5, "retry_after": 0}),
    ("hang", {}),
    ("reset", {}),
    ("malformed_json", {}),
    ("not_ok", {}),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("scenario", "params"), FAILURES, ids=[s for s, _ in FAILURES])
async def test_client_never_reveals_the_token(
    emulator: Emulator,
    credential: Credential,
    face_jpeg: bytes,
    caplog: pytest.LogCaptureFixture,
    scenario: str,
    params: dict[str, float],
) -> None:
    emulator.set_scenario(scenario, **params)
    caplog.set_level(logging.DEBUG)  # httpx and httpcore at their most talkative
    quick = Timeouts(connect=1, read=0.3, write=1, deadline=3)
    retry = RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.02)
    texts = [repr(credential), str(credential)]
    async with LivenessClient(credential, base_url=emulator.base_url, timeouts=quick, retry=retry) as client:
        texts.append(repr(client))
        try:
            verification = await client.verify_image(face_jpeg)
            texts.append(repr(verification))
        except LivenessAPIError as error:
            texts += [str(error), repr(error), repr(error.__cause__), repr(error.__context__)]
    texts.append(caplog.text)
    assert caplog.records, "debug logging should have produced records to inspect"
    for text in texts:
        assert SECRET not in text
        assert SECRET[:20] not in text


@pytest.mark.parametrize(("scenario", "params"), FAILURES, ids=[s for s, _ in FAILURES])
def test_cli_output_never_reveals_the_token(
    emulator: Emulator, scenario: str, params: dict[str, float]
) -> None:
    emulator.set_scenario(scenario, **params)
    env = dict(os.environ, SUREPASS_SANDBOX_TOKEN=SECRET, STATION_LOG_LEVEL="DEBUG")
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "station",
                "verify",
                str(sample_path("face.jpg")),
                "--base-url",
                emulator.base_url,
                "--timeout",
                "1",
                *extra,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        output = done.stdout + done.stderr
        assert "Traceback" not in output
        assert SECRET not in output
        assert done.returncode in (0, 2, 3, 4, 5), output


def test_redaction_filter_scrubs_messages_args_and_tracebacks() -> None:
    record_logger = logging.getLogger("station.test.redaction")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RedactingFilter())
    record_logger.addHandler(handler)
    try:
        Credential(Environment.SANDBOX, SECRET)  # registers the secret
        record_logger.warning("header was %s", f"Bearer {SECRET}")
        record_logger.warning("raw %s", "abc" + SECRET)
        try:
            raise RuntimeError(f"failed with {SECRET}")
        except RuntimeError:
            record_logger.exception("boom")
    finally:
        record_logger.removeHandler(handler)
    formatted = [logging.Formatter().format(r) for r in records]
    assert len(formatted) == 3
    for text in formatted:
        assert SECRET not in text
        assert "[REDACTED]" in text
    assert redact("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer [REDACTED]"
