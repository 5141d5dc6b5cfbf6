"""``audit verify`` and ``export`` on a read-only copy: they work, and write nothing anywhere.

When the tests run as root (CI, this machine), permission bits do not stop root, so the commands
run in a child process as the unprivileged ``nobody`` account: a write would really fail. Where
``nobody`` cannot reach the interpreter (a clone in a private ``mktemp -d`` folder), the child
stays root but without the capabilities that override permission bits (util-linux ``setpriv``
drops ``dac_override``, ``dac_read_search`` and ``fowner`` from its bounding set), so a write to
the read-only copy fails just the same. Either way the test compares the folder's files, bytes,
times and modes before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

from station.audit import AuditJournal
from tests.audit.support import KEY, make_record

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and accounts")
REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534


@pytest.fixture
def auditor_dir() -> Iterator[Path]:
    """A folder the ``nobody`` account can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="station-auditor-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def _snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_mode)
        for p in sorted(folder.iterdir())
    }


def _become_nobody() -> None:  # pragma: no cover - runs in the child
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


@cache
def _nobody_can_run_python() -> bool:
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import station"],
            cwd="/",
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            timeout=60,
            preexec_fn=_become_nobody,
            check=False,
        )
    except OSError:  # the interpreter's folder is private: exec is refused
        return False
    return probe.returncode == 0


def _unprivileged(argv: list[str]) -> tuple[list[str], Callable[[], None] | None]:
    """``argv`` as a child that permission bits stop: see the module's docstring."""
    if os.geteuid() != 0:
        return argv, None
    if _nobody_can_run_python():
        return argv, _become_nobody
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root, nobody cannot reach the interpreter, and setpriv is missing"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--", *argv], None


def _auditor_key_mode() -> int:
    """The key copy's mode: readable by ``nobody`` when the child runs as it (the station leaves
    another account's key file as it is), else private to the auditor, as the station would make
    its own key file (it narrows an open one of its own account to 0600: a change, not a write of
    evidence, but this test asserts that nothing changes at all)."""
    return 0o444 if os.geteuid() == 0 and _nobody_can_run_python() else 0o400


def _station(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    config = folder.parent / (folder.name + "-config")
    config.mkdir(mode=0o755, exist_ok=True)
    command, preexec = _unprivileged([sys.executable, "-m", "station", *argv])

    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "STATION_CONFIG_DIR": str(config),
        "HOME": str(config),
        "XDG_DATA_HOME": str(config),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        return subprocess.run(
            command,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=preexec,  # the child has started no threads before exec
            check=False,
        )
    finally:
        shutil.rmtree(config, ignore_errors=True)


def _make_copy(folder: Path, tmp_path: Path, rows: int = 12) -> tuple[Path, Path]:
    original = tmp_path / "live.sqlite3"
    with AuditJournal.open(original, KEY) as journal:
        for i in range(rows):
            journal.append(make_record(i))
    copy = folder / "audit.sqlite3"
    shutil.copyfile(original, copy)  # closed: the WAL was checkpointed, only the main file
    key = folder / "audit.key"
    key.write_text(KEY.hex() + "\n")
    copy.chmod(0o444)
    key.chmod(_auditor_key_mode())
    return copy, key


def test_a_read_only_copy_verifies_and_exports_and_nothing_is_written(
    auditor_dir: Path, tmp_path: Path
) -> None:
    copy, key = _make_copy(auditor_dir, tmp_path)
    auditor_dir.chmod(0o555)
    before = _snapshot(auditor_dir)
    verify = _station(auditor_dir, "audit", "verify", "--audit-db", str(copy), "--key-file", str(key))
    assert verify.returncode == 0, verify.stderr
    assert "intact, 12 rows intact (sequences 1–12)" in verify.stdout
    export = _station(
        auditor_dir, "audit", "export", "--jsonl", "--audit-db", str(copy), "--key-file", str(key)
    )
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 12
    csv_export = _station(
        auditor_dir, "audit", "export", "--csv", "--audit-db", str(copy), "--key-file", str(key)
    )
    assert csv_export.returncode == 0, csv_export.stderr
    assert len(csv_export.stdout.splitlines()) == 13
    assert _snapshot(auditor_dir) == before


def test_an_empty_file_is_never_given_a_schema(auditor_dir: Path) -> None:
    empty = auditor_dir / "audit.sqlite3"
    empty.touch()
    key = auditor_dir / "audit.key"
    key.write_text(KEY.hex() + "\n")
    key.chmod(_auditor_key_mode())
    before = _snapshot(auditor_dir)
    result = _station(auditor_dir, "audit", "verify", "--audit-db", str(empty), "--key-file", str(key))
    assert result.returncode == 0, result.stderr
    assert "journal is empty" in result.stdout
    assert empty.stat().st_size == 0
    assert _snapshot(auditor_dir) == before


def test_read_only_sees_rows_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as writer:
        for i in range(5):
            writer.append(make_record(i))
        assert path.with_name("audit.sqlite3-wal").stat().st_size > 0  # the rows are in the WAL
        main_before = hashlib.sha256(path.read_bytes()).hexdigest()
        with AuditJournal.open(path, KEY, read_only=True) as reader:
            report = reader.verify()
            assert report.ok
            assert report.rows_checked == 5
        assert hashlib.sha256(path.read_bytes()).hexdigest() == main_before


def test_read_only_journal_refuses_appends_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditJournal.open(path, KEY) as journal:
        journal.append(make_record(1))
    with AuditJournal.open(path, KEY, read_only=True) as journal, pytest.raises(Exception, match="read-only"):
        journal.append(make_record(2))


def test_a_journal_this_account_cannot_write_is_refused_when_opened_not_at_the_first_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening for writing must fail on a journal the account can only read: ``station verify``
    checks the journal before it spends a paid call, and this is what it checks."""
    import sqlite3

    import station.audit.journal as journal_module
    from station.audit import AuditWriteError

    key = b"k" * 32
    path = tmp_path / "audit.sqlite3"
    AuditJournal.open(path, key).close()
    if os.geteuid() == 0:  # root writes through mode bits: SQLite's own read-only switch stands in
        connect = journal_module._connect

        def read_only(uri: str, busy_timeout: float) -> sqlite3.Connection:
            conn = connect(uri, busy_timeout)
            conn.execute("PRAGMA query_only = ON")
            return conn

        monkeypatch.setattr(journal_module, "_connect", read_only)
    else:
        path.chmod(0o444)
    with pytest.raises(AuditWriteError, match=r"(?i)read.?only"):
        AuditJournal.open(path, key)
