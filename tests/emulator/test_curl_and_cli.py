"""The provider's own curl example against the emulator, and the ``station emulator`` command."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from station.emulator import BALANCE_PATH, LIVENESS_PATH, Emulator
from station.emulator.cli import DEFAULT_PORT, TOKEN_ENV, add_arguments, resolve_token, run
from station.resources import resources_root

from .contract import assert_liveness_body

CURL = shutil.which("curl") or ("/usr/bin/curl" if Path("/usr/bin/curl").exists() else None)
REPO = resources_root().parent
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")


def _curl(*args: str) -> subprocess.CompletedProcess[str]:
    assert CURL is not None
    return subprocess.run(
        [CURL, "--silent", "--show-error", "--noproxy", "*", "--max-time", "10", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


@needs_curl
def test_provider_curl_example(emulator: Emulator) -> None:
    result = _curl(
        "--location",
        f"{emulator.base_url}{LIVENESS_PATH}",
        "--header",
        "Authorization: Bearer demo-token",
        "--form",
        "file=@resources/samples/face.jpg",
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    detail = assert_liveness_body(body)
    assert list(body["data"]["detail"]) == [
        "ok",
        "live",
        "verdict",
        "score",
        "reason",
        "face_count",
        "threshold",
        "frame",
        "faces",
    ]
    assert detail["ok"] is True
    assert detail["face_count"] == 1
    assert detail["frame"] == {"width": 512, "height": 512}
    record = emulator.last_request
    assert record is not None
    assert record.file_name == "face.jpg"
    assert record.file_content_type == "image/jpeg"  # curl guesses it from the extension


@needs_curl
def test_curl_expect_100_continue_does_not_stall(emulator: Emulator) -> None:
    started = time.monotonic()
    result = _curl(
        f"{emulator.base_url}{LIVENESS_PATH}",
        "--header",
        "Authorization: Bearer demo-token",
        "--header",
        "Expect: 100-continue",
        "--expect100-timeout",
        "5",
        "--form",
        "file=@resources/samples/face-large.jpg;type=application/octet-stream",
    )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 4
    assert assert_liveness_body(json.loads(result.stdout))["face_count"] == 1
    assert "expect" in emulator.last_request.headers  # type: ignore[union-attr]


@needs_curl
def test_curl_json_link_and_pdf(emulator: Emulator, sample_server: str) -> None:
    link = _curl(
        f"{emulator.base_url}{LIVENESS_PATH}",
        "--header",
        "Authorization: Bearer demo-token",
        "--header",
        "Content-Type: application/json",
        "--data",
        json.dumps({"link": f"{sample_server}/face.jpg"}),
    )
    assert assert_liveness_body(json.loads(link.stdout))["face_count"] == 1
    pdf = _curl(
        f"{emulator.base_url}{LIVENESS_PATH}",
        "--header",
        "Authorization: Bearer demo-token",
        "--form",
        "file=@resources/samples/face.pdf;type=application/octet-stream",
        "--form",
        "use_pdf=true",
    )
    assert assert_liveness_body(json.loads(pdf.stdout))["face_count"] == 1


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_defaults() -> None:
    args = _args()
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", DEFAULT_PORT, "auto")
    assert resolve_token(args, environ={}) == "demo-token"


def test_token_from_the_environment_or_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("from-a-file\n")
    assert resolve_token(_args(), environ={TOKEN_ENV: "from-env"}) == "from-env"
    assert resolve_token(_args("--token-file", str(secret_file)), environ={TOKEN_ENV: "x"}) == "from-a-file"
    assert resolve_token(_args("--token", "on-the-line"), environ={TOKEN_ENV: "x"}) == "on-the-line"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"\xff\xfe", "not UTF-8"),
        (b"x" * 5000, "larger than"),
    ],
)
def test_bad_token_files_are_refused_without_showing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_bytes(content)
    assert run(_args("--port", "0", "--token-file", str(path))) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "xxxxx" not in err


def test_token_file_must_be_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_args("--port", "0", "--token-file", str(tmp_path))) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_empty_token_variable_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "  ")
    assert run(_args("--port", "0")) == 2
    assert f"{TOKEN_ENV} is set but empty" in capsys.readouterr().err


def test_help_names_the_safe_token_sources() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "station", "emulator", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "--token-file PATH" in text
    assert TOKEN_ENV in text
    assert "process list" in text


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_token_from_the_environment_stays_out_of_the_process_list() -> None:
    secret = "emulator-secret-4711"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", TOKEN_ENV: secret}
    with subprocess.Popen(
        [sys.executable, "-m", "station.emulator", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert "Bearer <your token>" in line
            assert secret not in line
            cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
            assert secret.encode() not in cmdline
            base = line.split("Surepass emulator on ", 1)[1].split(" ", 1)[0]
            with httpx.Client(base_url=base, trust_env=False) as http:
                assert (
                    http.get(BALANCE_PATH, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
                )
                assert (
                    http.get(BALANCE_PATH, headers={"Authorization": "Bearer demo-token"}).status_code == 401
                )
        finally:
            process.terminate()
            out, err = process.communicate(timeout=10)
    assert secret not in out + err


def test_cli_refuses_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_args("--host", "0.0.0.0", "--port", "0")) == 2
    assert "loopback" in capsys.readouterr().err
    assert run(_args("--scenario", "bogus", "--port", "0")) == 2
    assert "unknown scenario" in capsys.readouterr().err


class _SignallingStream(io.StringIO):
    """Captures output and wakes a waiting test when a line arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.line_written = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if "\n" in text:
            self.line_written.set()
        return written


def test_cli_run_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = _SignallingStream()
    monkeypatch.setattr(sys, "stdout", stream)
    stop = threading.Event()
    codes: list[int] = []
    args = _args("--port", "0", "--scenario", "spoof", "--token", "t0k")
    thread = threading.Thread(target=lambda: codes.append(run(args, stop=stop)))
    thread.start()
    try:
        assert stream.line_written.wait(10)
        out = stream.getvalue()
        base = out.split("Surepass emulator on ", 1)[1].split(" ", 1)[0]
        assert "t0k" not in out  # a custom token is never echoed
        assert "Bearer <your token>" in out
        assert "curl" in out
        with httpx.Client(base_url=base, trust_env=False) as http:
            assert http.get(BALANCE_PATH, headers={"Authorization": "Bearer t0k"}).status_code == 200
    finally:
        stop.set()
        thread.join(10)
    assert codes == [0]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_cli_ctrl_c_exits_cleanly() -> None:
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from station.emulator.__main__ import main; sys.exit(main())"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "Surepass emulator on http://127.0.0.1:" in line
        assert "Bearer demo-token" in line
        base = line.split("Surepass emulator on ", 1)[1].split(" ", 1)[0]
        with httpx.Client(base_url=base, trust_env=False) as http:
            response = http.get(BALANCE_PATH, headers={"Authorization": "Bearer demo-token"})
            assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in out
