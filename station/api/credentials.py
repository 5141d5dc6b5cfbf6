"""A bearer token bound to one environment, kept out of every output.

:class:`Credential` hides the secret from ``repr``/``str`` so it cannot leak into a log line, a
traceback or an exception message by accident. Where tokens come from (the environment variable
``SUREPASS_<ENV>_TOKEN``, the OS keyring) is :class:`station.application.tokens.TokenStore`'s job.
"""

from __future__ import annotations

import re

from station.api.environments import Environment
from station.api.errors import TokenMalformedError, TokenMissingError
from station.logs import register_secret

__all__ = ["Credential", "TokenSource", "env_var_for"]

#: RFC 6750's ``b64token``: what may follow ``Bearer`` in an Authorization header. A JWT fits.
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")


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
        if not _BEARER_TOKEN.fullmatch(secret):
            # Never say which character: that would show part of the secret.
            raise TokenMalformedError(
                f"the {environment.value} token is malformed: a token holds only ASCII letters, "
                "digits and - . _ ~ + / =, with no spaces, control or non-ASCII characters; "
                "enrol it again"
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
