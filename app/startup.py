"""The window's first paint before SQLAlchemy is loaded: an explicit first-paint object.

Importing SQLAlchemy and the services takes longer than everything else a start does
(docs/benchmarks.md: ~3/4 of a cold start on the demo database). So when the database is
plainly usable (the start-up health check says "healthy": a Sprintdeck file at the head
revision, writable, undamaged), its storage reads the project list and the first board's
head (columns, people, sprints, epics; not the columns' cards) in one go without
SQLAlchemy (:meth:`app.storage.Storage.first_read`; on SQLite app/storage/dbapi_board.py,
the same reader the board service uses). That read is a
:class:`FirstPaint`. The window is built on :class:`StartingServices`, which holds the
first paint and builds the real :class:`app.services.Services` after the window has
painted (:meth:`StartingServices.finish`, from a zero-delay timer):

* while the window is being built (until :meth:`StartingServices.painted`), its
  first-paint questions (``projects.list_projects``, ``projects.find_project``, and of the
  first board ``board.load_board_head``, each column's first page ``board.column_page``,
  the headers' ``board.column_figures``, and ``board.load_board`` where a remembered filter
  needs every card) are answered by the first paint, the pages and figures read on its
  still open read-only connection: what the first paint costs is what it shows, however
  many cards are stored;
* every other member (``cards``, ``sprints``, ``charts`` ...) is the real service's, built
  on the spot when it is used before the timer fired: nothing behaves differently, it only
  comes later; after the paint every member is the real service's.

The first read asks only the checks whose cost does not grow with the file (header,
write-ahead log, schema revision, permissions) and reads through a read-only connection.
The page check (``PRAGMA quick_check``, linear in the file's size) is a
:class:`BackgroundCheck`: the window starts it in a worker thread once it has painted,
and :class:`StartingServices` builds no service (so nothing can write) until it says
healthy; anything used before then waits for it. A damaged file gets no service at all:
the window closes and the ordinary start-up's damage dialog is shown, nothing written.

Any other case (a new, old, damaged, foreign or read-only file, another database server)
takes the ordinary path: health check and its dialogs first, then the services, then the
window. If another program changed the database between the first read and the services
being built, the first read's connection tells (``PRAGMA data_version`` on SQLite) and the
window reloads.

This module must not import SQLAlchemy (tests/storage/test_dburl.py checks).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.errors import DatabaseProblem, DomainError
from app.services.dto import BoardDTO, CardDTO, Figures, ProjectDTO
from app.services.events import ChangeBus
from app.storage import FirstRead, HealthReport, storage_for

if TYPE_CHECKING:
    from app.services import Services
    from app.services.activity import ActivityService
    from app.services.actor import ActorService
    from app.services.board import BoardService
    from app.services.budget import BudgetService
    from app.services.cards import CardService
    from app.services.chart_data import ChartService
    from app.services.comments import CommentService
    from app.services.forecasts import ForecastService
    from app.services.plans import PlanService
    from app.services.projects import ProjectService
    from app.services.risks import RiskService
    from app.services.search import SearchService
    from app.services.sprint_report_data import ReportService
    from app.services.sprints import SprintService
    from app.services.standup_data import StandupDataService
    from app.services.standups import StandupService
    from app.services.status_report import StatusReportService
    from app.services.team import TeamService
    from app.services.time import TimeService
    from app.services.transfer import TransferService
    from app.services.workflow import WorkflowService
    from app.services.workload import WorkloadService


class FirstPaint:
    """What the window paints first: the project list and one board, read in one
    transaction by the database's storage before SQLAlchemy is loaded."""

    def __init__(self, read: FirstRead) -> None:
        self._read = read
        self.projects: tuple[ProjectDTO, ...] = tuple(read.projects)
        self.board: BoardDTO = read.board

    def project(self, key: str) -> ProjectDTO | None:
        """The project with ``key`` (any case), if the first read has it."""
        wanted = str(key).strip().upper()
        return next((p for p in self.projects if p.key == wanted), None)

    def board_of(self, project_id: int) -> BoardDTO | None:
        """The first board's head (no column's cards), when it is ``project_id``'s."""
        return self.board if project_id == self.board.project.id else None

    def full_board(self, project_id: int) -> BoardDTO | None:
        """The first board with every card, read on the first read's connection."""
        return self._read.full_board(project_id)

    def column_page(self, project_id: int, column_id: int, **page: Any) -> list[CardDTO] | None:
        """A page of the first board's column, read on the first read's connection."""
        return self._read.column_page(project_id, column_id, **page)

    def column_figures(
        self, project_id: int, sprint_id: int | None, matching: Any = None
    ) -> dict[int, Figures] | None:
        """The first board's column figures (of a filter's matches: ``matching``), counted
        on the first read's connection."""
        return self._read.column_figures(project_id, sprint_id, matching)

    def changed_since(self) -> bool:
        """True when another program committed since the read (asked once)."""
        return self._read.changed_since()

    def close(self) -> None:
        """Let go of the first read's connection (when no service will be built)."""
        self._read.close()


def first_paint(url: str, project_key: str | None) -> FirstPaint | None:
    """The first board to paint (``project_key``'s, else the first project's), read
    without SQLAlchemy; None when the ordinary start-up must decide (anything but a
    healthy database with a project in it, or an engine without such a read)."""
    read = storage_for(url).first_read(project_key)
    return None if read is None else FirstPaint(read)


class BackgroundCheck:
    """The start-up health check, run once: in a worker thread (:meth:`start`, after the
    first paint) or here and now when its verdict is wanted first (:meth:`wait`).

    ``check`` must not touch Qt (it runs in the worker); ``done`` is called in that thread
    with the report, so a window hands it something thread-safe (a queued signal's emit).
    """

    def __init__(self, check: Callable[[], HealthReport]) -> None:
        self._check = check
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._started = False
        self._report: HealthReport | None = None
        self._error: BaseException | None = None

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def _claim(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
            return True

    def _run(self, done: Callable[[HealthReport], None] | None) -> None:
        try:
            self._report = self._check()
        except BaseException as exc:  # reported to whoever waits, never lost in the thread
            self._error = exc
        finally:
            self._finished.set()
        if done is not None and self._report is not None:
            done(self._report)

    def start(self, done: Callable[[HealthReport], None] | None = None) -> None:
        """Run the check in a worker thread (once); ``done`` gets its report there."""
        if self._claim():
            threading.Thread(
                target=self._run, args=(done,), name="sprintdeck-health", daemon=True
            ).start()

    def wait(self) -> HealthReport:
        """The report, waiting for the worker (or running the check here if none was
        started)."""
        if self._claim():
            self._run(None)
        self._finished.wait()
        if self._error is not None:
            raise self._error
        assert self._report is not None
        return self._report


class StartingServices:
    """The window's services while it starts: the :class:`FirstPaint` for its first paint,
    and the real :class:`app.services.Services`, built by ``build`` (with the bus the
    window already listens to) after the paint or when something else is used first.

    Every member of Services is spelled out here; none is looked up by name.
    """

    def __init__(
        self,
        first: FirstPaint,
        build: Callable[[ChangeBus], Services],
        check: Callable[[], HealthReport],
    ) -> None:
        self.bus = ChangeBus()
        self.first_paint = first
        self.check = BackgroundCheck(check)
        self._build = build
        self._real: Services | None = None
        self._painting = True
        self._changed = False
        self._actor: str | None = None  # "You are", chosen before the services exist

    @property
    def ready(self) -> bool:
        return self._real is not None

    @property
    def services(self) -> Services:
        """The services, built now if they were not yet: only once the health check said
        healthy (waiting for it if need be); a damaged file raises DatabaseProblem and
        gets no service, so nothing is ever written to it."""
        if self._real is None:
            report = self.check.wait()
            if report.kind != "healthy":
                more = (
                    ""
                    if "sprintdeck check" in (report.problem or "")
                    else (" `sprintdeck check` says more.")
                )
                raise DatabaseProblem(
                    f"{report.problem or report.summary} Nothing was written.{more}"
                )
            real = self._build(self.bus)
            # Asked before anything of ours can write: what changed since the first read
            # was someone else's doing. (Later changes are the change feed's business.)
            self._changed = self.first_paint.changed_since()
            self._real = real
            if self._actor is not None:
                try:
                    real.set_actor(self._actor)
                except DomainError:
                    pass  # a name no history event can take: the default, as before
        return self._real

    def painted(self) -> None:
        """The window is built: from now on ``projects`` and ``board`` are the real ones."""
        self._painting = False

    def finish(self) -> bool:
        """Build the services (if nothing has yet); True when another program changed the
        database between the first read and then, so what the window shows is stale."""
        self.painted()
        self.services  # noqa: B018 - builds them
        return self._changed

    # --- the first paint's questions -----------------------------------------------------

    @property
    def projects(self) -> ProjectService | FirstPaintProjects:
        if self._painting and self._real is None:
            return FirstPaintProjects(self)
        return self.services.projects

    @property
    def board(self) -> BoardService | FirstPaintBoard:
        if self._painting and self._real is None:
            return FirstPaintBoard(self)
        return self.services.board

    # --- everything else: the real services ----------------------------------------------

    @property
    def workflow(self) -> WorkflowService:
        return self.services.workflow

    @property
    def cards(self) -> CardService:
        return self.services.cards

    @property
    def sprints(self) -> SprintService:
        return self.services.sprints

    @property
    def charts(self) -> ChartService:
        return self.services.charts

    @property
    def team(self) -> TeamService:
        return self.services.team

    @property
    def reports(self) -> ReportService:
        return self.services.reports

    @property
    def transfer(self) -> TransferService:
        return self.services.transfer

    @property
    def time(self) -> TimeService:
        return self.services.time

    @property
    def budget(self) -> BudgetService:
        return self.services.budget

    @property
    def status_reports(self) -> StatusReportService:
        return self.services.status_reports

    @property
    def me(self) -> ActorService:
        return self.services.me

    @property
    def comments(self) -> CommentService:
        return self.services.comments

    @property
    def standups(self) -> StandupService:
        return self.services.standups

    @property
    def activity(self) -> ActivityService:
        return self.services.activity

    @property
    def workload(self) -> WorkloadService:
        return self.services.workload

    @property
    def standup_data(self) -> StandupDataService:
        return self.services.standup_data

    @property
    def plans(self) -> PlanService:
        return self.services.plans

    @property
    def risks(self) -> RiskService:
        return self.services.risks

    @property
    def forecasts(self) -> ForecastService:
        return self.services.forecasts

    @property
    def search(self) -> SearchService:
        return self.services.search

    def add_demo_project(self) -> ProjectDTO:
        return self.services.add_demo_project()

    # --- who did it: kept until the services exist, so choosing does not build them -----

    @property
    def actor(self) -> str:
        if self._real is not None:
            return self._real.actor
        from app.whoami import actor_name

        return actor_name(self._actor)  # a first paint is a SQLite file's: no server user

    def set_actor(self, name: str | None) -> str:
        self._actor = name
        if self._real is not None:
            return self._real.set_actor(name)
        return self.actor


class FirstPaintProjects:
    """``services.projects`` while the window is built: the first read's project list."""

    def __init__(self, owner: StartingServices) -> None:
        self._owner = owner

    def list_projects(self) -> list[ProjectDTO]:
        return list(self._owner.first_paint.projects)

    def today(self, time_zone: str | None) -> dt.date:
        """Today in the project's zone by the wall clock (the services' clock is the wall
        clock in the app; tests that move it build the services first)."""
        from app.clock import today_in

        return today_in(time_zone, dt.datetime.now(dt.UTC))

    def find_project(self, key: str) -> ProjectDTO:
        found = self._owner.first_paint.project(key)
        return found if found is not None else self._owner.services.projects.find_project(key)


class FirstPaintBoard:
    """``services.board`` while the window is built: the first read's board."""

    def __init__(self, owner: StartingServices) -> None:
        self._owner = owner

    def load_board(self, project_id: int) -> BoardDTO:
        """Every card of the first board (a filter, swimlanes), read without SQLAlchemy."""
        board = self._owner.first_paint.full_board(project_id)
        return board if board is not None else self._owner.services.board.load_board(project_id)

    def load_board_head(self, project_id: int) -> BoardDTO:
        """The first paint's head of the board, else the real one."""
        board = self._owner.first_paint.board_of(project_id)
        if board is not None:
            return board
        return self._owner.services.board.load_board_head(project_id)

    def column_page(self, project_id: int, column_id: int, **page: Any) -> list[CardDTO]:
        """A column's page for the first paint (what is on screen), read without SQLAlchemy."""
        found = self._owner.first_paint.column_page(project_id, column_id, **page)
        if found is not None:
            return found
        return self._owner.services.board.column_page(project_id, column_id, **page)

    def column_figures(
        self, project_id: int, sprint_id: int | None = None, *, matching: Any = None
    ) -> dict[int, Figures]:
        """The headers' counts for the first paint (of a filter's matches too: a filter
        remembered from the last session), counted without SQLAlchemy."""
        found = self._owner.first_paint.column_figures(project_id, sprint_id, matching)
        if found is not None:
            return found
        return self._owner.services.board.column_figures(project_id, sprint_id, matching=matching)

    def __getattr__(self, name: str) -> object:
        """Anything else the board service does: the real service's."""
        return getattr(self._owner.services.board, name)
