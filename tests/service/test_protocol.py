"""The service protocol: every type the port carries crosses and comes back equal; anything that is
not a request of this protocol is a typed refusal, never an exception out of the decoder."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from station.api.client import Verification
from station.api.errors import EnvironmentMismatchError, RequestTimeoutError, ServiceUnavailableError
from station.application.attempt import AttemptReport
from station.application.consent import Consent, ConsentRecord
from station.application.kinds import ErrorKind, EventKind, RecordKind
from station.application.port import (
    Capture,
    CounterTerms,
    DeskEvent,
    FacePick,
    LocalFailure,
    OperatorIdentity,
    ReviewDecision,
    ReviewRefusal,
)
from station.application.readiness import Hold, NotReady, Readiness
from station.core.decision import DecisionPolicy, SeveralFacesPolicy, decide
from station.core.models import BBox, Face, FrameSize, LivenessResult, OutcomeKind, ServiceVerdict
from station.service.protocol import (
    HEADER,
    MAX_FRAME,
    Empty,
    FrameError,
    Hello,
    Method,
    Refreshed,
    Refusal,
    Refused,
    SignIn,
    Welcome,
    decode_request,
    decode_response,
    encode_refusal,
    encode_request,
    encode_response,
    frame_length,
)
from station.service.wire import WireError, from_wire, to_wire
from station.words import QT_TRANSLATE_NOOP, Phrase, Text

WHEN = datetime(2026, 12, 7, 9, 30, 1, 123456, tzinfo=UTC)
CONSENT = ConsentRecord(Consent.GIVEN, "v3", "ab" * 32)
FACES = (
    Face(BBox(10, 20, 120, 140), 0.99, 0.91, 0.02, True),
    Face(BBox(300, 40, 60, 70), 0.8, None, None, None),
)
RESULT = LivenessResult(
    ok=True,
    client_id="liveness_abc",
    status_code=200,
    success=True,
    message="ok",
    live=True,
    verdict=ServiceVerdict.LIVE,
    score=0.91,
    face_count=2,
    threshold=0.5,
    frame=FrameSize(640, 480),
    faces=FACES,
)


def verdict_report() -> AttemptReport:
    outcome = decide(RESULT, DecisionPolicy(several_faces=SeveralFacesPolicy.OPERATOR_PICKS))
    verification = Verification(RESULT, 200, 1, 412.5, WHEN, WHEN + timedelta(seconds=1), "api.example")
    return AttemptReport(
        kind=outcome.kind,
        message=outcome.message,
        requested_at=WHEN,
        answered_at=WHEN + timedelta(seconds=1),
        elapsed_ms=412.5,
        submission_sha256="cd" * 32,
        api_host="api.example",
        environment="sandbox",
        outcome=outcome,
        verification=verification,
        audit_sequence=17,
        notes=("frame 7", "caller op1"),
        customer_ref="CIF-9",
        record_kind=RecordKind.REVIEW,
        session_id="s-1",
        settles_sequence=16,
        supervisor_id="sup2",
        consent=CONSENT,
        instruction_language="hi",
    )


def error_report() -> AttemptReport:
    error = RequestTimeoutError("No answer in 10 s.", http_status=None, message_code="t", attempts=3)
    return AttemptReport(
        kind=OutcomeKind.ERROR,
        message="The service did not answer in time.",
        requested_at=WHEN,
        answered_at=WHEN,
        elapsed_ms=10000.0,
        submission_sha256="",
        api_host="api.example",
        environment="production",
        error=error,
        audit_error="the disk is full",
        error_kind=ErrorKind.TIMEOUT,
    )


VALUES: list[object] = [
    Capture(b"\xff\xd8\x00binary\xff\xd9", 7, "s-1", "device:C920", "CIF-9", CONSENT, "en", ("a", "b")),
    Capture(b"", 0, "s-2"),
    LocalFailure(ErrorKind.ENCODING, "could not encode", "s-1", "CIF-9", CONSENT, ("n",)),
    FacePick(12, 1),
    ReviewDecision(12, "sup2", "736251", True),
    DeskEvent(EventKind.SESSION, "session closed", "LIVE", "CIF-9", CONSENT),
    DeskEvent(EventKind.QUALITY_GATE, "too dark"),
    CounterTerms(SeveralFacesPolicy.OPERATOR_PICKS, True, 12.5, 85),
    CounterTerms(deadline_s=None),
    Readiness((Hold(NotReady.JOURNAL, "The disk is full."), Hold(NotReady.SERVICE, "down"))),
    Readiness(),
    OperatorIdentity("alice"),
    Refreshed(Readiness(), CounterTerms()),
    Refused(Refusal.REVIEW, "own attempt", ReviewRefusal.OWN_ATTEMPT),
    SignIn("alice", "1234"),
    Welcome(1, "op1"),
    verdict_report(),
    error_report(),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda value: type(value).__name__)
def test_every_type_the_port_carries_comes_back_equal(value: object) -> None:
    wire = json.loads(json.dumps(to_wire(value)))
    back = from_wire(type(value), wire)
    if isinstance(value, AttemptReport):  # exceptions compare by identity: compare what they carry
        assert isinstance(back, AttemptReport)
        assert repr(back.error) == repr(value.error) and type(back.error) is type(value.error)
        assert replace(back, error=None) == replace(value, error=None)
    else:
        assert back == value


def test_an_attempt_report_keeps_its_verdict_and_error_classes() -> None:
    back = from_wire(AttemptReport, json.loads(json.dumps(to_wire(verdict_report()))))
    assert back == verdict_report() and back.final
    error = error_report()
    back = from_wire(AttemptReport, to_wire(error))
    assert type(back.error) is RequestTimeoutError and back.error.attempts == 3 and not back.final


def test_a_time_keeps_its_offset() -> None:
    ist = datetime(2026, 12, 7, 15, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    back = from_wire(AttemptReport, to_wire(AttemptReport(OutcomeKind.ERROR, "x", ist, ist, 0.0, "", "", "")))
    assert back.requested_at == ist and back.requested_at.utcoffset() == timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (FacePick, {"attempt_sequence": 1}),  # a field missing
        (FacePick, {"attempt_sequence": 1, "face_index": 0, "extra": 1}),  # one too many
        (FacePick, {"attempt_sequence": True, "face_index": 0}),  # a boolean is no integer
        (FacePick, {"attempt_sequence": "1", "face_index": 0}),
        (FacePick, [1, 0]),
        (Capture, {"jpeg": "not base64!", "frame_sequence": 1, "session_id": "s"}),
        (DeskEvent, {"kind": "no-such-kind", "notes": ""}),
        (Readiness, {"holds": [{"reason": "journal"}]}),
        (Readiness, {"holds": "journal"}),
        (OperatorIdentity | None, 5),
        (AttemptReport, {**to_wire(error_report()), "requested_at": "2026-12-07T09:30:00"}),  # no offset
        (
            AttemptReport,
            {**to_wire(error_report()), "error": {**to_wire(RequestTimeoutError("x")), "class": "Path"}},
        ),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_with_where(kind: type, data: object) -> None:
    with pytest.raises(WireError):
        from_wire(kind, data)


def test_an_error_of_an_unknown_class_crosses_as_its_nearest_known_kind() -> None:
    class OddError(EnvironmentMismatchError):
        pass

    back = from_wire(AttemptReport, to_wire(replace(error_report(), error=OddError("x", attempts=1))))
    assert type(back.error) is EnvironmentMismatchError


def test_a_request_crosses_as_one_length_prefixed_frame() -> None:
    frame = encode_request(Method.PICK_FACE, FacePick(3, 0))
    assert frame_length(frame[: HEADER.size]) == len(frame) - HEADER.size
    request = decode_request(frame[HEADER.size :])
    assert request.method is Method.PICK_FACE and request.body == FacePick(3, 0)


def test_a_response_and_a_refusal_cross() -> None:
    frame = encode_response(Method.AUTHENTICATE, None)
    assert decode_response(Method.AUTHENTICATE, frame[HEADER.size :]) is None
    refused = Refused(Refusal.PICK, "There is no face 3.")
    assert decode_response(Method.PICK_FACE, encode_refusal(refused)[HEADER.size :]) == refused
    assert (
        decode_response(Method.WAIT_IDLE, encode_response(Method.WAIT_IDLE, Empty())[HEADER.size :])
        == Empty()
    )


def test_the_pin_never_shows_in_a_repr() -> None:
    assert "1234" not in repr(SignIn("alice", "1234"))
    assert "736251" not in repr(ReviewDecision(1, "sup2", "736251", True))


@pytest.mark.parametrize(
    ("payload", "refusal"),
    [
        (b"\xff\xfe", Refusal.MALFORMED),
        (b"[1, 2]", Refusal.MALFORMED),
        (b'{"method": "hello"}', Refusal.MALFORMED),
        (b'{"method": "format_disk", "body": {}}', Refusal.UNKNOWN_METHOD),
        (b'{"method": "hello", "body": {"version": "1"}}', Refusal.MALFORMED),
        (b'{"method": "verify", "body": {"jpeg": 5}}', Refusal.MALFORMED),
        (b"{" * 100_000, Refusal.MALFORMED),  # deep nesting: refused, not a RecursionError
    ],
)
def test_a_malformed_request_is_a_typed_refusal(payload: bytes, refusal: Refusal) -> None:
    with pytest.raises(FrameError) as refused:
        decode_request(payload)
    assert refused.value.refusal is refusal


def test_a_frame_over_the_limit_is_refused_from_its_header() -> None:
    assert frame_length(HEADER.pack(MAX_FRAME)) == MAX_FRAME
    with pytest.raises(FrameError) as refused:
        frame_length(HEADER.pack(MAX_FRAME + 1))
    assert refused.value.refusal is Refusal.TOO_LARGE


def test_hello_carries_the_version() -> None:
    assert decode_request(encode_request(Method.HELLO, Hello(1))[HEADER.size :]).body == Hello(1)


def test_a_refused_frame_says_why_in_words() -> None:
    with pytest.raises(
        FrameError, match=f"^a frame of {MAX_FRAME + 1} bytes is over the {MAX_FRAME}-byte limit$"
    ):
        frame_length(HEADER.pack(MAX_FRAME + 1))


def test_a_message_over_the_limit_is_not_sent() -> None:
    with pytest.raises(FrameError) as refused:
        encode_request(Method.VERIFY, Capture(b"\0" * (MAX_FRAME // 4 * 3 + 3), 1, "s-1"))
    assert refused.value.refusal is Refusal.TOO_LARGE
    assert (
        len(encode_request(Method.VERIFY, Capture(b"\0" * (MAX_FRAME // 2), 1, "s-1")))
        <= MAX_FRAME + HEADER.size
    )


def test_an_error_keeps_every_field_it_carries() -> None:
    error = ServiceUnavailableError(
        "Busy.", http_status=503, message_code="busy", attempts=2, client_id="liveness_9"
    )
    back = from_wire(AttemptReport, to_wire(replace(error_report(), error=error))).error
    assert type(back) is ServiceUnavailableError
    assert (back.message, back.http_status, back.message_code, back.attempts, back.client_id) == (
        "Busy.",
        503,
        "busy",
        2,
        "liveness_9",
    )


def wire_error(**change: object) -> dict[str, object]:
    error = to_wire(RequestTimeoutError("x", http_status=504, message_code="t", attempts=1, client_id="c"))
    return {**to_wire(error_report()), "error": {**error, **change}}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (wire_error(client_id=None, extra=1), r"^report\.error: expected an error with \['attempts', "),
        ({**to_wire(error_report()), "error": ["class"]}, r"^report\.error: expected an error with "),
        (wire_error(**{"class": ["AuthError"]}), r"^report\.error: unknown error class \['AuthError'\]$"),
        (wire_error(**{"class": "Path"}), r"^report\.error: unknown error class 'Path'$"),
        (wire_error(message=1), r"^report\.error\.message: expected a string$"),
        (wire_error(http_status="504"), r"^report\.error\.http_status: expected an integer$"),
        (wire_error(message_code=5), r"^report\.error\.message_code: expected a string$"),
        (wire_error(attempts=None), r"^report\.error\.attempts: expected an integer$"),
        (wire_error(client_id=7), r"^report\.error\.client_id: expected a string$"),
    ],
)
def test_an_error_of_the_wrong_shape_is_refused_with_where(data: dict[str, object], words: str) -> None:
    with pytest.raises(WireError, match=words):
        from_wire(AttemptReport, data, "report")


def _confirmed_by(supervisor: str) -> Phrase:
    who = Phrase(QT_TRANSLATE_NOOP("Details", "supervisor {supervisor}"), supervisor=supervisor)
    return Phrase(
        QT_TRANSLATE_NOOP("Details", "Confirmed live by {who}. You may continue with the customer."), who=who
    )


def test_a_marked_text_and_a_phrase_cross_with_their_context_template_and_values() -> None:
    """The window on the other side translates them as it would in one process (issue 23)."""
    refusal = QT_TRANSLATE_NOOP("Refusal", "The station service has not answered yet.")
    sent = _confirmed_by("sup2")
    report = replace(error_report(), message=sent)
    back = from_wire(AttemptReport, json.loads(json.dumps(to_wire(report))))
    assert isinstance(back.message, Phrase) and back.message == sent
    assert back.message.template == sent.template and back.message.context == "Details"
    who = back.message.named["who"]
    assert isinstance(who, Phrase) and who.named == {"supervisor": "sup2"}
    holds = from_wire(Readiness, to_wire(Readiness((Hold(NotReady.SERVICE, refusal),))))
    message = holds.holds[0].message
    assert isinstance(message, Text) and message.context == "Refusal" and message == refusal
    plain = from_wire(Readiness, to_wire(Readiness((Hold(NotReady.SERVICE, "words"),))))
    assert type(plain.holds[0].message) is str  # an unmarked text stays a plain string


@pytest.mark.parametrize(
    "text",
    [
        {"context": "Details", "phrase": "Value {who.__class__}", "values": {"who": "x"}},  # attribute
        {"context": "Details", "phrase": "Value {who!r}", "values": {"who": "x"}},  # conversion
        {"context": "Details", "phrase": "Value {who:>99999}", "values": {"who": "x"}},  # format
        {"context": "Details", "phrase": "Value {who}", "values": {}},  # a value missing
        {"context": "Details", "phrase": "Value {who}", "values": {"who": "x", "more": 1}},  # one too many
        {"context": "Details", "phrase": "Value {who}", "values": {"who": [1]}},
        {"context": "Details", "phrase": "Value {who}", "values": {"who": True}},
        {"context": "Details", "phrase": "Value {", "values": {}},  # not a template
        {"context": 5, "text": "x"},
        {"text": "x"},
        {"context": "Details", "text": "x", "phrase": "y"},
    ],
)
def test_a_marked_text_of_the_wrong_shape_is_refused(text: dict[str, object]) -> None:
    report = {**to_wire(error_report()), "message": text}
    with pytest.raises(WireError):
        from_wire(AttemptReport, report)


def test_phrases_nest_only_a_few_levels_deep() -> None:
    text: dict[str, object] = {"context": "Details", "text": "x"}
    for _ in range(5):
        text = {"context": "Details", "phrase": "{inner}", "values": {"inner": text}}
    with pytest.raises(WireError):
        from_wire(AttemptReport, {**to_wire(error_report()), "message": text})
