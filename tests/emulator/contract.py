"""Checks that a JSON body has exactly the shape API.md documents, key by key and type by type."""

from __future__ import annotations

from typing import Any

ENVELOPE_KEYS = {"data", "status_code", "success", "message", "message_code"}
DETAIL_KEYS = {"ok", "live", "verdict", "score", "reason", "face_count", "threshold", "frame", "faces"}
FACE_KEYS = {"bbox", "detection_score", "liveness_score", "antispoof_score", "is_live"}
BBOX_KEYS = {"x", "y", "width", "height"}

UNAUTHORIZED = {
    "status_code": 401,
    "success": False,
    "message": "Authentication credentials were not provided or are invalid.",
    "message_code": "unauthorized",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_score(value: Any) -> bool:
    return (
        isinstance(value, float | int)
        and not isinstance(value, bool)
        and 0.0 <= value <= 1.0
        and round(value, 4) == value
    )


def assert_liveness_body(body: Any) -> dict[str, Any]:
    """Assert the 200 shape; returns ``data.detail``."""
    assert isinstance(body, dict)
    assert set(body) == ENVELOPE_KEYS
    assert body["status_code"] == 200
    assert body["success"] is True
    assert body["message"] == "Success"
    assert body["message_code"] == "success"
    data = body["data"]
    assert set(data) == {"client_id", "detail"}
    client_id = data["client_id"]
    assert isinstance(client_id, str)
    assert client_id.startswith("face_liveness_v5_")
    suffix = client_id.removeprefix("face_liveness_v5_")
    assert len(suffix) == 20
    assert suffix.isascii()
    assert suffix.isalpha()
    detail = data["detail"]
    assert set(detail) == DETAIL_KEYS
    assert isinstance(detail["ok"], bool)
    assert isinstance(detail["live"], bool)
    assert detail["verdict"] in ("live", "spoof")
    assert detail["verdict"] == ("live" if detail["live"] else "spoof")
    assert _is_score(detail["score"])
    assert isinstance(detail["reason"], str)
    assert detail["reason"]
    assert _is_int(detail["face_count"])
    assert detail["threshold"] == 0.7
    assert isinstance(detail["threshold"], float)
    assert set(detail["frame"]) == {"width", "height"}
    assert _is_int(detail["frame"]["width"])
    assert _is_int(detail["frame"]["height"])
    faces = detail["faces"]
    assert isinstance(faces, list)
    assert len(faces) == detail["face_count"]
    for face in faces:
        assert set(face) == FACE_KEYS
        assert set(face["bbox"]) == BBOX_KEYS
        assert all(_is_int(face["bbox"][k]) for k in BBOX_KEYS)
        assert face["bbox"]["width"] > 0
        assert face["bbox"]["height"] > 0
        assert face["bbox"]["x"] >= 0
        assert face["bbox"]["y"] >= 0
        assert face["bbox"]["x"] + face["bbox"]["width"] <= detail["frame"]["width"]
        assert face["bbox"]["y"] + face["bbox"]["height"] <= detail["frame"]["height"]
        for key in ("detection_score", "liveness_score", "antispoof_score"):
            assert _is_score(face[key]), (key, face[key])
        assert isinstance(face["is_live"], bool)
        assert face["is_live"] == (face["liveness_score"] > detail["threshold"])
    if faces:
        primary = max(
            faces,
            key=lambda f: (f["bbox"]["width"] * f["bbox"]["height"], f["detection_score"]),
        )
        assert detail["score"] == primary["liveness_score"]
        assert detail["live"] == primary["is_live"]
    if detail["ok"] and faces and "emulated" not in detail["reason"]:
        raise AssertionError(f"an emulated score must say so: {detail['reason']!r}")
    return detail  # type: ignore[no-any-return]
