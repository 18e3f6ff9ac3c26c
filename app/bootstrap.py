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
from app.errors import DomainError
from app.storage import HealthReport, InstanceLock, backup_files, storage_for

# SQLAlchemy, alembic and the services are imported where they are used: the window paints
# its first board before they are loaded (app/startup.py).
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.services import Services
    from app.services.events import ChangeBus
    from app.startup import StartingServices
    from app.storage import ChangeProbe, Storage
    from app.storage.change_feed import ChangeFeed


@dataclass
class Runtime:
    """What one run of the app works with; closed when the run ends."""

    url: str
    engine: Engine
    services: Services
    probe: ChangeProbe
    migration: str  # created | upgraded | current
    storage: Storage
    # What other processes commit, published on services.bus as Change deltas; the window
    # calls feed.poll() on a timer and when it is activated.
    feed: ChangeFeed

    def close(self) -> None:
        self.probe.close()
        self.engine.dispose()


def database_file(url: str) -> Path | None:
    """The file behind ``url``, as given (None for a server or memory database): what
    outputs must never be written over."""
    return storage_for(url).path


def schema_revision() -> str:
    """The schema revision this build writes (exports name it)."""
    from app.dburl import head_revision

    return head_revision()


def backups_dir() -> Path:
    """Where the automatic backups go: the data folder's backups/."""
    return config.user_data_dir() / "backups"


def open_runtime(
    url: str,
    seed_demo_if_new: bool = False,
    daily_backup: bool | None = None,
    bus: ChangeBus | None = None,
    actor: str | None = None,
) -> Runtime:
    """Open (creating or upgrading) the database at ``url`` and build the services.

    The window passes ``seed_demo_if_new`` (a new database gets the demo project) and, with
    it by default, ``daily_backup``: at most one rotating backup per day in the data folder.

    Raises :class:`app.errors.DatabaseProblem` with a readable message when the database
    cannot be used; nothing is written to it in that case. ``bus``: the change bus the
    services publish on (the window's, when it was built before them). ``actor``: the
    name history events record (``--as``, *Settings › You are*); None for the default
    (:func:`app.whoami.actor_name`).
    """
    from app.db import migrate, session_factories
    from app.services import build_services
    from app.whoami import actor_name

    config.prepare_data_dir(url)
    storage = storage_for(url)
    # Cheap (one header read), before anything can write: a truncated file must not take a
    # new card. A deeper check is `sprintdeck check` (and the window's start).
    damage = storage.damage()
    if damage is not None:
        from app.errors import DatabaseProblem

        more = "" if "sprintdeck check" in damage else "; `sprintdeck check` says more"
        raise DatabaseProblem(f"{damage} Nothing was written{more}.")
    engine = storage.create_engine()
    try:
        migration = migrate(engine, backup_dir=backups_dir())
        reader, writer = session_factories(engine)
        services = build_services(reader, writer, actor=actor_name(url=url), bus=bus)
        if actor:
            services.set_actor(actor)
        if migration == "created" and seed_demo_if_new:
            from app.services.demo import seed_demo

            seed_demo(services)
        if seed_demo_if_new if daily_backup is None else daily_backup:
            from app.services.transfer.backups import daily_backup as backup_today

            try:
                backup_today(url, backups_dir())
            except (OSError, DomainError):
                pass  # a missed backup must not keep anyone from their board
        probe = storage.change_probe(engine)
        feed = storage.change_feed(
            engine, services.bus, services.context.origin, services.cards.get_cards, probe
        )
        services.context.after_commit.extend((probe.sync, feed.own_commit))
    except BaseException:
        engine.dispose()
        raise
    return Runtime(url, engine, services, probe, migration, storage, feed)


class StartupSupport:
    """What the GUI's start-up needs from the storage layer, as plain calls (app/ui never
    imports app.db or app.storage): the health check, backups, restore, read-only URLs,
    the window lock, the first paint."""

    def check(self, url: str) -> HealthReport:
        return storage_for(url).check(quick=True)

    def is_read_only(self, url: str) -> bool:
        return storage_for(url).is_read_only()

    def read_only_url(self, url: str) -> str:
        return storage_for(url).read_only_url()

    def path_of(self, url: str) -> Path | None:
        """The database file behind ``url`` (None for a server database)."""
        path = storage_for(url).path
        return None if path is None else path.absolute()

    def url_for(self, path: Path) -> str:
        return "sqlite:///" + str(path.absolute())

    def backups(self, url: str) -> list[Path]:
        """Automatic backups in the data folder's backups/, newest first."""
        folder = backups_dir()
        return storage_for(url).backups(folder) or backup_files(folder)

    def restore(self, backup: Path, url: str) -> Path | None:
        """Restore ``backup`` as the file behind ``url``; the damaged file is renamed aside."""
        return storage_for(url).restore(backup)

    def lock(self, url: str) -> tuple[InstanceLock | None, str | None]:
        """(the lock to release at exit, or None; who else has the database open, or None)."""
        lock = storage_for(url).lock(config.user_data_dir() / "locks")
        if lock is None:
            return None, None
        holder = lock.acquire()
        return (lock if lock.held else None), holder

    def starting_services(
        self, url: str, project_key: str | None, build: Callable[[ChangeBus], Services]
    ) -> StartingServices | None:
        """The window's services while it starts: the first paint, read without
        SQLAlchemy, and the services ``build`` makes once the window has painted
        (app/startup.py); None when the database needs the ordinary start-up (check,
        dialogs, migration)."""
        from app.startup import StartingServices, first_paint

        first = first_paint(url, project_key)
        if first is None:
            return None
        # The full start-up check, run after the paint (in a worker thread): no service is
        # built, so nothing is written, until it says healthy.
        return StartingServices(first, build, lambda: self.check(url))


def team_init(url: str, owner: str, member: str) -> list[str]:
    """``sprintdeck team init``: the team database's schema and its owner and member roles
    (app/storage/postgres_team.py); the lines say what was done or was there already."""
    from app.storage.postgres_team import team_init as set_up

    return set_up(url, owner=owner, member=member)
