"""A hostile answer never escapes the error tree: content codings, decoded size, Retry-After.

The red team's answers, from a real HTTP server on loopback (``tests/api/hostile.py``):

- a 200 with ``Content-Encoding: gzip`` over a body that is not gzip raised httpx's
  ``DecodingError``;
- ``Retry-After: Mon, 01 Jan 9999999999 00:00:00 GMT`` raised ``OverflowError``;
- ``Content-Encoding: gzip, gzip`` (658 bytes) inflated to 300 MB, past a cap that counted raw
  bytes.

Each must be a typed :class:`LivenessAPIError` (exit 5 from ``station verify``, with a journal row
and no traceback), and the bomb must be refused in bounded memory (measured in a child process).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import subprocess
import sys
import textwrap
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from station.api import (
    BadResponseError,
    Credential,
    LivenessAPIError,
    LivenessClient,
    NetworkError,
    RetryPolicy,
    ServiceUnavailableError,
)
from station.api.answer import (
    AnswerTooLargeError,
    BadEncodingError,
    UnsupportedEncodingError,
    content_coding,
    read_decoded,
)
from station.api.client import parse_retry_after
from station.resources import sample_path
from tests.api.conftest import SECRET, SHORT
from tests.api.hostile import BAD_HEADS, BOMB_SIZE, RETRY_AFTER, HostileService, bombs

#: Retries that do not wait long: the cap on Retry-After is what is under test, not the wait.
QUICK_RETRY = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.05, retry_after_cap=0.05)


@pytest.fixture
def hostile() -> Iterator[HostileService]:
    bombs()  # made once per process, before any request: not inside a client's read timeout
    with HostileService() as service:
        yield service


def client_for(service: HostileService, mode: str, credential: Credential) -> LivenessClient:
    return LivenessClient(credential, base_url=service.url(mode), timeouts=SHORT, retry=QUICK_RETRY)


@pytest.mark.anyio
async def test_a_gzipped_answer_is_read(
    hostile: HostileService, credential: Credential, face_jpeg: bytes
) -> None:
    """The client asks for identity, but a gateway that gzips anyway is still understood."""
    async with client_for(hostile, "gzipok", credential) as client:
        verification = await client.verify_image(face_jpeg)
    assert verification.result.client_id == "face_liveness_v5_YbookLSDhSoVRtsCRvtO"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("gzipjunk", "could not be decoded: the body is not valid gzip"),
        ("br", "unsupported content coding ('br')"),
        ("stacked", "stacked content codings (gzip, gzip)"),
        ("gzipbomb", "larger than 64 KiB"),
    ],
)
async def test_a_hostile_body_is_a_bad_response_not_retried(
    hostile: HostileService, credential: Credential, face_jpeg: bytes, mode: str, words: str
) -> None:
    async with client_for(hostile, mode, credential) as client:
        with pytest.raises(BadResponseError) as caught:
            await client.verify_image(face_jpeg)
    error = caught.value
    assert words in error.message
    assert error.http_status == 200
    assert error.attempts == 1  # the service answered (and charged): never asked again
    assert hostile.requests[mode] == 1


@pytest.mark.anyio
async def test_the_client_asks_for_no_content_coding(
    hostile: HostileService, credential: Credential, face_jpeg: bytes
) -> None:
    async with client_for(hostile, "small", credential) as client:
        request = client._http.build_request("POST", "/")
    assert request.headers["Accept-Encoding"] == "identity"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", sorted(RETRY_AFTER))
async def test_a_hostile_retry_after_is_a_service_error(
    hostile: HostileService, credential: Credential, face_jpeg: bytes, kind: str
) -> None:
    async with client_for(hostile, f"retry-{kind}", credential) as client:
        with pytest.raises(ServiceUnavailableError) as caught:
            await client.verify_image(face_jpeg)
    assert caught.value.http_status == 503
    assert caught.value.attempts == QUICK_RETRY.attempts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("99999", 10.0),
        ("9" * 5000, 10.0),  # int() of it would be refused (and slow): it is just "the cap"
        ("Mon, 01 Jan 9999999999 00:00:00 GMT", 10.0),  # past datetime's range: later than any wait
        ("Fri, 31 Dec 9999 23:59:59 GMT", 10.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),  # already past
        ("NaN", None),
        ("nan", None),
        ("-5", None),
        ("1e999", None),
        ("-inf", None),
        ("soon", None),
        ("Mon, 99 Foo 2026 99:99:99 GMT", None),
        ("\u0663", None),  # a digit, but not an ASCII one
    ],
)
def test_retry_after_is_clamped_and_never_raises(value: str | None, expected: float | None) -> None:
    got = parse_retry_after(value, cap=10.0)
    assert got == expected
    assert got is None or (math.isfinite(got) and 0.0 <= got <= 10.0)


# -- station verify in a child process: exit 5, a journal row, no traceback, bounded memory -------

#: Runs a command and reports its peak resident memory (the only child this wrapper waits for).
_PEAK = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": done.returncode, "peak_kb": peak_kb, "out": done.stdout, "err": done.stderr}))
    """
)


def _station_verify(url: str, journal: Path) -> dict[str, object]:
    env = dict(os.environ, SUREPASS_SANDBOX_TOKEN=SECRET)
    command = [sys.executable, "-c", _PEAK, sys.executable, "-m", "station", "verify"]
    command += [str(sample_path("face.jpg")), "--base-url", url, "--audit-db", str(journal)]
    command += ["--json", "--timeout", "8"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, check=True)
    report: dict[str, object] = json.loads(done.stdout)
    return report


def _journal_rows(journal: Path) -> list[tuple[str | None, str | None]]:
    from station.audit import AuditJournal, load_key

    with AuditJournal.open(journal, load_key(), create=False) as opened:
        assert opened.verify().ok
        rows = opened.recent(50)[::-1]
        assert not opened.open_attempts()  # every "attempt started" row has its outcome
        return [(r.record.outcome, r.record.error_class) for r in rows if r.record.kind != "attempt_started"]


@pytest.mark.parametrize(
    ("mode", "error_class"),
    [
        ("gzipjunk", "BadResponseError"),
        ("stacked", "BadResponseError"),
        ("retry-date", "ServiceUnavailableError"),
        ("retry-huge", "ServiceUnavailableError"),
    ],
)
def test_station_verify_reports_a_hostile_answer_as_a_service_error(
    hostile: HostileService, tmp_path: Path, mode: str, error_class: str
) -> None:
    journal = tmp_path / "audit.sqlite3"
    report = _station_verify(hostile.url(mode), journal)
    output = f"{report['out']}{report['err']}"
    assert report["code"] == 5, output
    assert "Traceback" not in output
    assert SECRET not in output
    answer = json.loads(str(report["out"]))
    assert answer["outcome"] == "ERROR"
    assert _journal_rows(journal) == [("ERROR", error_class)]


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux")
def test_a_stacked_gzip_bomb_is_refused_in_bounded_memory(hostile: HostileService, tmp_path: Path) -> None:
    """658 bytes that inflate to 300 MB: the red team measured a 705 MB peak."""
    normal = _station_verify(hostile.url("small"), tmp_path / "normal.sqlite3")
    assert normal["code"] == 0, normal
    for mode in ("stacked", "gzipbomb"):
        bomb = _station_verify(hostile.url(mode), tmp_path / f"{mode}.sqlite3")
        assert bomb["code"] == 5, bomb
        assert isinstance(bomb["peak_kb"], int) and isinstance(normal["peak_kb"], int)
        # Far below the 300 MB the body inflates to; a normal verification is the baseline.
        assert bomb["peak_kb"] - normal["peak_kb"] < 100 * 1024, (mode, normal["peak_kb"], bomb["peak_kb"])
        assert bomb["peak_kb"] < BOMB_SIZE // 1024


@pytest.mark.anyio
@pytest.mark.parametrize("kind", sorted(BAD_HEADS))
async def test_an_answer_http_cannot_parse_is_a_typed_error(
    hostile: HostileService, credential: Credential, face_jpeg: bytes, kind: str
) -> None:
    async with client_for(hostile, f"badhead-{kind}", credential) as client:
        with pytest.raises(LivenessAPIError) as caught:
            await client.verify_image(face_jpeg)
    assert type(caught.value) in (NetworkError, BadResponseError)
    assert SECRET not in str(caught.value)


# -- the decoder itself: corner cases of the codings -----------------------------------------------


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.anyio
async def test_every_coding_the_client_takes_decodes() -> None:
    body = json.dumps({"data": "x" * 1000}).encode()
    zlib_wrapped = zlib.compress(body)
    raw_deflate = zlib_wrapped[2:-4]
    gzipped = gzip.compress(body)
    assert await read_decoded(_chunks(body), "identity", 65536) == body
    assert await read_decoded(_chunks(gzipped[:10], gzipped[10:]), "gzip", 65536) == body
    assert await read_decoded(_chunks(zlib_wrapped), "deflate", 65536) == body
    assert await read_decoded(_chunks(raw_deflate), "deflate", 65536) == body


@pytest.mark.anyio
async def test_broken_codings_are_refused() -> None:
    gzipped = gzip.compress(b"{}" * 100)
    with pytest.raises(BadEncodingError, match="cut short"):
        await read_decoded(_chunks(gzipped[:-8]), "gzip", 65536)
    with pytest.raises(BadEncodingError, match="data after the end"):
        await read_decoded(_chunks(gzipped + gzipped), "gzip", 65536)
    with pytest.raises(BadEncodingError, match="data after the end"):
        await read_decoded(_chunks(gzipped, b"more"), "gzip", 65536)
    with pytest.raises(AnswerTooLargeError):
        await read_decoded(_chunks(gzip.compress(bytes(65537))), "gzip", 65536)
    with pytest.raises(AnswerTooLargeError):
        await read_decoded(_chunks(b"a" * 40000, b"a" * 40000), "identity", 65536)


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        (None, "identity"),
        ("identity", "identity"),
        ("GZIP", "gzip"),
        ("x-gzip", "gzip"),
        ("deflate", "deflate"),
        ("identity, gzip", "gzip"),
    ],
)
def test_the_content_coding_named(header: str | None, coding: str) -> None:
    headers = httpx.Headers({} if header is None else {"Content-Encoding": header})
    assert content_coding(headers) == coding


@pytest.mark.parametrize("header", ["br", "zstd", "x-foo", "gzip, gzip", "gzip, deflate", "compress"])
def test_unknown_or_stacked_codings_are_refused(header: str) -> None:
    with pytest.raises(UnsupportedEncodingError):
        content_coding(httpx.Headers({"Content-Encoding": header}))
    with pytest.raises(UnsupportedEncodingError):
        content_coding(httpx.Headers([("Content-Encoding", part) for part in header.split(", ")]))
