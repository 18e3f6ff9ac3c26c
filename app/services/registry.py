"""The Services container and its builder (imported lazily through ``app.services``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from app.services.activity import ActivityService
from app.services.actor import ActorService
from app.services.board import BoardService
from app.services.budget import BudgetService
from app.services.cards import CardService
from app.services.chart_data import ChartService
from app.services.comments import CommentService
from app.services.context import ServiceContext
from app.services.dto import ProjectDTO
from app.services.events import ChangeBus
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


@dataclass
class Services:
    """Everything the UI and the CLI call, built once by ``app.bootstrap``."""

    context: ServiceContext
    projects: ProjectService
    workflow: WorkflowService
    cards: CardService
    board: BoardService
    sprints: SprintService
    charts: ChartService
    team: TeamService
    reports: ReportService
    transfer: TransferService
    time: TimeService  # work logs, rates and timers
    budget: BudgetService  # budget, releases, earned value (#16)
    status_reports: StatusReportService  # the project status report's snapshots (#16)
    me: ActorService  # who did it: the name history events record (Settings › You are)
    comments: CommentService
    standups: StandupService
    activity: ActivityService
    workload: WorkloadService  # the Team page: who is stretched (issue 16)
    standup_data: StandupDataService  # what the standup shows for each person
    plans: PlanService  # milestones, dependencies, the Timeline (issue 18)
    risks: RiskService  # the risk register (issue 18)
    forecasts: ForecastService  # Monte Carlo forecasts with odds (issue 18)
    search: SearchService  # the board filter's text, asked of the index (issue 19)

    @property
    def bus(self) -> ChangeBus:
        return self.context.bus

    @property
    def actor(self) -> str:
        """The name the next history event records."""
        return self.context.actor

    def set_actor(self, name: str | None) -> str:
        """Record ``name`` as the actor of every change from now on (None: the default);
        the name in effect."""
        return self.me.set_actor(name)

    def add_demo_project(self) -> ProjectDTO:
        """Add the demo project ``DEMO`` (as on a first start); refused if it exists."""
        from app.errors import Conflict
        from app.services.demo import DEMO_KEY, seed_demo

        if any(p.key == DEMO_KEY for p in self.projects.list_projects()):
            raise Conflict(f"The demo project {DEMO_KEY} is already in this database.")
        return seed_demo(self)


def build_services(
    reader: sessionmaker[Session],
    writer: sessionmaker[Session],
    actor: str,
    clock: Callable[[], dt.datetime] | None = None,
    bus: ChangeBus | None = None,
) -> Services:
    context = ServiceContext(reader=reader, writer=writer, actor=actor)
    if bus is not None:
        context.bus = bus
    if clock is not None:
        context.clock = clock
    return Services(
        context=context,
        projects=ProjectService(context),
        workflow=WorkflowService(context),
        cards=CardService(context),
        board=BoardService(context),
        sprints=SprintService(context),
        charts=ChartService(context),
        team=TeamService(context),
        reports=ReportService(context),
        transfer=TransferService(context),
        time=TimeService(context),
        budget=BudgetService(context),
        status_reports=StatusReportService(context, BudgetService(context), SprintService(context)),
        me=ActorService(context),
        comments=CommentService(context),
        standups=StandupService(context),
        activity=ActivityService(context),
        workload=WorkloadService(context),
        standup_data=StandupDataService(context),
        plans=PlanService(context),
        risks=RiskService(context),
        forecasts=ForecastService(context),
        search=SearchService(context),
    )
