"""``station verify`` under the modes table (issue 22, failures 4 and 5): on a production station a
photo from a file is not a customer at the counter, and no override gets past an installed
station's missing policy."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.audit import AuditJournal, load_key
from station.cli import main
from station.commands.verify import NOT_THE_CAMERA_NOTE
from station.emulator import Emulator
from station.resources import sample_path
from tests.machine import use_machine_policy

TOKEN = "cli-production-token"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="live") as running:
        yield running


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "machine-data"
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(data))
    monkeypatch.setenv("SUREPASS_PRODUCTION_TOKEN", TOKEN)
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", TOKEN)
    return data


def _rows(data: Path) -> list[object]:
    journal_path = data / "audit.sqlite3"
    if not journal_path.exists():
        return []
    with AuditJournal.open(journal_path, load_key(), create=False) as journal:
        assert not journal.open_attempts()  # every "attempt started" row has its outcome
        return [stored.record for stored in journal.recent(50) if stored.record.kind != "attempt_started"]


@pytest.mark.parametrize(
    "what",
    [
        [str(sample_path("face.jpg"))],
        ["--pdf", str(sample_path("face.pdf"))],
        ["--link", "http://127.0.0.1:1/face.jpg"],
    ],
)
def test_production_refuses_a_file_pdf_or_link(
    what: list[str],
    emulator: Emulator,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_machine_policy(
        monkeypatch, tmp_path / "machine-config", {"environment": "production", "base_url": emulator.base_url}
    )
    before = emulator.requests_received
    code = main(["verify", *what, "--json", "--consent-given"])
    out, err = capsys.readouterr()
    assert code == 64
    assert "verifies only the customer in front of its camera" in out
    assert "allow_document_verification" in out
    assert emulator.requests_received == before
    assert "Traceback" not in out + err


def test_a_back_office_channel_records_where_the_picture_came_from_and_the_consent(
    emulator: Emulator,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_machine_policy(
        monkeypatch,
        tmp_path / "machine-config",
        {"environment": "production", "base_url": emulator.base_url, "allow_document_verification": True},
    )
    emulator.set_scenario("live")
    before = emulator.requests_received
    # Production always asks for consent: without the operator's word, nothing is sent.
    assert main(["verify", str(sample_path("face.jpg"))]) == 64
    assert "--consent-given" in capsys.readouterr().err
    assert emulator.requests_received == before
    assert main(["verify", str(sample_path("face.jpg")), "--consent-given"]) == 0
    capsys.readouterr()
    (row,) = _rows(data_dir)
    assert row.outcome == "LIVE"  # type: ignore[attr-defined]
    assert row.camera_source == "not-camera:image:face.jpg"  # type: ignore[attr-defined]
    assert NOT_THE_CAMERA_NOTE in (row.notes or "")  # type: ignore[attr-defined]
    assert row.consent == "given"  # type: ignore[attr-defined]
    assert row.consent_notice_sha256  # type: ignore[attr-defined]
    assert row.operator_id == getpass.getuser().casefold()  # type: ignore[attr-defined]
    assert row.environment == "production"  # type: ignore[attr-defined]


def test_an_installed_station_without_policy_refuses_threshold_and_base_url(
    emulator: Emulator,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(tmp_path / "no-policy-here"))
    monkeypatch.setenv("STATION_ASSUME_INSTALLED", "1")
    before = emulator.requests_received
    for option in (["--threshold", "0.3"], ["--base-url", emulator.base_url]):
        code = main(["verify", str(sample_path("face.jpg")), "--consent-given", *option])
        err = capsys.readouterr().err
        assert code == 64, err
        assert f"{option[0]} (not on a production station): refused" in err
    monkeypatch.setenv("STATION_LIVENESS_THRESHOLD", "0.3")
    assert main(["verify", str(sample_path("face.jpg")), "--consent-given"]) == 64
    assert emulator.requests_received == before


def test_development_keeps_file_verification_and_marks_its_rows(
    emulator: Emulator, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.set_scenario("live")
    assert main(["verify", str(sample_path("face.jpg")), "--base-url", emulator.base_url]) == 0
    capsys.readouterr()
    (row,) = _rows(data_dir)
    assert row.camera_source == "not-camera:image:face.jpg"  # type: ignore[attr-defined]
    assert row.consent == "not_asked"  # type: ignore[attr-defined]
