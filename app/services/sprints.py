"""Sprints (planning and running them grows in a later issue; lookups live here now)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.errors import NotFound
from app.models import Sprint
from app.services.context import ServiceContext
from app.services.dto import SprintDTO


def sprint_dto(s: Sprint) -> SprintDTO:
    return SprintDTO(
        s.id, s.project_id, s.name, s.goal, s.start_date, s.end_date, s.state, s.version
    )


class SprintService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def list_sprints(self, project_id: int) -> list[SprintDTO]:
        with self._ctx.read() as uow:
            sprints = uow.session.scalars(
                select(Sprint).where(Sprint.project_id == project_id).order_by(Sprint.id)
            )
            return [sprint_dto(s) for s in sprints]

    def find_sprint(self, project_id: int, name: str) -> SprintDTO:
        with self._ctx.read() as uow:
            sprint = uow.session.scalar(
                select(Sprint).where(
                    Sprint.project_id == project_id,
                    func.lower(Sprint.name) == str(name).strip().lower(),
                )
            )
            if sprint is None:
                raise NotFound(f"There is no sprint called {name!r} in this project.")
            return sprint_dto(sprint)
