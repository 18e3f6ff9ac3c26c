"""Any database that is not a SQLite file (a server such as PostgreSQL), until its engine
gets a module of its own (app/storage/postgres.py with LISTEN/NOTIFY, in a later issue).

No file: nothing to back up or restore here (the server's own tools do that), no window
lock, no fast board read (the SQLAlchemy path), no health check beyond opening it, and no
cheap probe for other processes' commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import DatabaseProblem, ValidationError
from app.storage import NO_BACKUPS, HealthReport

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

    from app.services.dto import BoardDTO
    from app.services.events import ChangeBus
    from app.storage import FirstRead, InstanceLock
    from app.storage.change_feed import ChangeFeed, LoadCards


class FilelessStorage:
    """What every server database shares: no file, so no fast board read with ``sqlite3``,
    no backups or restores of ours (the server's tools make them), no window lock (many
    clients is the point)."""

    def first_read(self, project_key: str | None) -> FirstRead | None:
        return None

    def read_board(self, connection: Connection, project_id: int) -> BoardDTO | None:
        return None

    def backup(self, target: Path) -> Path:
        raise ValidationError(NO_BACKUPS)

    def backup_into(self, folder: Path, reason: str) -> Path | None:
        return None

    def backups(self, folder: Path) -> list[Path]:
        return []

    def restore(self, backup: Path) -> Path | None:
        raise OSError("Only a database file can be restored from a backup.")

    def restore_from(self, source: Path, backup_dir: Path) -> Path | None:
        raise ValidationError(NO_BACKUPS)

    def lock(self, lock_dir: Path) -> InstanceLock | None:
        return None


class ServerStorage(FilelessStorage):
    """The :class:`app.storage.Storage` of a server database's URL."""

    path: Path | None = None

    def __init__(self, url: str) -> None:
        self.url = url

    def describe(self) -> str:
        return "The database"

    def is_read_only(self) -> bool:
        return False

    def read_only_url(self) -> str:
        return self.url

    def create_engine(self) -> Engine:
        from sqlalchemy import create_engine

        try:
            return create_engine(self.url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise DatabaseProblem(
                f"Opening {self.url.split('://', 1)[0]}:// databases needs the Python package "
                f"{exc.name!r}, which is not installed (pip install 'psycopg[binary]')."
            ) from exc

    @contextmanager
    def migrating(self, connection: Connection) -> Iterator[Callable[[], None]]:
        yield lambda: None

    def describe_error(self, exc: Exception) -> str:
        text = str(getattr(exc, "orig", exc))
        if "locked" in text or "busy" in text:
            return f"{self.describe()} is locked by another program; try again in a moment."
        return f"{self.describe()} cannot be used: {text}"

    def check(self, quick: bool = False) -> HealthReport:
        summary = "not a SQLite file: nothing to check here"
        return HealthReport(self.url, None, "unsupported", None, summary)

    def damage(self) -> str | None:
        return None

    def change_probe(self, engine: Engine) -> NoProbe:
        return NoProbe()

    def change_feed(
        self, engine: Engine, bus: ChangeBus, origin: str, load_cards: LoadCards, probe: NoProbe
    ) -> ChangeFeed:
        from app.storage.change_feed import ChangeFeed

        return ChangeFeed(engine, bus, origin, load_cards, poke=probe.changed)


class NoProbe:
    """No cheap way to ask yet (LISTEN/NOTIFY comes with the PostgreSQL module)."""

    def changed(self) -> bool:
        return False

    def sync(self) -> None:
        pass

    def close(self) -> None:
        pass


__all__ = ["NoProbe", "ServerStorage"]
