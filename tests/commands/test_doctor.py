"""``station doctor``'s checks, one by one, each against a real broken (and a real working) thing:
a policy file with a typo, a Unix socket nobody listens on, a video file through OpenCV, a journal
of real rows, the emulator, a port nothing listens on, a TLS relay with a private CA."""

from __future__ import annotations

import io
import json
import os
import pwd
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme

from station.api import Environment
from station.application.doctor import (
    DoctorParts,
    Item,
    Status,
    check_camera,
    check_journal,
    check_policy,
    check_service,
    check_service_host,
    check_shipping,
    check_supervisors,
    check_token,
    run_doctor,
    socket_probe,
)
from station.application.factory import StationConfig
from station.application.people import people_store
from station.application.tokens import TokenStore
from station.audit import AuditJournal
from station.audit.anchor import Anchor, write_anchor
from station.audit.keys import read_key_file
from station.audit.paths import anchor_path_beside
from station.commands.doctor import DoctorExit, exit_code, print_report
from station.config import Mode
from station.emulator import Emulator
from station.locations import MachineFolders
from station.security.people import People, write_people
from station.security.pin import hash_pin
from station.ship.config import ShipConfig, TargetKind
from tests.api.tls import TLSService
from tests.audit.support import KEY, make_record
from tests.camera.support import write_video
from tests.keyrings import MemoryKeyring
from tests.machine import write_machine_policy
from tests.ship.conftest import missing_rsyslog, rsyslogd_path
from tests.ship.relay import RsyslogRelay

TOKEN = "doctor-sandbox-token-0123456789abcdef"


def _folders(tmp_path: Path) -> MachineFolders:
    config, data = tmp_path / "machine-config", tmp_path / "machine-data"
    config.mkdir(exist_ok=True)
    data.mkdir(exist_ok=True)
    return MachineFolders(config, data, installed=False)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="live") as running:
        yield running


# -------------------------------------------------------------------------------------- policy


def test_a_policy_with_a_typo_fails_naming_the_key(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    write_machine_policy(folders.config, {"liveness_threshhold": 0.9})
    finding, resolved = check_policy(folders)
    assert finding.status is Status.FAIL and resolved is None
    assert "liveness_threshhold" in finding.detail


def test_a_policy_with_a_bad_value_fails_naming_the_key(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    write_machine_policy(folders.config, {"liveness_threshold": 7})
    finding, _ = check_policy(folders)
    assert finding.status is Status.FAIL
    assert "liveness_threshold" in finding.detail


def test_a_good_policy_is_in_force(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    write_machine_policy(folders.config, {"liveness_threshold": 0.9, "environment": "sandbox"})
    finding, resolved = check_policy(folders)
    assert finding.status is Status.PASS, finding
    assert resolved is not None and resolved.settings.liveness_threshold == 0.9
    assert "2 entries" in finding.detail


def test_a_pin_hash_left_in_policy_is_named_and_never_shown(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    secret = str(hash_pin("482913"))
    write_machine_policy(folders.config, {"liveness_threshold": 0.9, "admin_pin_hash": secret})
    finding, resolved = check_policy(folders)
    assert finding.status is Status.WARN and resolved is not None
    assert "admin_pin_hash" in finding.detail and "station admin init" in finding.detail
    assert secret not in finding.line()


def test_no_policy_at_all_is_a_warning(tmp_path: Path) -> None:
    finding, resolved = check_policy(_folders(tmp_path))
    assert finding.status is Status.WARN and resolved is not None


# ------------------------------------------------------------------------------------- service


def test_the_service_fails_with_no_socket_a_plain_file_or_nobody_listening(tmp_path: Path) -> None:
    missing = check_service(socket_probe(tmp_path / "none.sock"))
    assert missing.status is Status.FAIL and "not running" in missing.detail
    plain = tmp_path / "plain.sock"
    plain.write_text("")
    assert check_service(socket_probe(plain)).status is Status.FAIL
    stale = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(stale))  # bound, never listening: what a crashed service leaves
    assert check_service(socket_probe(stale)).status is Status.FAIL


def test_the_service_passes_when_its_socket_accepts(tmp_path: Path) -> None:
    path = tmp_path / "station.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        finding = check_service(socket_probe(path))
    assert finding.status is Status.PASS, finding


def test_the_service_probe_is_a_parameter() -> None:
    def refused() -> str:
        raise ConnectionRefusedError(111, "Connection refused")

    assert check_service(refused).status is Status.FAIL
    assert check_service(lambda: "version 1").status is Status.PASS


# -------------------------------------------------------------------------------------- camera


def test_a_video_file_opens_but_is_not_a_live_camera(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", frames=3)
    allowed = check_camera(StationConfig(camera=str(video), allow_non_live_camera=True))
    assert allowed.status is Status.WARN and "opens" in allowed.detail
    refused = check_camera(StationConfig(camera=str(video), mode=Mode.PRODUCTION))
    assert refused.status is Status.FAIL


def test_a_missing_camera_fails(tmp_path: Path) -> None:
    finding = check_camera(StationConfig(camera=str(tmp_path / "gone.avi"), allow_non_live_camera=True))
    assert finding.status is Status.FAIL and "does not deliver a picture" in finding.detail
    assert check_camera(StationConfig(camera="demo")).status is Status.FAIL


def test_a_device_camera_not_approved_fails_in_production() -> None:
    from station.security.camera_identity import CameraIdentity

    seen = CameraIdentity(name="Counter cam", vid="046d", pid="085b", bus="usb")
    config = StationConfig(camera="device:0", mode=Mode.PRODUCTION, approved_cameras="046d:0825")
    finding = check_camera(config, identify=lambda _: seen, opener=lambda _: None)
    assert finding.status is Status.FAIL and "not one of the bank's approved cameras" in finding.detail
    approved = StationConfig(camera="device:0", mode=Mode.PRODUCTION, approved_cameras="046d:085b")
    opened: list[str] = []
    passed = check_camera(approved, identify=lambda _: seen, opener=opened.append)
    assert passed.status is Status.PASS and "(approved)" in passed.detail
    assert opened == ["device:0"]


# ------------------------------------------------------------------------------------- journal


def _journal_of(folder: Path, rows: int) -> Path:
    path = folder / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        for i in range(rows):
            journal.append(make_record(i))
    return path


def test_a_journal_of_real_rows_passes_and_gains_none(tmp_path: Path) -> None:
    path = _journal_of(tmp_path, 3)
    finding = check_journal(path, lambda: KEY)
    assert finding.status is Status.PASS, finding
    with AuditJournal.open(path, KEY, read_only=True) as journal:
        report = journal.verify()
        assert report.ok and report.rows_checked == 3


def test_a_journal_with_the_wrong_key_fails(tmp_path: Path) -> None:
    path = _journal_of(tmp_path, 1)
    finding = check_journal(path, lambda: bytes(32))
    assert finding.status is Status.FAIL and "cannot be written" in finding.detail


def test_a_journal_with_no_key_fails(tmp_path: Path) -> None:
    path = _journal_of(tmp_path, 1)
    finding = check_journal(path, lambda: read_key_file(tmp_path / "audit.key"))
    assert finding.status is Status.FAIL and "key is missing" in finding.detail


def test_a_vanished_journal_that_its_anchor_names_fails(tmp_path: Path) -> None:
    path = _journal_of(tmp_path, 2)
    anchor_path_beside(path).write_text("{}")
    path.unlink()
    finding = check_journal(path, lambda: KEY)
    assert finding.status is Status.FAIL and "names one" in finding.detail


def test_no_journal_yet_in_a_writable_folder_is_a_warning(tmp_path: Path) -> None:
    finding = check_journal(tmp_path / "audit.sqlite3", lambda: KEY)
    assert finding.status is Status.WARN
    assert not (tmp_path / "audit.sqlite3").exists()
    assert check_journal(tmp_path / "no-folder" / "audit.sqlite3").status is Status.FAIL


# --------------------------------------------------------------------------------------- token


def test_no_token_fails_and_an_enrolled_one_passes_unshown(memory_keyring: MemoryKeyring) -> None:
    config = StationConfig(environment=Environment.SANDBOX)
    missing = check_token(config, TokenStore(environ={}))
    assert missing.status is Status.FAIL and "station token set" in missing.action
    memory_keyring.set_password("station", "sandbox", TOKEN)
    enrolled = check_token(config, TokenStore(environ={}))
    assert enrolled.status is Status.PASS, enrolled
    assert TOKEN not in enrolled.line() and TOKEN not in json.dumps(enrolled.as_dict())


def test_no_secure_store_fails(no_keyring: None) -> None:
    finding = check_token(StationConfig(environment=Environment.PRODUCTION), TokenStore(environ={}))
    assert finding.status is Status.FAIL


# -------------------------------------------------------------------------------- service host


def test_the_service_host_answers(emulator: Emulator) -> None:
    finding = check_service_host(StationConfig(base_url=emulator.base_url))
    assert finding.status is Status.PASS, finding


def test_a_closed_port_fails_the_service_host() -> None:
    finding = check_service_host(StationConfig(base_url=f"http://127.0.0.1:{_closed_port()}"))
    assert finding.status is Status.FAIL and "Connection (TCP)" in finding.detail


# --------------------------------------------------------------------------------- supervisors


def test_supervisors() -> None:
    assert check_supervisors(People, production=True).status is Status.FAIL
    assert check_supervisors(People, production=False).status is Status.WARN
    one = People(hash_pin("482913"), {"sup1": hash_pin("736204")})
    assert check_supervisors(lambda: one, production=True).status is Status.PASS


# ------------------------------------------------------------------------------------ shipping


def test_shipping_to_a_relay_nobody_listens_on_warns_and_a_trusted_relay_passes(tmp_path: Path) -> None:
    closed = ShipConfig(
        target=TargetKind.SYSLOG_TLS, station_id="st-1", relay_host="127.0.0.1", relay_port=_closed_port()
    )
    finding = check_shipping(closed, production=True)
    assert finding.status is Status.WARN and "cannot be reached" in finding.detail
    ca = trustme.CA()
    ca_pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    listener = TLSService(ca)
    try:
        config = ShipConfig(
            target=TargetKind.SYSLOG_TLS,
            station_id="st-1",
            relay_host="localhost",
            relay_port=listener.port,
            ca_bundle=ca_pem,
        )
        assert check_shipping(config, production=True).status is Status.PASS
        untrusted = ShipConfig(
            target=TargetKind.SYSLOG_TLS, station_id="st-1", relay_host="localhost", relay_port=listener.port
        )
        assert check_shipping(untrusted, production=True).status is Status.WARN
    finally:
        listener.close()


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[tuple[RsyslogRelay, Path]]:
    """A real rsyslog relay (imtcp, TLS) with a private CA's certificate, and that CA's file."""
    path = rsyslogd_path()
    if missing_rsyslog() or path is None:
        why = "needs rsyslog and rsyslog-gnutls (python3 packaging/system_packages.py installs them)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    ca = trustme.CA()
    ca_pem, cert, key = tmp_path / "ca.pem", tmp_path / "relay.pem", tmp_path / "relay.key"
    ca.cert_pem.write_to_path(str(ca_pem))
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    relay = RsyslogRelay(path, tmp_path / "relay", cert, key, ca_pem, None)
    relay.start()
    try:
        yield relay, ca_pem
    finally:
        relay.stop()


def test_shipping_to_a_real_rsyslog_relay_passes_and_a_stopped_one_warns(
    rsyslog: tuple[RsyslogRelay, Path],
) -> None:
    relay, ca_pem = rsyslog
    config = ShipConfig(
        target=TargetKind.SYSLOG_TLS,
        station_id="st-1",
        relay_host="localhost",
        relay_port=relay.port,
        ca_bundle=ca_pem,
    )
    passed = check_shipping(config, production=True)
    assert passed.status is Status.PASS and "TLSv1" in passed.detail, passed
    relay.stop()
    stopped = check_shipping(config, production=True)
    assert stopped.status is Status.WARN and "cannot be reached" in stopped.detail


def test_shipping_off() -> None:
    assert check_shipping(None, production=False).status is Status.PASS
    assert check_shipping(None, production=True).status is Status.WARN


# ------------------------------------------------------------------------------------ together


def test_a_working_station_can_serve(
    tmp_path: Path, emulator: Emulator, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = _folders(tmp_path)
    video = write_video(tmp_path / "counter.avi", frames=3)
    write_machine_policy(
        folders.config,
        {
            "base_url": emulator.base_url,
            "camera": str(video),
            "allow_non_live_camera": True,
            "audit_db": str(_journal_of(folders.data, 2)),
        },
    )
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(folders.config))
    monkeypatch.setenv("STATION_SERVICE_STORE_DIR", str(tmp_path / "private"))
    write_people(people_store(), People(None, {"sup1": hash_pin("736204")}))
    memory_keyring.set_password("station", "sandbox", TOKEN)
    memory_keyring.set_password(
        "station", "audit-hmac-key", KEY.hex()
    )  # the journal's key, where a checkout keeps it
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "station.sock"))
    server.listen()
    try:
        report = run_doctor(
            DoctorParts(
                folders=folders,
                service=socket_probe(tmp_path / "station.sock"),
                tokens=TokenStore(environ={}),
            )
        )
    finally:
        server.close()
    assert [f.item for f in report.findings] == list(Item)
    assert report.can_serve, [f.line() for f in report.findings if f.status is not Status.PASS]
    assert exit_code(report) is DoctorExit.CAN_SERVE
    out = io.StringIO()
    print_report(report, as_json=True, out=out)
    document = json.loads(out.getvalue())
    assert document["can_serve"] is True and document["exit_code"] == 0
    assert TOKEN not in out.getvalue()


def test_a_policy_typo_fails_everything_that_depends_on_it(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    write_machine_policy(folders.config, {"enviroment": "production"})
    report = run_doctor(DoctorParts(folders=folders, service=socket_probe(tmp_path / "none.sock")))
    assert not report.can_serve and exit_code(report) is DoctorExit.CANNOT_SERVE
    assert report.status_of(Item.POLICY) is Status.FAIL
    assert report.status_of(Item.TOKEN) is Status.FAIL
    out = io.StringIO()
    print_report(report, as_json=False, out=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("FAIL  policy") and "enviroment" in lines[0]
    assert lines[-1] == "station doctor: this station CANNOT serve customers"


def _owned_by(paths: list[Path], uid: int) -> None:
    for path in paths:
        os.chown(path, uid, uid)
        path.chmod(0o700 if path.is_dir() else 0o600)


def test_an_installed_journal_must_be_the_service_accounts_alone(tmp_path: Path) -> None:
    """Run as root (as IT may), the doctor judges the owner's rights and opens another account's
    journal read-only: no file of root's is left beside it."""
    state = tmp_path / "state"
    state.mkdir()
    path = _journal_of(state, 2)
    nobody = pwd.getpwnam("nobody")
    _owned_by([state, *state.iterdir()], nobody.pw_uid)
    before = sorted(p.name for p in state.iterdir())

    passed = check_journal(path, lambda: KEY, service_account="nobody")
    assert passed.status is Status.PASS, passed
    assert "read-only" in passed.detail
    assert sorted(p.name for p in state.iterdir()) == before
    assert all(p.stat().st_uid == nobody.pw_uid for p in state.iterdir())

    missing = check_journal(path, lambda: KEY, service_account="no-such-service-account")
    assert missing.status is Status.FAIL and "not installed" in missing.detail
    path.chmod(0o644)
    readable = check_journal(path, lambda: KEY, service_account="nobody")
    assert readable.status is Status.FAIL and "0644" in readable.detail
    path.chmod(0o600)
    os.chown(state, 0, 0)
    foreign = check_journal(path, lambda: KEY, service_account="nobody")
    assert foreign.status is Status.FAIL and "belongs to root" in foreign.detail


def test_root_finds_a_journal_that_lost_its_anchored_rows(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    path = _journal_of(state, 2)
    with AuditJournal.open(path, KEY) as journal:
        head, journal_id = journal.head(), journal.journal_id
    assert head is not None and journal_id is not None
    write_anchor(
        anchor_path_beside(path), KEY, Anchor(journal_id, head[0] + 5, head[1], "relay", datetime.now(UTC))
    )
    _owned_by([state, *state.iterdir()], pwd.getpwnam("nobody").pw_uid)
    finding = check_journal(path, lambda: KEY, service_account="nobody")
    assert finding.status is Status.FAIL and f"row {head[0] + 5}" in finding.detail
