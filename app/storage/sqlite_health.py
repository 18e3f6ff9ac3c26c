"""Is this SQLite file usable? ``sprintdeck check`` and the GUI's start-up ask here
(through :meth:`app.storage.sqlite.SqliteStorage.check`).

The file is only ever opened read-only (a ``file:...?mode=ro`` URI, ``immutable`` when no
write-ahead log is beside it), so a check never changes a byte of what it inspects, even a
damaged file. No Qt and no SQLAlchemy here: the result is a plain dataclass.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

from app.dburl import head_revision, is_read_only_url, is_sqlite, sqlite_path
from app.storage import HealthReport

SQLITE_HEADER = b"SQLite format 3\x00"
# Below this much free space on the database's disk, writes are expected to fail.
MIN_FREE_BYTES = 2 * 1024 * 1024


def _report(url: str, path: Path | None, kind: str, problem: str | None, summary: str = "", **kw):  # type: ignore[no-untyped-def]
    return HealthReport(url, path, kind, problem, summary or (problem or ""), **kw)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from app.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _ro_uri(path: Path) -> str:
    wal = path.with_name(path.name + "-wal")
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    if not wal.exists() or wal.stat().st_size == 0:
        # No log to read: immutable keeps SQLite from creating -shm/-wal files beside it.
        uri += "&immutable=1"
    return uri


def lost_log(path: Path) -> str | None:
    """The write-ahead log is gone while its index says it holds committed changes.

    SQLite keeps recent commits in ``X-wal`` until a checkpoint copies them into ``X``; the
    index ``X-shm`` records how many frames the log holds (``mxFrame`` in its header, once
    ``isInit`` is set). If ``X-wal`` was deleted (or cut short) under a program that had
    the database open, what it committed is no longer readable, and a new write would be
    made on the old state. Nothing else tells: the file itself looks healthy.
    """
    shm = path.with_name(path.name + "-shm")
    wal = path.with_name(path.name + "-wal")
    try:
        with shm.open("rb") as handle:
            header = handle.read(48)
    except OSError:
        return None
    if len(header) < 48 or header[12] != 1:
        return None
    frames = int.from_bytes(header[16:20], sys.byteorder)
    page_size = int.from_bytes(header[14:16], sys.byteorder)
    if frames == 0:
        return None
    page_size = 65536 if page_size == 1 else page_size
    needed = 32 + frames * (24 + page_size)
    try:
        have = wal.stat().st_size
    except FileNotFoundError:
        have = -1
    except OSError:
        return None
    if have >= needed:
        return None
    what = "is missing" if have < 0 else f"is cut short ({have} of {needed} bytes)"
    return (
        f"The database's write-ahead log {wal.name} {what}, but its index {shm.name} says it "
        f"holds {frames} committed change(s): another program's saved work would be lost. "
        "Close every program using this database, then run `sprintdeck check` again."
    )


def damage_in_header(path: Path) -> str | None:
    """What is wrong with the file's 100-byte header (not SQLite, damaged, truncated), or
    None: the cheap check every command makes before it writes or backs up a file."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        problem = _header_problem(path)
    except OSError as exc:
        return f"The file {path} cannot be read: {exc.strerror or exc}."
    return problem[1] if problem is not None else lost_log(path)


def _header_problem(path: Path) -> tuple[str, str] | None:
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_HEADER[: len(header)]) or (
        len(header) >= 16 and header[:16] != SQLITE_HEADER
    ):
        return (
            "not_sqlite",
            f"The file {path} is not a SQLite database (it may be another kind of file, "
            "encrypted or overwritten).",
        )
    if len(header) < 100:
        return (
            "truncated",
            f"The file {path} is truncated ({size} bytes): it ends inside the database header.",
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    change = int.from_bytes(header[24:28], "big")
    valid_for = int.from_bytes(header[92:96], "big")
    if page_size < 512 or page_size & (page_size - 1):
        return ("corrupt", f"The file {path} is damaged: its header is not valid.")
    if pages and change == valid_for and size < pages * page_size:
        return (
            "truncated",
            f"The file {path} is truncated: it holds {size} bytes but its header says "
            f"{pages * page_size} (part of the file is missing).",
        )
    return None


def check_database(url: str, quick: bool = False, deep: bool = True) -> HealthReport:
    """Check the database at ``url`` without writing to it.

    ``quick`` uses ``PRAGMA quick_check`` (the GUI's start-up), else ``integrity_check``.
    ``deep=False`` leaves out every step whose cost grows with the file (the page check,
    ``foreign_key_check`` and the row counts): what is left (header, write-ahead log,
    schema revision, permissions, free space) costs the same at any size. The window's
    first paint asks that much and runs the deep check in a worker thread after the paint
    (app/startup.py); nothing is written before the deep check says healthy.
    """
    if not is_sqlite(url):
        return _report(url, None, "unsupported", None, "not a SQLite file: nothing to check here")
    path = sqlite_path(url)
    if path is None:
        return _report(url, None, "new", None, "an in-memory database")
    if not path.parent.is_dir():
        return _report(
            url,
            path,
            "missing_folder",
            f"The folder {path.parent} does not exist, so the database {path.name} cannot be "
            "opened or created there.",
        )
    if not path.exists():
        return _report(url, path, "new", f"The file {path} does not exist (yet).")
    if path.is_dir():
        return _report(url, path, "not_sqlite", f"{path} is a folder, not a database file.")
    try:
        size = path.stat().st_size
        if size == 0:
            return _report(url, path, "empty", None, "an empty file: a new database")
        header = _header_problem(path)
    except OSError as exc:
        return _report(url, path, "unreadable", f"The file {path} cannot be read: {exc}.")
    if header is not None:
        return _report(url, path, header[0], header[1])
    log = lost_log(path)
    if log is not None:
        return _report(url, path, "lost_log", log)

    try:
        connection = sqlite3.connect(_ro_uri(path), uri=True)
    except sqlite3.Error as exc:
        return _report(url, path, "unreadable", f"The file {path} cannot be opened: {exc}.")
    try:
        try:
            rows = (
                connection.execute(
                    "PRAGMA quick_check(5)" if quick else "PRAGMA integrity_check(5)"
                ).fetchall()
                if deep
                else [("ok",)]
            )
            messages = [" ".join(str(r[0]).replace("*** ", "").split()) for r in rows]
            if messages != ["ok"]:
                return _report(
                    url,
                    path,
                    "corrupt",
                    f"The file {path} is damaged: {'; '.join(messages[:3])}.",
                )
            broken = connection.execute("PRAGMA foreign_key_check").fetchall() if deep else []
            if broken:
                tables = sorted({row[0] for row in broken})
                return _report(
                    url,
                    path,
                    "broken_references",
                    f"The file {path} has {len(broken)} broken reference(s) in "
                    f"{', '.join(tables)}.",
                )
            tables = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            counts: dict[str, int] = {}
            for table in ("project", "card", "history_event", "sprint"):
                if deep and table in tables:
                    counts[table] = int(
                        connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    )
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            kind = "not_sqlite" if "not a database" in text else "corrupt"
            return _report(url, path, kind, f"The file {path} is damaged (SQLite says: {text}).")
    finally:
        connection.close()

    if not tables or (tables == {"alembic_version"} and revision is None):
        return _report(url, path, "empty", None, "a SQLite file with no tables: a new database")
    if revision is None:
        return _report(
            url,
            path,
            "foreign",
            f"The file {path} is a SQLite database but not a Sprintdeck one (it holds "
            f"tables such as {', '.join(sorted(tables)[:3])}).",
        )
    # The head is known without importing alembic (the common case at every start).
    if revision != head_revision() and revision not in _known_revisions():
        return _report(
            url,
            path,
            "newer",
            f"The file {path} was written by a newer version of Sprintdeck (schema revision "
            f"{revision}); this version cannot use it. Please update Sprintdeck.",
            revision=revision,
        )
    head = head_revision()
    if is_read_only_url(url) or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return _report(
            url,
            path,
            "read_only",
            f"The file {path} can be read but not written (it is read-only).",
            revision=revision,
            counts=counts,
        )
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if free is not None and free < MIN_FREE_BYTES:
        return _report(
            url,
            path,
            "disk_full",
            f"The disk holding {path} is full ({free // 1024} KB free); changes cannot be "
            "saved until space is freed.",
            revision=revision,
            counts=counts,
        )
    state = "current" if revision == head else f"older; upgraded to {head} on next start"
    if not deep:
        kind = "healthy" if revision == head else "outdated"
        summary = f"schema {revision} ({state}), {size / 1024:.0f} KB (pages not checked yet)"
        return _report(url, path, kind, None, summary, revision=revision)
    summary = (
        f"schema {revision} ({state}), {counts.get('project', 0)} project(s), "
        f"{counts.get('card', 0)} card(s), {counts.get('sprint', 0)} sprint(s), "
        f"{counts.get('history_event', 0)} history event(s), {size / 1024:.0f} KB"
    )
    kind = "healthy" if revision == head else "outdated"
    return _report(url, path, kind, None, summary, revision=revision, counts=counts)
