"""*Project › You are…*: who is at the keyboard, the name every history event records.

The choice is this installation's (the window's QSettings, ``user/actor``: a display name),
handed to the services when the window is built and whenever it changes, so the next
change made is recorded under it; nothing restarts. With nothing chosen the services'
default stands (``SPRINTDECK_USER``, on PostgreSQL the database user name, else the OS
login), and nobody is asked at the first start. The status bar says who "you" are.

No SQLAlchemy here (the window's first paint imports this module): the services do the work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, NotFound

if TYPE_CHECKING:
    from app.services import Services
    from app.services.dto import ProjectDTO
    from app.ui.mainwindow.window import MainWindow

SETTING = "user/actor"
NAME_MAX = 100  # what a history event takes


def saved_actor(settings: QSettings) -> str | None:
    """The name this installation chose, or None (nothing chosen, or nothing usable)."""
    value = settings.value(SETTING)
    if not isinstance(value, str):
        return None
    name = " ".join(value.split())
    return name if 0 < len(name) <= NAME_MAX else None


class YouAreDialog(QDialog):
    """Pick yourself from the project's team, or type a new name (the person is added to
    the team after a yes), or go back to the default. ``chosen`` after OK: the name now in
    effect; ``added``: whether a person joined the team."""

    def __init__(
        self,
        services: Services,
        project: ProjectDTO | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._project = project
        self.chosen: str | None = None
        self.added = False
        self.setWindowTitle("You are")
        where = f"the team of {project.name}" if project is not None else "the people you know"
        intro = QLabel(
            "History records your changes under this name. Pick yourself from "
            f"{where}, or type a new name to add that person to the team.",
            self,
        )
        intro.setWordWrap(True)
        label = QLabel("&You are:", self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("youAreCombo")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.lineEdit().setMaxLength(NAME_MAX)
        self.combo.addItems(self._names())
        self.combo.setCurrentText(services.actor)
        self.combo.lineEdit().selectAll()
        label.setBuddy(self.combo)
        # Return in the editable combo is OK (the combo keeps the key from the dialog).
        self.combo.installEventFilter(self)
        self.combo.lineEdit().installEventFilter(self)
        self.problem = QLabel("", self)
        self.problem.setObjectName("youAreProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.default_button = QPushButton(f"Use the &default ({services.me.default})", self)
        self.default_button.setAutoDefault(False)
        buttons.addButton(self.default_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.default_button.clicked.connect(self._use_default)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        layout = QVBoxLayout(self)
        for widget in (intro, label, self.combo, self.problem, buttons):
            layout.addWidget(widget)
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject::eventFilter: Return or Enter in the name is OK."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def _names(self) -> list[str]:
        try:
            if self._project is None:
                return self._services.team.known_people()
            return self._services.me.candidates(self._project.id)
        except DomainError:
            return []

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def confirm_add(self, name: str) -> bool:
        """Ask whether ``name``, on nobody's team here, should join this project's team."""
        assert self._project is not None
        from PySide6.QtWidgets import QMessageBox  # a message box: made when shown

        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Add to the team?",
            f"{name} is not in the team of {self._project.name}. Add {name} to the team "
            "and record your changes under that name?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _use_default(self) -> None:
        self.chosen = None
        self._services.set_actor(None)
        super().accept()

    def accept(self) -> None:
        """OK: the member picked (or typed: added after a yes) is "me" from now on; a
        refusal is said in the dialog, which stays open."""
        name = " ".join(self.combo.currentText().split())
        if not name:
            self._say("Type your name or pick it from the list.")
            return
        try:
            if self._project is None:
                self.chosen = self._services.set_actor(name)
            else:
                try:
                    me = self._services.me.choose(self._project.id, name)
                except NotFound:
                    if not self.confirm_add(name):
                        return
                    me = self._services.me.choose(self._project.id, name, add=True)
                self.chosen, self.added = me.name, me.added
        except DomainError as exc:
            self._say(str(exc))
            return
        super().accept()


class YouAre(QObject):
    """The window's part for "You are": applies the saved choice at start, runs the dialog
    (action ``user.you_are``), shows "You are: NAME" in the status bar."""

    def __init__(self, window: MainWindow, services: Services, settings: QSettings) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._settings = settings
        saved = saved_actor(settings)
        if saved is not None:
            try:
                services.set_actor(saved)
            except DomainError:
                pass  # not a name history can take: the default, as if none was chosen
        self.label = QLabel(self._text(), window)
        self.label.setObjectName("youAreLabel")
        self.label.setToolTip("The name your changes are recorded under (Project › You are…)")
        window.statusBar().addPermanentWidget(self.label)

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"user.you_are": self.choose}

    def _text(self) -> str:
        return f"You are: {self._services.actor}"

    def choose(self) -> None:
        w = self._window
        dialog = YouAreDialog(self._services, w.store.project, w)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return
        if dialog.chosen is None:
            self._settings.remove(SETTING)
        else:
            self._settings.setValue(SETTING, dialog.chosen)
        self._settings.sync()
        self.label.setText(self._text())
        more = " (added to the team)" if dialog.added else ""
        w.statusBar().showMessage(
            f"Your changes are now recorded as {self._services.actor}{more}.", 8000
        )
