"""The storage seam: what the app needs of a database engine beyond SQL, behind one protocol.

One module per engine implements :class:`Storage`: :mod:`app.storage.sqlite` (a file;
the board read with plain ``sqlite3``, backups through SQLite's backup API, ``PRAGMA
data_version`` for changes made elsewhere, a lock file per database) and
:mod:`app.storage.postgres` (a team's PostgreSQL database: no file, no backups of its
own, an advisory lock around migrations) and :mod:`app.storage.server` (any other
SQLAlchemy URL: the SQLAlchemy paths for everything).
:func:`storage_for` picks the module by URL. The change feed (app/storage/change_feed.py)
is engine-neutral and built on the engine's :meth:`Storage.change_probe`.

Nothing here (nor in app.storage.sqlite) imports SQLAlchemy at module level: the window's
first paint goes through this seam before SQLAlchemy is loaded (app/startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

    from app.services.dto import BoardDTO, CardDTO, Figures, ProjectDTO
    from app.services.events import ChangeBus
    from app.storage.change_feed import ChangeFeed, LoadCards

# The execution option that marks a writer's connection (app/db.py session_factories):
# on SQLite its transactions begin with BEGIN IMMEDIATE.
WRITE_OPTION = "sprintdeck_write"

# Where backups are not the app's to make (a server database, a memory one).
NO_BACKUPS = (
    "Backup and restore work on SQLite database files; use your database server's own "
    "tools for other databases."
)

# What each health kind means for the app: can it open the database normally?
USABLE_KINDS = ("healthy", "empty", "new", "outdated")


@dataclass(frozen=True)
class HealthReport:
    """The verdict on one database. ``problem`` is a sentence for a person, or None."""

    url: str
    path: Path | None
    kind: str  # healthy | outdated | empty | new | missing_folder | not_sqlite | truncated |
    # corrupt | broken_references | foreign | newer | read_only | disk_full | unsupported
    problem: str | None
    summary: str
    revision: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return self.problem is None

    @property
    def usable(self) -> bool:
        """The app can open it normally (a new or empty file is created, an old one upgraded)."""
        return self.kind in USABLE_KINDS

    @property
    def readable(self) -> bool:
        """Opening it read-only would work (its data can be looked at)."""
        return self.kind in ("healthy", "outdated", "read_only", "disk_full")


class FirstRead(Protocol):
    """The project list and one board's head (its columns, people, sprints and epics: what
    ``BoardService.load_board_head`` gives), read in one transaction before SQLAlchemy is
    loaded; while it is open, its connection also answers the board's first pages and
    figures (None: it cannot, ask the services)."""

    projects: list[ProjectDTO]
    board: BoardDTO

    def full_board(self, project_id: int) -> BoardDTO | None:
        """The whole board, every card (``BoardService.load_board``)."""
        ...

    def column_page(self, project_id: int, column_id: int, **page: Any) -> list[CardDTO] | None:
        """``BoardService.column_page``."""
        ...

    def column_figures(
        self, project_id: int, sprint_id: int | None, matching: Any = None
    ) -> dict[int, Figures] | None:
        """``BoardService.column_figures`` (of a board filter's matches: ``matching``)."""
        ...

    def changed_since(self) -> bool:
        """True when another connection committed since the read (asked once; then closed)."""
        ...

    def close(self) -> None: ...


class ChangeProbe(Protocol):
    """Says cheaply whether another connection committed since it was last asked."""

    def changed(self) -> bool: ...

    def sync(self) -> None:
        """Forget this process's own commits (called after each of them)."""
        ...

    def close(self) -> None: ...


class InstanceLock(Protocol):
    """Held while a window has the database open; tells who else has."""

    held: bool

    def acquire(self) -> str | None:
        """Take the lock; None when alone, else a description of the other holder."""
        ...

    def release(self) -> None: ...


class Storage(Protocol):
    """One database (its URL) on one engine."""

    url: str
    # A database that is not one file (a server) has ``path`` None: nothing in this
    # protocol needs a file, only these answers change.
    path: Path | None

    # --- where it is and how it is opened ---------------------------------------------
    def describe(self) -> str:
        """How messages name it: "The file /x/board.db", "The database"."""
        ...

    def is_read_only(self) -> bool: ...

    def read_only_url(self) -> str:
        """The URL that opens the same database without ever writing to it."""
        ...

    def create_engine(self) -> Engine:
        """A SQLAlchemy engine with this engine's connection settings (pragmas, timeouts)."""
        ...

    def migrating(self, connection: Connection) -> AbstractContextManager[Callable[[], None]]:
        """Around a schema upgrade on ``connection``: the engine's precautions (SQLite
        turns foreign keys off for batch migrations); yields the check to run after the
        upgrade's commit (SQLite: no broken references)."""
        ...

    def describe_error(self, exc: Exception) -> str:
        """A readable sentence for an error the driver raised while opening or migrating."""
        ...

    # --- health ------------------------------------------------------------------------
    def check(self, quick: bool = False) -> HealthReport:
        """Is it usable? Never writes (``sprintdeck check``, the window's start-up)."""
        ...

    def damage(self) -> str | None:
        """What is plainly wrong, from a cheap look (a file's header), or None: asked
        before anything writes to it or backs it up."""
        ...

    # --- fast board read ---------------------------------------------------------------
    def first_read(self, project_key: str | None) -> FirstRead | None:
        """The projects and the board of ``project_key`` (else the first project), read
        without SQLAlchemy; None when the ordinary start-up must decide (not a healthy
        database with a project, or an engine with no such read)."""
        ...

    def read_board(self, connection: Connection, project_id: int) -> BoardDTO | None:
        """The board through the engine's fast path in ``connection``'s transaction; None:
        use the SQLAlchemy path."""
        ...

    # --- backup ------------------------------------------------------------------------
    def backup(self, target: Path) -> Path:
        """A consistent copy of the live database written to the file ``target`` (never
        half-written); refused where the engine's own tools make backups."""
        ...

    def backup_into(self, folder: Path, reason: str) -> Path | None:
        """An automatic backup in ``folder`` (kept rotating); None when there is nothing to
        copy (a new file) or the engine's own tools do backups (a server)."""
        ...

    def backups(self, folder: Path) -> list[Path]:
        """The automatic backups of this database in ``folder``, newest first."""
        ...

    def restore(self, backup: Path) -> Path | None:
        """Put ``backup`` in place of this database (the start-up's way out of a damaged
        one); what it replaced is kept aside, unchanged, and its new name returned."""
        ...

    def restore_from(self, source: Path, backup_dir: Path) -> Path | None:
        """Bring ``source`` back into the live database (``sprintdeck restore``) after
        backing the current contents up into ``backup_dir``; returns that backup."""
        ...

    # --- instance lock -------------------------------------------------------------------
    def lock(self, lock_dir: Path) -> InstanceLock | None:
        """The lock a window holds on this database (None: the engine needs none)."""
        ...

    # --- changes made elsewhere ---------------------------------------------------------
    def change_probe(self, engine: Engine) -> ChangeProbe:
        """What tells that another process committed (SQLite: ``PRAGMA data_version`` on a
        connection of its own; a server: LISTEN/NOTIFY)."""
        ...

    def change_feed(
        self, engine: Engine, bus: ChangeBus, origin: str, load_cards: LoadCards, probe: ChangeProbe
    ) -> ChangeFeed:
        """The change feed (app/storage/change_feed.py) on this engine, poked by ``probe``."""
        ...


def backup_files(folder: Path, stem: str | None = None) -> list[Path]:
    """Automatic backups in ``folder``, newest first (of the database named ``stem``)."""
    if not folder.is_dir():
        return []
    pattern = f"{stem}-*.db" if stem is not None else "*.db"
    found = [p for p in folder.glob(pattern) if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def storage_for(url: str) -> Storage:
    """The storage of the database at ``url``, by its engine."""
    from app.dburl import is_postgres, is_sqlite

    if is_sqlite(url):
        from app.storage.sqlite import SqliteStorage

        return SqliteStorage(url)
    if is_postgres(url):
        from app.storage.postgres import PostgresStorage

        return PostgresStorage(url)
    from app.storage.server import ServerStorage

    return ServerStorage(url)


def storage_of(connection: Connection) -> Storage:
    """The storage behind an open SQLAlchemy connection."""
    return storage_for(connection.engine.url.render_as_string(hide_password=False))


def read_board(connection: Connection, project_id: int) -> BoardDTO | None:
    """The board through the engine's fast path (None: use the SQLAlchemy path)."""
    return storage_of(connection).read_board(connection, project_id)


__all__ = [
    "NO_BACKUPS",
    "USABLE_KINDS",
    "WRITE_OPTION",
    "ChangeProbe",
    "FirstRead",
    "HealthReport",
    "InstanceLock",
    "Storage",
    "backup_files",
    "read_board",
    "storage_for",
    "storage_of",
]
