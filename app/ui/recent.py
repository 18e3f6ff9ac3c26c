"""Choosing database files: File › Open Recent (kept in the window's QSettings) and the
name of a new database (File › New database…, the start-up dialog's New database…)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

DATABASE_FILTER = "Sprintdeck databases (*.db);;All files (*)"

RECENT_KEY = "files/recent"
RECENT_MAX = 8


def recent_files(settings: QSettings) -> list[str]:
    """The databases opened in the window, the latest first."""
    value = settings.value(RECENT_KEY) or []
    if isinstance(value, str):  # QSettings gives a one-element list back as a string
        value = [value]
    return [str(v) for v in value if v]


def remember_recent(settings: QSettings, path: Path) -> list[str]:
    """Put ``path`` first in the list (at most RECENT_MAX, no repeats)."""
    text = str(path)
    recent = [p for p in recent_files(settings) if p != text]
    recent.insert(0, text)
    del recent[RECENT_MAX:]
    settings.setValue(RECENT_KEY, recent)
    return recent


def ask_new_database(parent: QWidget, folder: Path) -> Path | str | None:
    """Ask where a new database goes: its path (``.db`` added when there is no suffix),
    None when cancelled, or a sentence when the name is taken (Sprintdeck never writes
    over a file, so the dialog does not offer to replace one)."""
    from PySide6.QtWidgets import QFileDialog  # a dialog: imported when it opens

    path, _filter = QFileDialog.getSaveFileName(
        parent,
        "New Sprintdeck database",
        str(folder / "board.db"),
        DATABASE_FILTER,
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    if not path:
        return None
    chosen = Path(path)
    if not chosen.suffix:
        chosen = chosen.with_suffix(".db")
    if chosen.exists():
        return (
            f"{chosen} already exists, and Sprintdeck never writes over a file: choose a new "
            "name, or open that file instead."
        )
    return chosen
