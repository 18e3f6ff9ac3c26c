"""The page a database without any project shows: what this file is, and ways to start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    """A heading, the database's path, and one button per way to start (each button runs
    one of the window's actions, so the menus and this page do the same thing)."""

    def __init__(self, database: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QWidget(self)
        column.setFixedWidth(540)  # a fixed width lets the wrapped text take its height
        self._layout = QVBoxLayout(column)
        self._layout.setSpacing(10)
        heading = QLabel("No project here yet")
        heading.setObjectName("welcomeHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        heading.setFont(font)
        self._layout.addWidget(heading)
        where = f"The database {database} is ready. " if database is not None else ""
        self.text = QLabel(
            where + "Start a project of your own, explore the demo project (a team, four "
            "sprints and their history), or bring a board over from Trello or Jira."
        )
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.text)
        self._layout.addSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        outer.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def add_action(self, name: str, action: QAction, default: bool = False) -> QPushButton:
        """A button that triggers ``action`` and follows its text and enabled state."""
        button = QPushButton(action.text().replace("&", ""))
        button.setMinimumHeight(36)
        button.setDefault(default)
        button.setEnabled(action.isEnabled())
        button.clicked.connect(action.trigger)
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        if action.shortcut().toString():
            button.setToolTip(action.shortcut().toString())
        self._layout.addWidget(button)
        self.buttons[name] = button
        return button
