"""Fixtures for the audit journal tests: a real SQLite file per test, a fixed key, no keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from station.audit import AuditJournal
from tests.audit.support import KEY, make_record


@pytest.fixture(autouse=True)
def _no_real_keyring() -> Iterator[None]:
    """No audit test may read or write the developer's keyring: the default is 'none exists'."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "journal" / "audit.sqlite3"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.key"
    path.write_text(KEY.hex() + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


@pytest.fixture
def filled(db_path: Path) -> Path:
    """A closed journal holding rows 1..10."""
    with AuditJournal.open(db_path, KEY) as journal:
        for i in range(10):
            journal.append(make_record(i))
    return db_path
