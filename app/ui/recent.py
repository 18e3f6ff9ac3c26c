"""The File › Open Recent list, kept in the window's QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

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
