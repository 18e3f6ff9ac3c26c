"""Engine and sessions, SQLite pragmas, migrate-on-start with a backup, change detection.

SQLite is opened in WAL mode with foreign keys on and a busy timeout. pysqlite's own
transaction handling is switched off so that SQLAlchemy's ``begin`` decides: reads use a
plain (deferred) ``BEGIN``, writes ``BEGIN IMMEDIATE`` so two writers queue on the lock
instead of failing half way through a transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.config import package_dir
from app.dburl import (  # noqa: F401 - re-exported: app.db is where callers look
    head_revision,
    is_read_only_url,
    is_sqlite,
    known_head,
    read_only_url,
    sqlite_path,
)
from app.errors import DatabaseProblem

if TYPE_CHECKING:
    from alembic.config import Config

# alembic (and mako, pygments...) is imported only when a database is created, upgraded or
# refused: a database already at the head revision is checked with one plain query.

BUSY_TIMEOUT_ENV = "SPRINTDECK_BUSY_TIMEOUT_MS"
# How long a write waits for another program's lock before reporting "busy" (tests shorten it).
BUSY_TIMEOUT_MS = int(os.environ.get(BUSY_TIMEOUT_ENV) or 5000)
# Tests only: cap the file's size (PRAGMA max_page_count) to simulate a full disk.
MAX_PAGE_COUNT: int | None = None
# FULL: a move the user saw saved survives a power cut, not only a crash of the app.
SYNCHRONOUS = "FULL"
_WRITE_OPTION = "sprintdeck_write"


def create_db_engine(url: str) -> Engine:
    """An engine with Sprintdeck's connection settings applied to every new connection."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None and not path.parent.is_dir():
            raise DatabaseProblem(
                f"The folder {path.parent} does not exist, so the database {path.name} "
                "cannot be opened or created there."
            )
        engine = create_engine(url, connect_args={"timeout": _busy_timeout_ms() / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise DatabaseProblem(
                f"Opening {url.split('://', 1)[0]}:// databases needs the Python package "
                f"{exc.name!r}, which is not installed (pip install 'psycopg[binary]')."
            ) from exc
    return engine


def _busy_timeout_ms() -> int:
    return int(BUSY_TIMEOUT_MS)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={_busy_timeout_ms()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if MAX_PAGE_COUNT is not None:
            cursor.execute(f"PRAGMA max_page_count={int(MAX_PAGE_COUNT)}")
        try:
            # Switching to WAL rewrites the file header: never do it to someone else's
            # database, which is refused untouched (see check_schema).
            if not _is_foreign_database(cursor):
                cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # a read-only or busy file keeps its journal mode; reads still work
        cursor.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    finally:
        cursor.close()


def _is_foreign_database(cursor: sqlite3.Cursor) -> bool:
    """Tables but no alembic_version: not a Sprintdeck database."""
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    names = {row[0] for row in cursor.fetchall()}
    return bool(names) and "alembic_version" not in names


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(_WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(reader, writer) session factories; the writer's transactions take the write lock first."""
    reader = sessionmaker(engine, expire_on_commit=False)
    writer = sessionmaker(engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False)
    return reader, writer


# --- migrations -------------------------------------------------------------------------------


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic's configuration, built in code; the script location comes from the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(package_dir("migrations")))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _at_known_head(engine: Engine) -> bool:
    """True when the database's one alembic_version row is the head revision."""
    head = known_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SADatabaseError:
        return False  # no such table, not a database...: the full check says what it is
    return len(rows) == 1 and rows[0][0] == head


def check_schema(engine: Engine) -> str:
    """Classify the database: 'empty', 'current', 'outdated'; refuse foreign or newer ones."""
    if _at_known_head(engine):
        return "current"
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = MigrationContext.configure(connection).get_current_revision()
    except SADatabaseError as exc:
        raise DatabaseProblem(_describe_open_error(engine, exc)) from exc
    if not tables or (revision is None and tables == {"alembic_version"}):
        return "empty"  # new, or downgraded to base
    if revision is None:
        raise DatabaseProblem(
            f"{_where(engine)} is a database but not a Sprintdeck one "
            f"(it holds tables such as {', '.join(sorted(tables)[:3])}); nothing was changed."
        )
    try:
        script.get_revision(revision)
    except Exception as exc:  # alembic raises several kinds for unknown revisions
        raise DatabaseProblem(
            f"{_where(engine)} was written by a newer version of Sprintdeck (schema revision "
            f"{revision}); this version cannot read it and did not change it. "
            "Please update Sprintdeck."
        ) from exc
    return "current" if revision == script.get_current_head() else "outdated"


def migrate(engine: Engine, backup_dir: Path | None = None) -> str:
    """Upgrade the schema to head; back the file up first when an existing schema changes.

    Returns what was done: 'created', 'upgraded' or 'current'.
    """
    state = check_schema(engine)
    if state == "current":
        return "current"
    if state == "outdated" and backup_dir is not None:
        backup_database(engine, backup_dir, reason=f"before-upgrade-{current_revision(engine)}")
    from alembic import command

    # A writer's transaction (BEGIN IMMEDIATE on SQLite): two programs that start on a new
    # file at once queue here (busy timeout) instead of both creating the schema; the one
    # that waited finds it made and does nothing.
    with engine.execution_options(**{_WRITE_OPTION: True}).connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild tables; with foreign keys on that would cascade deletes.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            if _revision_in(connection) == known_head():
                connection.rollback()
                return "current"  # another program migrated it while this one waited
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
            if connection.dialect.name == "sqlite":
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if problems:
                    raise DatabaseProblem(f"The upgrade left broken references: {problems[:3]}")
        except OperationalError as exc:
            raise DatabaseProblem(_describe_open_error(engine, exc)) from exc
        finally:
            if connection.dialect.name == "sqlite":
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    return "created" if state == "empty" else "upgraded"


def _revision_in(connection: Connection) -> str | None:
    """The schema revision, read inside the connection's (write-locked) transaction."""
    try:
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SADatabaseError:  # no such table yet: a new database (the lock is kept)
        return None
    return rows[0][0] if len(rows) == 1 else None


def _where(engine: Engine) -> str:
    path = sqlite_path(str(engine.url))
    return f"The file {path}" if path else "The database"


def _describe_open_error(engine: Engine, exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc))
    if "file is not a database" in text:
        return f"{_where(engine)} is not a SQLite database (or it is encrypted or damaged)."
    if "malformed" in text or "corrupt" in text:
        return f"{_where(engine)} is damaged (SQLite says: {text})."
    if "readonly" in text or "read-only" in text:
        return f"{_where(engine)} cannot be written (it is read-only)."
    if "locked" in text or "busy" in text:
        return f"{_where(engine)} is locked by another program; try again in a moment."
    if "unable to open" in text:
        return f"{_where(engine)} cannot be opened (SQLite says: {text})."
    return f"{_where(engine)} cannot be used: {text}"


# --- backups ----------------------------------------------------------------------------------

BACKUPS_KEPT = 10


def backup_database(engine: Engine, backup_dir: Path, reason: str = "manual") -> Path | None:
    """A consistent copy through SQLite's backup API (never a file copy); keeps the last 10."""
    source = sqlite_path(str(engine.url))
    if source is None or not source.exists():
        return None
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{source.stem}-{stamp}-{reason}.db"
    backup_to(source, target)
    existing = sorted(backup_dir.glob(f"{source.stem}-*.db"))
    for old in existing[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return target


def backup_to(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# --- change detection -------------------------------------------------------------------------


class DataVersionProbe:
    """Notices commits made through other connections (the CLI, a second window, a teammate).

    SQLite's ``PRAGMA data_version`` changes on a connection when any *other* connection
    commits. The probe keeps one connection of its own; the app calls :meth:`sync` after its
    own commits so that only foreign changes are reported by :meth:`changed`.
    """

    def __init__(self, engine: Engine) -> None:
        self._connection = engine.raw_connection() if engine.dialect.name == "sqlite" else None
        self._last = self._read()

    def _read(self) -> int | None:
        if self._connection is None:
            return None
        cursor = self._connection.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def changed(self) -> bool:
        value = self._read()
        if value != self._last:
            self._last = value
            return True
        return False

    def sync(self) -> None:
        self._last = self._read()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@contextmanager
def opened_engine(url: str) -> Iterator[Engine]:
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def list_backups(backup_dir: Path, db_path: Path | None = None) -> list[Path]:
    """Automatic backups in ``backup_dir``, newest first (of ``db_path``'s file when given)."""
    if not backup_dir.is_dir():
        return []
    pattern = f"{db_path.stem}-*.db" if db_path is not None else "*.db"
    found = [p for p in backup_dir.glob(pattern) if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def restore_backup(backup: Path, db_path: Path) -> Path | None:
    """Put ``backup`` in place of ``db_path``. The file it replaces is never written: it is
    renamed aside (with its -wal and -shm files) and that new name is returned."""
    kept: Path | None = None
    if db_path.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        kept = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
        db_path.rename(kept)
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                side.rename(kept.with_name(kept.name + suffix))
    backup_to(backup, db_path)
    return kept


# --- one window per file -----------------------------------------------------------------------


class InstanceLock:
    """Tells whether another Sprintdeck process has the same database open.

    An OS file lock (``flock``) on a small file in the user data folder's ``locks/``, named
    after the database's path: the OS drops it when the holder exits, so a crashed process
    never leaves a stale lock behind. The database file itself is never touched. Another
    holder is only reported (the app still opens: optimistic locking keeps edits safe).
    """

    def __init__(self, db_path: Path, lock_dir: Path) -> None:
        digest = hashlib.sha1(str(db_path.absolute()).encode("utf-8")).hexdigest()[:16]
        self.path = lock_dir / f"{db_path.name}-{digest}.lock"
        self._file: object | None = None
        self.held = False

    def acquire(self) -> str | None:
        """Take the lock; None when we are alone, else a description of the other holder."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no detection, never a refusal
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open
        except OSError:
            return None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another Sprintdeck window"
            handle.close()
            return holder
        handle.seek(0)
        handle.truncate()
        handle.write(f"Sprintdeck process {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._file = handle
        self.held = True
        return None

    def release(self) -> None:
        handle = self._file
        if handle is not None:
            handle.close()  # type: ignore[attr-defined]  # closing drops the flock
            self._file = None
            self.held = False
