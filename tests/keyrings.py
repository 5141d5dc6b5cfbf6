"""Keyring backends for tests: keyring's own interface, nothing stored on disk, never the OS's.

Installed with ``keyring.set_keyring`` by the ``memory_keyring`` / ``no_keyring`` fixtures in
``tests/conftest.py``, which put the previous backend back afterwards.
"""

from __future__ import annotations

import keyring.errors
from jaraco.classes import properties
from keyring.backend import KeyringBackend

__all__ = ["MemoryKeyring", "NoKeyring"]


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's own classproperty
        raise RuntimeError("test backend: installed explicitly only, never chosen by keyring")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not there")


class NoKeyring(KeyringBackend):
    """What a headless Linux kiosk without a Secret Service looks like to keyring."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's own classproperty
        raise RuntimeError("test backend: installed explicitly only, never chosen by keyring")

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no Secret Service on this machine")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no Secret Service on this machine")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no Secret Service on this machine")
