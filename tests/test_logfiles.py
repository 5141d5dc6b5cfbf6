"""Rotating log files: redaction in the real file, rotation, incident ids, idempotence."""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.logfiles import (
    ENV_LOG_DIR,
    HANDLER_NAME,
    LOG_FILENAME,
    configure_file_logging,
    default_log_dir,
    log_incident,
    new_incident_id,
)
from station.logs import register_secret
from tests.accounts import NOBODY, PYTHON, as_account, needs_root, public_env


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    handler_levels = {h: h.level for h in root.handlers}
    yield
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
        elif handler in handler_levels:
            handler.setLevel(handler_levels[handler])
    root.setLevel(level)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]


def test_the_file_is_created_private_and_idempotent(tmp_path: Path) -> None:
    path = configure_file_logging(tmp_path / "logs")
    assert path == (tmp_path / "logs" / LOG_FILENAME).resolve()
    assert configure_file_logging(tmp_path / "logs") == path
    assert len(_ours()) == 1
    logging.getLogger("station.test").info("hello from the test")
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 INFO station\.test ", text, re.M)
    assert "hello from the test" in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another directory replaces the handler instead of adding a second one.
    other = configure_file_logging(tmp_path / "elsewhere")
    assert other != path
    assert len(_ours()) == 1


def test_log_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_LOG_DIR, str(tmp_path / "from-env"))
    assert default_log_dir() == tmp_path / "from-env"
    assert configure_file_logging().parent == (tmp_path / "from-env").resolve()


def test_an_installed_station_logs_in_the_machine_folder_whatever_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile clean-up must not take the logs with it, and an operator's environment does not
    move them (every development override is ignored on an installed station)."""
    import getpass

    import station.locations

    machine_data = tmp_path / "var-lib-station"
    machine_data.mkdir()
    monkeypatch.setattr(station.locations, "installed_data_dir", lambda: machine_data)
    monkeypatch.setattr(station.locations, "running_from_checkout", lambda: False)  # a frozen bundle
    monkeypatch.setenv(ENV_LOG_DIR, str(tmp_path / "operator-chose-this"))
    assert default_log_dir() == machine_data / "logs" / getpass.getuser()
    path = configure_file_logging()
    logging.getLogger("station.test").warning("kept on the machine")
    assert path.parent == (machine_data / "logs" / getpass.getuser()).resolve()
    assert "kept on the machine" in path.read_text()
    assert not (tmp_path / "operator-chose-this").exists()


def test_secrets_are_redacted_in_the_file(tmp_path: Path) -> None:
    secret = "registered-token-Zq81xY"
    register_secret(secret)
    path = configure_file_logging(tmp_path)
    log = logging.getLogger("station.test")
    log.warning("calling with %s", secret)
    log.warning("header was Authorization: Bearer abc.def-123_unregistered")
    try:
        raise RuntimeError(f"failed with token {secret}")
    except RuntimeError:
        log.exception("request failed")
    text = path.read_text(encoding="utf-8")
    assert secret not in text
    assert "abc.def-123_unregistered" not in text
    assert "Bearer [REDACTED]" in text
    assert text.count("[REDACTED]") >= 3
    assert "Traceback" in text


def test_rotation(tmp_path: Path) -> None:
    path = configure_file_logging(tmp_path, max_bytes=2_000, backup_count=2)
    log = logging.getLogger("station.test")
    for i in range(200):
        log.info("line %03d %s", i, "x" * 40)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [LOG_FILENAME, f"{LOG_FILENAME}.1", f"{LOG_FILENAME}.2"]
    assert all(p.stat().st_size <= 2_000 for p in tmp_path.iterdir())
    assert "line 199" in path.read_text(encoding="utf-8")


def test_incident_id_and_traceback(tmp_path: Path) -> None:
    path = configure_file_logging(tmp_path)
    secret = "incident-secret-token-77"
    register_secret(secret)

    def deep() -> None:
        raise ValueError(f"bad state near {secret}")

    try:
        deep()
    except ValueError as exc:
        incident = log_incident(exc, "while showing the result")
    assert re.fullmatch(r"[A-Z2-7]{8}", incident)
    text = path.read_text(encoding="utf-8")
    assert f"incident {incident}: while showing the result: ValueError" in text
    assert "Traceback (most recent call last)" in text
    assert "in deep" in text
    assert secret not in text


def test_incident_ids_differ() -> None:
    ids = {new_incident_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[A-Z2-7]{8}", i) for i in ids)


def test_file_logging_does_not_make_the_console_chattier(tmp_path: Path) -> None:
    root = logging.getLogger()
    console = logging.StreamHandler()
    console.set_name("station-console-test")
    root.addHandler(console)
    root.setLevel(logging.WARNING)
    try:
        configure_file_logging(tmp_path, level=logging.INFO)
        assert root.level == logging.INFO
        assert console.level == logging.WARNING
    finally:
        root.removeHandler(console)


_WHERE_LOGS_GO = """
import logging
from station.logfiles import configure_file_logging
path = configure_file_logging()
logging.getLogger("station.test").warning("an operator's line")
print(path)
"""


@needs_root
def test_an_operator_of_the_station_service_logs_in_their_own_folder(tmp_path: Path) -> None:
    """With ``install.sh --system`` the machine data folder is the service's alone (0700): the
    operator's process, its client, must still start, and logs in the operator's own folder."""
    open_root = Path(tempfile.mkdtemp(prefix="station-logs-"))
    try:
        os.chmod(open_root, 0o755)
        data = open_root / "var-lib-station"
        data.mkdir(mode=0o700)
        home = open_root / "home"
        home.mkdir()
        os.chown(home, NOBODY, NOBODY)
        env = public_env(
            HOME=str(home),
            XDG_STATE_HOME=str(home / "state"),
            STATION_ASSUME_INSTALLED="1",
            STATION_MACHINE_DATA_DIR=str(data),
            STATION_LOG_DIR=str(open_root / "ignored-on-an-installed-station"),
        )
        done = as_account(
            [PYTHON, "-c", _WHERE_LOGS_GO], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        path = Path(done.stdout.strip())
        assert path.is_relative_to(home / "state") and "an operator's line" in path.read_text()
        assert list(data.iterdir()) == []  # nothing of the operator's in the service's folder
        assert not (open_root / "ignored-on-an-installed-station").exists()
    finally:
        shutil.rmtree(open_root, ignore_errors=True)
