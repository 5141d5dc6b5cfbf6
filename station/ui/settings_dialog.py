"""The settings dialog: draws :class:`~station.application.settings_form.SettingsForm`, whose
rules (read-only fields, reading typed values, changes, what needs the PIN) say what it guarantees.

The dialog builds the widgets, forwards what is entered and shows the answers. It never saves: on
OK it holds a validated copy and the changes for the caller to save through the settings store,
which enforces the administrator PIN; the dialog asks for it first (``pin_check``), on the spot.
Listing cameras and the OS keyring (tokens only there, never a file) run in worker threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
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

from station.application.background import Background
from station.application.settings import ResolvedSettings, Settings
from station.application.settings_form import (
    DEMO_CAMERA,
    PATHS,
    CameraLister,
    Checked,
    FileChoice,
    Fixed,
    FixedBy,
    Problems,
    SettingsForm,
)
from station.application.tokens import TokenStore
from station.ui.settings_fields import (
    BOOLS,
    CHOICES,
    GROUPS,
    INT_RANGES,
    PLACEHOLDERS,
    describe_change,
    plain_problem,
)
from station.ui.settings_fields import label as setting_label
from station.ui.token_panel import TokenPanel, TokenPrompt

__all__ = ["PinCheck", "SettingsDialog"]

translate = QCoreApplication.translate

#: Called with what is about to change, in the dialog's words ("change the liveness threshold");
#: True = the administrator allowed it.
PinCheck = Callable[[str], bool]

_ERROR_STYLE = "QLabel { color: #B71C1C; }"
_NOTE_STYLE = "QLabel { color: #37474F; font-style: italic; }"


def _fixed_note(fixed: Fixed) -> str:
    """The note under a field the form cannot change, in the interface language."""
    notes = {
        FixedBy.DEVELOPMENT: translate(
            "Settings", "Fixed by a development override ({variable} or the command line)."
        ),
        FixedBy.POLICY: translate(
            "Settings", "Set by your organisation ({source}): it cannot be changed here."
        ),
        FixedBy.MODE: translate("Settings", "Chosen by machine policy: it cannot be changed here."),
        FixedBy.PATH_POLICY: translate("Settings", "On this station IT sets paths by machine policy."),
    }
    return notes[fixed.by].format(variable=fixed.detail, source=fixed.detail)


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
        #: The rules: what is fixed, how values are read, what changed and needs the PIN.
        self.form = SettingsForm(settings, [n for _title, names in GROUPS for n in names], camera_lister)
        self._accepted: Checked | None = None
        #: Without a PIN check every guarded change is refused (fail closed).
        self._pin_check: PinCheck = pin_check or (lambda _action: False)
        self._wheel_guard = _WheelGuard(self)
        #: Listing the cameras; cancelled when the dialog closes.
        self._background = Background()
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
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

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
        value = getattr(self.form.original, name)
        current = self.form.shown(name)
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
            combo.setCurrentIndex(max(0, combo.findData(current)))
            widget = editor = combo
            self._getters[name] = combo.currentData
        elif name in INT_RANGES:
            spin = QSpinBox()
            low, high = INT_RANGES[name]
            spin.setRange(low, high)
            spin.setValue(int(value))
            widget = editor = spin
            self._getters[name] = spin.value
        else:
            edit = QLineEdit(current)
            editor = edit
            self._getters[name] = edit.text
            if name in PLACEHOLDERS:  # optional fields: what leaving them empty means
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
        fixed = self.form.fixed.get(name)
        if fixed is not None:
            editor.setEnabled(False)  # a fixed path has no Browse… button (SettingsForm.file_choice)
            if name == "camera":
                self.camera_combo.setEnabled(False)
                self.camera_refresh_button.setEnabled(False)
            note = QLabel(_fixed_note(fixed))
            note.setWordWrap(True)
            note.setStyleSheet(_NOTE_STYLE)
            self.notes[name] = note
            column.addWidget(note)
        holder = QWidget()
        holder.setLayout(column)
        caption = QLabel(caption_text)
        caption.setBuddy(editor)
        form.addRow(caption, holder)

    def _with_side_widget(self, name: str, edit: QLineEdit) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        if name == "camera":
            self.camera_combo = QComboBox()
            self.camera_combo.setAccessibleName(translate("Settings", "Detected cameras"))
            self.camera_combo.addItem(translate("Settings", "Detected cameras…"), None)
            self.camera_combo.addItem(translate("Settings", "Sample picture (demo)"), DEMO_CAMERA)
            self.camera_combo.activated.connect(self._camera_chosen)
            self.camera_refresh_button = QPushButton(translate("Settings", "Look again"))
            self.camera_refresh_button.setAccessibleName(translate("Settings", "Look for cameras again"))
            self.camera_refresh_button.clicked.connect(self.detect_cameras)
            layout.addWidget(self.camera_combo)
            layout.addWidget(self.camera_refresh_button)
        elif self.form.file_choice(name) is not None:
            browse = QPushButton(translate("Settings", "Browse…"))
            browse.setAccessibleName(
                translate("Settings", "Choose the {setting}").format(setting=setting_label(name).lower())
            )
            browse.clicked.connect(lambda _=False, n=name, e=edit: self._browse(n, e))
            layout.addWidget(browse)
            setattr(self, f"{name}_browse_button", browse)
        return row

    def is_read_only(self, name: str) -> bool:
        """True if ``name`` cannot be changed here (see :attr:`SettingsForm.fixed`)."""
        return self.form.read_only(name)

    def _browse(self, name: str, edit: QLineEdit) -> None:
        choice = self.form.file_choice(name)
        if choice is None:  # no button exists; a stray call still opens nothing
            return
        start = edit.text().strip() or str(Path.home())
        if choice is FileChoice.CERTIFICATES:
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

    @property
    def busy(self) -> bool:
        return self._background.pending > 0 or self.tokens.busy

    async def wait_idle(self) -> None:
        """For tests and shutdown: wait for the background work under way (cameras, keyring)."""
        await self._background.wait_idle()
        await self.tokens.wait_idle()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.detect_cameras()
            self.tokens.refresh()

    def detect_cameras(self) -> None:
        """List the local cameras in a worker thread and fill the "detected cameras" list."""
        if self.form.read_only("camera"):
            return
        self.camera_combo.setItemText(0, translate("Settings", "Looking for cameras…"))
        self.camera_refresh_button.setEnabled(False)
        self._background.spawn(self._list_cameras(), "listing the cameras")

    async def _list_cameras(self) -> None:
        devices = await asyncio.to_thread(self.form.detected_cameras)
        if not (shiboken6.isValid(self) and shiboken6.isValid(self.summary_label)):  # closed meanwhile
            return
        combo = self.camera_combo
        while combo.count() > 2:
            combo.removeItem(2)
        for index, name in devices:
            combo.addItem(
                translate("Settings", "Camera {index}: {name}").format(index=index, name=name),
                SettingsForm.camera_of_device(index),
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

    def _check(self, approve: Callable[[frozenset[str]], bool] | None = None) -> Checked | None:
        """The values entered, checked by the form (then, with ``approve``, the PIN asked);
        ``None`` with the problems, or the PIN refusal, shown."""
        for label in self.errors.values():
            label.hide()
            label.clear()
        self.summary_label.hide()
        entered = {name: get() for name, get in self._getters.items()}
        checked = self.form.check(entered) if approve is None else self.form.submit(entered, approve)
        if checked.settings is None:
            self._show_problems(checked.problems)
        elif checked.pin_refused:
            names = ", ".join(sorted(setting_label(n).lower() for n in checked.needs_pin))
            self.summary_label.setText(
                translate(
                    "Settings", "The administrator PIN is needed to change {settings}. Nothing was changed."
                ).format(settings=names)
            )
            self.summary_label.show()
        else:
            return checked
        return None

    def _show_problems(self, problems: Problems) -> None:
        for name, found in problems.fields.items():
            text = "; ".join(plain_problem(problem) for problem in found)
            self.errors[name].setText(f"{text[:1].upper()}{text[1:]}")
            self.errors[name].show()
        summary = (
            translate("Settings", "{count} setting needs attention")
            if problems.count == 1
            else translate("Settings", "{count} settings need attention")
        ).format(count=problems.count)
        summary += (
            ": " + "; ".join(plain_problem(problem) for problem in problems.general)
            if problems.general
            else " " + translate("Settings", "(shown next to each field).")
        )
        self.summary_label.setText(summary)
        self.summary_label.show()
        if problems.fields:
            first = self.fields[next(iter(problems.fields))]
            self._scroll.ensureWidgetVisible(first)
            first.setFocus()

    def problem_text(self, name: str) -> str:
        """The problem shown next to field ``name`` now, or ``""``."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def accept(self) -> None:
        checked = self._check(approve=lambda names: self._pin_check(describe_change(names)))
        if checked is not None:
            self._accepted = checked
            super().accept()

    def done(self, result: int) -> None:
        self._background.cancel_all()
        super().done(result)

    def result_settings(self) -> Settings | None:
        """The validated new settings once accepted; ``None`` before or after a cancel."""
        return self._accepted.settings if self._accepted is not None else None

    def changes(self) -> dict[str, Any]:
        """After OK: only the fields whose value changed (never one fixed in the form), for the
        settings store to save."""
        return dict(self._accepted.changes) if self._accepted is not None else {}

    def _request_network_check(self) -> None:
        checked = self._check()
        if checked is not None:
            self.network_check_requested.emit(checked.settings)
