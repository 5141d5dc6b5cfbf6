"""Multipart parsing, request validation and scenario configuration, without a socket."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.emulator import Scenario, ScenarioConfig, ScenarioError
from station.emulator.inputs import parse_liveness_request
from station.emulator.links import LinkRefusedError, loopback_target
from station.emulator.multipart import MultipartError, parse_multipart


def _encode(files: dict[str, tuple[str, bytes, str]], data: dict[str, str]) -> tuple[bytes, str]:
    request = httpx.Request("POST", "http://127.0.0.1/", files=files, data=data)
    return request.read(), request.headers["Content-Type"]


@settings(max_examples=60, deadline=None)
@given(
    content=st.binary(max_size=4096),
    filename=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters='"\\'),
        min_size=1,
        max_size=30,
    ).filter(lambda name: name.strip() == name and name != ""),
    use_pdf=st.sampled_from(["true", "false"]),
)
def test_multipart_round_trips_any_bytes(content: bytes, filename: str, use_pdf: str) -> None:
    body, content_type = _encode(
        {"file": (filename, content, "application/octet-stream")}, {"use_pdf": use_pdf}
    )
    parts = parse_multipart(body, content_type)
    by_name = {part.name: part for part in parts}
    assert set(by_name) == {"file", "use_pdf"}
    assert by_name["file"].data == content
    assert by_name["file"].filename == filename
    assert by_name["file"].content_type == "application/octet-stream"
    assert by_name["use_pdf"].text() == use_pdf


def test_multipart_with_content_containing_crlf_and_dashes() -> None:
    content = b"\r\n--\r\n--not-the-boundary\r\n\r\n"
    body, content_type = _encode({"file": ("a.bin", content, "image/jpeg")}, {})
    [part] = parse_multipart(body, content_type)
    assert part.data == content


def test_truncated_multipart_is_refused() -> None:
    body, content_type = _encode({"file": ("a.jpg", b"x" * 100, "image/jpeg")}, {})
    with pytest.raises(MultipartError):
        parse_multipart(body[:-10], content_type)


def test_multipart_without_boundary_is_refused() -> None:
    with pytest.raises(MultipartError):
        parse_multipart(b"", "multipart/form-data")


@pytest.mark.parametrize(
    ("content_type", "body", "code"),
    [
        ("application/json", b"{}", "missing_file_or_link"),
        ("application/json", b"[1]", "invalid_json"),
        ("application/json", b"{not json", "invalid_json"),
        ("application/json", b'{"link": 5}', "invalid_link"),
        ("application/json", b'{"link": "https://example.com/x.jpg"}', "link_refused"),
        ("application/json", b'{"link": "http://127.0.0.1/x", "use_pdf": true}', "invalid_use_pdf"),
        ("text/plain", b"hello", "unsupported_content_type"),
        (None, b"", "unsupported_content_type"),
        ("multipart/form-data; boundary=zzz", b"garbage", "malformed_multipart"),
    ],
)
def test_request_validation(content_type: str | None, body: bytes, code: str) -> None:
    parsed = parse_liveness_request(body, content_type)
    assert parsed.error is not None
    assert parsed.error.message_code == code


def test_multipart_use_pdf_must_be_boolean() -> None:
    body, content_type = _encode({"file": ("f.pdf", b"%PDF-", "application/pdf")}, {"use_pdf": "yes"})
    parsed = parse_liveness_request(body, content_type)
    assert parsed.error is not None
    assert parsed.error.message_code == "invalid_use_pdf"
    assert parsed.fields == ("use_pdf", "file")


def test_json_link_is_accepted() -> None:
    parsed = parse_liveness_request(b'{"link": "http://localhost:9/x.jpg"}', "application/json")
    assert parsed.error is None
    assert parsed.link == "http://localhost:9/x.jpg"


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.1:8000/x.jpg",
        "http://127.8.9.10/x.jpg",
        "http://[::1]:8000/x.jpg",
        "http://LOCALHOST./x.jpg",
    ],
)
def test_loopback_links_are_allowed(link: str) -> None:
    target = loopback_target(link)
    assert target.address in ("127.0.0.1", "127.8.9.10", "::1")


@pytest.mark.parametrize(
    "link",
    [
        "https://127.0.0.1/x.jpg",
        "http://example.com/x.jpg",
        "http://10.0.0.1/x.jpg",
        "http://0.0.0.0/x.jpg",
        "http://127.0.0.1.example.com/x.jpg",
        "http://localhost.example.com/x.jpg",
        "http://[::ffff:8.8.8.8]/x.jpg",
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "not a url",
        "http://127.0.0.1:99999/x",
    ],
)
def test_other_links_are_refused(link: str) -> None:
    with pytest.raises(LinkRefusedError, match="no outbound requests"):
        loopback_target(link)


def test_scenario_config_parsing() -> None:
    config = ScenarioConfig.from_mapping({"name": "error-then-ok", "failures": 3, "status": 500})
    assert config == ScenarioConfig(Scenario.ERROR_THEN_OK, failures=3, status=500)
    assert config.to_json() == {
        "name": "error_then_ok",
        "failures": 3,
        "delay": 2.0,
        "retry_after": 1,
        "status": 500,
    }
    headers = {"x-emulator-scenario": "SLOW", "X-Emulator-Delay": "0.5"}
    assert config.with_headers(headers) == ScenarioConfig(Scenario.SLOW, failures=3, delay=0.5, status=500)
    assert ScenarioConfig.of("spoof").name is Scenario.SPOOF


@pytest.mark.parametrize(
    "data",
    [
        {"name": "nope"},
        {},
        {"name": "slow", "delay": -1},
        {"name": "slow", "delay": float("nan")},
        {"name": "error", "status": 404},
        {"name": "error_then_ok", "failures": -1},
        {"name": "error_then_ok", "failures": True},
        {"name": "rate_limited", "retry_after": "1"},
        {"name": "auto", "colour": "blue"},
    ],
)
def test_scenario_config_rejects(data: dict[str, object]) -> None:
    with pytest.raises(ScenarioError):
        ScenarioConfig.from_mapping(data)


def test_scenario_header_rejects_bad_numbers() -> None:
    with pytest.raises(ScenarioError):
        ScenarioConfig().with_headers({"X-Emulator-Failures": "many"})
