"""Chart data computed from the history: the inputs gathered here, the maths in app.metrics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.clock import project_zone, today_in
from app.errors import NotFound, ValidationError
from app.metrics import flow as flow_metrics
from app.metrics import velocity as velocity_metrics
from app.metrics.burndown import BurndownEvent, BurndownSeries, _utc, burndown, day_start_utc
from app.metrics.flow import ControlChart, CumulativeFlow, FlowColumn, FlowEvent, Throughput
from app.metrics.velocity import VelocitySeries
from app.models import (
    Card,
    HistoryEvent,
    Holiday,
    Project,
    Sprint,
    WorkflowColumn,
)
from app.services import sprint_facts
from app.services.context import ServiceContext
from app.services.sprint_facts import utc
from app.services.validation import clean_date

# What a flow chart reads of a history event, in FlowEvent's order (the charts' and the
# forecasts' reads select these, a read by card adds the event's project after them).
FLOW_EVENT_COLUMNS = (
    HistoryEvent.at,
    HistoryEvent.card_id,
    HistoryEvent.column_id_after,
    HistoryEvent.category_after,
    HistoryEvent.archived_after,
    HistoryEvent.kind,
)


def flow_event(row: Sequence[Any]) -> FlowEvent:
    """A row starting with :data:`FLOW_EVENT_COLUMNS` as a FlowEvent."""
    at, card_id, column_id, category, archived, kind = row[:6]
    return FlowEvent(at, card_id, column_id, category, bool(archived), kind)


ZERO = Decimal("0")
ONE = Decimal("1")
UNITS = ("points", "cards")
DEFAULT_RANGE_DAYS = 30
# The carry-over events of a sprint's close are written just before its ``closed_at``; an
# event moving a not-completed card out of the sprint this close to it is that carry-over.
CARRY_OVER_WINDOW = dt.timedelta(seconds=60)
# Card ids per IN list (well below SQLite's and PostgreSQL's limits on bound parameters).
CHUNK = 5000


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


@dataclass(frozen=True, slots=True)
class CardTimeDTO:
    """One finished card's cycle and lead time (see app.metrics.flow)."""

    card_id: int
    key: str
    title: str
    created: dt.datetime  # UTC
    started: dt.datetime | None  # first move into an in-progress column; None: never
    finished: dt.datetime  # last move into a done column
    cycle_days: float | None
    lead_days: float


class ChartService:
    """Read-only figures for the charts and the sprint report."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def sprint_burndown(self, sprint_id: int) -> BurndownSeries:
        """The burndown of a started sprint, up to now (active) or to its close (closed)."""
        return self._sprint_series(sprint_id, "points")

    def burnup(self, sprint_id: int, unit: str = "points") -> BurndownSeries:
        """The sprint's scope (``scope_total``) and done (``done_total``) lines per day, in
        story points or in card counts (``unit="cards"``: every card weighs one)."""
        if unit not in UNITS:
            raise ValidationError("A burnup counts points or cards.")
        return self._sprint_series(sprint_id, unit)

    def velocity(self, project_id: int, last: int = velocity_metrics.HISTORY) -> VelocitySeries:
        """Commitment against completed points of the last ``last`` closed sprints (oldest
        first) and the planning velocity (average completed of the last three): the figures
        of app.services.sprint_facts, as the sprint list and the sprint report show them."""
        if last < 1:
            raise ValidationError("Velocity needs at least one sprint.")
        with self._ctx.read() as uow:
            session = uow.session
            self._project(session, project_id)
            return sprint_facts.project_velocity(session, project_id, self._ctx.clock(), last)

    def default_range(self, project_id: int) -> tuple[dt.date, dt.date]:
        """The last 30 days up to today in the project's time zone."""
        with self._ctx.read() as uow:
            project = self._project(uow.session, project_id)
            today = self._today(project)
        return today - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), today

    def cumulative_flow(
        self, project_id: int, start: object = None, end: object = None
    ) -> CumulativeFlow:
        """Cards per workflow column at the end of each day of the range (default: the last
        30 days), columns in workflow order, archived ones kept for the days they held cards."""
        with self._ctx.read() as uow:
            session = uow.session
            project = self._project(session, project_id)
            first, last = self._range(project, start, end)
            columns = [
                FlowColumn(c.id, c.name, c.category, c.position, c.archived)
                for c in session.scalars(
                    select(WorkflowColumn).where(WorkflowColumn.project_id == project.id)
                )
            ]
            begin = day_start_utc(first, project_zone(project.time_zone))
            events, resting = self._flow_window(session, project.id, begin)
            return flow_metrics.cumulative_flow(
                first,
                last,
                columns,
                events,
                now=self._ctx.clock(),
                time_zone=project.time_zone,
                resting=resting,
            )

    def control_chart(
        self, project_id: int, start: object = None, end: object = None, kind: str = "cycle"
    ) -> ControlChart:
        """Every card finished in the range with its cycle time (first in progress to done)
        or lead time (created to done) in days, the mean, rolling mean and spread."""
        if kind not in ("cycle", "lead"):
            raise ValidationError("A control chart shows cycle or lead time.")
        with self._ctx.read() as uow:
            session = uow.session
            project = self._project(session, project_id)
            first, last = self._range(project, start, end)
            events = self._flow_events(session, project.id)
            chart = flow_metrics.control_chart(
                first, last, events, kind, now=self._ctx.clock(), time_zone=project.time_zone
            )
            labels = self._card_labels(session, project, {p.card_id for p in chart.points})
            points = tuple(
                dataclasses.replace(p, label=labels.get(p.card_id, "")) for p in chart.points
            )
            return dataclasses.replace(chart, points=points)

    def card_times(
        self, project_id: int, start: object = None, end: object = None
    ) -> tuple[CardTimeDTO, ...]:
        """Every card finished in the range (default: the last 30 days), in the order they
        were finished, with its cycle time (first move into an in-progress column to the
        last move into done; None if it never was in progress) and lead time (creation to
        that same moment), in days: the control chart's data, both kinds at once."""
        with self._ctx.read() as uow:
            session = uow.session
            project = self._project(session, project_id)
            first, last = self._range(project, start, end)
            events = self._flow_events(session, project.id)
            timings = flow_metrics.finished_between(
                first, last, events, now=self._ctx.clock(), time_zone=project.time_zone
            )
            names: dict[int, tuple[int, str]] = {}
            ids = [t.card_id for t in timings]
            if ids:
                names = {
                    card_id: (number, title)
                    for card_id, number, title in session.execute(
                        select(Card.id, Card.number, Card.title).where(Card.id.in_(ids))
                    )
                }
            return tuple(
                CardTimeDTO(
                    t.card_id,
                    f"{project.key}-{names[t.card_id][0]}",
                    names[t.card_id][1],
                    t.created,
                    t.started,
                    t.finished,
                    t.cycle_days,
                    t.lead_days,
                )
                for t in timings
            )

    def throughput(
        self, project_id: int, weeks: int = flow_metrics.DEFAULT_THROUGHPUT_WEEKS
    ) -> Throughput:
        """Cards finished per calendar week over the last ``weeks`` weeks (the running week
        last, counted so far) and the average of the complete weeks; a card counts in the
        week it last entered a done column. Weeks begin on Monday in the project's zone."""
        if not 1 <= weeks <= flow_metrics.MAX_THROUGHPUT_WEEKS:
            raise ValidationError(
                f"Throughput covers 1 to {flow_metrics.MAX_THROUGHPUT_WEEKS} weeks."
            )
        with self._ctx.read() as uow:
            session = uow.session
            project = self._project(session, project_id)
            events = self._flow_events(session, project.id)
            result = flow_metrics.throughput(
                events, self._ctx.clock(), weeks, time_zone=project.time_zone
            )
            ids = {card_id for week in result.weeks for card_id in week.card_ids}
            labels = self._card_labels(session, project, ids)
            return dataclasses.replace(
                result,
                weeks=tuple(
                    dataclasses.replace(w, labels=tuple(labels.get(i, "") for i in w.card_ids))
                    for w in result.weeks
                ),
            )

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _card_labels(session: Session, project: Project, ids: set[int]) -> dict[int, str]:
        """ "KEY-12 Title" of each card id."""
        labels: dict[int, str] = {}
        if ids:
            for card_id, number, title in session.execute(
                select(Card.id, Card.number, Card.title).where(Card.id.in_(ids))
            ):
                labels[card_id] = f"{project.key}-{number} {title}"
        return labels

    @staticmethod
    def _project(session: Session, project_id: int) -> Project:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"There is no project with id {project_id}.")
        return project

    def _today(self, project: Project) -> dt.date:
        return today_in(project.time_zone, self._ctx.clock())

    def _range(self, project: Project, start: object, end: object) -> tuple[dt.date, dt.date]:
        last = clean_date(end, "end date") or self._today(project)
        first = clean_date(start, "start date") or last - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if last < first:
            raise ValidationError("The date range ends before it starts.")
        if (last - first).days + 1 > flow_metrics.MAX_FLOW_DAYS:
            raise ValidationError(f"Choose a range of at most {flow_metrics.MAX_FLOW_DAYS} days.")
        return first, last

    @staticmethod
    def _flow_window(
        session: Session, project_id: int, begin: dt.datetime
    ) -> tuple[list[FlowEvent], dict[int, int]]:
        """What the cumulative flow from ``begin`` needs, instead of the whole history: the
        events from ``begin`` on, the last event before it of each card those events move
        (its state at the start), and the live cards per column of every other card, counted
        from the card table. A card without an event from ``begin`` on stays where its last
        event put it, which is where the card row is (every change to a card's column or
        archived flag writes its event with the card's state, in the same transaction)."""
        recent = session.execute(
            select(*FLOW_EVENT_COLUMNS)
            .join(Card, Card.id == HistoryEvent.card_id)
            .where(
                HistoryEvent.project_id == project_id,
                HistoryEvent.at >= begin,
                Card.type != "epic",
            )
            .order_by(HistoryEvent.at, HistoryEvent.id)
        ).all()
        moved = sorted({row[1] for row in recent})
        resting: dict[int, int] = dict(
            session.execute(
                select(Card.column_id, func.count())
                .where(
                    Card.project_id == project_id,
                    Card.archived.is_(False),
                    Card.type != "epic",
                )
                .group_by(Card.column_id)
            ).all()
        )
        before: dict[int, FlowEvent] = {}
        for chunk in _chunks(moved):
            for column_id in session.scalars(
                select(Card.column_id).where(
                    Card.id.in_(chunk), Card.project_id == project_id, Card.archived.is_(False)
                )
            ):
                resting[column_id] -= 1
            # By card only (the filters in Python): with a condition on the project or the
            # time, SQLite would rather walk the project's whole history by (project, at).
            for row in session.execute(
                select(*FLOW_EVENT_COLUMNS, HistoryEvent.project_id)
                .where(HistoryEvent.card_id.in_(chunk))
                .order_by(HistoryEvent.at, HistoryEvent.id)
            ):
                if row[-1] == project_id and row[0] < begin:
                    before[row[1]] = flow_event(row)
        start = sorted(before.values(), key=lambda e: (_utc(e.at), e.card_id))
        return [*start, *(flow_event(row) for row in recent)], resting

    @staticmethod
    def _flow_events(session: Session, project_id: int) -> list[FlowEvent]:
        rows = session.execute(
            select(*FLOW_EVENT_COLUMNS)
            .join(Card, Card.id == HistoryEvent.card_id)
            .where(HistoryEvent.project_id == project_id, Card.type != "epic")
            .order_by(HistoryEvent.at, HistoryEvent.id)
        )
        return [flow_event(row) for row in rows]

    def _sprint_series(self, sprint_id: int, unit: str) -> BurndownSeries:
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
            # The guideline starts at the commitment: cards done before the start are not
            # part of it (they are completed outside the sprint), so it starts where the
            # remaining line does.
            if unit == "cards":
                committed = Decimal(sprint_facts.commitment_count(session, sprint.id))
            else:
                committed = sprint_facts.commitment_points(session, sprint.id)
            cutoff = sprint.closed_at if sprint.state == "closed" else self._ctx.clock()
            baseline = (
                utc(sprint.started_at)
                if sprint.started_at is not None
                else day_start_utc(start, project_zone(project.time_zone))
            )
            events = self._events(
                session, sprint, baseline, None if cutoff is None else utc(cutoff)
            )
            if unit == "cards":
                events = [dataclasses.replace(e, points_after=ONE) for e in events]
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
    def _events(
        session: Session,
        sprint: Sprint,
        baseline: dt.datetime,
        cutoff: dt.datetime | None,
    ) -> list[BurndownEvent]:
        """The events the burndown replays, and no more: of every card that was ever in the
        sprint (or in its snapshots), the last event before the start (the state the start
        finds; the burndown keeps nothing else of the planning) and every event from then
        up to ``cutoff`` (later ones are never applied). ``baseline`` is the burndown's
        start instant. The JSON ``before`` is read only for the close's carry-over moves."""
        ever_in = select(HistoryEvent.card_id).where(HistoryEvent.sprint_id_after == sprint.id)
        card_ids = sorted(
            session.scalars(
                select(Card.id).where(
                    or_(Card.id.in_(ever_in), Card.id.in_(sprint_facts.committed_ids(sprint.id))),
                    Card.type != "epic",
                )
            )
        )
        # The events by card only (the project and the cut-off checked in Python): with a
        # condition on the project or the time, SQLite would rather walk the project's whole
        # history by (project, at) than the cards' by (card, at).
        rows = []
        for chunk in _chunks(card_ids):
            rows.extend(
                r
                for r in session.execute(
                    select(
                        HistoryEvent.project_id,
                        HistoryEvent.id,
                        HistoryEvent.at,
                        HistoryEvent.card_id,
                        HistoryEvent.kind,
                        HistoryEvent.sprint_id_after,
                        HistoryEvent.points_after,
                        HistoryEvent.category_after,
                        HistoryEvent.archived_after,
                    ).where(HistoryEvent.card_id.in_(chunk))
                )
                if r.project_id == sprint.project_id and (cutoff is None or r.at <= cutoff)
            )
        rows.sort(key=lambda r: (r.at, r.id))
        # Events before ``settled`` only set the state at the start: each card's last one
        # is enough. (No earlier than the cut-off, nor than the close's carry-over window,
        # so every event the replay would skip or cut off is kept as it is.)
        settled = baseline
        carried: set[int] = set()
        carry_from = None
        if sprint.state == "closed":
            carried = sprint_facts.carried_over(session, sprint.id)
            if sprint.closed_at is not None:
                carry_from = utc(sprint.closed_at) - CARRY_OVER_WINDOW
                settled = min(settled, carry_from)
        if cutoff is not None:
            settled = min(settled, cutoff)
        candidates = [
            r.id
            for r in rows
            if carry_from is not None
            and r.card_id in carried
            and r.kind == "sprint_changed"
            and _utc(r.at) >= carry_from
        ]
        carry_over: set[int] = set()
        for chunk in _chunks(candidates):
            for event_id, before in session.execute(
                select(HistoryEvent.id, HistoryEvent.before).where(HistoryEvent.id.in_(chunk))
            ):
                if (before or {}).get("sprint_id") == sprint.id:
                    carry_over.add(event_id)
        start: dict[int, BurndownEvent] = {}
        events = []
        for r in rows:
            if r.id in carry_over:
                continue  # the close itself moved it out: not a removal during the sprint
            event = BurndownEvent(
                at=r.at,
                card_id=r.card_id,
                in_sprint_after=r.sprint_id_after == sprint.id,
                points_after=r.points_after,
                done_after=r.category_after == "done",
                archived_after=bool(r.archived_after),
            )
            if _utc(r.at) < settled:
                start.pop(r.card_id, None)
                start[r.card_id] = event  # re-inserted: the dict keeps the (at, id) order
            else:
                events.append(event)
        return [*start.values(), *events]


__all__ = ["CardTimeDTO", "ChartService"]
