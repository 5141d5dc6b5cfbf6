"""The main window's keyboard and menus: Qt construction and words only.

Which key means which intent is the desk's (:data:`~station.application.desk.INTENT_KEYS`,
:data:`~station.application.desk.FACE_KEYS`); here they are bound to the window's slots, and the
menus (screen language, demo scenarios, help, the administrator's actions) are built and worded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from station import __version__
from station.application.desk import FACE_KEYS, INTENT_KEYS, Intent
from station.ui.languages import Languages
from station.ui.licences_dialog import show_licences

__all__ = ["WindowMenus", "bind_keys"]

translate = QCoreApplication.translate


def bind_keys(
    window: QMainWindow, slots: Mapping[Intent, Callable[[], object]], pick_face: Callable[[int], object]
) -> None:
    """The desk's keyboard bound to ``window``: each intent's keys to its slot, digits to faces."""
    bindings = [(intent.value, keys, slots[intent]) for intent, keys in INTENT_KEYS.items()]
    bindings += [
        (f"Pick face {number}", (key,), functools.partial(pick_face, number - 1))
        for number, key in enumerate(FACE_KEYS, start=1)
    ]
    for name, keys, slot in bindings:
        action = QAction(name, window)  # never shown: the actions only carry the keys
        action.setShortcuts([QKeySequence(key) for key in keys])
        # Esc is application-wide, so the first Esc after a menu closed is not swallowed; it
        # only acts while this window is the active one (a dialog's Esc stays the dialog's).
        action.setShortcutContext(
            Qt.ShortcutContext.ApplicationShortcut
            if name == Intent.CANCEL
            else Qt.ShortcutContext.WindowShortcut
        )
        action.triggered.connect(slot)
        window.addAction(action)


class WindowMenus:
    """The menu bar of ``window``: Station (language, settings, quit), Demo, Help."""

    def __init__(
        self,
        window: QMainWindow,
        languages: Languages,
        scenarios: Sequence[str],
        on_pick: Callable[[str], object] | None,
        current: str | None,
    ) -> None:
        self._window, self._languages = window, languages
        bar = window.menuBar()
        menu = self.station = bar.addMenu("")
        self.language = menu.addMenu("")
        self.language_actions: dict[str, QAction] = {}
        group = QActionGroup(window)
        for tag in languages.interface_languages():
            language = self.language.addAction(Languages.name(tag))
            language.setCheckable(True)
            language.setActionGroup(group)
            language.triggered.connect(lambda _=False, t=tag: languages.choose_operator_language(t))
            self.language_actions[tag] = language
        menu.addSeparator()
        self.quit_action = menu.addAction("")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(window.close)
        self.scenario_actions: dict[str, QAction] = {}
        self.demo: QMenu | None = None
        if scenarios and on_pick is not None:
            demo = self.demo = bar.addMenu("")
            demo.setObjectName("DemoMenu")
            for name in scenarios:
                action = demo.addAction(name.replace("_", " "))
                action.setCheckable(True)
                action.setChecked(name == current)
                action.triggered.connect(lambda _=False, n=name: self._pick(n, on_pick))
                self.scenario_actions[name] = action
        self.help = bar.addMenu("")
        self.about_action = self.help.addAction("")
        self.about_action.triggered.connect(functools.partial(show_about, window))
        self.licences_action = self.help.addAction("")
        self.licences_action.triggered.connect(self._licences)
        self.settings_action: QAction | None = None
        self.network_check_action: QAction | None = None

    def add_admin_actions(
        self, open_settings: Callable[[], object], network_check: Callable[[], object]
    ) -> None:
        """Settings (security-relevant fields behind the administrator PIN) and the network check."""
        first = self.station.actions()[0]
        self.settings_action = QAction(translate("MainWindow", "&Settings…"), self._window)
        self.settings_action.triggered.connect(open_settings)
        self.network_check_action = QAction(translate("MainWindow", "&Network check…"), self._window)
        self.network_check_action.triggered.connect(network_check)
        self.station.insertAction(first, self.settings_action)
        self.station.insertAction(first, self.network_check_action)
        self.station.insertSeparator(first)

    def retranslate(self) -> None:
        self.station.setTitle(translate("MainWindow", "&Station"))
        self.language.setTitle(translate("MainWindow", "Screen &language"))
        for tag, action in self.language_actions.items():
            action.setChecked(tag == self._languages.operator)
        self.quit_action.setText(translate("MainWindow", "&Quit"))
        if self.demo is not None:
            self.demo.setTitle(translate("MainWindow", "&Demo"))
        self.help.setTitle(translate("MainWindow", "&Help"))
        self.about_action.setText(translate("MainWindow", "&About Station"))
        self.licences_action.setText(translate("MainWindow", "&Licences…"))
        if self.settings_action is not None and self.network_check_action is not None:
            self.settings_action.setText(translate("MainWindow", "&Settings…"))
            self.network_check_action.setText(translate("MainWindow", "&Network check…"))

    def _pick(self, name: str, on_pick: Callable[[str], object]) -> None:
        on_pick(name)
        for other, action in self.scenario_actions.items():
            action.setChecked(other == name)
        self._window.statusBar().showMessage(
            translate("MainWindow", "Demo: next verification answers '{scenario}'").format(scenario=name),
            4000,
        )

    def _licences(self) -> None:
        # Modeless: kept here, or Python would collect it while it is shown.
        self._licences_dialog = show_licences(self._window)


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        translate("MainWindow", "About Station"),
        translate("MainWindow", "Station {version}\nFace-liveness verification for bank branches.").format(
            version=__version__
        ),
    )
