"""``station doctor`` as IT runs it: a child process on a broken installation (a journal folder
the station's account cannot write, a policy with a typo, no token). ``--self-test`` passes on the
same installation; the doctor fails it, and says why.

The tests run as root, which permission bits do not stop: the child keeps root's uid but loses the
capabilities that override them (``setpriv --bounding-set -dac_override,…``, as
``tests/audit/test_read_only.py`` does), so an unwritable folder really is one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from station.audit import AuditJournal
from tests.accounts import PYTHON, as_account, needs_root, public_env
from tests.audit.support import KEY, make_record
from tests.machine import write_machine_policy

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
REPO = Path(__file__).resolve().parents[2]


def _station(
    tmp_path: Path, *argv: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "station", *argv]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root's override of permission bits"
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--", *command]
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUREPASS_")},
        "PYTHONPATH": str(REPO),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "STATION_CONFIG_DIR": str(home / "config"),
        "STATION_MACHINE_CONFIG_DIR": str(tmp_path / "machine-config"),
        "STATION_MACHINE_DATA_DIR": str(tmp_path / "machine-data"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "QT_QPA_PLATFORM": "offscreen",
        **(extra_env or {}),
    }
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _unwritable_data_folder(tmp_path: Path, rows: int = 0) -> Path:
    data = tmp_path / "machine-data"
    data.mkdir()
    if rows:
        with AuditJournal.open(data / "audit.sqlite3", KEY) as journal:
            for i in range(rows):
                journal.append(make_record(i))
        (data / "audit.key").write_text(KEY.hex() + "\n")
        os.chmod(data / "audit.key", 0o600)
    os.chmod(data, 0o555)  # root's, not writable even by root once dac_override is gone
    return data


def test_doctor_fails_where_the_self_test_passes(tmp_path: Path) -> None:
    _unwritable_data_folder(tmp_path)
    write_machine_policy(tmp_path / "machine-config", {"liveness_threshhold": 0.9})  # the typo

    self_test = _station(tmp_path, "--self-test")
    assert self_test.returncode == 0, self_test.stdout + self_test.stderr
    assert "self-test passed" in self_test.stdout

    doctor = _station(tmp_path, "doctor", "--json")
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    report = json.loads(doctor.stdout)
    status = {item["item"]: item for item in report["items"]}
    assert report["can_serve"] is False
    assert status["policy"]["status"] == "FAIL" and "liveness_threshhold" in status["policy"]["detail"]
    assert status["journal"]["status"] == "FAIL" and "machine-data" in status["journal"]["detail"]
    assert status["token"]["status"] == "FAIL"
    assert status["service"]["status"] == "FAIL"


def test_an_unwritable_journal_folder_fails_with_a_good_policy(tmp_path: Path) -> None:
    data = _unwritable_data_folder(tmp_path, rows=3)
    write_machine_policy(tmp_path / "machine-config", {"liveness_threshold": 0.9})
    before = sorted((p.name, p.stat().st_size) for p in data.iterdir())
    doctor = _station(tmp_path, "doctor", extra_env={"SUREPASS_SANDBOX_TOKEN": "doctor-token-0123456789"})
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    lines = {
        line.split()[1]: line for line in doctor.stdout.splitlines() if line[:4] in ("PASS", "WARN", "FAIL")
    }
    assert lines["journal"].startswith("FAIL") and "not writable" in lines["journal"]
    assert lines["policy"].startswith("PASS")
    assert lines["token"].startswith("PASS")
    assert "doctor-token-0123456789" not in doctor.stdout + doctor.stderr
    assert sorted((p.name, p.stat().st_size) for p in data.iterdir()) == before


def test_usage_errors_exit_64(tmp_path: Path) -> None:
    assert _station(tmp_path, "doctor", "--no-such-option").returncode == 64


@needs_root
def test_an_account_outside_the_sockets_group_is_told_so() -> None:
    """A socket with mode 0660 whose group the caller (``nobody``) is not in, in a folder anyone
    can reach: the doctor says to add the account to station-clients."""
    folder = Path(tempfile.mkdtemp(prefix="station-doctor-"))
    path = folder / "station.sock"
    with contextlib.ExitStack() as cleanup, socket.socket(socket.AF_UNIX) as server:
        cleanup.callback(shutil.rmtree, folder, True)
        server.bind(str(path))
        server.listen()
        os.chown(path, 0, 0)
        path.chmod(0o660)
        folder.chmod(0o755)
        code = (
            "from pathlib import Path; import sys\n"
            "from station.application.doctor import check_service, socket_probe\n"
            "finding = check_service(socket_probe(Path(sys.argv[1])))\n"
            "print(finding.status.value); print(finding.action)\n"
        )
        done = as_account(
            [PYTHON, "-c", code, str(path)],
            env=public_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    status, action = done.stdout.splitlines()[:2]
    assert status == "FAIL" and "station-clients" in action
