"""``station admin``: PIN hashes for policy, and who approves, written only with the OS's rights."""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import pytest

from station.commands import admin as admin_command
from station.commands.admin import NO_PERMISSION, add_arguments, run
from station.security.people import read_people_file
from station.security.pin import PinHash


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STATION_MACHINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("STATION_MACHINE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "config"


def invoke(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    parser = argparse.ArgumentParser(prog="station admin")
    add_arguments(parser)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(parser.parse_args(argv))


def test_hash_pin_prints_a_line_for_a_policy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: Path
) -> None:
    assert invoke(monkeypatch, ["hash-pin"], "482913\n482913\n") == 0
    line = capsys.readouterr().out.strip()
    assert PinHash.parse(line).matches("482913")
    assert "482913" not in line
    assert not machine.exists()  # it stores nothing


def test_init_and_supervisors_need_the_os_administrator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: Path
) -> None:
    monkeypatch.setattr(admin_command, "is_os_administrator", lambda: False)
    assert invoke(monkeypatch, ["init"], "482913\n482913\n") == NO_PERMISSION
    assert invoke(monkeypatch, ["supervisor", "add", "sup1"], "736204\n736204\n") == NO_PERMISSION
    assert "administrator rights" in capsys.readouterr().err
    assert not (machine / "people.json").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="writes the machine file as root (CI runs as root)")
def test_init_and_supervisors_write_the_machine_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], machine: Path
) -> None:
    assert invoke(monkeypatch, ["init"], "482913\n482914\n") == 64  # not the same twice
    assert invoke(monkeypatch, ["init"], "123456\n123456\n") == 64  # breaks the rule
    assert invoke(monkeypatch, ["init"], "482913\n482913\n") == 0
    assert invoke(monkeypatch, ["supervisor", "add", "sup1"], "736204\n736204\n") == 0
    assert invoke(monkeypatch, ["supervisor", "add", "administrator"], "736204\n736204\n") == 64
    people = read_people_file(machine / "people.json")
    assert people.admin is not None and people.admin.matches("482913")
    assert people.supervisors["sup1"].matches("736204")
    document = json.loads((machine / "people.json").read_text())
    assert "482913" not in json.dumps(document) and "736204" not in json.dumps(document)
    capsys.readouterr()
    assert invoke(monkeypatch, ["supervisor", "list"]) == 0
    assert capsys.readouterr().out.split() == ["sup1"]
    assert invoke(monkeypatch, ["supervisor", "remove", "sup1"]) == 0
    assert invoke(monkeypatch, ["supervisor", "remove", "sup1"]) == 64
    assert read_people_file(machine / "people.json").supervisors == {}
    assert read_people_file(machine / "people.json").admin is not None  # the admin PIN stays
