"""The one place that builds a runtime: paths, storage, migrations, services.

:func:`open_runtime` opens (creating or upgrading) a database and builds the services on
it, for the window and the command line alike; :class:`StartupSupport` is what the
window's start-up asks before that (the health check, backups, restore, the window lock,
the first paint). app/main.py hands over to these; nothing else builds a runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import config
from app.dburl import is_read_only_url, read_only_url, sqlite_path
from app.errors import DomainError
from app.services.health import HealthReport, check_database, damage_in_header

# SQLAlchemy, alembic and the services are imported where they are used: the window paints
# its first board before they are loaded (app/startup.py).
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.db import DataVersionProbe, InstanceLock
    from app.services import Services
    from app.services.events import ChangeBus
    from app.startup import DeferredServices


@dataclass
class Runtime:
    """What one run of the app works with; closed when the run ends."""

    url: str
    engine: Engine
    services: Services
    probe: DataVersionProbe
    migration: str  # created | upgraded | current

    def close(self) -> None:
        self.probe.close()
        self.engine.dispose()


def open_runtime(
    url: str,
    seed_demo_if_new: bool = False,
    daily_backup: bool | None = None,
    bus: ChangeBus | None = None,
) -> Runtime:
    """Open (creating or upgrading) the database at ``url`` and build the services.

    The window passes ``seed_demo_if_new`` (a new database gets the demo project) and, with
    it by default, ``daily_backup``: at most one rotating backup per day in the data folder.

    Raises :class:`app.errors.DatabaseProblem` with a readable message when the database
    cannot be used; nothing is written to it in that case. ``bus``: the change bus the
    services publish on (the window's, when it was built before them).
    """
    from app.db import DataVersionProbe, create_db_engine, migrate, session_factories
    from app.services import build_services

    config.prepare_data_dir(url)
    path = sqlite_path(url)
    if path is not None:
        # Cheap (one header read), before anything can write: a truncated file must not
        # take a new card. A deeper check is `sprintdeck check` (and the window's start).
        damage = damage_in_header(path)
        if damage is not None:
            from app.errors import DatabaseProblem

            more = "" if "sprintdeck check" in damage else "; `sprintdeck check` says more"
            raise DatabaseProblem(f"{damage} Nothing was written{more}.")
    engine = create_db_engine(url)
    try:
        migration = migrate(engine, backup_dir=config.user_data_dir() / "backups")
        reader, writer = session_factories(engine)
        services = build_services(reader, writer, actor=config.actor_name(), bus=bus)
        if migration == "created" and seed_demo_if_new:
            from app.services.demo import seed_demo

            seed_demo(services)
        if seed_demo_if_new if daily_backup is None else daily_backup:
            from app.services.transfer.backups import daily_backup as backup_today

            try:
                backup_today(url, config.user_data_dir() / "backups")
            except (OSError, DomainError):
                pass  # a missed backup must not keep anyone from their board
        probe = DataVersionProbe(engine)
        services.context.after_commit.append(probe.sync)
    except BaseException:
        engine.dispose()
        raise
    return Runtime(url, engine, services, probe, migration)


class StartupSupport:
    """What the GUI's start-up needs from the storage layer, as plain calls (app/ui never
    imports app.db): the health check, backups, restore, read-only URLs, the window lock."""

    def check(self, url: str) -> HealthReport:
        return check_database(url, quick=True)

    def is_read_only(self, url: str) -> bool:
        return is_read_only_url(url)

    def read_only_url(self, url: str) -> str:
        path = sqlite_path(url)
        return url if path is None else read_only_url(path)

    def path_of(self, url: str) -> Path | None:
        """The database file behind ``url`` (None for a server database)."""
        path = sqlite_path(url)
        return None if path is None else path.absolute()

    def url_for(self, path: Path) -> str:
        return "sqlite:///" + str(path.absolute())

    def backups(self, url: str) -> list[Path]:
        """Automatic backups in the data folder's backups/, newest first."""
        from app.db import list_backups

        path = sqlite_path(url)
        folder = config.user_data_dir() / "backups"
        own = list_backups(folder, path) if path is not None else []
        return own or list_backups(folder)

    def restore(self, backup: Path, url: str) -> Path | None:
        """Restore ``backup`` as the file behind ``url``; the damaged file is renamed aside."""
        from app.db import restore_backup

        path = sqlite_path(url)
        if path is None:
            raise OSError("Only a database file can be restored from a backup.")
        return restore_backup(backup, path)

    def lock(self, url: str) -> tuple[InstanceLock | None, str | None]:
        """(the lock to release at exit, or None; who else has the file open, or None)."""
        from app.db import InstanceLock

        path = sqlite_path(url)
        if path is None:
            return None, None
        lock = InstanceLock(path, config.user_data_dir() / "locks")
        holder = lock.acquire()
        return (lock if lock.held else None), holder

    def deferred_services(
        self, url: str, project_key: str | None, build: Callable[[ChangeBus], Services]
    ) -> DeferredServices | None:
        """Services that answer the window's first questions from one plain ``sqlite3``
        read and are built by ``build`` once it has painted (app/startup.py); None when
        the database needs the ordinary start-up (check, dialogs, migration)."""
        from app.startup import DeferredServices, first_read

        first = first_read(url, project_key)
        return None if first is None else DeferredServices(first, build)
