"""The use cases. One public method per thing a user does; each is one transaction.

Services take plain arguments, return frozen DTOs, refuse bad input with domain errors
(``app.errors``) and publish a :class:`Change` on the bus after every commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from app.errors import (
    Conflict,
    DatabaseProblem,
    DomainError,
    NotFound,
    StaleEdit,
    ValidationError,
)
from app.services.board import BoardService
from app.services.cards import CardService
from app.services.charts import ChartService
from app.services.context import ServiceContext
from app.services.events import Change, ChangeBus
from app.services.projects import ProjectService
from app.services.sprints import SprintService
from app.services.workflow import WorkflowService


@dataclass
class Services:
    """Everything the UI and the CLI call, built once by ``app.main``."""

    context: ServiceContext
    projects: ProjectService
    workflow: WorkflowService
    cards: CardService
    board: BoardService
    sprints: SprintService
    charts: ChartService

    @property
    def bus(self) -> ChangeBus:
        return self.context.bus


def build_services(
    reader: sessionmaker[Session],
    writer: sessionmaker[Session],
    actor: str,
    clock: Callable[[], dt.datetime] | None = None,
) -> Services:
    context = ServiceContext(reader=reader, writer=writer, actor=actor)
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
    )


__all__ = [
    "BoardService",
    "CardService",
    "Change",
    "ChangeBus",
    "Conflict",
    "DatabaseProblem",
    "DomainError",
    "NotFound",
    "ProjectService",
    "Services",
    "SprintService",
    "StaleEdit",
    "ValidationError",
    "WorkflowService",
    "build_services",
]
