"""The emulator over a real loopback socket: auth, inputs, outputs and the balance endpoint."""

from __future__ import annotations

import http.server
import socket
import threading
from typing import Any

import httpx
import pytest

from station.emulator import BALANCE_PATH, CONTROL_PATH, DEFAULT_TOKEN, LIVENESS_PATH, Emulator
from station.vision.faces import FaceDetector

from .conftest import sample_bytes
from .contract import UNAUTHORIZED, assert_liveness_body
from .hostile import png_header_only


def _post_file(
    client: httpx.Client,
    name: str = "face.jpg",
    *,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    files = {"file": (name, sample_bytes(name), "application/octet-stream")}
    return client.post(LIVENESS_PATH, files=files, data=data or {}, headers=headers or {})


def test_face_jpg_answer_matches_the_contract(client: httpx.Client, emulator: Emulator) -> None:
    response = _post_file(client)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    detail = assert_liveness_body(response.json())
    assert detail["ok"] is True
    assert detail["live"] is True
    assert detail["verdict"] == "live"
    assert detail["reason"] == "ok (emulated score)"
    assert detail["face_count"] == 1
    assert detail["frame"] == {"width": 512, "height": 512}
    bbox = detail["faces"][0]["bbox"]
    assert abs(bbox["x"] - 177) <= 15
    assert abs(bbox["y"] - 66) <= 15
    assert detail["score"] > 0.7
    record = emulator.last_request
    assert record is not None
    assert record.method == "POST"
    assert record.path == LIVENESS_PATH
    assert record.content_type == "multipart/form-data"
    assert record.fields == ("file",)
    assert record.file_name == "face.jpg"
    assert record.file_content_type == "application/octet-stream"
    assert record.file_size == len(sample_bytes("face.jpg"))
    assert record.use_pdf is None
    assert record.link is None
    assert record.authorization_scheme == "Bearer"
    assert DEFAULT_TOKEN not in repr(record)


def test_same_upload_same_emulated_scores_new_client_id(client: httpx.Client) -> None:
    first, second = (assert_liveness_body(_post_file(client).json()) for _ in range(2))
    assert first == second
    ids = {_post_file(client).json()["data"]["client_id"] for _ in range(3)}
    assert len(ids) == 3


def test_large_image_frame_and_box(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post_file(client, "face-large.jpg").json())
    assert detail["frame"] == {"width": 1896, "height": 2735}
    assert detail["face_count"] == 1
    assert detail["faces"][0]["bbox"]["width"] > 200


def test_two_faces_and_primary_is_largest(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post_file(client, "two-faces.jpg").json())
    assert detail["face_count"] == 2
    assert detail["reason"] == "multiple_faces (emulated score)"


def test_no_face_in_auto(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post_file(client, "no-face.jpg").json())
    assert detail["ok"] is True
    assert (detail["live"], detail["verdict"], detail["face_count"]) == (False, "spoof", 0)
    assert detail["reason"] == "no_face"
    assert detail["frame"] == {"width": 600, "height": 400}


def test_pdf_with_use_pdf(client: httpx.Client, emulator: Emulator) -> None:
    response = _post_file(client, "face.pdf", data={"use_pdf": "true"})
    detail = assert_liveness_body(response.json())
    assert detail["ok"] is True
    assert detail["face_count"] == 1
    assert detail["frame"]["width"] > 0
    record = emulator.last_request
    assert record is not None
    assert record.use_pdf == "true"
    assert set(record.fields) == {"file", "use_pdf"}


def test_pdf_without_use_pdf_is_not_ok(client: httpx.Client) -> None:
    detail = assert_liveness_body(_post_file(client, "face.pdf").json())
    assert detail["ok"] is False
    assert "use_pdf=true" in detail["reason"]


def test_broken_pdf_is_not_ok(client: httpx.Client) -> None:
    files = {"file": ("x.pdf", b"%PDF-1.4 broken", "application/pdf")}
    response = client.post(LIVENESS_PATH, files=files, data={"use_pdf": "true"})
    detail = assert_liveness_body(response.json())
    assert detail["ok"] is False
    assert detail["reason"].startswith("pdf_unreadable")


def test_undecodable_image_is_not_ok(client: httpx.Client) -> None:
    files = {"file": ("x.jpg", b"\xff\xd8 not really a jpeg", "image/jpeg")}
    detail = assert_liveness_body(client.post(LIVENESS_PATH, files=files).json())
    assert detail["ok"] is False
    assert detail["reason"].startswith("image_undecodable")
    assert detail["frame"] == {"width": 0, "height": 0}


def test_missing_fields_give_422(client: httpx.Client) -> None:
    response = client.post(LIVENESS_PATH, files={"other": ("a", b"b")})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"status_code", "success", "message", "message_code"}
    assert body["status_code"] == 422
    assert body["success"] is False
    assert body["message_code"] == "missing_file_or_link"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Token demo-token", "Bearerdemo-token", "Bearer wrong", "Basic x"],
)
def test_bad_token_gives_the_contract_401(emulator: Emulator, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as anonymous:
        files = {"file": ("face.jpg", sample_bytes("face.jpg"), "application/octet-stream")}
        response = anonymous.post(LIVENESS_PATH, files=files, headers=headers)
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        assert list(response.json()) == list(UNAUTHORIZED)
        balance = anonymous.get(BALANCE_PATH, headers=headers)
        assert balance.status_code == 401
        assert balance.json() == UNAUTHORIZED
    assert emulator.balance == 1000


def test_bearer_scheme_is_case_insensitive(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as http:
        response = http.get(BALANCE_PATH, headers={"Authorization": "bearer demo-token"})
        assert response.status_code == 200


def test_custom_token(detector: FaceDetector) -> None:
    with (
        Emulator(token="other-token", detector=detector) as emulator,
        httpx.Client(base_url=emulator.base_url, trust_env=False) as http,
    ):
        bad = http.get(BALANCE_PATH, headers={"Authorization": "Bearer demo-token"})
        good = http.get(BALANCE_PATH, headers={"Authorization": "Bearer other-token"})
    assert (bad.status_code, good.status_code) == (401, 200)


def test_balance_goes_down_per_answer(client: httpx.Client, emulator: Emulator) -> None:
    first = client.get(BALANCE_PATH)
    assert first.status_code == 200
    assert first.json() == {
        "status_code": 200,
        "success": True,
        "balance": 1000,
        "message": "Success",
        "message_code": "success",
    }
    _post_file(client)
    _post_file(client, "no-face.jpg")
    assert client.get(BALANCE_PATH).json()["balance"] == 998
    client.post(LIVENESS_PATH, json={})  # a 422 costs nothing
    assert emulator.balance == 998
    assert emulator.requests_received == 3


def test_keep_alive_reuses_one_connection(client: httpx.Client) -> None:
    peers = set()
    for _ in range(3):
        response = _post_file(client)
        assert response.status_code == 200
        stream: Any = response.extensions["network_stream"]
        peers.add(stream.get_extra_info("client_addr"))
    assert len(peers) == 1


def test_json_link_to_loopback(client: httpx.Client, sample_server: str, emulator: Emulator) -> None:
    link = f"{sample_server}/face.jpg"
    response = client.post(LIVENESS_PATH, json={"link": link})
    detail = assert_liveness_body(response.json())
    assert detail["ok"] is True
    assert detail["face_count"] == 1
    assert detail["frame"] == {"width": 512, "height": 512}
    record = emulator.last_request
    assert record is not None
    assert record.content_type == "application/json"
    assert record.link == link
    assert record.fields == ("link",)


def test_multipart_link_to_loopback(client: httpx.Client, sample_server: str) -> None:
    link = sample_server.replace("127.0.0.1", "localhost") + "/two-faces.jpg"
    response = client.post(LIVENESS_PATH, files={"link": (None, link)})
    detail = assert_liveness_body(response.json())
    assert detail["face_count"] == 2


def test_link_that_404s_is_not_ok(client: httpx.Client, sample_server: str) -> None:
    response = client.post(LIVENESS_PATH, json={"link": f"{sample_server}/missing.jpg"})
    detail = assert_liveness_body(response.json())
    assert detail["ok"] is False
    assert "404" in detail["reason"]


@pytest.fixture
def outbound_attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every DNS lookup and connection attempt to a non-loopback address in this process."""
    attempts: list[object] = []
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    real_connect = socket.socket.connect

    def is_loopback(host: object) -> bool:
        return host in ("127.0.0.1", "::1", "localhost")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            attempts.append(("getaddrinfo", host))
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(address[0]):
            attempts.append(("create_connection", address))
        return real_create_connection(address, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if not is_loopback(address[0]):
            attempts.append(("connect", address))
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.mark.parametrize(
    "link",
    [
        "http://example.com/face.jpg",
        "https://kyc-api.surepass.app/face.jpg",
        "http://192.0.2.1/face.jpg",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_non_loopback_link_is_refused_without_connecting(
    client: httpx.Client, outbound_attempts: list[object], link: str
) -> None:
    for response in (
        client.post(LIVENESS_PATH, json={"link": link}),
        client.post(LIVENESS_PATH, files={"link": (None, link)}),
    ):
        assert response.status_code == 422
        body = response.json()
        assert body["message_code"] == "link_refused"
        assert "no outbound requests" in body["message"]
    assert outbound_attempts == []


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json()["message_code"] == "not_found"
    wrong = client.get(LIVENESS_PATH)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"


def test_control_endpoint(client: httpx.Client, emulator: Emulator) -> None:
    assert client.get(CONTROL_PATH).json()["name"] == "auto"
    response = client.post(CONTROL_PATH, json={"name": "spoof"})
    assert response.status_code == 200
    assert response.json()["name"] == "spoof"
    assert emulator.scenario.name == "spoof"
    detail = assert_liveness_body(_post_file(client).json())
    assert detail["live"] is False
    assert detail["reason"] == "spoof (emulated score)"
    bad = client.post(CONTROL_PATH, json={"name": "bogus"})
    assert bad.status_code == 422
    assert "unknown scenario" in bad.json()["message"]
    broken = client.post(CONTROL_PATH, content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert emulator.scenario.name == "spoof"


def test_bad_scenario_header_is_422(client: httpx.Client) -> None:
    response = _post_file(client, headers={"X-Emulator-Scenario": "bogus"})
    assert response.status_code == 422
    assert response.json()["message_code"] == "invalid_scenario"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::", ""])
def test_refuses_non_loopback_bind(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host=host)


def test_ipv6_loopback(detector: FaceDetector) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        emulator = Emulator(host="::1", detector=detector).start()
    except OSError:
        pytest.skip("::1 not available here")
    try:
        assert emulator.base_url.startswith("http://[::1]:")
        with httpx.Client(base_url=emulator.base_url, trust_env=False) as http:
            response = http.get(BALANCE_PATH, headers={"Authorization": "Bearer demo-token"})
        assert response.status_code == 200
    finally:
        emulator.stop()


def test_start_stop_twice_and_port_released(detector: FaceDetector) -> None:
    emulator = Emulator(detector=detector)
    emulator.start()
    port = emulator.port
    with pytest.raises(RuntimeError):
        emulator.start()
    emulator.stop()
    emulator.stop()
    assert not emulator.running
    # The port is free again: another emulator can take it.
    with Emulator(port=port, detector=detector) as again:
        assert again.port == port


@pytest.mark.parametrize(
    ("content_type", "body", "code"),
    [
        ("application/json", b"{}", "missing_file_or_link"),
        ("application/json", b"[1]", "invalid_json"),
        ("application/json", b"{not json", "invalid_json"),
        ("application/json", b"\xff\xfe", "invalid_json"),
        ("application/json", b'{"link": 5}', "invalid_link"),
        ("application/json", b'{"link": "https://example.com/x.jpg"}', "link_refused"),
        ("text/plain", b"hello", "unsupported_content_type"),
        (None, b"", "unsupported_content_type"),
        ("multipart/form-data; boundary=zzz", b"garbage", "malformed_multipart"),
        ("multipart/form-data", b"--zzz--\r\n", "malformed_multipart"),
        ("application/x-www-form-urlencoded", b"use_pdf=maybe&link=http://127.0.0.1/x", "invalid_use_pdf"),
    ],
)
def test_bad_bodies_give_422_with_a_code(
    client: httpx.Client, emulator: Emulator, content_type: str | None, body: bytes, code: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(LIVENESS_PATH, content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["message_code"] == code
    assert emulator.balance == 1000


def test_urlencoded_link_is_accepted(client: httpx.Client, sample_server: str) -> None:
    response = client.post(LIVENESS_PATH, data={"link": f"{sample_server}/face.jpg"})
    assert assert_liveness_body(response.json())["face_count"] == 1


def test_a_chunked_upload_is_read(client: httpx.Client) -> None:
    request = httpx.Request("POST", "http://x/", files={"file": ("f.jpg", sample_bytes("face.jpg"))})
    body = request.read()
    pieces = iter([body[:1000], body[1000:5000], body[5000:]])  # no length: sent chunked
    response = client.post(
        LIVENESS_PATH, content=pieces, headers={"Content-Type": request.headers["Content-Type"]}
    )
    assert assert_liveness_body(response.json())["face_count"] == 1


class _OneFile(http.server.BaseHTTPRequestHandler):
    payload = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_link_to_a_pixel_bomb_is_refused(client: httpx.Client) -> None:
    handler = type("Bomb", (_OneFile,), {"payload": png_header_only(30000, 30000)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        link = f"http://127.0.0.1:{server.server_address[1]}/bomb.png"
        response = client.post(LIVENESS_PATH, json={"link": link})
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert response.status_code == 422
    assert response.json()["message_code"] == "image_too_large"
    assert "30000x30000" in response.json()["message"]


def test_answers_name_the_emulator(client: httpx.Client) -> None:
    assert client.get(BALANCE_PATH).headers["server"].startswith("SurepassEmulator/")


def test_the_server_stack_loads_on_the_first_connection() -> None:
    """start() binds and returns; aiohttp is imported only when a client connects, so the demo's
    first frame never waits on it."""
    import subprocess
    import sys

    code = (
        "import sys, httpx\n"
        "from station.emulator import Emulator, BALANCE_PATH\n"
        "emulator = Emulator().start()\n"
        "before = 'aiohttp' in sys.modules\n"
        "with httpx.Client(base_url=emulator.base_url, trust_env=False, timeout=30) as http:\n"
        "    status = http.get(BALANCE_PATH, headers={'Authorization': 'Bearer demo-token'}).status_code\n"
        "emulator.stop()\n"
        "print(before, status, 'aiohttp' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "200", "True"]


def test_stop_before_any_client_came(detector: FaceDetector) -> None:
    emulator = Emulator(detector=detector).start()
    port = emulator.port
    emulator.stop()
    with Emulator(port=port, detector=detector) as again, httpx.Client(trust_env=False) as http:
        response = http.get(again.base_url + BALANCE_PATH, headers={"Authorization": "Bearer demo-token"})
    assert response.status_code == 200
