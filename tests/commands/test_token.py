"""``station token``: enrol, inspect and clear tokens in a fake in-memory keyring."""

from __future__ import annotations

import argparse
import base64
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.application.tokens import NO_SECURE_STORE
from station.commands.token import add_arguments, run
from station.security.keyring_rules import secure_keyring
from tests.keyrings import MemoryKeyring
from tests.machine import use_machine_policy


def make_jwt(exp: datetime) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'sub': 'branch', 'exp': int(exp.timestamp())})}.c2lnbmF0dXJl"


@pytest.fixture
def memory(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    return memory_keyring


@pytest.fixture(autouse=True)
def _no_env_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUREPASS_SANDBOX_TOKEN", raising=False)
    monkeypatch.delenv("SUREPASS_PRODUCTION_TOKEN", raising=False)


def invoke(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    parser = argparse.ArgumentParser(prog="station token")
    add_arguments(parser)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(parser.parse_args(argv))


def test_set_status_clear(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = make_jwt(datetime.now(UTC) + timedelta(days=3, hours=1))
    assert invoke(monkeypatch, ["set", "--env", "sandbox"], stdin=secret + "\n") == 0
    assert memory.store == {("station", "sandbox"): secret}

    assert invoke(monkeypatch, ["status"]) == 0
    out = capsys.readouterr()
    assert "sandbox: enrolled (OS keyring)" in out.out
    assert "WARNING: the token expires in 3 days" in out.out
    assert "production: not enrolled" in out.out

    assert invoke(monkeypatch, ["clear", "--env", "sandbox"]) == 0
    assert memory.store == {}
    # The environment asked about has no token: that is what the exit code says.
    assert invoke(monkeypatch, ["status", "--env", "sandbox"]) == 4
    out = capsys.readouterr()
    assert "sandbox: not enrolled" in out.out
    assert secret not in out.out + out.err
    for chunk in secret.split("."):
        assert chunk not in out.out + out.err


def test_status_names_the_environment_variable(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    memory.store[("station", "production")] = "prod-keyring-token-123"
    monkeypatch.setenv("SUREPASS_PRODUCTION_TOKEN", "opaque-production-token-456")
    assert invoke(monkeypatch, ["status", "--env", "production"]) == 0
    out = capsys.readouterr().out
    assert "production: enrolled (environment variable SUREPASS_PRODUCTION_TOKEN" in out
    assert "takes precedence" in out
    assert "expiry unknown" in out
    assert "opaque-production-token-456" not in out
    assert "prod-keyring-token-123" not in out


def test_expired_token_warns(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    memory.store[("station", "sandbox")] = make_jwt(datetime.now(UTC) - timedelta(days=2, hours=1))
    assert invoke(monkeypatch, ["status", "--env", "sandbox"]) == 0
    assert "WARNING: the token expired on" in capsys.readouterr().out


@pytest.mark.parametrize("stdin", ["", "\n", "   \n"])
def test_empty_token_is_refused(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str
) -> None:
    assert invoke(monkeypatch, ["set", "--env", "production"], stdin=stdin) == 64
    assert "no token given" in capsys.readouterr().err
    assert memory.store == {}


def test_token_with_spaces_is_refused(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(monkeypatch, ["set", "--env", "sandbox"], stdin="two words-secret\n") == 64
    err = capsys.readouterr().err
    assert "spaces" in err
    assert "words-secret" not in err
    assert memory.store == {}


def test_set_uses_getpass_on_a_terminal(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return "typed-token-value-789"

    monkeypatch.setattr("station.commands.token.getpass.getpass", fake_getpass)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    monkeypatch.setattr("sys.stdin", Terminal("should-not-be-read\n"))
    assert run(parser.parse_args(["set", "--env", "sandbox"])) == 0
    assert prompts == ["sandbox token (not shown): "]
    assert memory.store[("station", "sandbox")] == "typed-token-value-789"
    assert "typed-token-value-789" not in capsys.readouterr().out


def test_no_token_on_the_command_line() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["set", "--env", "sandbox", "some-token"])


@pytest.mark.parametrize("argv", [["set", "--env", "sandbox"], ["status"], ["clear", "--env", "production"]])
def test_no_secure_store(
    no_keyring: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert invoke(monkeypatch, argv, stdin="a-token-that-must-not-be-stored\n") == 4
    out = capsys.readouterr()
    lines = out.err.splitlines()
    assert lines[0] == NO_SECURE_STORE
    assert NO_SECURE_STORE == "no secure store: enrol with the environment variable or install one"
    assert "SUREPASS_" in out.err
    assert "a-token-that-must-not-be-stored" not in out.out + out.err


def test_null_backend_counts_as_no_store(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import keyring.backends.fail
    import keyring.backends.null

    previous = keyring.get_keyring()
    try:
        for backend in (keyring.backends.null.Keyring(), keyring.backends.fail.Keyring()):
            keyring.set_keyring(backend)
            assert secure_keyring() is None
            assert invoke(monkeypatch, ["set", "--env", "sandbox"], stdin="some-token-value\n") == 4
            assert capsys.readouterr().err.splitlines()[0] == NO_SECURE_STORE
    finally:
        keyring.set_keyring(previous)


def test_status_with_env_token_and_no_store_succeeds(
    no_keyring: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", "env-only-token-abc")
    assert invoke(monkeypatch, ["status", "--env", "sandbox"]) == 0
    out = capsys.readouterr().out
    assert "sandbox: enrolled (environment variable SUREPASS_SANDBOX_TOKEN)" in out
    assert "env-only-token-abc" not in out


def test_status_exit_code_follows_the_environment_in_use(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    memory.store[("station", "sandbox")] = "sandbox-token-value"
    # The station uses sandbox (the default): production having no token is reported, not an error.
    assert invoke(monkeypatch, ["status"]) == 0
    out = capsys.readouterr().out
    assert "sandbox: enrolled (OS keyring)" in out
    assert "production: not enrolled" in out
    use_machine_policy(monkeypatch, tmp_path / "machine-config", {"environment": "production"})
    assert invoke(monkeypatch, ["status"]) == 4
    assert "the station uses production, which has no token" in capsys.readouterr().err
