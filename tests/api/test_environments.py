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
)
from station.api.environments import base_url_for


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


def test_credential_refuses_blank_and_cannot_be_pickled() -> None:
    import pickle

    with pytest.raises(TokenMissingError):
        Credential(Environment.SANDBOX, "   ")
    with pytest.raises(TypeError):
        pickle.dumps(Credential(Environment.SANDBOX, "tok"))
