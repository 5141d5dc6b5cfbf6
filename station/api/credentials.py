"""A bearer token bound to one environment, kept out of every output.

:class:`Credential` hides the secret from ``repr``/``str`` so it cannot leak into a log line, a
traceback or an exception message by accident. Where tokens come from (the environment variable
``SUREPASS_<ENV>_TOKEN``, the OS keyring) is :class:`station.application.tokens.TokenStore`'s job.
"""

from __future__ import annotations

from station.api.environments import Environment
from station.api.errors import TokenMissingError
from station.logs import register_secret

__all__ = ["Credential", "TokenSource", "env_var_for"]


def env_var_for(environment: Environment) -> str:
    return f"SUREPASS_{environment.value.upper()}_TOKEN"


class TokenSource:
    ENVIRONMENT_VARIABLE = "environment variable"
    KEYRING = "OS keyring"
    GIVEN = "given"


class Credential:
    """A bearer token bound to the environment it was enrolled for."""

    __slots__ = ("_secret", "environment", "source")

    def __init__(self, environment: Environment, secret: str, source: str = TokenSource.GIVEN):
        secret = secret.strip()
        if not secret:
            raise TokenMissingError(f"the {environment.value} token is empty")
        if any(ch.isspace() for ch in secret) or not secret.isprintable():
            raise TokenMissingError(
                f"the {environment.value} token contains spaces or control characters; enrol it again"
            )
        register_secret(secret)
        self._secret = secret
        self.environment = environment
        self.source = source

    def authorization_header(self) -> str:
        return f"Bearer {self._secret}"

    def reveal(self) -> str:
        """The secret itself, for redaction filters and the keyring only."""
        return self._secret

    def __repr__(self) -> str:
        return f"Credential(environment={self.environment.value!r}, source={self.source!r}, secret=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str:
        raise TypeError("a Credential cannot be pickled")
