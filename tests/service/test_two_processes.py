"""The station service as it runs on an installed station: ``station service run`` in a process of
its own under a separate account (``setpriv``), clients in processes of their own under other
accounts, the real socket, and the emulator on loopback counting what reaches the service.

Accounts: the service runs as :data:`SERVICE_UID`; the operator's client as ``nobody`` in the
clients' group :data:`CLIENTS_GID`; an outsider as :data:`OUTSIDER_UID` in no group.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from station.application.kinds import EventKind, RecordKind
from station.application.readiness import NotReady
from station.audit import AuditJournal, load_key
from station.audit.records import AuditRecord
from station.commands.exit_codes import AuditVerifyCode
from station.emulator import Emulator
from station.resources import sample_path
from station.service.access import NOT_ALLOWED
from station.service.client import NOT_ALLOWED_HERE, SERVICE_LOST, service_probe
from station.service.unix import ENV_SOCKET
from tests.accounts import CHECKOUT, PYTHON, account_prefix, public_env
from tests.machine import write_machine_policy
from tests.ship.relay import wait_until

SETPRIV = shutil.which("setpriv")
SERVICE_UID = 47101
CLIENTS_GID = 47102
OUTSIDER_UID = 47103
NOBODY = pwd.getpwnam("nobody").pw_uid if sys.platform != "win32" else 65534
TOKEN = "service-test-token"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or SETPRIV is None,
    reason="separate accounts need Linux, root and setpriv (CI runs as root)",
)


def as_account(uid: int, gid: int, groups: tuple[int, ...] = ()) -> list[str]:
    return account_prefix(uid, gid, groups)


class ServiceRun:
    """One service process and its folders (a short root: a socket's path is at most 107 bytes)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.root = Path(tempfile.mkdtemp(prefix="stsvc-"))
        os.chmod(self.root, 0o755)
        self.run_dir = self.root / "run"
        self.data = self.root / "data"
        self.home = self.root / "home"
        for folder in (self.run_dir, self.data, self.home):
            folder.mkdir()
            os.chown(folder, SERVICE_UID, SERVICE_UID)
        os.chmod(self.run_dir, 0o755)  # systemd's RuntimeDirectoryMode
        self.config = self.root / "config"
        write_machine_policy(self.config, {"base_url": emulator.base_url})
        os.chmod(self.config, 0o755)
        self.socket = self.run_dir / "station.sock"
        self.log = self.root / "service.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(CHECKOUT),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "STATION_CONFIG_DIR": str(self.home / "station"),
            "STATION_LOG_DIR": str(self.home / "logs"),
            "STATION_MACHINE_CONFIG_DIR": str(self.config),
            "STATION_MACHINE_DATA_DIR": str(self.data),
            ENV_SOCKET: str(self.socket),
            "SUREPASS_SANDBOX_TOKEN": TOKEN,  # the service account's own environment, not a caller's
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
        command = [
            *as_account(SERVICE_UID, SERVICE_UID, (CLIENTS_GID,)),
            PYTHON,
            "-m",
            "station",
            "service",
            "run",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, "--clients-group", str(CLIENTS_GID)],
                cwd=self.home,
                env=env,
                stdout=log,
                stderr=log,
            )
        wait_until(lambda: self.socket.exists() or self.exited(), 60, "the service's socket")
        assert self.socket.exists(), self.log.read_text()

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> int:
        """SIGTERM, and the exit code once it has drained."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=60)

    def client(self, uid: int, gid: int, groups: tuple[int, ...], *argv: str) -> list[str]:
        return [
            *as_account(uid, gid, groups),
            PYTHON,
            "-m",
            "tests.service.probe",
            str(self.socket),
            *argv,
        ]

    def probe(
        self, *argv: str, uid: int = NOBODY, groups: tuple[int, ...] = (CLIENTS_GID,)
    ) -> dict[str, Any]:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(CHECKOUT), "HOME": "/nonexistent"}
        done = subprocess.run(
            self.client(uid, uid, groups, *argv),
            cwd="/",
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return dict(json.loads(done.stdout))

    def rows(self) -> list[AuditRecord]:
        key = load_key(self.data / "audit.key")
        with AuditJournal.open(self.data / "audit.sqlite3", key, create=False, read_only=True) as journal:
            return [stored.record for stored in journal.recent(100)]

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(token=TOKEN, scenario="live") as running:
        yield running


@pytest.fixture
def service(emulator: Emulator) -> Iterator[ServiceRun]:
    emulator.set_scenario("live")
    run = ServiceRun(emulator)
    try:
        yield run
    finally:
        run.close()


def test_a_client_in_the_group_verifies_and_its_account_is_journaled(
    service: ServiceRun, emulator: Emulator
) -> None:
    service.start()
    before = emulator.requests_received
    out = service.probe("verify", "nobody")
    assert out["account"] == "nobody" and out["readiness"] == [], (out, service.log.read_text())
    assert out["operator"] == "nobody"
    assert out["report"]["kind"] == "LIVE" and out["report"]["final"]
    assert emulator.requests_received == before + 1
    assert service.stop() == 0  # SIGTERM: drained and closed
    row, started = service.rows()[:2]
    assert row.operator_id == "nobody" and row.outcome == "LIVE"
    assert "caller nobody" in (row.notes or "")
    assert row.caller_account == started.caller_account == "nobody"  # the kernel's word
    assert started.kind == "attempt_started" and row.started_sequence is not None


def test_named_accounts_an_operator_signs_in_as_their_own_account_only(service: ServiceRun) -> None:
    service.start()
    out = service.probe("sign-in", "nobody", " NOBODY ", "alice", "root")
    assert out["signed_in"] == {"nobody": "nobody", " NOBODY ": "nobody", "alice": None, "root": None}


def test_the_sockets_permissions_keep_an_account_outside_the_clients_group_out(
    service: ServiceRun, emulator: Emulator
) -> None:
    service.start()
    before = emulator.requests_received
    out = service.probe("verify", "47103", uid=OUTSIDER_UID, groups=())
    assert out["account"] is None
    assert out["readiness"] == [[NotReady.SERVICE.value, NOT_ALLOWED_HERE]]
    assert out["report"]["error_kind"] == "not_ready" and not out["report"]["final"]
    assert emulator.requests_received == before


def test_the_service_refuses_an_outsider_the_socket_let_through_and_journals_it(
    service: ServiceRun, emulator: Emulator
) -> None:
    service.start()
    os.chmod(service.socket, 0o666)  # a socket left open by mistake: the service checks again
    before = emulator.requests_received
    out = service.probe("verify", "47103", uid=OUTSIDER_UID, groups=())
    assert out["account"] is None
    assert out["readiness"] == [[NotReady.SERVICE.value, f"{NOT_ALLOWED.capitalize()}."]]
    assert out["report"]["error_kind"] == "not_ready" and not out["report"]["final"]
    assert emulator.requests_received == before
    assert service.stop() == 0
    refusals = [row for row in service.rows() if row.kind == EventKind.SERVICE]
    # The client connected four times (refresh, sign-in, verify, refresh): one row, not four.
    assert len(refusals) == 1 and f"uid {OUTSIDER_UID}" in (refusals[0].notes or "")


def test_files_the_service_creates_are_private_to_its_account(service: ServiceRun) -> None:
    service.start()
    service.probe("verify", "nobody")
    created = [path for path in service.data.rglob("*")]
    assert any(path.name == "audit.key" for path in created) and any(
        p.name == "audit.sqlite3" for p in created
    )
    for path in created:
        info = path.lstat()
        assert info.st_uid == SERVICE_UID and info.st_mode & 0o077 == 0, f"{path} is {oct(info.st_mode)}"
    assert service.socket.stat().st_mode & 0o777 == 0o660
    files = [str(path) for path in created if path.is_file()]
    readable = service.probe("read", *files)["readable"]
    assert readable == dict.fromkeys(files, False)


def test_sigkill_of_the_service_mid_request_leaves_the_client_a_clear_error(
    service: ServiceRun, emulator: Emulator
) -> None:
    service.start()
    emulator.set_scenario("hang")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(CHECKOUT), "HOME": "/nonexistent"}
    command = service.client(NOBODY, NOBODY, (CLIENTS_GID,), "verify", "nobody")
    with subprocess.Popen(
        command, cwd="/", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as client:
        assert emulator.wait_for_hanging(1, timeout=60), "the service never sent the capture"
        service.kill()
        stdout, stderr = client.communicate(timeout=120)
    assert client.returncode == 0, stderr.decode(errors="replace")
    out = json.loads(stdout)
    assert out["report"]["kind"] == "ERROR" and not out["report"]["final"]
    assert out["report"]["error_kind"] == "unexpected" and out["report"]["message"] == SERVICE_LOST
    assert [reason for reason, _ in out["after"]] == [NotReady.SERVICE.value]
    # The service died between its "attempt started" row and the outcome: audit verify names it.
    audit = subprocess.run(
        [
            sys.executable,
            "-m",
            "station",
            "audit",
            "verify",
            "--audit-db",
            str(service.data / "audit.sqlite3"),
            "--key-file",
            str(service.data / "audit.key"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert audit.returncode == AuditVerifyCode.OPEN_ATTEMPTS, audit.stdout + audit.stderr
    (started,) = [row for row in service.rows() if row.kind == RecordKind.ATTEMPT_STARTED]
    assert started.operator_id == "nobody" and started.caller_account == "nobody"
    assert "open attempt" in audit.stdout.lower()


def test_the_service_sends_nothing_when_its_journal_cannot_be_written(
    service: ServiceRun, emulator: Emulator
) -> None:
    os.chown(service.data, 0, 0)  # the service's account cannot create its journal
    os.chmod(service.data, 0o755)
    service.start()
    before = emulator.requests_received
    out = service.probe("verify", "nobody")
    assert [reason for reason, _ in out["readiness"]] == [NotReady.JOURNAL.value]
    journal_words = out["readiness"][0][1]
    assert out["report"]["error_kind"] == "not_ready" and out["report"]["message"] == journal_words
    assert emulator.requests_received == before


def test_a_journal_deleted_under_the_running_service_stops_the_next_capture(
    service: ServiceRun, emulator: Emulator
) -> None:
    service.start()
    assert service.probe("verify", "nobody")["report"]["final"]
    (service.data / "audit.sqlite3").unlink()
    before = emulator.requests_received
    out = service.probe("verify", "nobody")
    assert [reason for reason, _ in out["readiness"]] == [NotReady.JOURNAL.value]
    assert out["report"]["error_kind"] == "not_ready"
    assert emulator.requests_received == before


def test_the_doctor_asks_the_service_over_its_protocol(service: ServiceRun) -> None:
    probe = service_probe(service.socket)
    with pytest.raises(OSError, match="not running"):
        probe()  # nothing listens yet
    service.start()
    assert "answers (protocol v2)" in probe()
    service.stop()
    with pytest.raises(OSError, match="not running"):
        probe()


def test_the_doctor_tells_a_socket_that_is_not_the_service(tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="stdoc-"))  # a socket's path is short
    try:
        with socket.socket(socket.AF_UNIX) as impostor:
            impostor.bind(str(folder / "s.sock"))
            impostor.listen()
            with pytest.raises(OSError, match="did not answer"):
                service_probe(folder / "s.sock", timeout=1.0)()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_station_verify_on_an_installed_station_is_a_client_of_the_service(
    service: ServiceRun, emulator: Emulator
) -> None:
    """The `station` command of an installed station sends through the service: the service's token
    (the operator's own variable is never read), the service's journal, the caller as operator."""
    service.start()
    picture = service.root / "customer.jpg"
    shutil.copy(sample_path("face.jpg"), picture)
    picture.chmod(0o644)
    client_config = service.root / "client-config"
    write_machine_policy(client_config, {"environment": "sandbox"})
    for folder in (client_config, *client_config.rglob("*")):
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    env = public_env(
        HOME="/nonexistent",
        STATION_CONFIG_DIR=str(service.root / "operator-settings"),
        STATION_LOG_DIR=str(service.root / "operator-logs"),
        STATION_ASSUME_INSTALLED="1",
        STATION_MACHINE_CONFIG_DIR=str(client_config),
        STATION_MACHINE_DATA_DIR=str(service.root / "operator-cannot-journal-here"),
        SUREPASS_SANDBOX_TOKEN="the-operators-own-token-0000",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        **{ENV_SOCKET: str(service.socket)},
    )
    before = emulator.requests_received
    done = subprocess.run(
        [
            *as_account(NOBODY, NOBODY, (CLIENTS_GID,)),
            PYTHON,
            "-m",
            "station",
            "verify",
            "--json",
            str(picture),
        ],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["outcome"] == "LIVE"
    assert emulator.requests_received == before + 1  # with the service's token: the emulator took it
    assert service.stop() == 0
    row = service.rows()[0]
    assert row.operator_id == "nobody" and row.camera_source == "not-camera:image:customer.jpg"
    assert not (service.root / "operator-cannot-journal-here").exists()
