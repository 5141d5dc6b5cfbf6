"""The one token store: environment variable over keyring, one rule for which keyring is safe."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest

from station.api import Environment, TokenMissingError
from station.application.tokens import NO_SECURE_STORE, NoSecureStoreError, TokenStore, TokenStoreError
from station.security.keyring_rules import is_secure_backend, secure_keyring
from tests.keyrings import MemoryKeyring


def test_missing_token_names_environment_and_how_to_enrol() -> None:
    with pytest.raises(TokenMissingError) as caught:
        TokenStore(environ={}).credential(Environment.PRODUCTION)
    text = str(caught.value)
    assert "production" in text
    assert "station token set --env production" in text
    assert "Settings ▸ Service tokens" in text
    assert "SUREPASS_PRODUCTION_TOKEN" in text


def test_token_from_environment() -> None:
    credential = TokenStore({"SUREPASS_SANDBOX_TOKEN": "  tok-from-env  "}).credential(Environment.SANDBOX)
    assert credential.reveal() == "tok-from-env"
    assert credential.environment is Environment.SANDBOX
    assert "tok-from-env" not in repr(credential)


def test_environment_variable_wins_over_the_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[("station", "sandbox")] = "tok-from-keyring"
    store = TokenStore({"SUREPASS_SANDBOX_TOKEN": "tok-from-env"})
    assert store.credential(Environment.SANDBOX).reveal() == "tok-from-env"
    assert store.overridden_by_environment(Environment.SANDBOX)
    assert not store.overridden_by_environment(Environment.PRODUCTION)


def test_token_from_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[("station", "sandbox")] = "tok-from-keyring"
    store = TokenStore(environ={})
    assert store.credential(Environment.SANDBOX).reveal() == "tok-from-keyring"
    with pytest.raises(TokenMissingError):
        store.credential(Environment.PRODUCTION)


def test_no_keyring_means_no_token(no_keyring: None) -> None:
    store = TokenStore(environ={})
    with pytest.raises(TokenMissingError, match="SUREPASS_SANDBOX_TOKEN"):
        store.credential(Environment.SANDBOX)
    status = store.status(Environment.SANDBOX)
    assert not status.enrolled
    assert not status.store_available
    assert NO_SECURE_STORE in status.describe()
    with pytest.raises(NoSecureStoreError):
        store.store(Environment.SANDBOX, "a-token-value")
    with pytest.raises(NoSecureStoreError):
        store.clear(Environment.SANDBOX)


@pytest.fixture
def insecure_backends() -> Iterator[list[object]]:
    previous = keyring.get_keyring()
    yield [keyring.backends.null.Keyring(), keyring.backends.fail.Keyring()]
    keyring.set_keyring(previous)


def test_null_and_fail_backends_are_no_store(insecure_backends: list[object]) -> None:
    for backend in insecure_backends:
        keyring.set_keyring(backend)  # type: ignore[arg-type]
        assert secure_keyring() is None
        with pytest.raises(NoSecureStoreError):
            TokenStore(environ={}).store(Environment.SANDBOX, "some-token-value")


def test_a_chain_is_judged_by_every_backend_it_holds() -> None:
    class Chain:
        def __init__(self, backends: list[object]) -> None:
            self.backends = backends

    assert is_secure_backend(Chain([MemoryKeyring()]))
    assert not is_secure_backend(Chain([MemoryKeyring(), keyring.backends.null.Keyring()]))
    assert not is_secure_backend(Chain([]))


def test_store_checks_keeps_and_clears(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore(environ={})
    with pytest.raises(TokenMissingError, match="spaces"):
        store.store(Environment.SANDBOX, "two words")
    with pytest.raises(TokenMissingError, match="too long"):
        store.store(Environment.SANDBOX, "x" * 20_000)
    assert memory_keyring.store == {}
    store.store(Environment.SANDBOX, "  good-token-value  ")
    assert memory_keyring.store == {("station", "sandbox"): "good-token-value"}
    assert store.status(Environment.SANDBOX).source == "OS keyring"
    assert store.clear(Environment.SANDBOX)
    assert not store.clear(Environment.SANDBOX)
    assert memory_keyring.store == {}


def test_a_keyring_that_loses_the_token_is_an_error(memory_keyring: MemoryKeyring) -> None:
    class Forgetful(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            return None

    previous = keyring.get_keyring()
    keyring.set_keyring(Forgetful())
    try:
        with pytest.raises(TokenStoreError, match="did not keep"):
            TokenStore(environ={}).store(Environment.SANDBOX, "a-token-value")
    finally:
        keyring.set_keyring(previous)
