"""The response parser: the contract's own example, tolerance, strictness, and a fuzz."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.api.errors import ResponseParseError
from station.api.schema import TEXT_LIMITS, parse_balance, parse_error_body, parse_liveness_response
from station.core.models import ServiceVerdict
from tests.api.contract import CONTRACT_EXAMPLE


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


# -- text fields: capped and printable (issue 12) --------------------------------------------

TEXT_FIELDS = {
    "client_id": ("data",),
    "message": (),
    "message_code": (),
    "reason": ("data", "detail"),
}


def with_text(field: str, value: str) -> bytes:
    document = json.loads(json.dumps(CONTRACT_EXAMPLE))
    target = document
    for key in TEXT_FIELDS[field]:
        target = target[key]
    target[field] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
def test_text_at_its_limit_is_accepted(field: str) -> None:
    value = "x" * TEXT_LIMITS[field]
    assert getattr(parse_liveness_response(with_text(field, value)), field) == value


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
def test_text_over_its_limit_is_a_bad_response(field: str) -> None:
    limit = TEXT_LIMITS[field]
    with pytest.raises(ResponseParseError, match=f"{field} is {limit + 1} characters long") as caught:
        parse_liveness_response(with_text(field, "x" * (limit + 1)))
    assert "x" * 20 not in str(caught.value)  # the message names the length, not the content


def test_a_five_megabyte_client_id_is_refused() -> None:
    with pytest.raises(ResponseParseError, match="client_id"):
        parse_liveness_response(with_text("client_id", "=HYPERLINK(" * 500_000))


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
@pytest.mark.parametrize("bad", ["a\nb", "\x1b[2Jcleared", "abc\u202edcb", "zero\u200bwidth", "tab\there"])
def test_unprintable_text_is_a_bad_response(field: str, bad: str) -> None:
    with pytest.raises(ResponseParseError, match=f"{field} holds control or invisible characters"):
        parse_liveness_response(with_text(field, bad))


def test_verdict_is_capped_before_it_is_read() -> None:
    assert parse_liveness_response(with_detail(verdict=" LIVE ")).verdict is ServiceVerdict.LIVE
    with pytest.raises(ResponseParseError, match="verdict is 17 characters long"):
        parse_liveness_response(with_detail(verdict="live" + " " * 13))
    with pytest.raises(ResponseParseError, match="'maybe'"):
        parse_liveness_response(with_detail(verdict="maybe"))


def test_error_body_text_is_cleaned_and_codes_kept_whole_or_dropped() -> None:
    parsed = parse_error_body(
        json.dumps({"message": "bad\x1b[2J " + "m" * 400, "message_code": "c" * 64}).encode()
    )
    assert parsed.message is not None
    assert "\x1b" not in parsed.message
    assert len(parsed.message) == TEXT_LIMITS["message"]
    assert parsed.message.startswith("bad[2J m")
    assert parsed.message_code == "c" * 64
    for code in ("c" * 65, "two\nlines", "   "):
        assert parse_error_body(json.dumps({"message_code": code}).encode()).message_code is None
    assert parse_error_body(b'{"message": "\\u200b", "error": "fallback"}').message == "fallback"
    assert parse_error_body(b'{"message_code": 5, "error_code": " E1 "}').message_code == "E1"


# -- boundaries the mutation run showed unpinned (issue 19) ----------------------------------

SCORE_FIELDS = ("detection_score", "liveness_score", "antispoof_score")


@pytest.mark.parametrize("value", [0.0, 1.0, 0, 1])
def test_scores_at_both_ends_are_accepted(value: float) -> None:
    face = {"bbox": {"x": 0, "y": 0, "width": 1, "height": 1}, **dict.fromkeys(SCORE_FIELDS, value)}
    result = parse_liveness_response(with_detail(score=value, threshold=value, faces=[face]))
    assert (result.score, result.threshold) == (value, value)
    (parsed,) = result.faces
    assert (parsed.detection_score, parsed.liveness_score, parsed.antispoof_score) == (value,) * 3
    assert all(isinstance(s, float) for s in (result.score, parsed.liveness_score))


@pytest.mark.parametrize("field", SCORE_FIELDS)
@pytest.mark.parametrize("value", [-0.0001, 1.0001, float("nan"), float("inf")])
def test_face_scores_just_outside_are_refused(field: str, value: float) -> None:
    face = {"bbox": {"x": 0, "y": 0, "width": 1, "height": 1}, field: value}
    with pytest.raises(ResponseParseError, match=rf"faces\[0\]\.{field} should be a score"):
        parse_liveness_response(with_detail(faces=[face]))


@pytest.mark.parametrize("missing", ["x", "y", "width", "height"])
def test_a_bbox_missing_any_corner_or_size_is_refused(missing: str) -> None:
    box = {"x": 1, "y": 2, "width": 3, "height": 4}
    del box[missing]
    with pytest.raises(ResponseParseError, match=rf"faces\[0\]\.bbox\.{missing} is missing"):
        parse_liveness_response(with_detail(faces=[{"bbox": box}]))


def test_bbox_values_and_a_negative_corner() -> None:
    box = {"x": -5, "y": 7.0, "width": 0, "height": 4}
    (face,) = parse_liveness_response(with_detail(faces=[{"bbox": box}])).faces
    assert (face.bbox.x, face.bbox.y, face.bbox.width, face.bbox.height) == (-5, 7, 0, 4)
    assert isinstance(face.bbox.y, int)


def test_face_count_zero_is_accepted_and_negative_refused() -> None:
    assert parse_liveness_response(with_detail(face_count=0, faces=[])).face_count == 0
    assert parse_liveness_response(with_detail(face_count=0)).face_count == 0  # kept as the service said
    with pytest.raises(ResponseParseError, match=r"face_count should not be negative, got -1"):
        parse_liveness_response(with_detail(face_count=-1))


def test_a_missing_face_count_is_the_number_of_faces() -> None:
    document = json.loads(json.dumps(CONTRACT_EXAMPLE))
    del document["data"]["detail"]["face_count"]
    assert parse_liveness_response(json.dumps(document)).face_count == 1


@pytest.mark.parametrize("value", [1_000_000, -1_000_000])
def test_the_pixel_bound_is_inclusive(value: int) -> None:
    box = {"x": value, "y": 0, "width": 1, "height": 1}
    assert parse_liveness_response(with_detail(faces=[{"bbox": box}])).faces[0].bbox.x == value


@pytest.mark.parametrize("value", [1_000_001, -1_000_001, 1e300])
def test_pixels_past_the_bound_are_refused(value: float) -> None:
    box = {"x": value, "y": 0, "width": 1, "height": 1}
    with pytest.raises(ResponseParseError, match=r"bbox\.x should be a whole number of pixels"):
        parse_liveness_response(with_detail(faces=[{"bbox": box}]))
    with pytest.raises(ResponseParseError, match=r"frame\.width"):
        parse_liveness_response(with_detail(frame={"width": abs(value), "height": 1}))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"live": 1}, "data.detail.live should be true/false, got int"),
        ({"ok": 1}, "data.detail.ok should be true/false, got int"),
        ({"score": True}, "data.detail.score should be a number, got a boolean"),
        ({"face_count": True}, "data.detail.face_count should be a number, got a boolean"),
        ({"reason": 5}, "data.detail.reason should be text, got int"),
        ({"frame": []}, "data.detail.frame should be an object, got list"),
        ({"faces": [3]}, r"data.detail.faces\[0\] should be an object, got int"),
        ({"faces": [{"bbox": 3}]}, r"data.detail.faces\[0\].bbox should be an object, got int"),
    ],
)
def test_wrong_types_are_named_in_plain_words(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ResponseParseError, match=f"unexpected answer from the service: {problem}$"):
        parse_liveness_response(with_detail(**changes))


def test_missing_envelope_parts_are_named() -> None:
    for body, problem in (
        (b'{"x": 1}', "data is missing"),
        (b'{"data": {"client_id": "a"}}', "data.detail is missing"),
        (b'{"data": {"detail": {}}}', "data.detail.ok is missing"),
        (b"[1]", "the answer should be a JSON object, got list"),
    ):
        with pytest.raises(ResponseParseError, match=f"unexpected answer from the service: {problem}$"):
            parse_liveness_response(body)
    with pytest.raises(ResponseParseError, match="not valid JSON"):
        parse_liveness_response(b"{")


def test_ok_false_and_null_fields() -> None:
    body = {"data": {"detail": {"ok": False, "score": None, "faces": None, "verdict": None}}}
    result = parse_liveness_response(json.dumps(body))
    assert (result.ok, result.score, result.faces, result.verdict, result.face_count) == (
        False,
        None,
        (),
        None,
        0,
    )


def test_balance_needs_success_and_a_number() -> None:
    assert parse_balance(b'{"success": true, "balance": 0.5}') == 0.5
    for body, problem in (
        (b'{"success": "true", "balance": 1}', "success is not true"),
        (b'{"success": true}', "balance is missing"),
        (b'{"success": true, "balance": "1"}', "answer.balance should be a number, got str"),
    ):
        with pytest.raises(ResponseParseError, match=problem):
            parse_balance(body)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"data": 3}, "answer.data should be an object, got int"),
        ({"data": {"detail": "x"}}, "data.detail should be an object, got str"),
        ({"data": {"detail": {"ok": True}, "client_id": 7}}, "data.client_id should be text, got int"),
        (
            {"data": {"detail": {"ok": True}}, "status_code": "200"},
            "answer.status_code should be a number, got str",
        ),
        (
            {"data": {"detail": {"ok": True}}, "success": "yes"},
            "answer.success should be true/false, got str",
        ),
        ({"data": {"detail": {"ok": True}}, "message": 1}, "answer.message should be text, got int"),
        (
            {"data": {"detail": {"ok": True}}, "message_code": []},
            "answer.message_code should be text, got list",
        ),
        ({"data": {"detail": {"ok": True, "verdict": 1}}}, "data.detail.verdict should be text, got int"),
        ({"data": {"detail": {"ok": True, "faces": {}}}}, "data.detail.faces should be a list, got dict"),
        (
            {
                "data": {
                    "detail": {
                        "ok": True,
                        "faces": [{"bbox": {"x": 0, "y": 0, "width": 1, "height": 1}, "is_live": 1}],
                    }
                }
            },
            r"data.detail.faces\[0\].is_live should be true/false, got int",
        ),
        (
            {
                "data": {
                    "detail": {"ok": True, "faces": [{"bbox": {"x": 0, "y": 0, "width": -3, "height": 1}}]}
                }
            },
            r"data.detail.faces\[0\].bbox.width should not be negative, got -3",
        ),
        (
            {"data": {"detail": {"ok": True, "faces": [{"is_live": True}]}}},
            r"data.detail.faces\[0\].bbox is missing",
        ),
    ],
)
def test_every_refusal_names_the_field_and_the_problem(body: dict[str, Any], problem: str) -> None:
    with pytest.raises(ResponseParseError, match=f"^unexpected answer from the service: {problem}$"):
        parse_liveness_response(json.dumps(body))


def test_invalid_json_is_said_plainly() -> None:
    with pytest.raises(ResponseParseError, match=r"^the service's answer is not valid JSON$"):
        parse_liveness_response(b"{")
