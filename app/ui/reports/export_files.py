"""Saving an export as a desktop app does: a readable file name in the person's documents
folder (or the folder they used last), a question before a file is replaced, and a message
afterwards that names the file and offers to open it or show its folder.

Used by File › Export sprint report…; the board and backlog CSV exports can use the same
three steps (:func:`ask_save_path`, :func:`remember_folder`, :func:`show_exported`).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox, QWidget

FOLDER_KEY = "export/folder"
# Not allowed in a file name on Windows (the strictest; "/" is also Linux's and macOS's
# separator, ":" is shown as "/" by the Finder), nor control characters.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
NAME_MAX = 120  # characters before the extension: well within every file system's 255 bytes


def safe_file_name(text: str, fallback: str = "export") -> str:
    """``text`` as a file name (without extension) that every desktop system accepts.

    Tabs and line breaks become spaces; forbidden characters between two letters or digits
    become "-" ("Q3/Q4" → "Q3-Q4"), elsewhere they go ("Wrap-up: <v2>?" → "Wrap-up v2");
    leading and trailing dots, dashes and spaces go (Windows drops trailing ones silently);
    a reserved Windows device name ("CON", "LPT1") gets a "_" first.
    """
    text = re.sub(r"\s+", " ", text)

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        return "-" if before.isalnum() and after.isalnum() else " "

    name = re.sub(r"\s+", " ", _FORBIDDEN.sub(replace, text)).strip(" .-")
    if len(name) > NAME_MAX:
        name = name[:NAME_MAX].rstrip(" .-")
    if not name:
        name = fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


def default_folder() -> Path:
    """The person's documents folder, or their home folder when there is none."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if location and Path(location).is_dir():
        return Path(location)
    return Path.home()


def export_folder(settings: QSettings) -> Path:
    """The folder an export is suggested in: the last one used, while it still exists."""
    saved = settings.value(FOLDER_KEY)
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    return default_folder()


def remember_folder(settings: QSettings, written: Path) -> None:
    settings.setValue(FOLDER_KEY, str(written.parent))


def ask_save_path(
    parent: QWidget, settings: QSettings, title: str, file_name: str, name_filter: str
) -> Path | None:
    """Ask where to save ``file_name`` (its extension is the format's); None when cancelled.

    The file dialog asks before replacing the file the person picked; a name typed without
    extension gets it added here, so when *that* file exists we ask before replacing it.
    """
    suggested = export_folder(settings) / file_name
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), name_filter)
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix == "":
        target = target.with_name(target.name + Path(file_name).suffix)
        if target.exists():
            answer = QMessageBox.question(
                parent,
                title,
                f"“{target.name}” already exists in {target.parent}. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
    return target


class ExportedMessage(QMessageBox):
    """“Saved as …” with Open, Show in Folder and Close."""

    def __init__(self, parent: QWidget | None, path: Path, what: str, title: str) -> None:
        super().__init__(parent)
        self.path = path
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle(title)
        self.setText(f"The {what} was saved as “{path.name}”.")
        self.setInformativeText(f"In {path.parent}")
        self.open_button = self.addButton("&Open", QMessageBox.ButtonRole.AcceptRole)
        self.folder_button = self.addButton("Show in &Folder", QMessageBox.ButtonRole.ActionRole)
        self.close_button = self.addButton(QMessageBox.StandardButton.Close)
        self.setDefaultButton(self.open_button)
        self.setEscapeButton(self.close_button)
        self.buttonClicked.connect(self._on_clicked)

    def _on_clicked(self, button: QAbstractButton) -> None:
        if button is self.open_button:
            self._open(self.path, f"open “{self.path.name}”")
        elif button is self.folder_button:
            self._open(self.path.parent, f"show the folder {self.path.parent}")

    def _open(self, path: Path, doing: str) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.warning(
                self.parentWidget(),
                self.windowTitle(),
                f"Could not {doing}: no application is set up to open it.",
            )


def show_exported(parent: QWidget | None, path: Path, what: str, title: str) -> ExportedMessage:
    """Tell the person where the file went (window-modal, it does not block the caller)."""
    box = ExportedMessage(parent, path, what, title)
    box.open()
    return box


__all__ = [
    "FOLDER_KEY",
    "ExportedMessage",
    "ask_save_path",
    "default_folder",
    "export_folder",
    "remember_folder",
    "safe_file_name",
    "show_exported",
]
