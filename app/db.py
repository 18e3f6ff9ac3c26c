"""Engine and sessions, SQLite pragmas, migrate-on-start with a backup, change detection.

SQLite is opened in WAL mode with foreign keys on and a busy timeout. pysqlite's own
transaction handling is switched off so that SQLAlchemy's ``begin`` decides: reads use a
plain (deferred) ``BEGIN``, writes ``BEGIN IMMEDIATE`` so two writers queue on the lock
instead of failing half way through a transaction.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.config import package_dir
from app.errors import DatabaseProblem

BUSY_TIMEOUT_MS = 5000
# FULL: a move the user saw saved survives a power cut, not only a crash of the app.
SYNCHRONOUS = "FULL"
_WRITE_OPTION = "sprintdeck_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    database = parsed.database
    if database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database)


def create_db_engine(url: str) -> Engine:
    """An engine with Sprintdeck's connection settings applied to every new connection."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None and not path.parent.is_dir():
            raise DatabaseProblem(
                f"The folder {path.parent} does not exist, so the database {path.name} "
                "cannot be opened or created there."
            )
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
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
    config = Config()
    config.set_main_option("script_location", str(package_dir("migrations")))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> str:
    """Classify the database: 'empty', 'current', 'outdated'; refuse foreign or newer ones."""
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
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild tables; with foreign keys on that would cascade deletes.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
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
