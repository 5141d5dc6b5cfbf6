"""The trusted side's own store: private from the first byte, refused when it is not, out of the
operator's reach (another account cannot read the hashes nor reset the lockout), and the move of
an older station's readable files into it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.application.people import PIN_LEDGER_FILENAME, move_legacy_people, pin_guard
from station.locations import MachineFolders, service_store_dir
from station.security.lockout import LOCKOUT_AFTER, PinLedger
from station.security.people import People, read_people, write_people
from station.security.pin import PinFileError, PinLockedError, hash_pin
from station.security.private_store import PrivateStore
from tests.accounts import CHECKOUT, NOBODY, PYTHON, as_account, needs_root

ADMIN_PIN, SUP_PIN = "482913", "736204"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root, as CI runs the tests")


def machine(root: Path) -> MachineFolders:
    (root / "config").mkdir(mode=0o755, exist_ok=True)
    return MachineFolders(root / "config", root / "data", installed=True)


def lock_out_the_administrator(store: PrivateStore, folders: MachineFolders) -> None:
    guard = pin_guard(store=store, folders=folders)
    for _ in range(LOCKOUT_AFTER - 1):
        assert not guard.check_admin("111111")[0]
    with pytest.raises(PinLockedError):
        guard.check_admin("111111")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_the_checkout_default_is_the_users_own_and_an_override_moves_it(tmp_path: Path) -> None:
    assert service_store_dir({"STATION_SERVICE_STORE_DIR": str(tmp_path)}, checkout=True) == tmp_path
    assert service_store_dir({}, checkout=True).name == "private"
    installed = {"STATION_SERVICE_STORE_DIR": str(tmp_path), "STATION_ASSUME_INSTALLED": "1"}
    # An installed program ignores the override: an operator cannot point it at a store of theirs.
    assert service_store_dir(installed, checkout=False) != tmp_path
    if sys.platform != "win32":
        assert service_store_dir(installed, checkout=False) == Path("/var/lib/station/private")


def test_every_file_is_private_from_its_first_byte_whatever_the_umask(tmp_path: Path) -> None:
    store = PrivateStore(tmp_path / "private")
    previous = os.umask(0o000)  # the widest umask: nothing may rely on it
    try:
        write_people(store, People(hash_pin(ADMIN_PIN)))
        guard = pin_guard(store=store, folders=machine(tmp_path))
        assert not guard.check_admin("111111")[0]
        # A reader holds the ledger open, so SQLite's -wal and -shm stay while a check writes.
        with contextlib.closing(sqlite3.connect(store.path(PIN_LEDGER_FILENAME))) as reader:
            reader.execute("SELECT count(*) FROM pin_attempts").fetchone()
            assert not guard.check_admin("111111")[0]
            made = {path.name: mode(path) for path in store.folder.iterdir()}
    finally:
        os.umask(previous)
    assert mode(store.folder) == 0o700
    assert set(made) == {"people.json", *(PIN_LEDGER_FILENAME + end for end in ("", "-wal", "-shm"))}
    assert made == dict.fromkeys(made, 0o600)


@as_root
def test_written_as_root_it_belongs_to_the_service_account(tmp_path: Path) -> None:
    store = PrivateStore(tmp_path / "private", service_account="nobody")
    write_people(store, People(hash_pin(ADMIN_PIN)))
    lock_out_the_administrator(store, machine(tmp_path))
    owners = {path.name: path.lstat().st_uid for path in [store.folder, *store.folder.iterdir()]}
    assert set(owners.values()) == {NOBODY}, owners
    assert read_people(store).admin is not None  # root still reads the service's store


def test_a_store_that_cannot_be_created_fails_closed_with_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PinFileError, match=r"private store .* cannot be created"):
        pin_guard(store=PrivateStore(blocker / "private"), folders=machine(tmp_path))


# -- another account against the store -------------------------------------------------------------


@pytest.fixture
def open_root() -> Iterator[Path]:
    """A folder another account may enter (tmp_path's parents are private to root), so only the
    store's own permissions stand between that account and the store."""
    folder = Path(tempfile.mkdtemp(prefix="station-store-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


_ATTACK = r"""
import json, os, sys
from pathlib import Path
store, data = Path(sys.argv[1]), Path(sys.argv[2])
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "done"
    except Exception as exc:
        results[name] = type(exc).__name__
ledger = store / "pin-attempts.sqlite3"
attempt("read people.json", lambda: (store / "people.json").read_bytes())
attempt("list the store", lambda: os.listdir(store))
attempt("delete the ledger", lambda: ledger.unlink())
attempt("delete the ledger's wal", lambda: (store / "pin-attempts.sqlite3-wal").unlink())
attempt("truncate the ledger", lambda: open(ledger, "r+b").truncate(0))
attempt("rename the store", lambda: store.rename(store.parent / "elsewhere"))
attempt("chmod the store", lambda: os.chmod(store, 0o777))
# An empty ledger where older stations kept it: the next start must not take it for the count.
from station.security.lockout import PinLedger
attempt("plant an old ledger", lambda: PinLedger(data / "pin-attempts.sqlite3").locked_until("administrator"))
from station.application.people import pin_guard
def guess():
    pin_guard().check_admin("482913")
attempt("check a PIN itself", guess)
print(json.dumps(results))
"""


def _as_nobody(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return as_account(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


@as_root
@needs_root
def test_another_account_can_neither_read_the_hashes_nor_reset_the_lockout(open_root: Path) -> None:
    store = PrivateStore(open_root / "private")
    folders = machine(open_root)
    folders.data.mkdir(mode=0o777)
    os.chmod(folders.data, 0o777)  # the old data folder every operator could write
    write_people(store, People(hash_pin(ADMIN_PIN), {"sup1": hash_pin(SUP_PIN)}))
    lock_out_the_administrator(store, folders)
    assert store.folder.lstat().st_uid != NOBODY

    home = open_root / "home"
    home.mkdir()
    os.chmod(home, 0o777)
    env = {
        **os.environ,
        "PYTHONPATH": str(CHECKOUT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "STATION_CONFIG_DIR": str(home),
        "STATION_LOG_DIR": str(home),
        "STATION_MACHINE_CONFIG_DIR": str(folders.config),
        "STATION_MACHINE_DATA_DIR": str(folders.data),
        "STATION_SERVICE_STORE_DIR": str(store.folder),
    }
    result = _as_nobody([PYTHON, "-c", _ATTACK, str(store.folder), str(folders.data)], env, open_root)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome == {
        "read people.json": "PermissionError",
        "list the store": "PermissionError",
        "delete the ledger": "PermissionError",
        "delete the ledger's wal": "PermissionError",
        "truncate the ledger": "PermissionError",
        "rename the store": "PermissionError",
        "chmod the store": "PermissionError",
        "plant an old ledger": "done",
        "check a PIN itself": "PrivateStoreError",
    }, result.stderr
    assert (folders.data / PIN_LEDGER_FILENAME).exists()  # planted

    # The trusted side starts again: the planted ledger is removed, the lockout holds.
    guard = pin_guard(store=store, folders=folders)
    assert not (folders.data / PIN_LEDGER_FILENAME).exists()
    assert guard.ledger.locked_until("administrator") is not None
    with pytest.raises(PinLockedError):
        guard.check_admin(ADMIN_PIN)
    assert guard.check_supervisor("sup1", SUP_PIN)[0]  # the others' PINs were not touched


# -- moving an older station's files -----------------------------------------------------------------


def _old_station(root: Path) -> MachineFolders:
    """The layout before the store: people.json 0644 in the config folder, the ledger (with the
    administrator locked out) in the data folder."""
    folders = machine(root)
    old_people = folders.config / "people.json"
    old_people.write_text(
        json.dumps(
            {
                "admin_pin_hash": str(hash_pin(ADMIN_PIN)),
                "supervisors": [{"id": "sup1", "pin_hash": str(hash_pin(SUP_PIN))}],
            }
        )
    )
    os.chmod(old_people, 0o644)
    folders.data.mkdir()
    ledger = PinLedger(folders.data / PIN_LEDGER_FILENAME)
    for _ in range(LOCKOUT_AFTER - 1):
        assert not ledger.check("administrator", lambda: False)[0]
    with pytest.raises(PinLockedError):
        ledger.check("administrator", lambda: False)
    return folders


def test_an_older_stations_files_move_into_the_store_with_their_state(tmp_path: Path) -> None:
    folders = _old_station(tmp_path)
    store = PrivateStore(tmp_path / "private")
    guard = pin_guard(store=store, folders=folders)
    left = sorted(path.name for path in [*folders.config.iterdir(), *folders.data.iterdir()])
    assert left == []  # no readable copy stays behind (people.json, the ledger, its -wal and -shm)
    assert guard.people.supervisors["sup1"].matches(SUP_PIN)  # the hashes were kept
    with pytest.raises(PinLockedError):  # and so was the lockout
        guard.check_admin(ADMIN_PIN)
    assert mode(store.path("people.json")) == 0o600 and mode(store.path(PIN_LEDGER_FILENAME)) == 0o600
    assert move_legacy_people(store, folders) == []  # done once


def test_the_stores_own_files_win_over_an_old_copy(tmp_path: Path) -> None:
    store = PrivateStore(tmp_path / "private")
    write_people(store, People(hash_pin("135790")))
    pin_guard(store=store, folders=machine(tmp_path))  # the store's ledger, with no lockout
    folders = _old_station(tmp_path)
    notes = move_legacy_people(store, folders)
    assert notes == []  # nothing moved: the copies were only removed
    assert not (folders.config / "people.json").exists()
    assert not (folders.data / PIN_LEDGER_FILENAME).exists()
    people = read_people(store)
    assert people.admin is not None and people.admin.matches("135790") and not people.supervisors


def test_an_old_people_file_another_account_could_write_is_not_moved(tmp_path: Path) -> None:
    folders = _old_station(tmp_path)
    os.chmod(folders.config / "people.json", 0o666)
    store = PrivateStore(tmp_path / "private")
    with pytest.raises(PinFileError, match="writable by group or others"):
        pin_guard(store=store, folders=folders)
    assert not store.path("people.json").exists()


def test_a_damaged_old_ledger_starts_a_new_count_and_is_removed(tmp_path: Path) -> None:
    folders = machine(tmp_path)
    folders.data.mkdir()
    (folders.data / PIN_LEDGER_FILENAME).write_bytes(b"not a database at all" * 100)
    store = PrivateStore(tmp_path / "private")
    guard = pin_guard(store=store, folders=folders)
    assert not (folders.data / PIN_LEDGER_FILENAME).exists()
    assert guard.ledger.locked_until("administrator") is None
    with sqlite3.connect(store.path(PIN_LEDGER_FILENAME)) as conn:
        assert conn.execute("SELECT count(*) FROM pin_attempts").fetchone() == (0,)


_SIGN_IN_AS_ADMIN = r"""
from station.application.people import pin_guard
from station.security.pin import PinError
try:
    print(pin_guard().check_admin("482913")[0])
except PinError as exc:
    print(type(exc).__name__, exc)
"""


@as_root
@needs_root
def test_an_installed_station_does_not_trust_a_store_the_operators_account_made(open_root: Path) -> None:
    """Older installs gave the operator's account the machine data folder, so it could make
    `private/` there itself, with an administrator PIN of its choosing. An installed station trusts
    only root's or the service account's store; a developer's checkout also trusts their own."""
    planted = PrivateStore(open_root / "private", service_account="nobody")  # made as root, given away
    write_people(planted, People(hash_pin(ADMIN_PIN)))
    assert planted.folder.lstat().st_uid == NOBODY
    home = open_root / "home"
    home.mkdir()
    os.chmod(home, 0o777)
    env = {
        **os.environ,
        "PYTHONPATH": str(CHECKOUT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "STATION_CONFIG_DIR": str(home),
        "STATION_LOG_DIR": str(home),
        "STATION_MACHINE_CONFIG_DIR": str(open_root / "config"),
        "STATION_MACHINE_DATA_DIR": str(home / "data"),
        "STATION_SERVICE_STORE_DIR": str(planted.folder),
    }
    installed = _as_nobody(
        [PYTHON, "-c", _SIGN_IN_AS_ADMIN], {**env, "STATION_ASSUME_INSTALLED": "1"}, open_root
    )
    assert installed.stdout.startswith("PrivateStoreError"), installed.stdout + installed.stderr
    assert f"owned by uid {NOBODY}" in installed.stdout
    checkout = _as_nobody([PYTHON, "-c", _SIGN_IN_AS_ADMIN], env, open_root)
    assert checkout.stdout.strip() == "True", checkout.stdout + checkout.stderr


@pytest.mark.parametrize(
    "planting",
    [
        "CREATE TABLE extra (x)",
        "CREATE TRIGGER t AFTER UPDATE ON pin_attempts BEGIN DELETE FROM pin_attempts; END",
        "INSERT INTO pin_attempts VALUES ('administrator', 0, 0, 'next tuesday')",
        "INSERT INTO pin_attempts VALUES ('administrator', 0, 0, '2099-01-01T00:00:00')",  # no zone
    ],
)
def test_an_old_ledger_with_more_than_the_count_is_not_moved(tmp_path: Path, planting: str) -> None:
    """The old ledger sat where the operator's account could write it: only a well-formed count
    is taken over; anything else starts a new one, and the old file goes."""
    folders = machine(tmp_path)
    folders.data.mkdir()
    old = folders.data / PIN_LEDGER_FILENAME
    PinLedger(old).locked_until("administrator")  # the real schema
    with contextlib.closing(sqlite3.connect(old)) as conn:
        conn.execute(planting)
        conn.commit()
    store = PrivateStore(tmp_path / "private")
    guard = pin_guard(store=store, folders=folders)
    assert not old.exists()
    assert guard.ledger.locked_until("administrator") is None
    with contextlib.closing(sqlite3.connect(store.path(PIN_LEDGER_FILENAME))) as conn:
        assert conn.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall() == [
            ("table", "pin_attempts"),
            ("index", "sqlite_autoindex_pin_attempts_1"),
        ]
        assert conn.execute("SELECT count(*) FROM pin_attempts").fetchone() == (0,)
