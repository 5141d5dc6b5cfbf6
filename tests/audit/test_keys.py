"""Where the HMAC key lives: the OS keyring if there is one, else a 0600 file; never the DB."""

from __future__ import annotations

import dataclasses
import stat
import sys
from pathlib import Path

import keyring
import keyring.backends.null
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from station.audit import (
    AuditJournal,
    AuditKeyError,
    AuditRecord,
    load_key,
    load_or_create_key,
    read_key_file,
)
from station.audit.keys import KEYRING_SERVICE, KEYRING_USER
from tests.audit.support import make_record
from tests.keyrings import MemoryKeyring, NoKeyring

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the login keyring is locked")


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's file backends, which must never hold the key."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


def _use(backend: KeyringBackend) -> None:
    keyring.set_keyring(backend)  # conftest restores the previous backend after each test


def test_the_key_is_created_in_the_os_keyring_and_reused(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    _use(backend)
    key_file = tmp_path / "audit.key"
    key = load_or_create_key(key_file)
    assert len(key) == 32
    assert backend.store[(KEYRING_SERVICE, KEYRING_USER)] == key.hex()
    assert load_or_create_key(key_file) == key
    assert load_key(key_file) == key
    assert not key_file.exists()  # a keyring exists: no file


def test_two_fresh_keys_differ(tmp_path: Path) -> None:
    # Explicit (absent) key files: a key file left at the default path by another test would win.
    first, second = MemoryKeyring(), MemoryKeyring()
    _use(first)
    one = load_or_create_key(tmp_path / "one.key")
    _use(second)
    assert load_or_create_key(tmp_path / "two.key") != one


UNUSABLE: list[KeyringBackend | None] = [
    NoKeyring(),
    keyring.backends.null.Keyring(),
    PlaintextKeyring(),
    None,
]


@pytest.mark.parametrize(
    "backend",
    UNUSABLE,
    ids=["NoKeyringError", "null", "keyrings.alt", "fail"],
)
def test_without_a_usable_keyring_the_key_goes_to_a_0600_file(
    tmp_path: Path, backend: KeyringBackend | None
) -> None:
    if backend is not None:
        _use(backend)  # else conftest's keyring.backends.fail.Keyring stays active
    key_file = tmp_path / "data" / "station" / "audit.key"
    key = load_or_create_key(key_file)
    assert len(key) == 32
    assert key_file.read_text(encoding="ascii").strip() == key.hex()
    if sys.platform != "win32":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_or_create_key(key_file) == key
    assert read_key_file(key_file) == key
    if isinstance(backend, PlaintextKeyring):
        assert backend.store == {}


def test_an_existing_key_file_wins_over_a_new_keyring_entry(tmp_path: Path) -> None:
    """A kiosk that gains a keyring later must keep the key its journal was written with."""
    key_file = tmp_path / "audit.key"
    key = load_or_create_key(key_file)  # no keyring yet: a file
    backend = MemoryKeyring()
    _use(backend)
    assert load_or_create_key(key_file) == key
    assert backend.store == {}


def test_a_locked_keyring_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    _use(LockedKeyring())
    key_file = tmp_path / "audit.key"
    with pytest.raises(AuditKeyError, match="refused"):
        load_or_create_key(key_file)
    assert not key_file.exists()


def test_no_key_anywhere(tmp_path: Path) -> None:
    with pytest.raises(AuditKeyError, match="No audit key was found"):
        load_key(tmp_path / "audit.key")
    assert not (tmp_path / "audit.key").exists()


def test_a_malformed_key_file_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text("not hex at all")
    with pytest.raises(AuditKeyError, match="malformed"):
        load_or_create_key(key_file)
    key_file.write_text("abcd")
    with pytest.raises(AuditKeyError, match="malformed"):
        load_or_create_key(key_file)


@posix_only
def test_a_world_readable_key_file_is_restricted(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key = load_or_create_key(key_file)
    key_file.chmod(0o644)
    assert load_or_create_key(key_file) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_key_and_secrets_never_reach_the_database(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    _use(backend)
    key = load_or_create_key(tmp_path / "unused.key")
    assert {f.name for f in dataclasses.fields(AuditRecord)}.isdisjoint(
        {"token", "api_token", "authorization", "image", "image_bytes"}
    )
    token = "sk_live_SECRET_TOKEN_0123456789"
    path = tmp_path / "audit.sqlite3"
    with AuditJournal.open(path, key) as journal:
        for i in range(5):
            journal.append(make_record(i))
        # While open, the rows are (also) in the WAL: check every file SQLite wrote.
        blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    blobs += path.read_bytes()
    for secret in (
        key,
        key.hex().encode(),
        token.encode(),
        backend.store[(KEYRING_SERVICE, KEYRING_USER)].encode(),
    ):
        assert secret not in blobs


def test_open_rejects_a_short_key(tmp_path: Path) -> None:
    with pytest.raises(AuditKeyError, match="too short"):
        AuditJournal.open(tmp_path / "audit.sqlite3", b"short")


@posix_only
def test_an_installed_station_keeps_the_key_in_the_machine_folder_not_an_operators_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal is the machine's: a key in operator A's keyring is one operator B cannot see,
    and B's session would start a second key and break the chain. Installed means the file."""
    import station.locations

    machine_data = tmp_path / "var-lib-station"
    machine_data.mkdir()
    monkeypatch.setattr(station.locations, "installed_data_dir", lambda: machine_data)
    monkeypatch.setattr(station.locations, "running_from_checkout", lambda: False)  # a frozen bundle
    operator_a = MemoryKeyring()
    _use(operator_a)
    key = load_or_create_key()
    assert operator_a.store == {}  # a secure keyring was there and was not used
    key_file = machine_data / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert read_key_file(key_file) == key
    _use(MemoryKeyring())  # operator B's session: an empty keyring of their own
    assert load_key() == key
    assert load_or_create_key() == key
