"""The response parser: the contract's own example, tolerance, strictness, and a fuzz."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.api.errors import ResponseParseError
from station.api.schema import parse_balance, parse_error_body, parse_liveness_response
from station.core.models import ServiceVerdict

CONTRACT_EXAMPLE: dict[str, Any] = {
    "data": {
        "client_id": "face_liveness_v5_YbookLSDhSoVRtsCRvtO",
        "detail": {
            "ok": True,
            "live": True,
            "verdict": "live",
            "score": 0.833,
            "reason": "ok",
            "face_count": 1,
            "threshold": 0.7,
            "frame": {"width": 1896, "height": 2735},
            "faces": [
                {
                    "bbox": {"x": 609, "y": 1009, "width": 852, "height": 853},
                    "detection_score": 0.9995,
                    "liveness_score": 0.833,
                    "antispoof_score": 0.9978,
                    "is_live": True,
                }
            ],
        },
    },
    "status_code": 200,
    "success": True,
    "message": "Success",
    "message_code": "success",
}


def with_detail(**changes: Any) -> bytes:
    document = json.loads(json.dumps(CONTRACT_EXAMPLE))
    document["data"]["detail"].update(changes)
    return json.dumps(document).encode()


def test_contract_example_parses_every_field() -> None:
    result = parse_liveness_response(json.dumps(CONTRACT_EXAMPLE))
    assert result.client_id == "face_liveness_v5_YbookLSDhSoVRtsCRvtO"
    assert result.ok and result.live
    assert result.verdict is ServiceVerdict.LIVE
    assert result.score == 0.833
    assert result.reason == "ok"
    assert result.face_count == 1
    assert result.threshold == 0.7
    assert (result.frame.width, result.frame.height) == (1896, 2735)  # type: ignore[union-attr]
    (face,) = result.faces
    assert (face.bbox.x, face.bbox.y, face.bbox.width, face.bbox.height) == (609, 1009, 852, 853)
    assert (face.detection_score, face.liveness_score, face.antispoof_score) == (0.9995, 0.833, 0.9978)
    assert face.is_live is True
    assert (result.status_code, result.success, result.message, result.message_code) == (
        200,
        True,
        "Success",
        "success",
    )


def test_extra_fields_are_ignored_and_optional_fields_may_be_missing() -> None:
    body = {"data": {"detail": {"ok": False, "new_field": [1, 2]}, "extra": 1}, "whatever": None}
    result = parse_liveness_response(json.dumps(body))
    assert result.ok is False
    assert result.faces == ()
    assert result.client_id is None
    assert result.frame is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"score": 1.5}, "data.detail.score"),
        ({"score": "high"}, "data.detail.score"),
        ({"threshold": -0.1}, "data.detail.threshold"),
        ({"verdict": "maybe"}, "data.detail.verdict"),
        ({"ok": "yes"}, "data.detail.ok"),
        ({"face_count": -1}, "data.detail.face_count"),
        ({"faces": {"not": "a list"}}, "data.detail.faces"),
        ({"faces": [{"bbox": {"x": 1, "y": 2, "width": -3, "height": 4}}]}, "width"),
        ({"faces": [{"bbox": {"x": 1.5, "y": 2, "width": 3, "height": 4}}]}, "bbox.x"),
        ({"faces": [{"detection_score": 0.9}]}, "bbox"),
        ({"frame": {"width": 10}}, "frame.height"),
    ],
)
def test_wrong_values_raise_the_parsers_own_error(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ResponseParseError, match=field.replace("[", r"\[").replace("]", r"\]")):
        parse_liveness_response(with_detail(**changes))


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'{"data": 3}', b'{"data": {}}', b"\xff\xfe"])
def test_malformed_documents_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ResponseParseError):
        parse_liveness_response(body)


@pytest.mark.parametrize(
    ("body", "message", "code"),
    [
        (
            b'{"status_code": 401, "success": false, "message": "Authentication credentials were not '
            b'provided or are invalid.", "message_code": "unauthorized"}',
            "Authentication credentials were not provided or are invalid.",
            "unauthorized",
        ),
        (b'{"error": "upstream down", "error_code": "E503"}', "upstream down", "E503"),
        (b'{"error": {"message": "nested"}}', "nested", None),
        (b"<html>Bad gateway</html>", None, None),
        (b"[1]", None, None),
    ],
)
def test_error_bodies_whichever_keys(body: bytes, message: str | None, code: str | None) -> None:
    parsed = parse_error_body(body)
    assert parsed.message == message
    assert parsed.message_code == code


def test_balance() -> None:
    assert parse_balance(b'{"success": true, "balance": 42, "x": 1}') == 42.0
    with pytest.raises(ResponseParseError):
        parse_balance(b'{"success": false}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
detail_keys = st.sampled_from(
    ["ok", "live", "verdict", "score", "reason", "face_count", "threshold", "frame", "faces"]
)
face_like = st.fixed_dictionaries(
    {},
    optional={
        "bbox": st.fixed_dictionaries({}, optional={k: json_values for k in ("x", "y", "width", "height")})
        | json_values,
        "detection_score": json_values,
        "liveness_score": json_values,
        "antispoof_score": json_values,
        "is_live": json_values,
    },
)
details = st.dictionaries(detail_keys, json_values, max_size=9).flatmap(
    lambda d: st.lists(face_like, max_size=3).map(lambda faces: {**d, "faces": faces}) | st.just(d)
)


@settings(max_examples=400, deadline=None)
@given(detail=details, envelope=st.dictionaries(st.text(max_size=12), json_values, max_size=4))
def test_fuzz_structured(detail: dict[str, Any], envelope: dict[str, Any]) -> None:
    body = json.dumps({**envelope, "data": {"client_id": "x", "detail": detail}}, allow_nan=True)
    try:
        result = parse_liveness_response(body)
    except ResponseParseError:
        return
    for face in result.faces:
        for score in (face.detection_score, face.liveness_score, face.antispoof_score):
            assert score is None or 0.0 <= score <= 1.0
        assert face.bbox.width >= 0 and face.bbox.height >= 0


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzz_bytes(raw: bytes) -> None:
    with contextlib.suppress(ResponseParseError):
        parse_liveness_response(raw)
    parse_error_body(raw)  # never raises
