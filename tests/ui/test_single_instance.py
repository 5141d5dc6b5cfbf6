"""One station per user: the second start pings the first and steps aside."""

from __future__ import annotations

import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from station.security.instance_address import InstanceFolderError, instance_address
from station.ui.single_instance import SingleInstance


@pytest.fixture
def key() -> str:
    return f"station-test-{uuid.uuid4().hex}"


@pytest.fixture
def instances() -> Iterator[list[SingleInstance]]:
    made: list[SingleInstance] = []
    yield made
    for instance in made:
        instance.close()
        instance.deleteLater()


def _new(instances: list[SingleInstance], key: str) -> SingleInstance:
    instance = SingleInstance(key)
    instances.append(instance)
    return instance


def test_the_first_start_is_primary_and_a_second_one_activates_it(
    qtbot: QtBot, key: str, instances: list[SingleInstance]
) -> None:
    first = _new(instances, key)
    assert first.try_become_primary()
    assert first.is_primary
    second = _new(instances, key)
    with qtbot.waitSignal(first.activation_requested, timeout=5_000):
        assert not second.try_become_primary()
    assert not second.is_primary

    # And again: each later start is another request.
    third = _new(instances, key)
    with qtbot.waitSignal(first.activation_requested, timeout=5_000):
        assert not third.try_become_primary()


def test_different_keys_do_not_meet(key: str, instances: list[SingleInstance]) -> None:
    assert _new(instances, key).try_become_primary()
    assert _new(instances, key + "-other").try_become_primary()


def test_after_the_primary_closes_the_next_start_is_primary(
    key: str, instances: list[SingleInstance]
) -> None:
    first = _new(instances, key)
    assert first.try_become_primary()
    first.close()
    assert _new(instances, key).try_become_primary()


def test_junk_on_the_socket_does_nothing(qtbot: QtBot, key: str, instances: list[SingleInstance]) -> None:
    from PySide6.QtNetwork import QLocalSocket

    first = _new(instances, key)
    assert first.try_become_primary()
    seen: list[bool] = []
    first.activation_requested.connect(lambda: seen.append(True))
    client = QLocalSocket()
    client.connectToServer(first.server_name)
    assert client.waitForConnected(2_000)
    client.write(b"rm -rf /\n")
    client.flush()
    client.waitForBytesWritten(2_000)
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=5_000)
    client.abort()
    assert seen == []


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no stale file behind")
def test_a_stale_socket_file_is_replaced(key: str, instances: list[SingleInstance]) -> None:
    path = Path(instance_address(key).server)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # a socket file nobody listens on: what a crashed station leaves
    stale.close()
    assert path.exists()
    first = _new(instances, key)
    assert first.try_become_primary()
    second = _new(instances, key)
    assert not second.try_become_primary()


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        SingleInstance("")


def _old_predictable_name(key: str) -> str:
    """What station 0.x listened on: the key and user name, hashed, in the shared temp folder."""
    import getpass
    import hashlib

    return "station-" + hashlib.sha256(f"{key}\0{getpass.getuser()}".encode()).hexdigest()[:16]


def test_a_neighbour_squatting_the_shared_temp_folder_does_not_stop_the_station(
    key: str, instances: list[SingleInstance]
) -> None:
    """Another local user listening (and holding the lock) where a predictable name would be, in
    the shared temporary folder: the kiosk still starts, because its socket is not there."""
    from PySide6.QtCore import QLockFile

    squatter = QLocalServer()
    squatter.setSocketOptions(QLocalServer.SocketOption.WorldAccessOption)
    assert squatter.listen(_old_predictable_name(key))
    held = QLockFile(str(Path(QDir.tempPath()) / f"{_old_predictable_name(key)}.lock"))
    assert held.tryLock(1_000)
    try:
        first = _new(instances, key)
        assert first.try_become_primary()
        assert first.server_name != _old_predictable_name(key)
        if sys.platform != "win32":
            from station.locations import user_data_dir

            assert Path(first.server_name).parent == user_data_dir() / "instance"
    finally:
        held.unlock()
        squatter.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_the_socket_lives_in_a_folder_only_the_station_account_can_enter(
    key: str, instances: list[SingleInstance]
) -> None:
    import os
    import shutil
    import stat
    import tempfile

    short = Path(tempfile.mkdtemp(prefix="si-"))  # a socket path must stay under 100 bytes
    folder = short / "instance"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # someone opened it up: it is closed again before use
    first = SingleInstance(key, folder=folder)
    instances.append(first)
    assert first.try_become_primary()
    assert Path(first.server_name).parent == folder
    info = os.stat(folder)
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == os.geteuid()
    assert stat.S_IMODE(os.stat(folder / "instance.secret").st_mode) == 0o600
    first.close()
    shutil.rmtree(short)


def test_the_name_carries_a_secret_nobody_else_can_work_out(key: str, tmp_path: Path) -> None:
    one = instance_address(key, tmp_path / "one")
    assert instance_address(key, tmp_path / "one") == one  # stable for this account
    other = instance_address(key, tmp_path / "two")  # same key and user, another secret
    assert Path(other.server).name != Path(one.server).name
    assert _old_predictable_name(key) not in one.server


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
def test_a_link_in_place_of_the_folder_is_refused_and_the_station_still_starts(
    key: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "instance"
    link.symlink_to(elsewhere)
    with pytest.raises(InstanceFolderError, match="not a folder"):
        instance_address(key, link)
    station = SingleInstance(key, folder=link)
    try:
        assert station.try_become_primary()  # a branch keeps working without the check
    finally:
        station.close()
