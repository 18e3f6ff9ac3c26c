"""The use cases. One public method per thing a user does; each is one transaction.

Services take plain arguments, return frozen DTOs, refuse bad input with domain errors
(``app.errors``) and publish a :class:`Change` on the bus after every commit.

The names below are imported on first use (PEP 562): ``app.services.dto``, ``events`` and
``card_fields`` must stay importable without SQLAlchemy, for the window's first paint (the
fast SQLite board read, app.storage.sqlite_board, builds its cards with card_fields).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from app.errors import (
    Conflict,
    DatabaseProblem,
    DomainError,
    NotFound,
    StaleEdit,
    ValidationError,
)

_LAZY = {
    "BoardService": "app.services.board",
    "CardService": "app.services.cards",
    "ChartService": "app.services.chart_data",
    "ServiceContext": "app.services.context",
    "Change": "app.services.events",
    "ChangeBus": "app.services.events",
    "ProjectService": "app.services.projects",
    "SprintService": "app.services.sprints",
    "TeamService": "app.services.team",
    "WorkflowService": "app.services.workflow",
    "Services": "app.services.registry",
    "build_services": "app.services.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'app.services' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from app.services.board import BoardService
    from app.services.cards import CardService
    from app.services.chart_data import ChartService
    from app.services.context import ServiceContext
    from app.services.events import Change, ChangeBus
    from app.services.projects import ProjectService
    from app.services.registry import Services, build_services
    from app.services.sprints import SprintService
    from app.services.team import TeamService
    from app.services.workflow import WorkflowService

__all__ = [
    "BoardService",
    "CardService",
    "Change",
    "ChangeBus",
    "ChartService",
    "Conflict",
    "DatabaseProblem",
    "DomainError",
    "NotFound",
    "ProjectService",
    "ServiceContext",
    "Services",
    "SprintService",
    "StaleEdit",
    "TeamService",
    "ValidationError",
    "WorkflowService",
    "build_services",
]
