"""One station per user: the second start pings the first and steps aside."""

from __future__ import annotations

import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from pytestqt.qtbot import QtBot

from station.ui.single_instance import SingleInstance, server_name_for


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
    path = Path(QDir.tempPath()) / server_name_for(key)
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
