"""Backups, restore and the daily backup: the use cases, on the database's storage.

How a consistent copy is made and put back is the engine's (:class:`app.storage.Storage`;
SQLite uses its backup API, never a file copy); a server database is refused with a
sentence saying to use the server's own tools.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.storage import storage_for


def backup_file(url: str, target: str | Path) -> Path:
    """A consistent copy of the live database at ``url`` written to ``target``.

    The copy is made beside the target and renamed into place, so a failed backup never
    leaves a half-written file under the target's name.
    """
    return storage_for(url).backup(Path(target))


def restore_file(url: str, source: str | Path, backup_dir: Path) -> Path | None:
    """Bring ``source`` back as the database at ``url``; the current one is backed up first.

    Returns the backup of what was replaced (None when there was nothing).
    """
    return storage_for(url).restore_from(Path(source), backup_dir)


def daily_backup(url: str, backup_dir: Path, today: dt.date | None = None) -> Path | None:
    """At most one automatic backup per calendar day (UTC); None when none was needed."""
    storage = storage_for(url)
    day = today or dt.datetime.now(dt.UTC).date()
    marker = f"-{day:%Y%m%d}-"
    if any(marker in p.name and p.name.endswith("-daily.db") for p in storage.backups(backup_dir)):
        return None
    return storage.backup_into(backup_dir, reason="daily")
