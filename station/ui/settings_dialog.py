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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
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
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station.application.settings import (
    ENV_PREFIX,
    SECURITY_FIELDS,
    Origin,
    ResolvedSettings,
    Settings,
    SettingsError,
    security_fields_changed,
)
from station.application.tokens import TokenStore
from station.ui.settings_fields import (
    BOOLS,
    CHOICES,
    FLOATS,
    GROUPS,
    INT_RANGES,
    OPTIONAL,
    PATHS,
    PLACEHOLDERS,
    describe_change,
    number_text,
    plain_problem,
    shown,
)
from station.ui.settings_fields import (
    label as setting_label,
)
from station.ui.token_panel import TokenPanel, TokenPrompt

__all__ = ["PinCheck", "SettingsDialog"]

_log = logging.getLogger(__name__)

translate = QCoreApplication.translate

#: Called with what is about to change, in the dialog's words ("change the liveness threshold");
#: True = the administrator allowed it.
PinCheck = Callable[[str], bool]
CameraLister = Callable[[], Sequence[tuple[int, str]]]

_ERROR_STYLE = "QLabel { color: #B71C1C; }"
_NOTE_STYLE = "QLabel { color: #37474F; font-style: italic; }"
_WARNING_STYLE = "QLabel { color: #8A4B00; font-weight: bold; }"


def _default_camera_lister() -> Sequence[tuple[int, str]]:
    from station.camera.sources import list_devices  # late: loads OpenCV

    return list_devices()


def _fixed_note(resolved: ResolvedSettings, name: str) -> str:
    origin = resolved.origin(name)
    if origin is Origin.DEVELOPMENT:
        return translate(
            "Settings", "Fixed by a development override ({variable} or the command line)."
        ).format(variable=f"{ENV_PREFIX}{name.upper()}")
    return translate("Settings", "Set by your organisation ({source}): it cannot be changed here.").format(
        source=origin.value.split("(")[-1].rstrip(")")
    )


def _choice_getter(combo: QComboBox) -> Callable[[], Any]:
    """An empty choice stands for "not set" (an optional setting's None)."""

    def get() -> Any:
        return combo.currentData() or None

    return get


class _WheelGuard(QObject):
    """A spin box or a list changes with the mouse wheel only once it has focus: scrolling the
    dialog over one must not change a value (audit retention 2555 → 2544, then saved)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()
            return True
        return super().eventFilter(watched, event)


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
        settings: ResolvedSettings | Settings,
        parent: QWidget | None = None,
        *,
        pin_check: PinCheck | None = None,
        camera_lister: CameraLister | None = None,
        token_prompt: TokenPrompt | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        resolved = settings if isinstance(settings, ResolvedSettings) else ResolvedSettings(settings, {})
        self._original = resolved.settings
        # Outside development, paths are machine policy: no file dialog reaches the station's
        # folders (Qt's dialog can delete and rename files there).
        self._file_dialogs = resolved.mode.allows_file_dialogs
        self._result: Settings | None = None
        self._changes: dict[str, Any] = {}
        #: Without a PIN check every guarded change is refused (fail closed).
        self._pin_check: PinCheck = pin_check or (lambda _action: False)
        #: Fields this dialog cannot change, and why (policy, a development override).
        self._fixed: dict[str, str] = {
            name: _fixed_note(resolved, name)
            for name in Settings.model_fields
            if resolved.locked(name) or resolved.origin(name) is Origin.DEVELOPMENT
        }
        # The environment follows the mode, which only machine policy and the program decide.
        self._fixed.setdefault(
            "environment", translate("Settings", "Chosen by machine policy: it cannot be changed here.")
        )
        if not self._file_dialogs:
            for name in PATHS:
                self._fixed.setdefault(
                    name,
                    translate("Settings", "On this station IT sets paths by machine policy."),
                )
        self._camera_lister = camera_lister or _default_camera_lister
        self._wheel_guard = _WheelGuard(self)
        self._guarded = frozenset(SECURITY_FIELDS)
        self._environ = environ
        self._tasks: set[asyncio.Task[None]] = set()
        self._shown_once = False

        self.setWindowTitle(translate("Settings", "Station settings"))
        self.setObjectName("SettingsDialog")
        self.resize(760, 720)

        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self._getters: dict[str, Callable[[], Any]] = {}

        intro = QLabel(
            translate(
                "Settings",
                "Most settings here decide what counts as a live person, where customers' faces go or "
                "what evidence is kept: changing them needs the administrator PIN. Settings your "
                "organisation sets by policy are greyed out.",
            )
        )
        intro.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(_ERROR_STYLE)
        self.summary_label.setAccessibleName(translate("Settings", "Settings problems"))
        self.summary_label.hide()

        body = QWidget()
        body_layout = QVBoxLayout(body)
        for title, names in GROUPS:
            group = QGroupBox(translate("Settings", title))
            form = QFormLayout(group)
            for name in names:
                self._add_field(form, name)
            body_layout.addWidget(group)
        self.tokens = TokenPanel(TokenStore(environ), self._pin_check, token_prompt)
        self.tokens.updated.connect(self.tokens_updated)
        body_layout.addWidget(self.tokens)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self._scroll = scroll

        self.netcheck_button = QPushButton(translate("Settings", "&Network check…"))
        self.netcheck_button.setAccessibleName(translate("Settings", "Network check"))
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
        caption_text = setting_label(name)
        widget: QWidget
        editor: QWidget
        if name in BOOLS:
            box = QCheckBox()
            box.setChecked(bool(value))
            widget = editor = box
            self._getters[name] = box.isChecked
        elif name in CHOICES:
            combo = QComboBox()
            for data, text in CHOICES[name]:
                combo.addItem(translate("Settings", text), data)
            combo.setCurrentIndex(max(0, combo.findData(shown(value))))
            widget = editor = combo
            self._getters[name] = _choice_getter(combo)
        elif name in INT_RANGES:
            spin = QSpinBox()
            low, high = INT_RANGES[name]
            spin.setRange(low, high)
            spin.setValue(int(value))
            widget = editor = spin
            self._getters[name] = spin.value
        else:
            edit = QLineEdit(shown(value))
            editor = edit
            self._getters[name] = self._text_getter(name, edit)
            if name in OPTIONAL and name in PLACEHOLDERS:
                edit.setPlaceholderText(translate("Settings", PLACEHOLDERS[name]))
            side = name in PATHS or name == "camera"
            widget = self._with_side_widget(name, edit) if side else edit
        if isinstance(editor, QSpinBox | QComboBox):
            editor.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            editor.installEventFilter(self._wheel_guard)
        editor.setAccessibleName(caption_text)
        editor.setToolTip(caption_text)
        self.fields[name] = editor

        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet(_ERROR_STYLE)
        error.setAccessibleName(translate("Settings", "{setting}: problem").format(setting=caption_text))
        error.hide()
        self.errors[name] = error

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(widget)
        column.addWidget(error)
        if name in self._fixed:
            self._make_read_only(name, editor)
            note = QLabel(self._fixed[name])
            note.setWordWrap(True)
            note.setStyleSheet(_NOTE_STYLE)
            self.notes[name] = note
            column.addWidget(note)
        holder = QWidget()
        holder.setLayout(column)
        caption = QLabel(caption_text)
        caption.setBuddy(editor)
        form.addRow(caption, holder)

    def _text_getter(self, name: str, edit: QLineEdit) -> Callable[[], Any]:
        def get() -> Any:
            text = edit.text().strip()
            if name in OPTIONAL and not text:
                return None
            if name in FLOATS or name == "review_upper":
                return number_text(text)
            return text

        return get

    def _with_side_widget(self, name: str, edit: QLineEdit) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        if name == "camera":
            self.camera_combo = QComboBox()
            self.camera_combo.setAccessibleName(translate("Settings", "Detected cameras"))
            self.camera_combo.addItem(translate("Settings", "Detected cameras…"), None)
            self.camera_combo.addItem(translate("Settings", "Sample picture (demo)"), "demo")
            self.camera_combo.activated.connect(self._camera_chosen)
            self.camera_refresh_button = QPushButton(translate("Settings", "Look again"))
            self.camera_refresh_button.setAccessibleName(translate("Settings", "Look for cameras again"))
            self.camera_refresh_button.clicked.connect(self.detect_cameras)
            layout.addWidget(self.camera_combo)
            layout.addWidget(self.camera_refresh_button)
        elif self._file_dialogs:
            browse = QPushButton(translate("Settings", "Browse…"))
            browse.setAccessibleName(
                translate("Settings", "Choose the {setting}").format(setting=setting_label(name).lower())
            )
            browse.clicked.connect(lambda _=False, n=name, e=edit: self._browse(n, e))
            layout.addWidget(browse)
            setattr(self, f"{name}_browse_button", browse)
        return row

    def _make_read_only(self, name: str, editor: QWidget) -> None:
        editor.setEnabled(False)
        for attribute in (f"{name}_browse_button",):
            button = getattr(self, attribute, None)
            if isinstance(button, QPushButton):
                button.setEnabled(False)
        if name == "camera":
            self.camera_combo.setEnabled(False)
            self.camera_refresh_button.setEnabled(False)

    def is_read_only(self, name: str) -> bool:
        """True if ``name`` cannot be changed here (set by policy, or a development override)."""
        return not self.fields[name].isEnabled()

    def _browse(self, name: str, edit: QLineEdit) -> None:
        if not self._file_dialogs:  # no button exists; a stray call still opens nothing
            return
        start = edit.text().strip() or str(Path.home())
        if name == "ca_bundle":
            chosen, _ = QFileDialog.getOpenFileName(
                self,
                translate("Settings", "Choose the CA bundle"),
                start,
                translate("Settings", "PEM certificates (*.pem *.crt *.cer);;All files (*)"),
            )
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                translate("Settings", "Choose the audit journal file"),
                start,
                translate("Settings", "Audit journal (*.sqlite3 *.db);;All files (*)"),
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
        if chosen:
            edit.setText(chosen)

    # -- background work -------------------------------------------------------------------------

    def _spawn(self, coroutine: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks) or self.tokens.busy

    async def wait_idle(self) -> None:
        """For tests and shutdown: wait for the background work under way (cameras, keyring)."""
        while self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.tokens.wait_idle()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.detect_cameras()
            self.tokens.refresh()

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and shiboken6.isValid(self.summary_label)

    def detect_cameras(self) -> None:
        """List the local cameras in a worker thread and fill the "detected cameras" list."""
        if "camera" in self._fixed:
            return
        self.camera_combo.setItemText(0, translate("Settings", "Looking for cameras…"))
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
            combo.addItem(
                translate("Settings", "Camera {index}: {name}").format(index=index, name=name),
                f"device:{index}",
            )
        combo.setItemText(
            0,
            translate("Settings", "Detected cameras ({count})…").format(count=len(devices))
            if devices
            else translate("Settings", "No camera found"),
        )
        combo.setCurrentIndex(0)
        self.camera_refresh_button.setEnabled(True)
        self.cameras_listed.emit()

    def _camera_chosen(self, index: int) -> None:
        data = self.camera_combo.itemData(index)
        if isinstance(data, str):
            edit = self.fields["camera"]
            assert isinstance(edit, QLineEdit)
            edit.setText(data)

    # -- validating --------------------------------------------------------------------------------

    def _entered(self) -> dict[str, Any]:
        return {name: get() for name, get in self._getters.items() if name not in self._fixed}

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
                general.append(plain_problem(problem))
                continue
            text = plain_problem(problem)
            label.setText(f"{text[:1].upper()}{text[1:]}" if not label.text() else f"{label.text()}; {text}")
            label.show()
            if first is None:
                first = self.fields[name]
        count = len(problems)
        summary = (
            translate("Settings", "{count} setting needs attention")
            if count == 1
            else translate("Settings", "{count} settings need attention")
        ).format(count=count)
        summary += (
            ": " + "; ".join(general)
            if general
            else " " + translate("Settings", "(shown next to each field).")
        )
        self.summary_label.setText(summary)
        self.summary_label.show()
        if first is not None:
            self._scroll.ensureWidgetVisible(first)
            first.setFocus()

    def problem_text(self, name: str) -> str:
        """The problem shown next to field ``name`` now, or ``""``."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def accept(self) -> None:
        candidate = self._validate()
        if candidate is None:
            return
        guarded = security_fields_changed(self._original, candidate) | {
            name for name in self._guarded if getattr(self._original, name) != getattr(candidate, name)
        }
        if guarded and not self._pin_check(describe_change(guarded)):
            names = ", ".join(sorted(setting_label(n).lower() for n in guarded))
            self.summary_label.setText(
                translate(
                    "Settings", "The administrator PIN is needed to change {settings}. Nothing was changed."
                ).format(settings=names)
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
