"""The settings dialog: edits a copy of :class:`~station.config.Settings`, checked in full on OK.

What it guarantees, for the bank's IT, security and audit teams:

* It never changes the :class:`Settings` object it was given (they are immutable anyway) and never
  saves anything: on OK it holds a new, fully validated copy (:meth:`SettingsDialog.result_settings`)
  and the fields the administrator actually changed (:meth:`SettingsDialog.changes`); the caller
  saves and applies them.
* Every value is checked by :meth:`Settings.with_changes`, the same code that checks the settings
  file, so the dialog cannot accept what the station would refuse at start. Problems are shown
  in plain words next to the fields concerned and the dialog stays open.
* Changing a field in :data:`~station.config.SECURITY_FIELDS` (marked ``*``) needs the
  administrator PIN: the injected ``pin_check`` is called with the names of the changed fields
  and the change is refused unless it returns True. Setting or clearing a service token needs it
  too.
* Fields fixed by ``STATION_<FIELD>`` environment variables are shown read-only with a note: a
  value the environment overrides cannot be changed here (it would not take effect).
* Slow or blocking work (listing cameras, reading and writing the OS keyring, which may wait on a
  system prompt) runs in worker threads through ``asyncio.to_thread`` on the qasync loop.

Tokens are stored in the OS keyring only (service ``station``, user = environment), as
``station token set`` does; without a secure store the dialog says so and never falls back to a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final

import keyring
import keyring.errors
import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station.api.credentials import KEYRING_SERVICE, Credential, env_var_for
from station.api.environments import Environment
from station.api.errors import TokenMissingError
from station.commands.token import NO_SECURE_STORE, keyring_backend_is_secure
from station.config import (
    ENV_PREFIX,
    SECURITY_FIELDS,
    Settings,
    SettingsError,
    env_overrides,
    security_fields_changed,
)
from station.core.decision import SeveralFacesPolicy
from station.logs import register_secret
from station.security.jwt_expiry import expiry_warning, format_expiry, token_expiry
from station.security.pin import AdminPin, PinError
from station.ui.pin_dialog import require_admin_pin

__all__ = [
    "FIELD_LABELS",
    "PinCheck",
    "SettingsDialog",
    "TokenStatus",
    "read_token_status",
]

_log = logging.getLogger(__name__)

#: Called with the names of the guarded fields about to change; True = the administrator allowed it.
PinCheck = Callable[[set[str]], bool]
CameraLister = Callable[[], Sequence[tuple[int, str]]]
TokenPrompt = Callable[[Environment], str | None]

_ERROR_STYLE = "QLabel { color: #B71C1C; }"
_NOTE_STYLE = "QLabel { color: #37474F; font-style: italic; }"
_WARNING_STYLE = "QLabel { color: #8A4B00; font-weight: bold; }"

#: The person-facing name of each setting.
FIELD_LABELS: Final[Mapping[str, str]] = {
    "camera": "Camera",
    "environment": "Environment",
    "base_url": "Service address (override)",
    "liveness_threshold": "Liveness threshold",
    "min_detection_score": "Minimum face detection score",
    "review_upper": "Review band upper edge",
    "several_faces": "Several faces in view",
    "jpeg_quality": "JPEG quality",
    "quality_gate": "Check picture quality before sending",
    "connect_timeout": "Connect timeout (seconds)",
    "read_timeout": "Read timeout (seconds)",
    "deadline": "Deadline per verification (seconds)",
    "retry_attempts": "Attempts per verification",
    "proxy": "Proxy",
    "ca_bundle": "Extra CA bundle (PEM file)",
    "audit_db": "Audit journal file",
    "audit_retention_days": "Keep audit records (days)",
    "retain_images": "Keep customers' pictures",
    "station_id": "Station id",
    "kiosk": "Kiosk mode (full screen)",
}

_CHOICES: Final[Mapping[str, Sequence[tuple[str, str]]]] = {
    "environment": (
        (Environment.SANDBOX.value, "Sandbox (tests; no real customers)"),
        (Environment.PRODUCTION.value, "Production (real customers; uses credits)"),
    ),
    "several_faces": (
        (SeveralFacesPolicy.RETRY.value, "Ask for one person in frame"),
        (SeveralFacesPolicy.OPERATOR_PICKS.value, "Operator picks the customer's face"),
    ),
}

_INT_RANGES: Final[Mapping[str, tuple[int, int]]] = {
    "jpeg_quality": (1, 100),
    "retry_attempts": (1, 10),
    "audit_retention_days": (1, 36500),
}

#: (group title, fields) in the order shown.
_GROUPS: Final[Sequence[tuple[str, Sequence[str]]]] = (
    ("Camera", ("camera",)),
    ("Service", ("environment", "base_url")),
    ("Decision", ("liveness_threshold", "min_detection_score", "review_upper", "several_faces")),
    ("Capture", ("jpeg_quality", "quality_gate")),
    ("Network", ("connect_timeout", "read_timeout", "deadline", "retry_attempts", "proxy", "ca_bundle")),
    ("Audit", ("audit_db", "audit_retention_days", "retain_images")),
    ("Station", ("station_id", "kiosk")),
)

_FLOATS = frozenset(
    {"liveness_threshold", "min_detection_score", "connect_timeout", "read_timeout", "deadline"}
)
_OPTIONAL = frozenset({"base_url", "review_upper", "proxy", "ca_bundle"})
_BOOLS = frozenset({"quality_gate", "retain_images", "kiosk"})
_PATHS = frozenset({"ca_bundle", "audit_db"})


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return repr(value)  # exact round trip: an untouched field never "changes"
    return str(value)


def _number_text(text: str) -> str:
    """``0,85`` (a decimal comma) → ``0.85``; anything else unchanged for the model to judge."""
    text = text.strip()
    if "," in text and "." not in text and text.count(",") == 1:
        return text.replace(",", ".")
    return text


def _plain(problem: str) -> str:
    """A model message with field names (``liveness_threshold``) in the dialog's words."""
    # Only names with an underscore: "camera" or "proxy" are also ordinary words in the messages.
    for name in sorted((n for n in FIELD_LABELS if "_" in n), key=len, reverse=True):
        if name in problem:
            problem = problem.replace(name, f"“{FIELD_LABELS[name].lower()}”")
    return problem


# -- tokens ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenStatus:
    """Where an environment's token comes from and when it expires; never the token itself."""

    environment: Environment
    source: str  # "environment variable SUREPASS_…_TOKEN", "OS keyring" or "none"
    expiry: datetime | None = None
    warning: str | None = None
    store_available: bool = True
    problem: str | None = None

    @property
    def enrolled(self) -> bool:
        return self.source != "none"

    def describe(self) -> str:
        if self.problem:
            return self.problem
        if not self.enrolled:
            text = "Not enrolled"
            if not self.store_available:
                text += f" ({NO_SECURE_STORE})"
            return text
        text = f"Enrolled ({self.source})"
        text += f"; expires {format_expiry(self.expiry)}" if self.expiry else "; expiry unknown"
        return text


def read_token_status(environment: Environment, environ: Mapping[str, str] | None = None) -> TokenStatus:
    """The token status of ``environment`` (reads the keyring: call it off the UI thread)."""
    environ = os.environ if environ is None else environ
    from_env = environ.get(env_var_for(environment), "").strip()
    try:
        store_ok = keyring_backend_is_secure()
    except Exception:  # a broken keyring configuration is "no secure store", not a crash
        store_ok = False
    from_keyring: str | None = None
    problem: str | None = None
    if store_ok:
        try:
            from_keyring = keyring.get_password(KEYRING_SERVICE, environment.value)
        except keyring.errors.NoKeyringError:
            store_ok = False
        except keyring.errors.KeyringError as exc:
            problem = f"The OS keyring could not be read ({type(exc).__name__})"
    if from_env:
        source, token = f"environment variable {env_var_for(environment)}", from_env
    elif from_keyring:
        source, token = "OS keyring", from_keyring
    else:
        return TokenStatus(environment, "none", store_available=store_ok, problem=problem)
    register_secret(token)
    expiry = token_expiry(token)
    return TokenStatus(environment, source, expiry, expiry_warning(expiry), store_ok, problem)


def _store_token(environment: Environment, token: str) -> str:
    """Store ``token`` in the OS keyring; the plain result. Raises :class:`_TokenStoreError`."""
    if not keyring_backend_is_secure():
        raise _TokenStoreError(NO_SECURE_STORE)
    try:
        keyring.set_password(KEYRING_SERVICE, environment.value, token)
        kept = keyring.get_password(KEYRING_SERVICE, environment.value)
    except keyring.errors.NoKeyringError:
        raise _TokenStoreError(NO_SECURE_STORE) from None
    except keyring.errors.KeyringError as exc:
        raise _TokenStoreError(
            f"the OS keyring refused the token ({type(exc).__name__}): nothing stored"
        ) from None
    if kept != token:
        raise _TokenStoreError("the OS keyring did not keep the token: nothing stored")
    return f"The {environment.value} token is stored in the OS keyring."


def _clear_token(environment: Environment) -> str:
    if not keyring_backend_is_secure():
        raise _TokenStoreError(NO_SECURE_STORE)
    try:
        keyring.delete_password(KEYRING_SERVICE, environment.value)
    except keyring.errors.NoKeyringError:
        raise _TokenStoreError(NO_SECURE_STORE) from None
    except keyring.errors.PasswordDeleteError:
        return f"No {environment.value} token in the OS keyring: nothing to clear."
    except keyring.errors.KeyringError as exc:
        raise _TokenStoreError(f"the OS keyring refused ({type(exc).__name__}): nothing cleared") from None
    return f"The {environment.value} token was removed from the OS keyring."


class _TokenStoreError(Exception):
    pass


def _default_camera_lister() -> Sequence[tuple[int, str]]:
    from station.camera.sources import list_devices  # late: loads OpenCV

    return list_devices()


def _default_token_prompt(parent: QWidget) -> TokenPrompt:
    def prompt(environment: Environment) -> str | None:
        text, ok = QInputDialog.getText(
            parent,
            "Enrol a token",
            f"The {environment.value} token (not shown while typed):",
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    return prompt


# -- the dialog ------------------------------------------------------------------------------------


class SettingsDialog(QDialog):
    """Edits a copy of ``settings``; see the module docstring for what it guarantees."""

    #: The settings as entered (validated), for a network check before saving.
    network_check_requested = Signal(object)
    #: The token statuses were read again.
    tokens_updated = Signal()
    #: The camera list was read.
    cameras_listed = Signal()

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        pin_check: PinCheck | None = None,
        overrides: Mapping[str, str | None] | None = None,
        camera_lister: CameraLister | None = None,
        token_prompt: TokenPrompt | None = None,
        extra_guarded_fields: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = settings
        self._result: Settings | None = None
        self._changes: dict[str, Any] = {}
        self._pin_check: PinCheck = pin_check or self._default_pin_check
        self._overrides = dict(env_overrides(environ) if overrides is None else overrides)
        self._camera_lister = camera_lister or _default_camera_lister
        self._token_prompt = token_prompt or _default_token_prompt(self)
        self._guarded = frozenset(SECURITY_FIELDS) | frozenset(extra_guarded_fields)
        self._environ = environ
        self._tasks: set[asyncio.Task[None]] = set()
        self._shown_once = False

        self.setWindowTitle("Station settings")
        self.setObjectName("SettingsDialog")
        self.resize(760, 720)

        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self._getters: dict[str, Callable[[], Any]] = {}

        intro = QLabel(
            "Settings marked * change what counts as a live person, where faces are sent or how long "
            "the evidence is kept: changing them needs the administrator PIN."
        )
        intro.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(_ERROR_STYLE)
        self.summary_label.setAccessibleName("Settings problems")
        self.summary_label.hide()

        body = QWidget()
        body_layout = QVBoxLayout(body)
        for title, names in _GROUPS:
            group = QGroupBox(title)
            form = QFormLayout(group)
            for name in names:
                self._add_field(form, name)
            body_layout.addWidget(group)
        body_layout.addWidget(self._build_tokens())
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self._scroll = scroll

        self.netcheck_button = QPushButton("&Network check…")
        self.netcheck_button.setAccessibleName("Network check")
        self.netcheck_button.clicked.connect(self._request_network_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.netcheck_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.summary_label)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

    # -- building ------------------------------------------------------------------------------

    def _add_field(self, form: QFormLayout, name: str) -> None:
        value = getattr(self._original, name)
        label = FIELD_LABELS[name] + (" *" if name in self._guarded else "")
        widget: QWidget
        editor: QWidget
        if name in _BOOLS:
            box = QCheckBox()
            box.setChecked(bool(value))
            widget = editor = box
            self._getters[name] = box.isChecked
        elif name in _CHOICES:
            combo = QComboBox()
            for data, text in _CHOICES[name]:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(_shown(value))))
            widget = editor = combo
            self._getters[name] = combo.currentData
        elif name in _INT_RANGES:
            spin = QSpinBox()
            low, high = _INT_RANGES[name]
            spin.setRange(low, high)
            spin.setValue(int(value))
            widget = editor = spin
            self._getters[name] = spin.value
        else:
            edit = QLineEdit(_shown(value))
            editor = edit
            self._getters[name] = self._text_getter(name, edit)
            if name in _OPTIONAL:
                edit.setPlaceholderText(self._placeholder(name))
            side = name in _PATHS or name == "camera"
            widget = self._with_side_widget(name, edit) if side else edit
        editor.setAccessibleName(FIELD_LABELS[name])
        editor.setToolTip(FIELD_LABELS[name])
        self.fields[name] = editor

        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet(_ERROR_STYLE)
        error.setAccessibleName(f"{FIELD_LABELS[name]}: problem")
        error.hide()
        self.errors[name] = error

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(widget)
        column.addWidget(error)
        if name in self._overrides:
            self._make_read_only(name, editor)
            note = QLabel(
                f"Fixed by the environment variable {ENV_PREFIX}{name.upper()}: change it there, not here."
            )
            note.setWordWrap(True)
            note.setStyleSheet(_NOTE_STYLE)
            self.notes[name] = note
            column.addWidget(note)
        holder = QWidget()
        holder.setLayout(column)
        caption = QLabel(label)
        caption.setBuddy(editor)
        form.addRow(caption, holder)

    @staticmethod
    def _placeholder(name: str) -> str:
        return {
            "base_url": "empty = the environment's own address",
            "review_upper": "empty = no review band",
            "proxy": "empty = the system's proxy settings, if any",
            "ca_bundle": "empty = the operating system's trusted CAs only",
        }.get(name, "")

    def _text_getter(self, name: str, edit: QLineEdit) -> Callable[[], Any]:
        def get() -> Any:
            text = edit.text().strip()
            if name in _OPTIONAL and not text:
                return None
            if name in _FLOATS or name == "review_upper":
                return _number_text(text)
            return text

        return get

    def _with_side_widget(self, name: str, edit: QLineEdit) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        if name == "camera":
            self.camera_combo = QComboBox()
            self.camera_combo.setAccessibleName("Detected cameras")
            self.camera_combo.addItem("Detected cameras…", None)
            self.camera_combo.addItem("Sample picture (demo)", "demo")
            self.camera_combo.activated.connect(self._camera_chosen)
            self.camera_refresh_button = QPushButton("Look again")
            self.camera_refresh_button.setAccessibleName("Look for cameras again")
            self.camera_refresh_button.clicked.connect(self.detect_cameras)
            layout.addWidget(self.camera_combo)
            layout.addWidget(self.camera_refresh_button)
        else:
            browse = QPushButton("Browse…")
            browse.setAccessibleName(f"Choose the {FIELD_LABELS[name].lower()}")
            browse.clicked.connect(lambda _=False, n=name, e=edit: self._browse(n, e))
            layout.addWidget(browse)
            setattr(self, f"{name}_browse_button", browse)
        return row

    def _make_read_only(self, name: str, editor: QWidget) -> None:
        if isinstance(editor, QLineEdit):
            editor.setReadOnly(True)
        else:
            editor.setEnabled(False)
        for attribute in (f"{name}_browse_button",):
            button = getattr(self, attribute, None)
            if isinstance(button, QPushButton):
                button.setEnabled(False)
        if name == "camera":
            self.camera_combo.setEnabled(False)
            self.camera_refresh_button.setEnabled(False)

    def is_read_only(self, name: str) -> bool:
        """True if ``name`` cannot be edited here (fixed by an environment variable)."""
        editor = self.fields[name]
        if isinstance(editor, QLineEdit):
            return editor.isReadOnly()
        return not editor.isEnabled()

    def _browse(self, name: str, edit: QLineEdit) -> None:
        start = edit.text().strip() or str(Path.home())
        if name == "ca_bundle":
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Choose the CA bundle", start, "PEM certificates (*.pem *.crt *.cer);;All files (*)"
            )
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Choose the audit journal file",
                start,
                "Audit journal (*.sqlite3 *.db);;All files (*)",
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
        if chosen:
            edit.setText(chosen)

    def _build_tokens(self) -> QGroupBox:
        group = QGroupBox("Service tokens")
        layout = QVBoxLayout(group)
        explain = QLabel(
            "Tokens are kept in the operating system's keyring, never in a file. A token set by an "
            "environment variable takes precedence. Setting or clearing a token needs the "
            "administrator PIN."
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.token_labels: dict[Environment, QLabel] = {}
        self.token_warnings: dict[Environment, QLabel] = {}
        self.token_set_buttons: dict[Environment, QPushButton] = {}
        self.token_clear_buttons: dict[Environment, QPushButton] = {}
        for environment in Environment:
            status = QLabel("Not read yet")
            status.setWordWrap(True)
            status.setAccessibleName(f"{environment.value} token status")
            warning = QLabel()
            warning.setWordWrap(True)
            warning.setStyleSheet(_WARNING_STYLE)
            warning.setAccessibleName(f"{environment.value} token warning")
            warning.hide()
            set_button = QPushButton("Set token…")
            set_button.setAccessibleName(f"Set the {environment.value} token")
            set_button.clicked.connect(lambda _=False, e=environment: self.set_token(e))
            clear_button = QPushButton("Clear")
            clear_button.setAccessibleName(f"Clear the {environment.value} token")
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
            form.addRow(environment.value.capitalize() + ":", holder)
            self.token_labels[environment] = status
            self.token_warnings[environment] = warning
            self.token_set_buttons[environment] = set_button
            self.token_clear_buttons[environment] = clear_button
        layout.addLayout(form)
        self.token_message = QLabel()
        self.token_message.setWordWrap(True)
        self.token_message.setAccessibleName("Token message")
        layout.addWidget(self.token_message)
        return group

    # -- background work -------------------------------------------------------------------------

    def _spawn(self, coroutine: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks)

    async def wait_idle(self) -> None:
        """For tests and shutdown: wait for the background work under way (cameras, keyring)."""
        while self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.detect_cameras()
            self.refresh_tokens()

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and shiboken6.isValid(self.token_message)

    def detect_cameras(self) -> None:
        """List the local cameras in a worker thread and fill the "detected cameras" list."""
        if "camera" in self._overrides:
            return
        self.camera_combo.setItemText(0, "Looking for cameras…")
        self.camera_refresh_button.setEnabled(False)
        self._spawn(self._list_cameras())

    async def _list_cameras(self) -> None:
        try:
            devices = list(await asyncio.to_thread(self._camera_lister))
        except Exception:
            _log.warning("listing the cameras failed", exc_info=True)
            devices = []
        if not self._alive():
            return
        combo = self.camera_combo
        while combo.count() > 2:
            combo.removeItem(2)
        for index, name in devices:
            combo.addItem(f"Camera {index}: {name}", f"device:{index}")
        combo.setItemText(0, f"Detected cameras ({len(devices)})…" if devices else "No camera found")
        combo.setCurrentIndex(0)
        self.camera_refresh_button.setEnabled(True)
        self.cameras_listed.emit()

    def _camera_chosen(self, index: int) -> None:
        data = self.camera_combo.itemData(index)
        if isinstance(data, str):
            edit = self.fields["camera"]
            assert isinstance(edit, QLineEdit)
            edit.setText(data)

    def refresh_tokens(self) -> None:
        """Read each environment's token status in a worker thread."""
        self._spawn(self._refresh_tokens())

    async def _refresh_tokens(self) -> None:
        statuses = [
            await asyncio.to_thread(read_token_status, environment, self._environ)
            for environment in Environment
        ]
        if not self._alive():
            return
        for status in statuses:
            self.token_labels[status.environment].setText(status.describe())
            warning = self.token_warnings[status.environment]
            warning.setText(f"⚠ {status.warning}" if status.warning else "")
            warning.setVisible(bool(status.warning))
        self.tokens_updated.emit()

    def _token_store_available(self) -> bool:
        try:
            return keyring_backend_is_secure()
        except Exception:
            return False

    def set_token(self, environment: Environment) -> bool:
        """Ask for the PIN, then the token, and store it (in a worker thread). False if refused."""
        if not self._token_store_available():
            self.token_message.setText(NO_SECURE_STORE)
            return False
        if not self._pin_check({f"{environment.value}_token"}):
            self.token_message.setText("The administrator PIN was not given: the token was not changed.")
            return False
        raw = self._token_prompt(environment)
        token = (raw or "").strip()
        if not token:
            self.token_message.setText("No token given: nothing stored.")
            return False
        try:
            Credential(environment, token)  # registers it for redaction; refuses spaces and the like
        except TokenMissingError as exc:
            self.token_message.setText(f"{exc.message}: nothing stored.")
            return False
        self._spawn(self._token_operation(lambda: _store_token(environment, token)))
        return True

    def clear_token(self, environment: Environment) -> bool:
        """Ask for the PIN and delete the keyring entry (in a worker thread). False if refused."""
        if not self._token_store_available():
            self.token_message.setText(NO_SECURE_STORE)
            return False
        if not self._pin_check({f"{environment.value}_token"}):
            self.token_message.setText("The administrator PIN was not given: the token was not changed.")
            return False
        self._spawn(self._token_operation(lambda: _clear_token(environment)))
        return True

    async def _token_operation(self, operation: Callable[[], str]) -> None:
        try:
            message = await asyncio.to_thread(operation)
        except _TokenStoreError as exc:
            message = str(exc)
        if not self._alive():
            return
        self.token_message.setText(message[:1].upper() + message[1:])
        await self._refresh_tokens()

    # -- validating --------------------------------------------------------------------------------

    def _entered(self) -> dict[str, Any]:
        return {name: get() for name, get in self._getters.items() if name not in self._overrides}

    def _validate(self) -> Settings | None:
        """The settings as entered, or ``None`` with the problems shown beside their fields."""
        for label in self.errors.values():
            label.hide()
            label.clear()
        self.summary_label.hide()
        try:
            candidate = self._original.with_changes(**self._entered())
        except SettingsError as exc:
            self._show_problems(exc.problems)
            return None
        return candidate

    def _show_problems(self, problems: Sequence[tuple[str, str]]) -> None:
        general: list[str] = []
        first: QWidget | None = None
        for name, problem in problems:
            label = self.errors.get(name)
            if label is None:
                general.append(_plain(problem))
                continue
            text = _plain(problem)
            label.setText(f"{text[:1].upper()}{text[1:]}" if not label.text() else f"{label.text()}; {text}")
            label.show()
            if first is None:
                first = self.fields[name]
        count = len(problems)
        summary = f"{count} setting{'s' if count != 1 else ''} need{'s' if count == 1 else ''} attention"
        summary += ": " + "; ".join(general) if general else " (shown next to each field)."
        self.summary_label.setText(summary)
        self.summary_label.show()
        if first is not None:
            self._scroll.ensureWidgetVisible(first)
            first.setFocus()

    def problem_text(self, name: str) -> str:
        """The problem shown next to field ``name`` now, or ``""``."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def _default_pin_check(self, fields: set[str]) -> bool:
        names = ", ".join(sorted(FIELD_LABELS.get(n, n.replace("_", " ")).lower() for n in fields))
        try:
            pin = AdminPin.load()
        except PinError as exc:  # a damaged PIN file: fail closed
            QMessageBox.warning(self, "Administrator PIN", f"The PIN cannot be checked: {exc}")
            return False
        return require_admin_pin(self, pin, f"Changing {names} needs the administrator PIN.")

    def accept(self) -> None:
        candidate = self._validate()
        if candidate is None:
            return
        guarded = security_fields_changed(self._original, candidate) | {
            name for name in self._guarded if getattr(self._original, name) != getattr(candidate, name)
        }
        if guarded and not self._pin_check(set(guarded)):
            names = ", ".join(sorted(FIELD_LABELS[n].lower() for n in guarded))
            self.summary_label.setText(
                f"The administrator PIN is needed to change {names}. Nothing was changed."
            )
            self.summary_label.show()
            return
        self._result = candidate
        self._changes = {
            name: getattr(candidate, name)
            for name in Settings.model_fields
            if getattr(candidate, name) != getattr(self._original, name)
        }
        super().accept()

    def done(self, result: int) -> None:
        for task in list(self._tasks):
            task.cancel()
        super().done(result)

    def result_settings(self) -> Settings | None:
        """The validated new settings once accepted; ``None`` before or after a cancel."""
        return self._result

    def changes(self) -> dict[str, Any]:
        """After OK: only the fields whose value changed (never one fixed by the environment).

        Apply these to the settings *file's* values before saving, so a value that only came from
        an environment variable is not written into the file.
        """
        return dict(self._changes)

    def _request_network_check(self) -> None:
        candidate = self._validate()
        if candidate is not None:
            self.network_check_requested.emit(candidate)
