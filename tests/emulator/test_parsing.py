"""Form, JSON and contract parsing, link targets and scenario configuration, without a socket."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.emulator import Limits, Scenario, ScenarioConfig, ScenarioError
from station.emulator.bodies import BodyRefused, FormReader, JsonDepthGuard, MultipartError
from station.emulator.inputs import FormPart, liveness_input, liveness_input_from_json
from station.emulator.links import LinkRefusedError, loopback_target


def _encode(files: dict[str, tuple[str, bytes, str]], data: dict[str, str]) -> tuple[bytes, str]:
    request = httpx.Request("POST", "http://127.0.0.1/", files=files, data=data)
    return request.read(), request.headers["Content-Type"]


def _fields(fields: dict[str, str]) -> tuple[bytes, str]:
    """Text fields only, still as multipart (httpx would send them urlencoded)."""
    request = httpx.Request("POST", "http://127.0.0.1/", files={k: (None, v) for k, v in fields.items()})
    return request.read(), request.headers["Content-Type"]


def _parse(body: bytes, content_type: str, *, chunk: int = 7, limits: Limits | None = None) -> list[FormPart]:
    """Feed the body in small chunks, as the network delivers it: boundaries and headers split."""
    reader = FormReader(content_type, limits or Limits())
    for start in range(0, len(body), chunk):
        reader.feed(body[start : start + chunk])
    return reader.close()


@settings(max_examples=60, deadline=None)
@given(
    content=st.binary(max_size=4096),
    filename=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters='"\\'),
        min_size=1,
        max_size=30,
    ).filter(lambda name: name.strip() == name and name != ""),
    use_pdf=st.sampled_from(["true", "false"]),
    chunk=st.integers(min_value=1, max_value=5000),
)
def test_multipart_round_trips_any_bytes(content: bytes, filename: str, use_pdf: str, chunk: int) -> None:
    body, content_type = _encode(
        {"file": (filename, content, "application/octet-stream")}, {"use_pdf": use_pdf}
    )
    parts = _parse(body, content_type, chunk=chunk)
    by_name = {part.name: part for part in parts}
    assert set(by_name) == {"file", "use_pdf"}
    assert by_name["file"].data == content
    assert by_name["file"].filename == filename
    assert by_name["file"].content_type == "application/octet-stream"
    assert by_name["use_pdf"].text() == use_pdf


def test_multipart_with_content_containing_crlf_and_dashes() -> None:
    content = b"\r\n--\r\n--not-the-boundary\r\n\r\n"
    body, content_type = _encode({"file": ("a.bin", content, "image/jpeg")}, {})
    [part] = _parse(body, content_type)
    assert part.data == content


def test_truncated_multipart_is_refused() -> None:
    body, content_type = _encode({"file": ("a.jpg", b"x" * 100, "image/jpeg")}, {})
    with pytest.raises(MultipartError, match="closing boundary"):
        _parse(body[:-10], content_type)


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_multipart_without_boundary_is_refused(content_type: str) -> None:
    with pytest.raises(MultipartError, match="boundary"):
        FormReader(content_type, Limits())


def test_part_without_a_name_is_refused() -> None:
    body = b"--zz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--zz--\r\n"
    with pytest.raises(MultipartError, match="no field name"):
        _parse(body, "multipart/form-data; boundary=zz")


def test_form_limits_stop_the_parser_at_once() -> None:
    limits = Limits(max_parts=2, max_field_bytes=10, max_file_bytes=20, max_part_header_bytes=100)
    many, content_type = _fields({f"f{i}": "v" for i in range(3)})
    with pytest.raises(BodyRefused, match="more than 2 form parts") as parts:
        _parse(many, content_type, limits=limits)
    long_field, content_type = _fields({"link": "x" * 11})
    with pytest.raises(BodyRefused, match="'link'") as field:
        _parse(long_field, content_type, limits=limits)
    big_file, content_type = _encode({"file": ("a.jpg", b"x" * 21, "image/jpeg")}, {})
    with pytest.raises(BodyRefused, match="'file'") as file:
        _parse(big_file, content_type, limits=limits)
    header = b'--zz\r\nContent-Disposition: form-data; name="' + b"n" * 200 + b'"\r\n\r\nx\r\n--zz--\r\n'
    with pytest.raises(BodyRefused, match="headers") as headers:
        _parse(header, "multipart/form-data; boundary=zz", limits=limits)
    assert {parts.value.status, field.value.status, file.value.status, headers.value.status} == {413}


def test_json_depth_guard_counts_only_outside_strings() -> None:
    guard = JsonDepthGuard(3)
    guard.feed(b'{"a": [ "[[[[\\"{{{{" , {"b": 1}')
    guard.feed(b"]}")
    with pytest.raises(BodyRefused, match="deeper than 3") as caught:
        JsonDepthGuard(3).feed(b"[[[[")
    assert caught.value.status == 400
    split = JsonDepthGuard(2)
    split.feed(b"[")
    with pytest.raises(BodyRefused):
        split.feed(b"[[")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({}, "missing_file_or_link"),
        ([1], "invalid_json"),
        ({"link": 5}, "invalid_link"),
        ({"link": "https://example.com/x.jpg"}, "link_refused"),
        ({"link": "http://127.0.0.1/x", "use_pdf": True}, "invalid_use_pdf"),
        ({"file": "abc"}, "invalid_json"),
    ],
)
def test_json_input_validation(data: object, code: str) -> None:
    parsed = liveness_input_from_json(data)
    assert parsed.error is not None
    assert parsed.error.message_code == code


def test_multipart_use_pdf_must_be_boolean() -> None:
    file = FormPart("file", b"%PDF-", "f.pdf", "application/pdf")
    parsed = liveness_input(("use_pdf", "file"), file, None, "yes")
    assert parsed.error is not None
    assert parsed.error.message_code == "invalid_use_pdf"
    assert parsed.fields == ("use_pdf", "file")


def test_json_link_is_accepted() -> None:
    parsed = liveness_input_from_json({"link": "http://localhost:9/x.jpg"})
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


@pytest.mark.parametrize("field", ["max_parts", "idle_seconds", "listen_backlog"])
@pytest.mark.parametrize("value", [0, -1, True])
def test_limits_must_be_positive_numbers(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        Limits(**{field: value})  # type: ignore[arg-type]
