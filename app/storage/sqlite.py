"""SQLite: a database that is one file (the app's default).

SQLite is opened in WAL mode with foreign keys on and a busy timeout. pysqlite's own
transaction handling is switched off so that SQLAlchemy's ``begin`` decides: reads use a
plain (deferred) ``BEGIN``, writes ``BEGIN IMMEDIATE`` so two writers queue on the lock
instead of failing half way through a transaction. Backups go through SQLite's backup API
(never a file copy); the board is read with plain ``sqlite3`` (app/storage/sqlite_board.py),
which also lets the window paint before SQLAlchemy is loaded; the health check is
app/storage/sqlite_health.py; ``PRAGMA data_version`` tells that another process committed.

SQLAlchemy is imported inside the methods that need it, never at module level.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from app.dburl import is_read_only_url, read_only_url, sqlite_path
from app.errors import DatabaseProblem, NotFound, ValidationError
from app.storage import NO_BACKUPS, WRITE_OPTION, HealthReport, backup_files

T = TypeVar("T")

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

    from app.services.dto import BoardDTO, CardDTO, Figures, ProjectDTO
    from app.services.events import ChangeBus
    from app.storage.change_feed import ChangeFeed, LoadCards

BUSY_TIMEOUT_ENV = "SPRINTDECK_BUSY_TIMEOUT_MS"
# How long a write waits for another program's lock before reporting "busy" (tests shorten it).
BUSY_TIMEOUT_MS = int(os.environ.get(BUSY_TIMEOUT_ENV) or 5000)
# Tests only: cap the file's size (PRAGMA max_page_count) to simulate a full disk.
MAX_PAGE_COUNT: int | None = None
# FULL: a move the user saw saved survives a power cut, not only a crash of the app.
SYNCHRONOUS = "FULL"
# Automatic backups kept per database file.
BACKUPS_KEPT = 10


class SqliteStorage:
    """The :class:`app.storage.Storage` of one SQLite URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path: Path | None = sqlite_path(url)

    # --- where it is and how it is opened ---------------------------------------------

    def describe(self) -> str:
        return f"The file {self.path}" if self.path else "The database"

    def is_read_only(self) -> bool:
        return is_read_only_url(self.url)

    def read_only_url(self) -> str:
        return self.url if self.path is None else read_only_url(self.path)

    def create_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        path = self.path
        if path is not None and not path.parent.is_dir():
            raise DatabaseProblem(
                f"The folder {path.parent} does not exist, so the database {path.name} "
                "cannot be opened or created there."
            )
        engine = create_engine(self.url, connect_args={"timeout": _busy_timeout_ms() / 1000})
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        return engine

    @contextmanager
    def migrating(self, connection: Connection) -> Iterator[Callable[[], None]]:
        driver = connection.connection.driver_connection
        # Batch migrations rebuild tables; with foreign keys on that would cascade deletes.
        driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            yield lambda: _check_references(connection)
        finally:
            driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

    def describe_error(self, exc: Exception) -> str:
        where = self.describe()
        text = str(getattr(exc, "orig", exc))
        if "file is not a database" in text:
            return f"{where} is not a SQLite database (or it is encrypted or damaged)."
        if "malformed" in text or "corrupt" in text:
            return f"{where} is damaged (SQLite says: {text})."
        if "readonly" in text or "read-only" in text:
            return f"{where} cannot be written (it is read-only)."
        if "locked" in text or "busy" in text:
            return f"{where} is locked by another program; try again in a moment."
        if "unable to open" in text:
            return f"{where} cannot be opened (SQLite says: {text})."
        return f"{where} cannot be used: {text}"

    # --- health ------------------------------------------------------------------------

    def check(self, quick: bool = False) -> HealthReport:
        from app.storage.sqlite_health import check_database

        return check_database(self.url, quick=quick)

    def damage(self) -> str | None:
        if self.path is None:
            return None
        from app.storage.sqlite_health import damage_in_header

        return damage_in_header(self.path)

    # --- fast board read ---------------------------------------------------------------

    def first_read(self, project_key: str | None) -> SqliteFirstRead | None:
        if self.path is None or self.is_read_only() or "?" in self.url:
            return None
        from app.storage.sqlite_health import check_database

        # Only the checks whose cost does not grow with the file: the page check runs after
        # the paint (app/startup.py), and until it says healthy nothing can write.
        if check_database(self.url, quick=True, deep=False).kind != "healthy":
            return None
        from app.storage import dbapi_board
        from app.storage.sqlite_board import read_projects

        try:
            # Read-only: a file the deep check may yet find damaged is never written, not
            # even by a checkpoint when this connection closes.
            uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            conn.execute("BEGIN")
            projects = read_projects(conn)
            if not projects:
                conn.close()
                return None
            wanted = (project_key or "").strip().upper()
            chosen = next((p for p in projects if p.key == wanted), projects[0])
            # The head only: the columns' cards are read a page at a time (what is on
            # screen), so the first paint's cost does not grow with the cards stored.
            board = dbapi_board.read_board(conn, chosen.id, epics_only=True)
            conn.execute("COMMIT")
            return SqliteFirstRead(conn, projects, board)
        except Exception:  # any surprise: the ordinary start-up decides
            conn.close()
            return None

    def read_board(self, connection: Connection, project_id: int) -> BoardDTO | None:
        from app.storage.sqlite_board import read_board

        # Plain DB-API reads in this transaction: half the time of the Core path.
        return read_board(connection.connection.driver_connection, project_id)  # type: ignore[arg-type]

    # --- backup ------------------------------------------------------------------------

    def _file(self) -> Path:
        if self.path is None:
            raise ValidationError(NO_BACKUPS)
        return self.path

    def backup(self, target: Path) -> Path:
        """A consistent copy of the live file written to ``target``; made beside it and
        renamed into place, so a failed backup never leaves a half-written file there."""
        source = self._file()
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

    def backup_into(self, folder: Path, reason: str) -> Path | None:
        source = self.path
        if source is None or not source.exists():
            return None
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = folder / f"{source.stem}-{stamp}-{reason}.db"
        backup_to(source, target)
        existing = sorted(folder.glob(f"{source.stem}-*.db"))
        for old in existing[:-BACKUPS_KEPT]:
            old.unlink(missing_ok=True)
        return target

    def backups(self, folder: Path) -> list[Path]:
        return [] if self.path is None else backup_files(folder, self.path.stem)

    def restore(self, backup: Path) -> Path | None:
        """Put ``backup`` in place of the file. The file it replaces is never written: it
        is renamed aside (with its -wal and -shm files) and that new name is returned."""
        if self.path is None:
            raise OSError("Only a database file can be restored from a backup.")
        db_path = self.path
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

    def restore_from(self, source: Path, backup_dir: Path) -> Path | None:
        """Write ``source`` into the live file (through SQLite: journal, WAL and locks
        honoured) after backing the current contents up into ``backup_dir``; returns that
        backup (None when there was nothing to keep)."""
        target = self._file()
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
            try:
                kept = self.backup_into(backup_dir, reason="before-restore")
            except sqlite3.Error as exc:
                raise DatabaseProblem(
                    f"The file {target} could not be backed up before the restore ({exc}); "
                    "nothing was changed."
                ) from exc
        try:
            backup_to(source, target)
        except sqlite3.Error as exc:
            raise DatabaseProblem(f"The restore failed: {exc}.") from exc
        return kept

    # --- instance lock -------------------------------------------------------------------

    def lock(self, lock_dir: Path) -> FileLock | None:
        return None if self.path is None else FileLock(self.path, lock_dir)

    # --- changes made elsewhere ---------------------------------------------------------

    def change_probe(self, engine: Engine) -> DataVersionProbe:
        return DataVersionProbe(engine)

    def change_feed(
        self,
        engine: Engine,
        bus: ChangeBus,
        origin: str,
        load_cards: LoadCards,
        probe: DataVersionProbe,
    ) -> ChangeFeed:
        from app.storage.change_feed import ChangeFeed

        return ChangeFeed(engine, bus, origin, load_cards, poke=probe.changed)


# --- connection settings ----------------------------------------------------------------------


def _busy_timeout_ms() -> int:
    return int(BUSY_TIMEOUT_MS)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={_busy_timeout_ms()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if MAX_PAGE_COUNT is not None:
            cursor.execute(f"PRAGMA max_page_count={int(MAX_PAGE_COUNT)}")
        try:
            # Switching to WAL rewrites the file header: never do it to someone else's
            # database, which is refused untouched (see app.db.check_schema).
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


def _check_references(connection: Connection) -> None:
    """After an upgrade's commit: refuse one that left broken references."""
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    connection.rollback()
    if problems:
        raise DatabaseProblem(f"The upgrade left broken references: {problems[:3]}")


def _on_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


# --- backups ----------------------------------------------------------------------------------


def backup_to(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` through SQLite's backup API."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def check_database_file(path: Path) -> str:
    """Refuse a file that is not a Sprintdeck database; return its schema state."""
    from app.db import check_schema, opened_engine
    from app.storage.sqlite_health import damage_in_header

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


# --- the first read, before SQLAlchemy ----------------------------------------------------------


class SqliteFirstRead:
    """The project list and one board, read in one transaction, and the connection that
    can tell (``PRAGMA data_version``) whether anything was committed since."""

    def __init__(
        self, conn: sqlite3.Connection, projects: list[ProjectDTO], board: BoardDTO
    ) -> None:
        self.projects = projects
        self.board = board
        self._conn: sqlite3.Connection | None = conn
        self._data_version = self._version()

    def _version(self) -> int:
        assert self._conn is not None
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _ask(self, project_id: int, read: Callable[[sqlite3.Connection], T]) -> T | None:
        """``read`` on the first read's connection, for its own project while it is open;
        None otherwise, or when SQLite says no (the services then answer)."""
        if self._conn is None or project_id != self.board.project.id:
            return None
        try:
            return read(self._conn)
        except sqlite3.Error:
            return None

    def full_board(self, project_id: int) -> BoardDTO | None:
        from app.storage import dbapi_board

        return self._ask(project_id, lambda conn: dbapi_board.read_board(conn, project_id))

    def column_page(self, project_id: int, column_id: int, **page: Any) -> list[CardDTO] | None:
        """A page of a column, of a board filter's matches when ``matching`` is given (a
        filter remembered from the last session: the first paint reads its pages, not
        every card)."""
        from app.storage import dbapi_board

        matching = page.pop("matching", None)
        density = page.pop("density", None)
        if matching is not None and not matching.is_empty():
            return self._ask(
                project_id,
                lambda conn: dbapi_board.read_matching_page(
                    conn, self.board, column_id, matching, density=density, **page
                ),
            )
        return self._ask(
            project_id,
            lambda conn: dbapi_board.read_column_page(conn, self.board, column_id, **page),
        )

    def column_figures(
        self, project_id: int, sprint_id: int | None, matching: Any = None
    ) -> dict[int, Figures] | None:
        """The columns' figures, of a board filter's matches when ``matching`` is given."""
        from app.storage import dbapi_board

        if matching is not None and not matching.is_empty():
            return self._ask(
                project_id,
                lambda conn: dbapi_board.read_matching_figures(
                    conn, project_id, sprint_id, matching
                ),
            )
        return self._ask(
            project_id, lambda conn: dbapi_board.read_column_figures(conn, project_id, sprint_id)
        )

    def changed_since(self) -> bool:
        """True when another connection committed since the read (then close)."""
        if self._conn is None:
            return False
        try:
            return self._version() != self._data_version
        except sqlite3.Error:
            return True
        finally:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


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


# --- one window per file -----------------------------------------------------------------------


class FileLock:
    """Tells whether another Sprintdeck process has the same database file open.

    An OS file lock (``flock``) on a small file in the user data folder's ``locks/``, named
    after the database's path: the OS drops it when the holder exits, so a crashed process
    never leaves a stale lock behind. The database file itself is never touched. Another
    holder is only reported (the app still opens: optimistic locking keeps edits safe).
    """

    def __init__(self, db_path: Path, lock_dir: Path) -> None:
        import hashlib  # here, not at the top: the lock is taken after the first paint

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
        import socket  # here, not at the top: the lock is taken after the first paint

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


# The name tests and callers knew it by (app.db.InstanceLock).
InstanceLock = FileLock
