"""``station verify`` end to end against the emulator: outputs, JSON, exit codes, no tracebacks."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.cli import main
from station.emulator import Emulator
from station.resources import sample_path

TOKEN = "cli-test-token"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN) as running:
        yield running


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", TOKEN)
    emulator.set_scenario("auto")


def verify(capsys: pytest.CaptureFixture[str], emulator: Emulator, *args: str) -> tuple[int, str, str]:
    code = main(["verify", *args, "--base-url", emulator.base_url, "--timeout", "5"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("scenario", "sample", "code", "outcome"),
    [
        ("live", "face.jpg", 0, "LIVE"),
        ("spoof", "face.jpg", 2, "SPOOF"),
        ("auto", "no-face.jpg", 3, "RETRY"),
        ("auto", "two-faces.jpg", 3, "RETRY"),
        ("low_detection", "face.jpg", 3, "RETRY"),
        ("not_ok", "face.jpg", 3, "RETRY"),
        ("unauthorized", "face.jpg", 4, "ERROR"),
        ("malformed_json", "face.jpg", 5, "ERROR"),
    ],
)
def test_json_outcomes_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
    emulator: Emulator,
    scenario: str,
    sample: str,
    code: int,
    outcome: str,
) -> None:
    emulator.set_scenario(scenario)
    got, out, err = verify(capsys, emulator, str(sample_path(sample)), "--json")
    document = json.loads(out)
    assert got == code, (out, err)
    assert document["outcome"] == outcome
    assert document["message"]
    assert "Traceback" not in out + err


def test_json_carries_every_field(capsys: pytest.CaptureFixture[str], emulator: Emulator) -> None:
    emulator.set_scenario("live")
    code, out, _ = verify(capsys, emulator, str(sample_path("face.jpg")), "--json", "--threshold", "0.8")
    document = json.loads(out)
    assert code == 0
    for key in (
        "outcome",
        "message",
        "client_id",
        "score",
        "station_threshold",
        "service_verdict",
        "service_threshold",
        "face_count",
        "frame",
        "faces",
        "elapsed_ms",
        "attempts",
    ):
        assert key in document, key
    assert document["station_threshold"] == 0.8
    assert document["service_threshold"] == 0.7
    assert document["frame"] == {"width": 512, "height": 512}
    assert document["attempts"] == 1
    (face,) = document["faces"]
    assert set(face) >= {"bbox", "detection_score", "liveness_score", "antispoof_score"}


def test_human_output(capsys: pytest.CaptureFixture[str], emulator: Emulator) -> None:
    emulator.set_scenario("live")
    code, out, _ = verify(capsys, emulator, str(sample_path("face.jpg")))
    assert code == 0
    assert out.startswith("LIVE: ")
    assert "Service reference (client_id): face_liveness_v5_" in out


def test_pdf(capsys: pytest.CaptureFixture[str], emulator: Emulator) -> None:
    emulator.set_scenario("live")
    code, out, _ = verify(capsys, emulator, "--pdf", str(sample_path("face.pdf")), "--json")
    assert code == 0
    assert json.loads(out)["face_count"] == 1


def test_retries_then_service_error_exit_5(capsys: pytest.CaptureFixture[str], emulator: Emulator) -> None:
    emulator.set_scenario("error")
    code, out, _ = verify(capsys, emulator, str(sample_path("face.jpg")), "--json")
    document = json.loads(out)
    assert code == 5
    assert document["error"] == "ServiceUnavailableError"
    assert document["attempts"] == 3


@pytest.mark.parametrize(
    "args",
    [
        ["missing.jpg"],
        [str(Path(__file__))],  # not an image
        [str(sample_path("face.pdf"))],  # a PDF without --pdf
        ["--pdf", str(sample_path("face.jpg"))],  # not a PDF
        ["--link", "ftp://example.com/x.jpg"],
        ["--link", "https://example.com/x.jpg"],  # the emulator refuses outbound links: 422
    ],
)
def test_usage_errors_exit_64(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, args: list[str]
) -> None:
    code, out, err = verify(capsys, emulator, *args)
    assert code == 64, (out, err)
    assert "Traceback" not in out + err
    assert (out + err).strip()


@pytest.mark.parametrize(
    "args",
    [
        [],
        [str(sample_path("face.jpg")), "--threshold", "1.7"],
        [str(sample_path("face.jpg")), "--env", "staging"],
    ],
)
def test_bad_arguments_exit_64(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, args: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        verify(capsys, emulator, *args)
    assert exited.value.code == 64
    assert "usage:" in capsys.readouterr().err


def test_argparse_errors_exit_64() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "station", "verify", "--threshold", "1.7", "x.jpg"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 64
    assert "between 0 and 1" in done.stderr


def test_missing_token_exit_4(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUREPASS_SANDBOX_TOKEN")
    code, _, err = verify(capsys, emulator, str(sample_path("face.jpg")))
    assert code == 4
    assert "station token set --env sandbox" in err


def test_refused_plain_http_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(sample_path("face.jpg")), "--base-url", "http://example.com"])
    _, err = capsys.readouterr()
    assert code == 64
    assert "https://" in err


def test_version_help_and_module_entry() -> None:
    for args in (["--version"], ["--help"], ["verify", "--help"], ["emulator", "--help"]):
        done = subprocess.run(
            [sys.executable, "-m", "station", *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    version = subprocess.run(
        [sys.executable, "-m", "station", "--version"], capture_output=True, text=True, timeout=60
    )
    from station import __version__

    assert version.stdout.strip() == f"station {__version__}"


def test_every_attempt_is_journaled(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, tmp_path: Path
) -> None:
    from station.audit import AuditJournal, load_key

    journal_path = tmp_path / "audit.sqlite3"
    emulator.set_scenario("live")
    assert verify(capsys, emulator, str(sample_path("face.jpg")), "--audit-db", str(journal_path))[0] == 0
    emulator.set_scenario("error")
    assert verify(capsys, emulator, str(sample_path("face.jpg")), "--audit-db", str(journal_path))[0] == 5
    with AuditJournal.open(journal_path, load_key(), create=False) as journal:
        assert journal.verify().ok
        newest, started_2, oldest, started_1 = journal.recent(4)
    assert (started_1.record.kind, started_2.record.kind) == ("attempt_started", "attempt_started")
    assert (oldest.record.started_sequence, newest.record.started_sequence) == (1, 3)
    assert oldest.record.outcome == "LIVE"
    assert oldest.record.client_id and oldest.record.client_id.startswith("face_liveness_v5_")
    assert oldest.record.image_sha256 == hashlib.sha256(sample_path("face.jpg").read_bytes()).hexdigest()
    assert newest.record.outcome == "ERROR"
    assert newest.record.error_class == "ServiceUnavailableError"
    assert newest.record.attempts == 3
    assert TOKEN not in journal_path.read_bytes().decode("latin-1")


def test_no_paid_call_when_the_journal_cannot_be_opened(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the journal's folder should be")
    emulator.set_scenario("live")
    before = emulator.requests_received
    code, out, err = verify(
        capsys, emulator, str(sample_path("face.jpg")), "--audit-db", str(blocker / "audit.sqlite3")
    )
    assert code == 1
    assert "audit journal cannot be opened" in err
    assert "No request was sent" in err
    assert emulator.requests_received == before  # nothing spent on a verification nobody records
    assert "Traceback" not in out + err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX stop signals")
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_during_the_request_journals_the_attempt_as_cancelled(
    emulator: Emulator, tmp_path: Path, stop: str
) -> None:
    """The request reached the service (and may be charged): being stopped must leave a row."""
    import os
    import signal

    from station.audit import AuditJournal, load_key

    journal_path = tmp_path / "audit.sqlite3"
    emulator.set_scenario("hang")
    hanging = emulator.hanging
    env = {**os.environ, "SUREPASS_SANDBOX_TOKEN": TOKEN}
    command = [sys.executable, "-m", "station", "verify", str(sample_path("face.jpg"))]
    options = ["--base-url", emulator.base_url, "--timeout", "120", "--audit-db", str(journal_path)]
    with subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert emulator.wait_for_hanging(hanging + 1, timeout=60), "the request never arrived"
            process.send_signal(getattr(signal, stop))
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 130, (out, err)
    assert f"stopped ({stop})" in err
    assert "Traceback" not in out + err
    with AuditJournal.open(journal_path, load_key(), create=False) as journal:
        assert journal.verify().ok
        row, started = journal.recent(5)
    assert started.record.kind == "attempt_started" and row.record.started_sequence == started.sequence
    assert row.record.outcome == "ERROR"
    assert f"cancelled: the station was stopped ({stop})" in (row.record.notes or "")
