"""The window's first paint before SQLAlchemy is loaded.

Importing SQLAlchemy and the services takes longer than everything else a start does
(docs/benchmarks.md: ~3/4 of a cold start on the demo database). So when the database is
plainly usable (the start-up health check says "healthy": a Sprintdeck file at the head
revision, writable, undamaged), the window is built on :class:`DeferredServices`: the
project list and the first board come from one read with ``sqlite3``
(:meth:`app.storage.Storage.first_read`; on SQLite app/storage/sqlite_board.py, the same
reader the board service uses), and the real
services are built right after the window has painted (:meth:`DeferredServices.finish`,
from a zero-delay timer). Anything else the window asks for before then builds them on the
spot, so nothing behaves differently, it only comes later. Any other case (a new, old,
damaged, foreign or read-only file, another database server) takes the ordinary path:
health check and its dialogs first, then the services, then the window.

If another program changed the database between that first read and the services being
built, ``PRAGMA data_version`` on the first read's connection tells, and the window reloads.

This module must not import SQLAlchemy (tests/storage/test_dburl.py checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.services.dto import BoardDTO, ProjectDTO
from app.services.events import ChangeBus
from app.storage import FirstRead, storage_for

if TYPE_CHECKING:
    from app.services import Services


def first_read(url: str, project_key: str | None) -> FirstRead | None:
    """The first board to paint, read by the database's storage without SQLAlchemy; None
    when the ordinary start-up must decide (anything but a healthy database with a project
    in it, or an engine without such a read)."""
    return storage_for(url).first_read(project_key)


class DeferredServices:
    """Stands in for :class:`app.services.Services` until they are built.

    ``projects.list_projects``/``find_project`` and ``board.load_board`` of the first
    board are answered from the first read; any other use builds the services first
    (``build`` gets the bus the window already listens to). After :meth:`finish` every
    attribute is the real service's.
    """

    def __init__(self, first: FirstRead, build: Callable[[ChangeBus], Services]) -> None:
        self.bus = ChangeBus()
        self._first = first
        self._build = build
        self._real: Services | None = None
        self._changed = False

    @property
    def ready(self) -> bool:
        return self._real is not None

    def real(self) -> Services:
        """The services, built now if they were not yet."""
        if self._real is None:
            real = self._build(self.bus)
            # Asked before anything of ours can write: what changed since the first read
            # was someone else's doing. (Later changes are the change probe's business.)
            self._changed = self._first.changed_since()
            self._real = real
        return self._real

    def finish(self) -> bool:
        """Build the services (if nothing has yet); True when another program changed the
        database between the first read and then, so what the window shows is stale."""
        self.real()
        return self._changed

    def __getattr__(self, name: str) -> Any:
        # Only called for what is not an attribute of this object.
        if self._real is not None:
            return getattr(self._real, name)
        if name == "projects":
            return _FirstProjects(self, self._first)
        if name == "board":
            return _FirstBoard(self, self._first)
        if name.startswith("__"):
            raise AttributeError(name)
        return _Later(self, name)


class _Later:
    """A service asked for before the services exist: built when it is used."""

    def __init__(self, owner: DeferredServices, name: str) -> None:
        self._owner = owner
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(getattr(self._owner.real(), self._name), attribute)


class _FirstProjects(_Later):
    def __init__(self, owner: DeferredServices, first: FirstRead) -> None:
        super().__init__(owner, "projects")
        self._first = first

    def list_projects(self) -> list[ProjectDTO]:
        if self._owner.ready:
            return self._owner.real().projects.list_projects()
        return list(self._first.projects)

    def find_project(self, key: str) -> ProjectDTO:
        wanted = str(key).strip().upper()
        if not self._owner.ready:
            for project in self._first.projects:
                if project.key == wanted:
                    return project
        return self._owner.real().projects.find_project(key)


class _FirstBoard(_Later):
    def __init__(self, owner: DeferredServices, first: FirstRead) -> None:
        super().__init__(owner, "board")
        self._first = first

    def load_board(self, project_id: int) -> BoardDTO:
        if not self._owner.ready and project_id == self._first.board.project.id:
            return self._first.board
        return self._owner.real().board.load_board(project_id)
