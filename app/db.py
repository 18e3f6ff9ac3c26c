"""Engine and sessions, migrate-on-start with a backup: what every engine shares.

What differs per engine (connection settings, backups, the fast board read, the health
check, the window lock, change detection) is behind :class:`app.storage.Storage`
(app/storage/sqlite.py for SQLite files). The migrations stay here: one alembic
environment (app/migrations, ``render_as_batch`` for SQLite) serves every engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError as SADatabaseError
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
from app.storage import WRITE_OPTION, Storage, storage_for

if TYPE_CHECKING:
    from alembic.config import Config

# alembic (and mako, pygments...) is imported only when a database is created, upgraded or
# refused: a database already at the head revision is checked with one plain query.


def create_db_engine(url: str) -> Engine:
    """An engine with its storage's connection settings applied to every new connection."""
    return storage_for(url).create_engine()


def _storage(engine: Engine) -> Storage:
    return storage_for(engine.url.render_as_string(hide_password=False))


def session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(reader, writer) session factories; the writer's transactions take the write lock first."""
    reader = sessionmaker(engine, expire_on_commit=False)
    writer = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
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
        raise DatabaseProblem(_storage(engine).describe_error(exc)) from exc
    if not tables or (revision is None and tables == {"alembic_version"}):
        return "empty"  # new, or downgraded to base
    if revision is None:
        raise DatabaseProblem(
            f"{_storage(engine).describe()} is a database but not a Sprintdeck one "
            f"(it holds tables such as {', '.join(sorted(tables)[:3])}); nothing was changed."
        )
    try:
        script.get_revision(revision)
    except Exception as exc:  # alembic raises several kinds for unknown revisions
        raise DatabaseProblem(_newer(_storage(engine), revision)) from exc
    return "current" if revision == script.get_current_head() else "outdated"


def migrate(engine: Engine, backup_dir: Path | None = None) -> str:
    """Upgrade the schema to head; back the file up first when an existing schema changes.

    Returns what was done: 'created', 'upgraded' or 'current'.
    """
    state = check_schema(engine)
    if state == "current":
        return "current"
    if state == "outdated" and backup_dir is not None:
        _storage(engine).backup_into(backup_dir, f"before-upgrade-{current_revision(engine)}")
    from alembic import command

    # A writer's transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL):
    # two programs that start on a new database at once queue here instead of both
    # creating the schema; the one that waited finds it made and does nothing.
    storage = _storage(engine)
    try:
        with (
            engine.execution_options(**{WRITE_OPTION: True}).connect() as connection,
            storage.migrating(connection) as verify,
        ):
            revision = _revision_in(connection)
            if revision == known_head():
                connection.rollback()
                return "current"  # another program migrated it while this one waited
            if revision is not None and revision not in _known_revisions():
                connection.rollback()
                raise DatabaseProblem(_newer(storage, revision))
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
            verify()
    except SADatabaseError as exc:
        raise DatabaseProblem(storage.describe_error(exc)) from exc
    return "created" if state == "empty" else "upgraded"


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _newer(storage: Storage, revision: str) -> str:
    return (
        f"{storage.describe()} was written by a newer version of Sprintdeck "
        f"(schema revision {revision}); this version cannot read it and did not change it. "
        "Please update Sprintdeck."
    )


def _revision_in(connection: Connection) -> str | None:
    """The schema revision, read inside the connection's (write-locked) transaction.

    The table is looked up first: a failed SELECT would abort the transaction on
    PostgreSQL (and with it the advisory lock the migration holds)."""
    if not inspect(connection).has_table("alembic_version"):
        return None  # a new database (the lock is kept)
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return rows[0][0] if len(rows) == 1 else None


@contextmanager
def opened_engine(url: str) -> Iterator[Engine]:
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
