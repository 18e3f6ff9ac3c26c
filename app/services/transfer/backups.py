"""Backups through SQLite's backup API (never a file copy), restore, and the daily backup."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from app.db import (
    backup_database,
    backup_to,
    check_schema,
    create_db_engine,
    opened_engine,
    read_only_url,
    sqlite_path,
)
from app.errors import DatabaseProblem, NotFound, ValidationError
from app.services.health import damage_in_header


def _sqlite_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise ValidationError(
            "Backup and restore work on SQLite database files; use your database server's own "
            "tools for other databases."
        )
    return path


def backup_file(url: str, target: str | Path) -> Path:
    """A consistent copy of the live database at ``url`` written to ``target``.

    The copy is made beside the target and renamed into place, so a failed backup never
    leaves a half-written file under the target's name.
    """
    source = _sqlite_file(url)
    if not source.exists():
        raise NotFound(f"There is no database file {source} to back up.")
    target = Path(target).expanduser().absolute()
    if not target.parent.is_dir():
        raise ValidationError(f"The folder {target.parent} does not exist.")
    if target.resolve() == source.resolve():
        raise ValidationError("The backup cannot overwrite the database itself.")
    check_database_file(source)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        backup_to(source, partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise DatabaseProblem(f"The backup failed: {exc}; nothing was written.") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def check_database_file(path: Path) -> str:
    """Refuse a file that is not a Sprintdeck database; return its schema state."""
    if not path.is_file():
        raise NotFound(f"There is no file {path}.")
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        raise DatabaseProblem(f"The file {path} is not a Sprintdeck database (not SQLite at all).")
    damage = damage_in_header(path)
    if damage is not None:
        raise DatabaseProblem(f"{damage} It is not backed up or restored as a good copy.")
    with opened_engine(read_only_url(path)) as engine:
        state = check_schema(engine)
    if state == "empty":
        raise DatabaseProblem(f"The file {path} is an empty database, not a Sprintdeck one.")
    return state


def restore_file(url: str, source: str | Path, backup_dir: Path) -> Path | None:
    """Bring ``source`` back as the database at ``url``; the current file is backed up first.

    Returns the backup of the file that was replaced (None when there was none).
    """
    target = _sqlite_file(url)
    source = Path(source).expanduser().absolute()
    check_database_file(source)
    if target.exists() and source.resolve() == target.resolve():
        raise ValidationError("That file is the database itself; nothing to restore.")
    kept = None
    if target.exists() and target.stat().st_size > 0:
        try:
            check_database_file(target)
        except DatabaseProblem as exc:
            raise DatabaseProblem(f"{exc} A restore will not replace it.") from exc
        engine = create_db_engine(url)
        try:
            kept = backup_database(engine, backup_dir, reason="before-restore")
        except sqlite3.Error as exc:
            raise DatabaseProblem(
                f"The file {target} could not be backed up before the restore ({exc}); "
                "nothing was changed."
            ) from exc
        finally:
            engine.dispose()
    try:
        # The backup API writes through SQLite (journal, WAL and locks honoured).
        backup_to(source, target)
    except sqlite3.Error as exc:
        raise DatabaseProblem(f"The restore failed: {exc}.") from exc
    return kept


def daily_backup(url: str, backup_dir: Path, today: dt.date | None = None) -> Path | None:
    """At most one automatic backup per calendar day (UTC); None when none was needed."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    day = today or dt.datetime.now(dt.UTC).date()
    if backup_dir.is_dir() and any(backup_dir.glob(f"{path.stem}-{day:%Y%m%d}-*-daily.db")):
        return None
    engine = create_db_engine(url)
    try:
        return backup_database(engine, backup_dir, reason="daily")
    finally:
        engine.dispose()
