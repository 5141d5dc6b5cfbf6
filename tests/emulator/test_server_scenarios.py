"""Every scenario over a real loopback socket, switched by control endpoint, API and header."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from station.emulator import BALANCE_PATH, LIVENESS_PATH, Emulator, Scenario, ScenarioConfig
from station.vision.faces import FaceDetector

from .conftest import sample_bytes
from .contract import UNAUTHORIZED, assert_liveness_body


def _post(
    client: httpx.Client, name: str = "face.jpg", headers: dict[str, str] | None = None
) -> httpx.Response:
    files = {"file": (name, sample_bytes(name), "application/octet-stream")}
    return client.post(LIVENESS_PATH, files=files, headers=headers or {})


def _scenario(name: str, **params: str) -> dict[str, str]:
    headers = {"X-Emulator-Scenario": name}
    headers.update({f"X-Emulator-{key.replace('_', '-').title()}": v for key, v in params.items()})
    return headers


def test_live_even_without_a_face(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post(client, "no-face.jpg", _scenario("live")).json())
    assert (detail["ok"], detail["live"], detail["verdict"]) == (True, True, "live")
    assert detail["face_count"] == 1
    assert detail["reason"] == "ok (emulated score)"


def test_spoof(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post(client, headers=_scenario("spoof")).json())
    assert (detail["ok"], detail["live"], detail["verdict"]) == (True, False, "spoof")
    assert detail["score"] < 0.7
    assert detail["faces"][0]["is_live"] is False
    assert detail["faces"][0]["antispoof_score"] < 0.5
    assert detail["reason"] == "spoof (emulated score)"


def test_no_face_even_with_a_face(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post(client, headers=_scenario("no_face")).json())
    assert (detail["ok"], detail["live"], detail["face_count"], detail["reason"]) == (
        True,
        False,
        0,
        "no_face",
    )
    assert detail["faces"] == []
    assert detail["frame"] == {"width": 512, "height": 512}


def test_several_faces_adds_a_mirrored_face(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post(client, headers=_scenario("several_faces")).json())
    assert detail["face_count"] == 2
    first, second = (face["bbox"] for face in detail["faces"])
    assert first["width"] == second["width"]
    assert first["y"] == second["y"]
    overlap = min(first["x"] + first["width"], second["x"] + second["width"]) - max(first["x"], second["x"])
    assert overlap <= 0
    assert "emulated" in detail["reason"]


def test_several_faces_keeps_real_faces(client: httpx.Client) -> None:
    real = assert_liveness_body(_post(client, "two-faces.jpg").json())
    scripted = assert_liveness_body(_post(client, "two-faces.jpg", _scenario("several_faces")).json())
    boxes = sorted(tuple(f["bbox"].values()) for f in scripted["faces"])
    assert boxes == sorted(tuple(f["bbox"].values()) for f in real["faces"])


def test_low_detection(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post(client, headers=_scenario("low_detection")).json())
    assert detail["face_count"] == 1
    assert 0.3 <= detail["faces"][0]["detection_score"] <= 0.4


def test_not_ok(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post(client, headers=_scenario("not_ok")).json())
    assert detail["ok"] is False
    assert detail["live"] is False
    assert "emulated" in detail["reason"]


def test_error_then_ok(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_scenario(Scenario.ERROR_THEN_OK, failures=3)
    bodies = []
    for _ in range(3):
        response = _post(client)
        assert response.status_code == 503
        bodies.append(response.json())
    assert {"message", "message_code"} <= set(bodies[0])
    assert {"error", "error_code"} <= set(bodies[1])
    assert {"message", "message_code"} <= set(bodies[2])
    assert all(body["status_code"] == 503 and body["success"] is False for body in bodies)
    assert_liveness_body(_post(client).json())
    assert_liveness_body(_post(client).json())
    assert emulator.requests_received == 5
    # Switching scenario resets the count.
    emulator.set_scenario("error_then_ok")
    assert _post(client).status_code == 503


def test_error_then_ok_by_header(client: httpx.Client) -> None:
    headers = _scenario("error_then_ok", failures="1", status="500")
    assert _post(client, headers=headers).status_code == 500
    assert _post(client, headers=headers).status_code == 200


def test_error_forever(client: httpx.Client) -> None:
    codes = {_post(client, headers=_scenario("error", status="502")).status_code for _ in range(4)}
    assert codes == {502}


def test_rate_limited(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_scenario(ScenarioConfig(Scenario.RATE_LIMITED, failures=2, retry_after=3))
    for _ in range(2):
        response = _post(client)
        assert response.status_code == 429
        assert response.headers["retry-after"] == "3"
        assert response.json()["message_code"] == "rate_limited"
    response = _post(client)
    assert response.status_code == 200
    assert "retry-after" not in response.headers


def test_slow(client: httpx.Client) -> None:
    started = time.monotonic()
    response = _post(client, headers=_scenario("slow", delay="0.3"))
    assert time.monotonic() - started >= 0.3
    assert_liveness_body(response.json())


def test_malformed_json(client: httpx.Client) -> None:
    response = _post(client, headers=_scenario("malformed_json"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    # The HTTP framing is intact: the connection still works.
    assert _post(client).status_code == 200


def test_unauthorized_with_a_good_token(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_scenario("unauthorized")
    response = _post(client)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    balance = client.get(BALANCE_PATH)
    assert balance.status_code == 401
    assert balance.json() == UNAUTHORIZED


def test_reset_gives_a_connection_error(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_scenario("reset")
    with pytest.raises(httpx.ReadError):
        _post(client)
    assert emulator.requests_received == 1
    emulator.set_scenario("auto")
    assert _post(client).status_code == 200


def test_hang_until_the_client_gives_up(emulator: Emulator) -> None:
    emulator.set_scenario("hang")
    with (
        httpx.Client(base_url=emulator.base_url, trust_env=False, timeout=0.5) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        _post(http, headers={"Authorization": "Bearer demo-token"})
    assert emulator.wait_for_disconnect(timeout=5)
    assert emulator.disconnects == 1
    assert emulator.wait_for_requests(1, timeout=0)


def test_stop_unblocks_a_hanging_request(detector: FaceDetector) -> None:
    emulator = Emulator(scenario=Scenario.HANG, detector=detector).start()
    errors: list[BaseException] = []

    def call() -> None:
        with httpx.Client(base_url=emulator.base_url, trust_env=False, timeout=30) as http:
            try:
                _post(http, headers={"Authorization": "Bearer demo-token"})
            except httpx.TransportError as exc:
                errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    try:
        assert emulator.wait_for_hanging(1, timeout=5)
        started = time.monotonic()
        emulator.stop()
        assert time.monotonic() - started < 1.5
        thread.join(5)
        assert not thread.is_alive()
        assert len(errors) == 1
        assert emulator.disconnects == 0  # the server left, not the client
    finally:
        emulator.stop()
        thread.join(5)


def test_wait_for_requests_times_out(emulator: Emulator) -> None:
    assert emulator.wait_for_requests(1, timeout=0.01) is False
    assert emulator.wait_for_disconnect(timeout=0.01) is False


def test_header_params_override_the_active_scenario(client: httpx.Client, emulator: Emulator) -> None:
    emulator.set_scenario(ScenarioConfig(Scenario.RATE_LIMITED, failures=5, retry_after=1))
    response = _post(client, headers={"X-Emulator-Retry-After": "7"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    record = emulator.last_request
    assert record is not None
    assert record.scenario is Scenario.RATE_LIMITED
    # A header scenario wins over the active one, for that request only.
    assert _post(client, headers=_scenario("auto")).status_code == 200
    assert _post(client).status_code == 429


def test_scenario_at_construction(detector: FaceDetector) -> None:
    with (
        Emulator(scenario=Scenario.SPOOF, detector=detector) as emulator,
        httpx.Client(base_url=emulator.base_url, trust_env=False) as http,
    ):
        response = _post(http, headers={"Authorization": "Bearer demo-token"})
    assert assert_liveness_body(response.json())["verdict"] == "spoof"
