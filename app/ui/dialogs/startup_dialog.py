"""The dialog shown at start when the database cannot be used: what is wrong, and the ways
out (open another file, restore the latest automatic backup, open read-only, quit)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

OPEN_OTHER = "open_other"
NEW_DATABASE = "new_database"
RESTORE = "restore"
READ_ONLY = "read_only"
QUIT = "quit"


class StartupDialog(QDialog):
    """``choice`` is one of OPEN_OTHER or NEW_DATABASE (with ``path``), RESTORE (with
    ``path``: the backup), READ_ONLY or QUIT once the dialog is closed."""

    def __init__(
        self,
        message: str,
        backups: list[Path],
        can_read_only: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sprintdeck cannot use this database")
        self.choice = QUIT
        self.path: Path | None = None
        layout = QVBoxLayout(self)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        hint = QLabel("Nothing has been written to this file. What would you like to do?")
        hint.setWordWrap(True)
        layout.addWidget(hint)

        self.backups = QListWidget()
        for backup in backups:  # newest first
            when = dt.datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            item = QListWidgetItem(f"{when}  —  {backup.name}")
            item.setData(Qt.ItemDataRole.UserRole, str(backup))
            self.backups.addItem(item)
        if backups:
            layout.addWidget(QLabel("Automatic backups (newest first):"))
            layout.addWidget(self.backups)
            self.backups.setCurrentRow(0)
        else:
            self.backups.hide()

        buttons = QDialogButtonBox()
        self.open_button = QPushButton("Open another file…")
        self.new_button = QPushButton("New database…")
        self.restore_button = QPushButton("Restore the selected backup")
        self.read_only_button = QPushButton("Open read-only")
        self.quit_button = QPushButton("Quit")
        self.restore_button.setEnabled(bool(backups))
        self.read_only_button.setEnabled(can_read_only)
        for button in (
            self.open_button,
            self.new_button,
            self.restore_button,
            self.read_only_button,
        ):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.open_button.clicked.connect(self.open_other)
        self.new_button.clicked.connect(self.new_database)
        self.restore_button.clicked.connect(self.restore)
        self.read_only_button.clicked.connect(self.read_only)
        self.quit_button.clicked.connect(self.reject)

    def open_other(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Open a Sprintdeck database", "", "Sprintdeck databases (*.db);;All files (*)"
        )
        if path:
            self.choice, self.path = OPEN_OTHER, Path(path)
            self.accept()

    def new_database(self) -> None:
        """A new, empty database at a path the person names (never over an existing file)."""
        from app.ui.recent import ask_new_database

        chosen = ask_new_database(self, Path.home())
        if chosen is None:
            return
        if isinstance(chosen, str):
            self.message.setText(chosen)
            return
        self.choice, self.path = NEW_DATABASE, chosen
        self.accept()

    def restore(self) -> None:
        item = self.backups.currentItem()
        if item is None:
            return
        self.choice = RESTORE
        self.path = Path(item.data(Qt.ItemDataRole.UserRole))
        self.accept()

    def read_only(self) -> None:
        self.choice = READ_ONLY
        self.accept()

    def reject(self) -> None:
        self.choice = QUIT
        super().reject()
