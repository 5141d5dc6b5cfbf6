"""Where a token may go: environments, base URLs, and tokens kept apart."""

from __future__ import annotations

import pytest

from station.api import (
    ConfigurationError,
    Credential,
    Environment,
    EnvironmentMismatchError,
    LivenessClient,
    TokenMissingError,
    load_credential,
)
from station.api.environments import base_url_for
from tests.keyrings import MemoryKeyring


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_contract_base_urls() -> None:
    assert base_url_for(Environment.SANDBOX) == "https://sandbox.surepass.app"
    assert base_url_for(Environment.PRODUCTION) == "https://kyc-api.surepass.app"


@pytest.mark.anyio
async def test_default_hosts() -> None:
    async with LivenessClient(Credential(Environment.PRODUCTION, "tok-prod")) as client:
        assert client.api_host == "kyc-api.surepass.app"
    async with LivenessClient(Credential(Environment.SANDBOX, "tok-sbx")) as client:
        assert client.api_host == "sandbox.surepass.app"


def test_sandbox_token_never_goes_to_production() -> None:
    with pytest.raises(EnvironmentMismatchError, match="refusing to send the sandbox token to production"):
        LivenessClient(Credential(Environment.SANDBOX, "tok"), environment=Environment.PRODUCTION)


def test_production_token_never_goes_to_the_sandbox_host_by_override() -> None:
    with pytest.raises(EnvironmentMismatchError, match="sandbox service"):
        LivenessClient(Credential(Environment.PRODUCTION, "tok"), base_url="https://sandbox.surepass.app")


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "http://10.0.0.5:8080", "ftp://127.0.0.1", "https://user:pw@gw.bank", "not a url"],
)
def test_refused_base_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        LivenessClient(Credential(Environment.SANDBOX, "tok"), base_url=url)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:9", "https://gw.bank.example"]
)
async def test_accepted_base_urls(url: str) -> None:
    async with LivenessClient(Credential(Environment.SANDBOX, "tok"), base_url=url) as client:
        assert client.api_host


def test_missing_token_names_environment_and_how_to_enrol(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUREPASS_PRODUCTION_TOKEN", raising=False)
    with pytest.raises(TokenMissingError) as caught:
        load_credential(Environment.PRODUCTION)
    text = str(caught.value)
    assert "production" in text
    assert "station token set --env production" in text
    assert "SUREPASS_PRODUCTION_TOKEN" in text


def test_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUREPASS_SANDBOX_TOKEN", "  tok-from-env  ")
    credential = load_credential(Environment.SANDBOX)
    assert credential.reveal() == "tok-from-env"
    assert credential.environment is Environment.SANDBOX
    assert "tok-from-env" not in repr(credential)


def test_token_from_keyring(monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    monkeypatch.delenv("SUREPASS_SANDBOX_TOKEN", raising=False)
    memory_keyring.store[("station", "sandbox")] = "tok-from-keyring"
    assert load_credential(Environment.SANDBOX).reveal() == "tok-from-keyring"
    with pytest.raises(TokenMissingError):
        load_credential(Environment.PRODUCTION)


def test_no_keyring_means_no_token(monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> None:
    monkeypatch.delenv("SUREPASS_SANDBOX_TOKEN", raising=False)
    with pytest.raises(TokenMissingError, match="SUREPASS_SANDBOX_TOKEN"):
        load_credential(Environment.SANDBOX)


def test_credential_refuses_blank_and_cannot_be_pickled() -> None:
    import pickle

    with pytest.raises(TokenMissingError):
        Credential(Environment.SANDBOX, "   ")
    with pytest.raises(TypeError):
        pickle.dumps(Credential(Environment.SANDBOX, "tok"))
