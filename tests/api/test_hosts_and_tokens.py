"""Hosts are normalised before the sandbox/production guard, which refuses before any DNS; a token
that cannot be a bearer token is a token problem (exit 4), said without showing it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from station.api import (
    ConfigurationError,
    Credential,
    Environment,
    EnvironmentMismatchError,
    LivenessClient,
    TokenMalformedError,
    TokenMissingError,
)
from station.api.environments import is_loopback_host, known_environment_of, normalize_host, validate_base_url
from station.application.tokens import TokenStore
from station.config import SettingsError, parse_settings
from station.resources import sample_path

PRODUCTION_SPELLINGS = [
    "https://kyc-api.surepass.app.",
    "https://kyc-api.surepass.app.:443/",
    "https://KYC-API.SurePass.App",
    "https://kyc-api.surepass.app:443",
    "https://kyc-api.surepass.app:8443/gateway",
    "HTTPS://kyc-api.surepass.app",
    "https://\uff4b\uff59\uff43-api.surepass.app",  # full-width letters, mapped by IDNA
    "https://kyc-api.surepass.app\u3002",  # an ideographic full stop as the root's dot
    "  https://kyc-api.surepass.app.  ",
]


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any name look-up fails the test: the guard must decide on the name alone."""
    lookups: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        lookups.append(args)
        raise AssertionError(f"a DNS look-up was attempted: {args[:2]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    yield lookups
    assert lookups == []


@pytest.mark.parametrize("url", PRODUCTION_SPELLINGS)
def test_every_spelling_of_the_production_host_is_production(url: str, no_dns: list[Any]) -> None:
    assert known_environment_of(validate_base_url(url)) is Environment.PRODUCTION
    with pytest.raises(EnvironmentMismatchError, match="production service"):
        LivenessClient(Credential(Environment.SANDBOX, "sandbox-token"), base_url=url)


@pytest.mark.parametrize(
    "url",
    ["https://sandbox.surepass.app.", "https://SANDBOX.surepass.app:443/", "https://sandbox.surepass.app。"],
)
def test_every_spelling_of_the_sandbox_host_is_sandbox(url: str, no_dns: list[Any]) -> None:
    with pytest.raises(EnvironmentMismatchError, match="sandbox service"):
        LivenessClient(Credential(Environment.PRODUCTION, "production-token"), base_url=url)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://kyc-api.surepass.app.:443/", "https://kyc-api.surepass.app"),
        ("https://GW.Bank.Example:8443/liveness/", "https://gw.bank.example:8443/liveness"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://LOCALHOST.:80", "http://localhost"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("http://[0:0::1]:9", "http://[::1]:9"),
        ("https://sandbox.surepass.app/", "https://sandbox.surepass.app"),
    ],
)
def test_base_urls_are_normalised(raw: str, expected: str, no_dns: list[Any]) -> None:
    assert str(validate_base_url(raw)) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://kyc-api.surepass.app%2e",
        "https://kyc-api.surepass.app..",
        "https://kyc-api..surepass.app",
        "https://.kyc-api.surepass.app",
        "https://a_b.bank.example",
        "https://-gw.bank.example",
        "https://[::1",
        "https://gw.bank.example:99999",
        "https://gw.bank.example?x=1",
        "https://gw.bank.example/#top",
        "https://user@gw.bank.example",
        "http://gw.bank.example",
        "ftp://127.0.0.1",
        "https://",
    ],
)
def test_names_that_are_not_host_names_are_refused(url: str, no_dns: list[Any]) -> None:
    with pytest.raises(ConfigurationError):
        validate_base_url(url)


def test_normalize_host_spellings() -> None:
    assert normalize_host("KYC-API.surepass.app.") == "kyc-api.surepass.app"
    assert normalize_host("[::1]") == "::1"
    assert normalize_host(" 127.0.0.1 ") == "127.0.0.1"
    assert normalize_host("xn--bcher-kva.example") == normalize_host("BÜCHER.example.")
    with pytest.raises(ConfigurationError, match="not a valid host name"):
        normalize_host("")


def test_the_settings_file_cannot_slip_past_either(no_dns: list[Any]) -> None:
    with pytest.raises(SettingsError, match="production service"):
        parse_settings({"environment": "sandbox", "base_url": "https://kyc-api.surepass.app.:443/"})


def test_station_verify_refuses_the_dotted_production_host_for_a_sandbox_token(tmp_path: Path) -> None:
    """No network here: had the guard let it through, this would be a DNS failure (exit 5). The
    settings layer refuses the override as a base URL of the other environment (exit 64, usage),
    before any client exists."""
    env = dict(os.environ, SUREPASS_SANDBOX_TOKEN="sandbox-token-abc")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "station", "verify", str(sample_path("face.jpg")), "--env", "sandbox"),
            *("--base-url", "https://kyc-api.surepass.app.:443/", "--audit-db", str(tmp_path / "a.db")),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 64, done.stdout + done.stderr
    assert "production service" in done.stderr
    assert "Traceback" not in done.stderr


# -- malformed tokens ------------------------------------------------------------------------

MALFORMED = ["tök-en-abc", "tok\x00en-abc", "two words", "tok\u200ben-abc", "tab\tbed", "tok=en", "é"]


@pytest.mark.parametrize("token", MALFORMED)
def test_a_malformed_token_is_a_token_error_that_does_not_show_it(token: str) -> None:
    with pytest.raises(TokenMalformedError) as caught:
        Credential(Environment.SANDBOX, token)
    assert isinstance(caught.value, TokenMissingError)  # callers that handle "no token" handle this
    message = str(caught.value)
    assert "sandbox token is malformed" in message
    assert token.strip() not in message


@pytest.mark.parametrize(
    "token", ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "a-b_c.d~e+f/g==", "demo-token", "x"]
)
def test_bearer_shaped_tokens_are_accepted(token: str) -> None:
    assert Credential(Environment.SANDBOX, f"  {token} ").reveal() == token


def test_a_malformed_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUREPASS_PRODUCTION_TOKEN", "prød-token-123")
    with pytest.raises(TokenMalformedError, match="production token is malformed"):
        TokenStore().credential(Environment.PRODUCTION)


def test_station_verify_exits_4_for_a_non_ascii_token(tmp_path: Path) -> None:
    token = "tøken-with-a-non-ascii-letter"
    env = dict(os.environ, SUREPASS_SANDBOX_TOKEN=token, PYTHONUTF8="1")
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [
                *(
                    sys.executable,
                    "-m",
                    "station",
                    "verify",
                    str(sample_path("face.jpg")),
                    "--env",
                    "sandbox",
                ),
                *("--audit-db", str(tmp_path / "a.db"), *extra),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 4, output
        assert "token is malformed" in output
        assert "codec" not in output
        assert token not in output
        assert "Traceback" not in output


# -- exact words and edges of the guard (issue 19: mutation testing) -------------------------


def test_refusals_say_what_is_wrong() -> None:
    cases = {
        "https://gw.bank.example:99999": "not a valid base URL: 'https://gw.bank.example:99999'",
        "ftp://gw": "the base URL must start with https:// and name a host: 'ftp://gw'",
        "https://u@gw.bank.example": "the base URL must not carry credentials, a query or a fragment",
        "http://gw.bank.example": (
            "plain http:// is only allowed to this machine (loopback); use https:// for gw.bank.example"
        ),
        "https://gw_1.bank": "not a valid host name: 'gw_1.bank'",
    }
    for url, message in cases.items():
        with pytest.raises(ConfigurationError) as caught:
            validate_base_url(url)
        assert caught.value.message == message


def test_long_input_is_cut_in_the_message() -> None:
    long = "ftp://" + "g" * 400
    with pytest.raises(ConfigurationError) as caught:
        validate_base_url(long)
    assert caught.value.message == f"the base URL must start with https:// and name a host: {long[:200]!r}"
    bad_port = "https://" + "g" * 300 + ":99999"
    with pytest.raises(ConfigurationError) as caught:
        validate_base_url(bad_port)
    assert caught.value.message == f"not a valid base URL: {bad_port[:200]!r}"
    long_path = "https://gw.bank.example/" + "p" * 70_000  # too long for httpx
    with pytest.raises(ConfigurationError) as caught:
        validate_base_url(long_path)
    assert caught.value.message == f"not a valid base URL: {long_path[:200]!r}"
    with pytest.raises(ConfigurationError) as caught:
        validate_base_url("https://gw.bank.example/\x00")
    assert caught.value.message == "not a valid base URL: 'https://gw.bank.example/\\x00'"
    host = "h_" * 100
    with pytest.raises(ConfigurationError) as caught:
        normalize_host(host)
    assert caught.value.message == f"not a valid host name: {host[:80]!r}"


def test_only_a_balanced_bracket_pair_marks_an_address() -> None:
    assert normalize_host("[::1]") == "::1"
    for text in ("[gw.bank.example", "gw.bank.example]", "[gw.bank.example]", "[::1", "::1]"):
        with pytest.raises(ConfigurationError):
            normalize_host(text)


def test_the_path_keeps_its_case_and_loses_only_trailing_slashes() -> None:
    assert validate_base_url("https://gw.bank.example/API-X//").path == "/API-X"
    assert validate_base_url("https://gw.bank.example/").path == "/"


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "127.0.0.1", "127.9.9.9", "::1", "[::1]"])
def test_loopback_however_spelled(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["localhost.example", "10.0.0.1", "::2", "local_host", "", "xlocalhost"])
def test_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


def test_a_known_host_that_is_not_a_valid_name_is_still_recognised() -> None:
    assert known_environment_of(httpx.URL("https://KYC-API.surepass.app..")) is Environment.PRODUCTION
    assert known_environment_of(httpx.URL("https://sandbox.surepass.app...:8443")) is Environment.SANDBOX
    assert known_environment_of(httpx.URL("https://gw_1.bank")) is None
