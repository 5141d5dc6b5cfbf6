"""A hostile service's answer changes nothing: huge bodies, long or unprintable text fields.

The service here is a real HTTP server on loopback (``tests/api/hostile.py``) that streams up to
1.5 GB. Memory is measured in a child process, against a normal answer from the same server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.api import BadResponseError, Credential, LivenessClient, ServiceUnavailableError
from station.api.client import MAX_RESPONSE_BYTES
from station.api.schema import TEXT_LIMITS
from station.resources import sample_path
from tests.api.conftest import FAST_RETRY, SECRET, SHORT
from tests.api.hostile import HUGE, HostileService

#: What a client that stops at the cap lets the server push into the socket buffers before the
#: connection goes: a few MB. A client that reads on would take all of :data:`HUGE`.
STOPPED_EARLY = 64 * 1024 * 1024


@pytest.fixture
def hostile() -> Iterator[HostileService]:
    with HostileService() as service:
        yield service


def client_for(service: HostileService, mode: str, credential: Credential) -> LivenessClient:
    return LivenessClient(credential, base_url=service.url(mode), timeouts=SHORT, retry=FAST_RETRY)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["declared", "chunked"])
async def test_a_huge_answer_is_refused_without_reading_it(
    hostile: HostileService, credential: Credential, face_jpeg: bytes, mode: str
) -> None:
    async with client_for(hostile, mode, credential) as client:
        with pytest.raises(BadResponseError) as caught:
            await client.verify_image(face_jpeg)
    error = caught.value
    assert "larger than 64 KiB" in error.message
    assert error.http_status == 200
    assert error.attempts == 1  # a bad answer is not retried: it would be paid again
    assert hostile.requests[mode] == 1
    assert hostile.bytes_sent(mode) < STOPPED_EARLY


@pytest.mark.anyio
async def test_a_huge_error_page_is_not_read_and_the_status_still_counts(
    hostile: HostileService, credential: Credential, face_jpeg: bytes
) -> None:
    async with client_for(hostile, "error502", credential) as client:
        with pytest.raises(ServiceUnavailableError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.http_status == 502
    assert caught.value.attempts == FAST_RETRY.attempts  # 502 is retried as before
    assert "AAAA" not in caught.value.message
    assert hostile.bytes_sent("error502") < STOPPED_EARLY


@pytest.mark.anyio
async def test_an_answer_just_under_the_cap_is_read(
    hostile: HostileService, credential: Credential, face_jpeg: bytes
) -> None:
    """The cap refuses the body, not a long answer: a field the parser refuses says so."""
    hostile.client_id = "c" * (MAX_RESPONSE_BYTES - 1024)
    async with client_for(hostile, "text", credential) as client:
        with pytest.raises(BadResponseError, match=r"data\.client_id is \d+ characters long"):
            await client.verify_image(face_jpeg)
    hostile.client_id = "c" * TEXT_LIMITS["client_id"]
    async with client_for(hostile, "text", credential) as client:
        verification = await client.verify_image(face_jpeg)
    assert verification.result.client_id == hostile.client_id


# -- memory, measured in a child process -----------------------------------------------------

#: Runs a command and reports its peak resident memory (the only child this wrapper waits for).
_PEAK = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": done.returncode, "peak_kb": peak_kb, "output": done.stdout + done.stderr}))
    """
)


def _verify_peak(url: str, journal: Path) -> tuple[int, int, str]:
    env = dict(os.environ, SUREPASS_SANDBOX_TOKEN=SECRET)
    command = [sys.executable, "-c", _PEAK, sys.executable, "-m", "station", "verify"]
    command += [str(sample_path("face.jpg")), "--base-url", url, "--audit-db", str(journal), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=True)
    report = json.loads(done.stdout)
    return report["code"], report["peak_kb"], report["output"]


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux")
def test_station_verify_refuses_a_1_5_gb_answer_in_bounded_memory(
    hostile: HostileService, tmp_path: Path
) -> None:
    code, normal_kb, output = _verify_peak(hostile.url("small"), tmp_path / "audit.sqlite3")
    assert code == 0, output  # the contract's example is LIVE
    for mode in ("chunked", "declared"):
        code, huge_kb, output = _verify_peak(hostile.url(mode), tmp_path / "audit.sqlite3")
        assert code == 5, output
        assert "larger than 64 KiB" in output
        assert "Traceback" not in output
        # The naive client peaked at 3.4 GB; this one stays within 100 MB of a normal verification.
        assert huge_kb - normal_kb < 100 * 1024, (mode, normal_kb, huge_kb)
        assert hostile.bytes_sent(mode) < HUGE
