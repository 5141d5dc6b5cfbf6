"""Key files are opened without following links and never block: /dev/zero, FIFOs, folders.

Each case runs in a child process with a deadline, so a loader that hangs fails the test
instead of stalling the suite.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from station.audit import AuditKeyError, load_key, load_or_create_key, read_key_file
from tests.audit.support import KEY

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs and devices")
REPO = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from pathlib import Path
import keyring, keyring.backends.fail
keyring.set_keyring(keyring.backends.fail.Keyring())
from station.audit import AuditKeyError, load_or_create_key, read_key_file
path = Path(sys.argv[2])
try:
    (read_key_file if sys.argv[1] == "read" else load_or_create_key)(path)
except AuditKeyError as exc:
    print("REFUSED", exc)
else:
    print("LOADED")
"""


def _in_child(how: str, path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, how, str(path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=30,  # a loader that blocks on a FIFO or /dev/zero would never answer
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("how", ["read", "load"])
def test_a_link_to_dev_zero_is_refused_and_dev_zero_is_not_touched(tmp_path: Path, how: str) -> None:
    before = os.stat("/dev/zero")
    key_file = tmp_path / "audit.key"
    key_file.symlink_to("/dev/zero")
    out = _in_child(how, key_file)
    assert out.startswith("REFUSED")
    assert f"{key_file} is a symbolic link, not a regular file" in out
    after = os.stat("/dev/zero")
    assert (after.st_mode, after.st_uid) == (before.st_mode, before.st_uid)


@pytest.mark.parametrize("how", ["read", "load"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, how: str) -> None:
    key_file = tmp_path / "audit.key"
    os.mkfifo(key_file, 0o644)
    out = _in_child(how, key_file)
    assert f"{key_file} is a FIFO (named pipe), not a regular file" in out
    assert stat.S_IMODE(key_file.lstat().st_mode) == 0o644  # not chmod'ed


def test_a_folder_a_dangling_link_and_a_big_file_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.key"
    folder.mkdir()
    with pytest.raises(AuditKeyError, match=f"{folder} is a folder"):
        read_key_file(folder)
    dangling = tmp_path / "dangling.key"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(AuditKeyError, match="is a symbolic link"):
        load_or_create_key(dangling)  # never "no key yet, create one" through the link
    assert not (tmp_path / "nowhere").exists()
    big = tmp_path / "big.key"
    big.write_bytes(b"0" * 100_000)
    with pytest.raises(AuditKeyError, match="100000 bytes"):
        load_key(big)


def test_a_link_to_a_real_key_is_refused_too(tmp_path: Path) -> None:
    real = tmp_path / "real.key"
    real.write_text(KEY.hex())
    link = tmp_path / "audit.key"
    link.symlink_to(real)
    with pytest.raises(AuditKeyError, match="symbolic link"):
        read_key_file(link)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another account")
def test_a_readable_key_file_of_another_account_is_not_chmodded(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o644)
    os.chown(key_file, 65534, 65534)
    assert read_key_file(key_file) == KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o644


def test_our_own_readable_key_file_is_narrowed(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o644)
    assert read_key_file(key_file) == KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
