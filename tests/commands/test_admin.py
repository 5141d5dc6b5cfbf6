"""``station admin``: who approves and who operates, written only with the OS's rights, into the
station's private store; never a policy value, never a PIN on the command line."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.commands import admin as admin_command
from station.commands.admin import NO_PERMISSION, add_arguments, run
from station.security.people import read_people
from station.security.pin import hash_pin
from station.security.private_store import PrivateStore
from tests.accounts import CHECKOUT, NOBODY, PYTHON, as_account, in_checkout_namespace, needs_root


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PrivateStore:
    """Machine folders and a private store of the test's own; the store (not yet made)."""
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STATION_SERVICE_STORE_DIR", str(tmp_path / "private"))
    return PrivateStore(tmp_path / "private")


def invoke(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    parser = argparse.ArgumentParser(prog="station admin")
    add_arguments(parser)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(parser.parse_args(argv))


def test_hash_pin_is_retired_and_says_what_to_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: PrivateStore
) -> None:
    assert invoke(monkeypatch, ["hash-pin"], "482913\n482913\n") == 64
    captured = capsys.readouterr()
    assert "station admin init --pin-stdin" in captured.err
    assert "scrypt" not in captured.out + captured.err
    assert not machine.folder.exists()  # it stores nothing


def test_init_and_people_need_the_os_administrator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: PrivateStore
) -> None:
    monkeypatch.setattr(admin_command, "is_os_administrator", lambda: False)
    assert invoke(monkeypatch, ["init"], "482913\n482913\n") == NO_PERMISSION
    assert invoke(monkeypatch, ["supervisor", "add", "sup1"], "736204\n736204\n") == NO_PERMISSION
    assert invoke(monkeypatch, ["operator", "add", "alice"], "590317\n590317\n") == NO_PERMISSION
    assert invoke(monkeypatch, ["operator", "list"]) == NO_PERMISSION  # who exists is not public either
    assert "administrator rights" in capsys.readouterr().err
    assert not machine.folder.exists()


@pytest.fixture
def open_root() -> Iterator[Path]:
    """A folder an unprivileged account may enter (tmp_path's parents are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="station-admin-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@needs_root
def test_init_as_a_non_root_account_is_refused(open_root: Path) -> None:
    """A real `station admin init` run by uid 65534, with the store's folder in its reach."""
    home = open_root / "home"
    home.mkdir(mode=0o777)
    os.chmod(home, 0o777)
    env = {
        **os.environ,
        "PYTHONPATH": str(CHECKOUT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "STATION_CONFIG_DIR": str(home),
        "STATION_LOG_DIR": str(home),
        "STATION_MACHINE_CONFIG_DIR": str(open_root / "config"),
        "STATION_MACHINE_DATA_DIR": str(home / "data"),
        "STATION_SERVICE_STORE_DIR": str(home / "private"),
    }
    for argv in (["init", "--pin-stdin"], ["supervisor", "add", "mallory", "--pin-stdin"]):
        result = as_account(
            [PYTHON, "-m", "station", "admin", *argv],
            input="482913\n",
            capture_output=True,
            text=True,
            cwd=open_root,
            env=env,
            timeout=120,
            check=False,
        )
        assert result.returncode == NO_PERMISSION, result.stderr
        assert "administrator rights" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (home / "private").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="writes the store as root (CI runs as root)")
def test_init_supervisors_and_operators_write_the_private_store(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: PrivateStore
) -> None:
    assert invoke(monkeypatch, ["init"], "482913\n482914\n") == 64  # not the same twice
    assert invoke(monkeypatch, ["init"], "123456\n123456\n") == 64  # breaks the rule
    assert invoke(monkeypatch, ["init"], "482913\n482913\n") == 0
    assert invoke(monkeypatch, ["supervisor", "add", "sup1"], "736204\n736204\n") == 0
    assert invoke(monkeypatch, ["supervisor", "add", "administrator"], "736204\n736204\n") == 64
    assert invoke(monkeypatch, ["operator", "add", "Alice", "--pin-stdin"], "590317\n") == 0
    assert invoke(monkeypatch, ["operator", "add", "bob", "--pin-stdin"], "12\n") == 64  # rule, once
    path = machine.path("people.json")
    assert os.stat(machine.folder).st_mode & 0o777 == 0o700
    assert os.stat(path).st_mode & 0o777 == 0o600
    people = read_people(machine)
    assert people.admin is not None and people.admin.matches("482913")
    assert people.supervisors["sup1"].matches("736204")
    assert people.operators["alice"].matches("590317")  # stored as one person, whatever the case
    text = path.read_text()
    assert all(pin not in text for pin in ("482913", "736204", "590317"))
    capsys.readouterr()
    assert invoke(monkeypatch, ["operator", "add", "ALICE", "--pin-stdin"], "590318\n") == 0
    assert "operator alice given a new PIN" in capsys.readouterr().out
    assert invoke(monkeypatch, ["supervisor", "list"]) == 0
    assert capsys.readouterr().out.split() == ["sup1"]
    assert invoke(monkeypatch, ["operator", "list"]) == 0
    assert capsys.readouterr().out.split() == ["alice"]
    assert invoke(monkeypatch, ["supervisor", "remove", "SUP1"]) == 0
    assert invoke(monkeypatch, ["supervisor", "remove", "sup1"]) == 64
    assert invoke(monkeypatch, ["operator", "remove", "alice"]) == 0
    after = read_people(machine)
    assert after.supervisors == {} and after.operators == {}
    assert after.admin is not None  # the admin PIN stays


@pytest.mark.skipif(os.geteuid() != 0, reason="writes root-owned policy and store (CI runs as root)")
def test_a_policy_that_still_sets_a_pin_hash_is_named_and_not_used(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: PrivateStore, tmp_path: Path
) -> None:
    managed = tmp_path / "config" / "policies" / "managed"
    managed.mkdir(parents=True)
    os.chmod(managed.parent, 0o755)
    os.chmod(managed, 0o755)
    secret = str(hash_pin("135790"))
    (managed / "10-old.json").write_text(json.dumps({"admin_pin_hash": secret}))
    os.chmod(managed / "10-old.json", 0o644)
    assert invoke(monkeypatch, ["supervisor", "add", "sup1"], "736204\n736204\n") == 0
    said = capsys.readouterr()
    assert "sets admin_pin_hash, which is no longer read from policy and is ignored" in said.err
    assert "station admin init" in said.err and secret not in said.err + said.out
    assert read_people(machine).admin is None  # the policy's hash was not taken
    # The PIN whose hash every account can read in that policy is not taken as a new PIN.
    assert invoke(monkeypatch, ["init", "--pin-stdin"], "135790\n") == 64
    assert "every account on this computer can read" in capsys.readouterr().err
    assert invoke(monkeypatch, ["supervisor", "add", "sup2", "--pin-stdin"], "135790\n") == 64
    assert read_people(machine).admin is None and set(read_people(machine).supervisors) == {"sup1"}
    assert invoke(monkeypatch, ["init", "--pin-stdin"], "246801\n") == 0
    capsys.readouterr()
    assert invoke(monkeypatch, ["supervisor", "list"]) == 0
    assert capsys.readouterr().out.split() == ["sup1"]  # ids only on stdout, for scripts


_FIND_HASHES = r"""
import os, sys
readable, hashes = [], []
for top in ("/etc/opt/station", "/var/lib/station"):
    for folder, dirs, names in os.walk(top, onerror=lambda exc: None):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            readable.append(path)
            if b"scrypt$" in data:
                hashes.append(path)
print("readable:", *readable)
print("hashes:", *hashes)
"""


@needs_root
def test_after_admin_init_no_other_account_can_read_a_pin_hash() -> None:
    """The installed layout in a private mount namespace (empty tmpfs over /etc/opt and /var/lib),
    a production policy and an older station's readable people.json: after `station admin init`
    and `supervisor add` as root, uid 65534 finds no file holding a PIN hash."""
    old_people = json.dumps({"admin_pin_hash": str(hash_pin("135790")), "supervisors": []})
    python = PYTHON
    script = f"""
set -e
mount -t tmpfs tmpfs /etc/opt
mount -t tmpfs tmpfs /var/lib
mkdir -p /etc/opt/station/policies/managed
chmod 755 /etc/opt/station /etc/opt/station/policies /etc/opt/station/policies/managed
printf '%s' '{{"environment": "production"}}' > /etc/opt/station/policies/managed/10-bank.json
printf '%s' '{old_people}' > /etc/opt/station/people.json
chmod 644 /etc/opt/station/policies/managed/10-bank.json /etc/opt/station/people.json
printf '246801\\n' | {python} -m station admin init --pin-stdin
printf '736204\\n' | {python} -m station admin supervisor add sup1 --pin-stdin
printf '590317\\n' | {python} -m station admin operator add alice --pin-stdin
ls -ld /var/lib/station/private
setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups {python} -c '{_FIND_HASHES}'
"""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"STATION_MACHINE_CONFIG_DIR", "STATION_MACHINE_DATA_DIR", "STATION_SERVICE_STORE_DIR"}
    }
    env.update(STATION_ASSUME_INSTALLED="1", PYTHONPATH=str(CHECKOUT), PYTHONDONTWRITEBYTECODE="1")
    result = in_checkout_namespace(
        script,
        env=env,
        capture_output=True,
        text=True,
        cwd="/",
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "administrator PIN set in /var/lib/station/private/people.json" in lines
    assert lines[-3].startswith("drwx------ ")  # the store, private to its owner
    assert lines[-2].startswith("readable:") and "/etc/opt/station/policies/managed/10-bank.json" in lines[-2]
    assert lines[-1] == "hashes:", result.stdout  # not the new ones, and the old copy is gone
    assert "Traceback" not in result.stderr
    assert "note: moved /etc/opt/station/people.json into the station's private store" in result.stderr
