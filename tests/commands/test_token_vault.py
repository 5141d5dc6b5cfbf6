"""An installed Linux station keeps its tokens in the station service's private store: `station token`
run by an OS administrator writes them there, the operator's environment and keyring are never read,
and another account can neither read nor change them. Real `station token` children; the installed
layout comes from ``STATION_ASSUME_INSTALLED`` in a folder of the test's own."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.accounts import NOBODY, PYTHON, as_account, needs_root, public_env

TOKEN = "vault-token-0123456789abcdef"
OPERATORS_OWN = "operator-env-token-9876543210"

pytestmark = needs_root


@pytest.fixture
def root() -> Iterator[Path]:
    """A folder another account may enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="station-vault-"))
    os.chmod(folder, 0o755)
    home = folder / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _env(root: Path) -> dict[str, str]:
    return public_env(
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "home"),
        XDG_STATE_HOME=str(root / "home"),
        STATION_ASSUME_INSTALLED="1",
        STATION_MACHINE_CONFIG_DIR=str(root / "config"),
        STATION_MACHINE_DATA_DIR=str(root / "data"),
        STATION_SERVICE_STORE_DIR=str(root / "private"),
        SUREPASS_SANDBOX_TOKEN=OPERATORS_OWN,
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )


def _token(
    root: Path, *argv: str, stdin: str = "", account: int | None = None
) -> subprocess.CompletedProcess[str]:
    command = [PYTHON if account is not None else sys.executable, "-m", "station", "token", *argv]
    env = _env(root)
    if account is None:
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        return subprocess.run(
            command, input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
        )
    return as_account(
        command, uid=account, gid=account, input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_an_administrator_enrols_the_services_token_and_the_operators_environment_is_never_read(
    root: Path,
) -> None:
    done = _token(root, "set", "--env", "sandbox", stdin=TOKEN + "\n")
    assert done.returncode == 0, done.stderr
    assert f"stored in the station service's store ({root / 'private'})" in done.stdout
    vault = root / "private" / "token-sandbox"
    assert vault.read_text().strip() == TOKEN
    assert (
        stat.S_IMODE(vault.stat().st_mode) == 0o600
        and stat.S_IMODE((root / "private").stat().st_mode) == 0o700
    )

    status = _token(root, "status", "--env", "sandbox")
    assert status.returncode == 0 and "the station service's store" in status.stdout, status.stdout
    assert "environment variable" not in status.stdout  # SUREPASS_SANDBOX_TOKEN is set, and ignored
    assert TOKEN not in status.stdout + status.stderr and OPERATORS_OWN not in status.stdout + status.stderr

    cleared = _token(root, "clear", "--env", "sandbox")
    assert cleared.returncode == 0, cleared.stderr
    assert not vault.exists()
    missing = _token(root, "status", "--env", "sandbox")
    assert missing.returncode == 4  # no token: the operator's variable does not stand in


def test_another_account_can_neither_read_nor_replace_the_services_token(root: Path) -> None:
    assert _token(root, "set", "--env", "sandbox", stdin=TOKEN + "\n").returncode == 0
    status = _token(root, "status", "--env", "sandbox", account=NOBODY)
    assert status.returncode != 0
    assert "kept by the station service" in status.stdout + status.stderr
    assert "Traceback" not in status.stderr and TOKEN not in status.stdout + status.stderr

    replaced = _token(root, "set", "--env", "sandbox", stdin="mallory-token-000000000\n", account=NOBODY)
    assert replaced.returncode != 0 and "only an OS administrator" in replaced.stderr, replaced.stderr
    assert "Traceback" not in replaced.stderr
    cleared = _token(root, "clear", "--env", "sandbox", account=NOBODY)
    assert cleared.returncode != 0 and "Traceback" not in cleared.stderr
    assert (root / "private" / "token-sandbox").read_text().strip() == TOKEN
