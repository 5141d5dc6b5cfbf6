"""The settings dialog's "Service tokens" group: each environment's token status, Set and Clear.

A view of :class:`~station.application.tokens.TokenStore`: every keyring rule lives there. Reading
and writing the keyring may wait on a system prompt, so it runs in worker threads; setting or
clearing a token needs the administrator PIN first (the token is not even asked for without it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.application.service import Credential, Environment, TokenMissingError
from station.application.tokens import NO_SECURE_STORE, NoSecureStoreError, TokenStore, TokenStoreError

__all__ = ["TokenPanel", "TokenPrompt"]

translate = QCoreApplication.translate

#: Asks for an environment's token; None if the person cancelled.
TokenPrompt = Callable[[Environment], str | None]
#: Asks for the administrator PIN before the named change; True if given.
TokenPinCheck = Callable[[str], bool]

_WARNING_STYLE = "QLabel { color: #8A4B00; font-weight: bold; }"


def default_token_prompt(parent: QWidget) -> TokenPrompt:
    def prompt(environment: Environment) -> str | None:
        text, ok = QInputDialog.getText(
            parent,
            translate("Tokens", "Enrol a token"),
            translate("Tokens", "The {environment} token (not shown while typed):").format(
                environment=environment.value
            ),
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    return prompt


def _environment_name(environment: Environment) -> str:
    names = {
        Environment.SANDBOX: translate("Tokens", "Sandbox"),
        Environment.PRODUCTION: translate("Tokens", "Production"),
    }
    return names.get(environment, environment.value.capitalize())


class TokenPanel(QGroupBox):
    #: The statuses were read again.
    updated = Signal()

    def __init__(
        self,
        store: TokenStore,
        pin_check: TokenPinCheck,
        token_prompt: TokenPrompt | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(translate("Tokens", "Service tokens"), parent)
        self._store = store
        self._pin_check = pin_check
        self._prompt = token_prompt or default_token_prompt(self)
        self._tasks: set[asyncio.Task[None]] = set()
        layout = QVBoxLayout(self)
        explain = QLabel(
            translate(
                "Tokens",
                "Tokens are kept in the operating system's keyring, never in a file. A token set by an "
                "environment variable takes precedence. Setting or clearing a token needs the "
                "administrator PIN.",
            )
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.labels: dict[Environment, QLabel] = {}
        self.warnings: dict[Environment, QLabel] = {}
        self.set_buttons: dict[Environment, QPushButton] = {}
        self.clear_buttons: dict[Environment, QPushButton] = {}
        for environment in Environment:
            form.addRow(_environment_name(environment) + ":", self._row(environment))
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(translate("Tokens", "Token message"))
        layout.addWidget(self.message)

    def _row(self, environment: Environment) -> QWidget:
        status = QLabel(translate("Tokens", "Not read yet"))
        status.setWordWrap(True)
        status.setAccessibleName(
            translate("Tokens", "{environment} token status").format(environment=environment.value)
        )
        warning = QLabel()
        warning.setWordWrap(True)
        warning.setStyleSheet(_WARNING_STYLE)
        warning.setAccessibleName(
            translate("Tokens", "{environment} token warning").format(environment=environment.value)
        )
        warning.hide()
        set_button = QPushButton(translate("Tokens", "Set token…"))
        set_button.setAccessibleName(
            translate("Tokens", "Set the {environment} token").format(environment=environment.value)
        )
        set_button.clicked.connect(lambda _=False, e=environment: self.set_token(e))
        clear_button = QPushButton(translate("Tokens", "Clear"))
        clear_button.setAccessibleName(
            translate("Tokens", "Clear the {environment} token").format(environment=environment.value)
        )
        clear_button.clicked.connect(lambda _=False, e=environment: self.clear_token(e))
        row = QHBoxLayout()
        row.addWidget(status, 1)
        row.addWidget(set_button)
        row.addWidget(clear_button)
        column = QVBoxLayout()
        column.addLayout(row)
        column.addWidget(warning)
        holder = QWidget()
        holder.setLayout(column)
        self.labels[environment] = status
        self.warnings[environment] = warning
        self.set_buttons[environment] = set_button
        self.clear_buttons[environment] = clear_button
        return holder

    # -- background work ---------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks)

    async def wait_idle(self) -> None:
        while self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and shiboken6.isValid(self.message)

    # -- actions -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read each environment's token status in a worker thread."""
        self._spawn(self._refresh())

    async def _refresh(self) -> None:
        statuses = [await asyncio.to_thread(self._store.status, environment) for environment in Environment]
        if not self._alive():
            return
        for status in statuses:
            self.labels[status.environment].setText(status.describe())
            warning = self.warnings[status.environment]
            warning.setText(f"⚠ {status.warning}" if status.warning else "")
            warning.setVisible(bool(status.warning))
        self.updated.emit()

    def _say(self, text: str) -> None:
        self.message.setText(text[:1].upper() + text[1:])

    def set_token(self, environment: Environment) -> bool:
        """Ask for the PIN, then the token, and store it (in a worker thread). False if refused."""
        if not self._store.secure_store_available():
            self.message.setText(NO_SECURE_STORE)
            return False
        if not self._pin_check(
            translate("Tokens", "change the {environment} service token").format(
                environment=environment.value
            )
        ):
            self._say(translate("Tokens", "The administrator PIN was not given: the token was not changed."))
            return False
        token = (self._prompt(environment) or "").strip()
        if not token:
            self._say(translate("Tokens", "No token given: nothing stored."))
            return False
        try:
            Credential(environment, token)  # checked at once, before the worker thread
        except TokenMissingError as exc:
            self._say(translate("Tokens", "{problem}: nothing stored.").format(problem=exc.message))
            return False
        self._spawn(self._operate(lambda: self._store_token(environment, token)))
        return True

    def _store_token(self, environment: Environment, token: str) -> str:
        self._store.store(environment, token)
        return translate("Tokens", "The {environment} token is stored in the OS keyring.").format(
            environment=environment.value
        )

    def clear_token(self, environment: Environment) -> bool:
        """Ask for the PIN and delete the keyring entry (in a worker thread). False if refused."""
        if not self._store.secure_store_available():
            self.message.setText(NO_SECURE_STORE)
            return False
        if not self._pin_check(
            translate("Tokens", "remove the {environment} service token").format(
                environment=environment.value
            )
        ):
            self._say(translate("Tokens", "The administrator PIN was not given: the token was not changed."))
            return False
        self._spawn(self._operate(lambda: self._clear_token(environment)))
        return True

    def _clear_token(self, environment: Environment) -> str:
        if self._store.clear(environment):
            return translate("Tokens", "The {environment} token was removed from the OS keyring.").format(
                environment=environment.value
            )
        return translate("Tokens", "No {environment} token in the OS keyring: nothing to clear.").format(
            environment=environment.value
        )

    async def _operate(self, operation: Callable[[], str]) -> None:
        try:
            text = await asyncio.to_thread(operation)
        except NoSecureStoreError:
            text = NO_SECURE_STORE
        except TokenMissingError as exc:
            text = translate("Tokens", "{problem}: nothing stored").format(problem=exc.message)
        except TokenStoreError as exc:
            text = translate("Tokens", "{problem}: nothing changed").format(problem=exc)
        if not self._alive():
            return
        self._say(text)
        await self._refresh()
