"""Chart data computed from the history: the inputs gathered here, the maths in app.metrics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationError
from app.metrics.burndown import BurndownEvent, BurndownSeries, burndown
from app.models import Card, HistoryEvent, Holiday, Project, Sprint, SprintSnapshot
from app.services.context import ServiceContext

ZERO = Decimal("0")
# The carry-over events of a sprint's close are written just before its ``closed_at``; an
# event moving a not-completed card out of the sprint this close to it is that carry-over.
CARRY_OVER_WINDOW = dt.timedelta(seconds=60)


class ChartService:
    """Read-only figures for the charts and the sprint report."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def sprint_burndown(self, sprint_id: int) -> BurndownSeries:
        """The burndown of a started sprint, up to now (active) or to its close (closed)."""
        with self._ctx.read() as uow:
            session = uow.session
            sprint = session.get(Sprint, sprint_id)
            if sprint is None:
                raise NotFound(f"There is no sprint with id {sprint_id}.")
            if sprint.state == "planned" or sprint.start_date is None:
                raise ValidationError(
                    f"The sprint {sprint.name!r} has not started; it has no burndown yet."
                )
            project = session.get(Project, sprint.project_id)
            assert project is not None
            start = sprint.start_date
            end = sprint.end_date if sprint.end_date is not None else start
            holidays = set(
                session.scalars(select(Holiday.day).where(Holiday.project_id == project.id))
            )
            committed = ZERO
            for points in session.scalars(
                select(SprintSnapshot.points).where(
                    SprintSnapshot.sprint_id == sprint.id, SprintSnapshot.kind == "commitment"
                )
            ):
                if points is not None:
                    committed += points
            cutoff = sprint.closed_at if sprint.state == "closed" else self._ctx.clock()
            events = self._events(session, sprint)
            return burndown(
                start,
                max(end, start),
                project.working_weekdays,
                holidays,
                committed,
                events,
                now=cutoff,
                time_zone=project.time_zone,
                started_at=sprint.started_at,
            )

    @staticmethod
    def _events(session: Session, sprint: Sprint) -> list[BurndownEvent]:
        card_ids = select(HistoryEvent.card_id).where(
            HistoryEvent.project_id == sprint.project_id,
            HistoryEvent.sprint_id_after == sprint.id,
        )
        committed_ids = select(SprintSnapshot.card_id).where(SprintSnapshot.sprint_id == sprint.id)
        rows = session.execute(
            select(HistoryEvent)
            .join(Card, Card.id == HistoryEvent.card_id)
            .where(
                HistoryEvent.project_id == sprint.project_id,
                or_(HistoryEvent.card_id.in_(card_ids), HistoryEvent.card_id.in_(committed_ids)),
                Card.type != "epic",
            )
            .order_by(HistoryEvent.at, HistoryEvent.id)
        ).scalars()
        carried: set[int] = set()
        if sprint.state == "closed":
            carried = set(
                session.scalars(
                    select(SprintSnapshot.card_id).where(
                        SprintSnapshot.sprint_id == sprint.id,
                        SprintSnapshot.kind == "outcome",
                        SprintSnapshot.outcome == "not_completed",
                    )
                )
            )
        events = []
        for e in rows:
            if (
                e.card_id in carried
                and sprint.closed_at is not None
                and e.kind == "sprint_changed"
                and (e.before or {}).get("sprint_id") == sprint.id
                and e.at >= sprint.closed_at - CARRY_OVER_WINDOW
            ):
                continue  # the close itself moved it out: not a removal during the sprint
            events.append(
                BurndownEvent(
                    at=e.at,
                    card_id=e.card_id,
                    in_sprint_after=e.sprint_id_after == sprint.id,
                    points_after=e.points_after,
                    done_after=e.category_after == "done",
                    archived_after=bool(e.archived_after),
                )
            )
        return events


__all__ = ["ChartService"]
