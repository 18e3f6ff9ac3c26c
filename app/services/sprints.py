"""Sprints of a Scrum project: create, plan cards into, start, complete, summarise.

(One module of ~1,450 lines: SprintService is one use-case class whose planning, capacity,
start, close and summaries share its private checks; the figures are app.services.sprint_facts'.)

Starting a sprint writes its start snapshot (every live non-epic card in it and its points:
the commitment, and the cards already done, which are not part of it); completing it writes
its outcome snapshot (what was completed, completed outside the sprint, not completed and
where it went, removed). A closed sprint's figures are read from the snapshots, so later
edits of its cards never change them. Which card counts where is decided in one place,
app.services.sprint_facts, for this service, the sprint report and the charts alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.clock import local_date, today_in
from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.metrics import velocity as velocity_metrics
from app.metrics.calendar import (
    default_sprint_dates,
    default_sprint_end,
    end_keeping_working_days,
    working_days,
)
from app.models import (
    Card,
    Holiday,
    Member,
    Project,
    ProjectMember,
    Sprint,
    SprintCapacity,
    WorkflowColumn,
)
from app.services import sprint_facts as facts_of
from app.services.common import (
    card_key,
    check_id,
    check_version,
    fetch_card,
    fetch_cards,
    get_card_for_update,
    get_project,
    record_event,
    sprint_dto,
)
from app.services.context import ServiceContext
from app.services.dto import CardDTO, SprintDTO
from app.services.events import Change, ChangeKind
from app.services.validation import (
    clean_date,
    clean_hours,
    clean_multiline,
    clean_points,
    clean_text,
)

SPRINT_NAME_MAX = 100
PLAN_UNITS = ("points", "hours")
RESERVED_NAMES = ("backlog", "next")
ZERO = Decimal("0.0")
_UNSET: Any = object()
# Planning velocity: the average completed points of this many last closed sprints.
VELOCITY_WINDOW = velocity_metrics.WINDOW
# The velocity chart shows this many last closed sprints.
VELOCITY_HISTORY = velocity_metrics.HISTORY


@dataclass(frozen=True, slots=True)
class HolidayDTO:
    id: int
    project_id: int
    day: dt.date
    name: str


@dataclass(frozen=True, slots=True)
class ProjectCalendarDTO:
    """A project's working calendar and today in its time zone, so that a dialog can count
    the working days of the dates a person is typing without asking the database again."""

    project_id: int
    today: dt.date
    working_weekdays: int  # bit 0 = Monday ... bit 6 = Sunday
    holidays: frozenset[dt.date]

    def working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, both included (0 if it ends first)."""
        return len(working_days(start, end, self.working_weekdays, self.holidays))

    def holidays_between(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """The holidays from ``start`` to ``end`` that fall on a working weekday."""
        return tuple(
            sorted(
                d
                for d in self.holidays
                if start <= d <= end and self.working_weekdays & (1 << d.weekday())
            )
        )


@dataclass(frozen=True, slots=True)
class NewSprintDTO:
    """What *Create sprint* suggests, and what ``create_sprint`` makes without a name or
    dates: "<KEY> Sprint N", two weeks from the next working day, or from the first working
    day after the latest sprint when that one ends later."""

    project_id: int
    name: str
    start: dt.date
    end: dt.date
    after_sprint: str | None  # the sprint whose end moved the start later; None: from today
    after_end: dt.date | None  # that sprint's end
    calendar: ProjectCalendarDTO


@dataclass(frozen=True, slots=True)
class SprintStartDTO:
    """What *Start sprint* proposes for one planned sprint: today's start, an end that keeps
    the planned number of working days, and what becomes the commitment."""

    sprint: SprintDTO
    start: dt.date
    end: dt.date
    planned_working_days: int | None  # of the planned dates; None when it has none
    card_count: int  # the commitment: cards in the sprint not done yet
    points: Decimal
    unestimated_keys: tuple[str, ...]  # of those, cards without points, in rank order
    calendar: ProjectCalendarDTO
    # Cards in the sprint already done: completed outside the sprint, not committed (Jira).
    done_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SprintCardOutcomeDTO:
    """One card's place in a sprint's figures (see app.services.sprint_facts)."""

    card_id: int
    key: str
    title: str
    points: Decimal | None  # at the close (or now); for a removed card, when it left
    committed: bool  # in the commitment: in the sprint at the start and not done
    committed_points: Decimal | None
    outcome: str | None  # see app.models.sprint.OUTCOMES; None while the sprint is not closed
    destination: str | None  # not_completed: "backlog" or a sprint; removed: where it went
    points_initial: Decimal | None = None  # at the start, or when it was added
    added_at: dt.datetime | None = None  # when it joined after the start (UTC)
    done_at_start: bool = False  # in the sprint at the start, already done: not committed

    @property
    def added_after_start(self) -> bool:
        return self.added_at is not None

    @property
    def re_estimated(self) -> bool:
        return self.points_initial != self.points


@dataclass(frozen=True, slots=True)
class SprintSummaryDTO:
    sprint: SprintDTO
    committed_points: Decimal  # sum of the commitment snapshot (0 before the start)
    completed_points: Decimal  # live while active, from the outcome snapshot once closed
    planned_points: Decimal  # points of the live cards in the sprint now
    card_count: int  # live non-epic cards in the sprint now
    unestimated_count: int  # of those, cards without points
    committed_count: int
    completed_count: int
    not_completed_count: int
    added_count: int  # cards that joined after the start (not those already done then)
    removed_count: int  # cards in the sprint after its start, gone before its close (or now)
    cards: tuple[SprintCardOutcomeDTO, ...] = ()
    completed_outside_count: int = 0  # in the sprint, done, but not by this sprint


@dataclass(frozen=True, slots=True)
class MemberCapacityDTO:
    """One member's capacity for a sprint against the work assigned to them in it, in the
    plan's unit (``unit``: "points" or "hours")."""

    member_id: int
    display_name: str
    hours_per_day: Decimal
    working_days: int  # of the sprint, before this member's days off
    days_off: int
    capacity_hours: Decimal  # explicit hours, else hours_per_day x (working_days - days_off)
    hours_explicit: bool  # capacity_hours was given, not computed
    # Typed in for this sprint, else the member's share of the velocity (velocity x their
    # available hours / the team's); None without either (no closed sprint yet).
    capacity_points: Decimal | None
    assigned_points: Decimal  # points of the sprint's live cards assigned to the member
    assigned_hours: Decimal  # their estimate hours
    assigned_count: int
    unestimated_count: int  # of the assigned cards, those without points
    has_capacity_row: bool  # set_capacity was called for this member and sprint
    version: int | None  # of the capacity row, None without one
    points_explicit: bool = False  # capacity_points was typed in, not the velocity share
    velocity_share: Decimal | None = None  # the share, even when a figure was typed in
    unit: str = "points"

    @property
    def over_hours(self) -> bool:
        return self.assigned_hours > self.capacity_hours

    @property
    def over_points(self) -> bool:
        return self.capacity_points is not None and self.assigned_points > self.capacity_points

    @property
    def capacity(self) -> Decimal | None:
        """The capacity in the plan's unit (None: none known in points)."""
        return self.capacity_points if self.unit == "points" else self.capacity_hours

    @property
    def assigned(self) -> Decimal:
        """The work assigned, in the plan's unit."""
        return self.assigned_points if self.unit == "points" else self.assigned_hours

    @property
    def over_capacity(self) -> bool:
        """More work assigned than capacity, in the plan's unit."""
        return self.over_points if self.unit == "points" else self.over_hours

    @property
    def over_by(self) -> Decimal:
        """How far over capacity (0 when not over), in the plan's unit."""
        capacity = self.capacity
        if capacity is None or self.assigned <= capacity:
            return ZERO
        return self.assigned - capacity


@dataclass(frozen=True, slots=True)
class SprintPlanDTO:
    """A sprint's planning figures: per member and for the team, and against the velocity.

    ``unit`` is what the plan compares: "points" (each member's capacity is a typed-in
    figure or their share of the velocity) or "hours" (hours per day x working days less
    days off, or typed in). ``suggested_unit`` is points when most of the sprint's estimated
    cards have points (or, with none estimated, most of the project's).
    """

    sprint: SprintDTO
    working_days: int
    members: tuple[MemberCapacityDTO, ...]
    capacity_hours: Decimal  # team total
    capacity_points: Decimal | None  # team total of the members' capacities in points
    assigned_points: Decimal  # to members (unassigned cards excluded)
    assigned_hours: Decimal
    unassigned_points: Decimal
    unassigned_count: int
    planned_points: Decimal  # all live cards in the sprint now
    committed_points: Decimal  # the commitment snapshot (0 before the start)
    card_count: int
    unestimated_count: int
    velocity: Decimal | None  # average completed points of the last closed sprints
    velocity_history: tuple[Decimal, ...]  # those sprints' completed points, oldest first
    unit: str = "points"
    suggested_unit: str = "points"
    unassigned_hours: Decimal = ZERO
    planned_hours: Decimal = ZERO  # estimate hours of all live cards in the sprint

    @property
    def commitment(self) -> Decimal:
        """What the team commits to: the snapshot once started, the planned points before."""
        return self.committed_points if self.sprint.state != "planned" else self.planned_points

    @property
    def over_capacity_members(self) -> tuple[MemberCapacityDTO, ...]:
        return tuple(m for m in self.members if m.over_capacity)

    @property
    def team_capacity(self) -> Decimal | None:
        """The team's capacity in the plan's unit."""
        return self.capacity_points if self.unit == "points" else self.capacity_hours

    @property
    def team_work(self) -> Decimal:
        """All the sprint's work in the plan's unit, unassigned cards included."""
        return self.planned_points if self.unit == "points" else self.planned_hours

    @property
    def team_over_by(self) -> Decimal:
        capacity = self.team_capacity
        if capacity is None or self.team_work <= capacity:
            return ZERO
        return self.team_work - capacity

    @property
    def over_capacity(self) -> bool:
        """Anyone over capacity, or the team's work over its capacity (plan's unit)."""
        return bool(self.over_capacity_members) or self.team_over_by > 0

    @property
    def over_velocity(self) -> bool:
        return self.velocity is not None and self.commitment > self.velocity

    @property
    def velocity_over_by(self) -> Decimal:
        if self.velocity is None or self.commitment <= self.velocity:
            return ZERO
        return self.commitment - self.velocity


@dataclass(frozen=True, slots=True)
class VelocitySprintDTO:
    sprint_id: int
    name: str
    start: dt.date | None
    end: dt.date | None
    committed_points: Decimal
    completed_points: Decimal


@dataclass(frozen=True, slots=True)
class VelocityDTO:
    """The last closed sprints (oldest first) and the planning velocity."""

    project_id: int
    sprints: tuple[VelocitySprintDTO, ...]  # at most VELOCITY_HISTORY
    velocity: Decimal | None  # average completed of the last VELOCITY_WINDOW; None if none
    velocity_sprints: tuple[Decimal, ...]  # the completed points that average is taken over


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    total = ZERO
    for value in values:
        if value is not None:
            total += value
    return total


class SprintService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- reading -------------------------------------------------------------------------

    def list_sprints(self, project_id: int, states: Iterable[str] | None = None) -> list[SprintDTO]:
        """The project's sprints by start date (undated last), with their point totals;
        only those in ``states`` when given (the backlog needs the open ones)."""
        with self._ctx.read() as uow:
            session = uow.session
            query = select(Sprint).where(Sprint.project_id == project_id)
            if states is not None:
                query = query.where(Sprint.state.in_(list(states)))
            sprints = list(session.scalars(query))
            sprints.sort(key=lambda s: (s.start_date is None, s.start_date or dt.date.min, s.id))
            return [self._dto_with_points(session, s) for s in sprints]

    def get_sprint(self, sprint_id: int) -> SprintDTO:
        with self._ctx.read() as uow:
            return self._dto_with_points(uow.session, self._get(uow.session, sprint_id))

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
            return self._dto_with_points(uow.session, sprint)

    def active_sprint(self, project_id: int) -> SprintDTO | None:
        with self._ctx.read() as uow:
            sprint = uow.session.scalar(
                select(Sprint).where(Sprint.project_id == project_id, Sprint.state == "active")
            )
            return None if sprint is None else self._dto_with_points(uow.session, sprint)

    def sprint_summary(self, sprint_id: int) -> SprintSummaryDTO:
        """The sprint's figures and every card they speak of: committed, completed, completed
        outside the sprint, not completed, added, removed (app.services.sprint_facts)."""
        with self._ctx.read() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id)
            key = session.scalar(select(Project.key).where(Project.id == sprint.project_id))
            facts = facts_of.sprint_facts(session, sprint, self._ctx.clock())
            live = self._live_cards(session, sprint.id)
            rank = {c.id: i for i, c in enumerate(live)}
            ids = {c.card_id for c in facts.cards} | set(rank)
            info = {
                cid: (number, title)
                for cid, number, title in session.execute(
                    select(Card.id, Card.number, Card.title).where(Card.id.in_(ids))
                ).all()
            }
            closed = sprint.state == "closed"
            rows: list[SprintCardOutcomeDTO] = []
            if sprint.state == "planned":
                for c in live:
                    key_of = f"{key}-{c.number}"
                    row = SprintCardOutcomeDTO(
                        c.id, key_of, c.title, c.points, False, None, None, None, c.points
                    )
                    rows.append(row)
            group = {
                facts_of.COMPLETED: 0,
                facts_of.NOT_COMPLETED: 1,
                facts_of.COMPLETED_OUTSIDE: 2,
                facts_of.REMOVED: 3,
            }
            for f in sorted(
                facts.cards,
                key=lambda f: (group.get(f.outcome, 4), rank.get(f.card_id, len(rank)), f.card_id),
            ):
                number, title = info[f.card_id]
                rows.append(
                    SprintCardOutcomeDTO(
                        f.card_id,
                        f"{key}-{number}",
                        title,
                        f.points_final,
                        f.committed,
                        f.points_committed,
                        f.outcome if closed else None,
                        f.destination if closed or f.outcome == facts_of.REMOVED else None,
                        points_initial=f.points_initial,
                        added_at=f.added_at,
                        done_at_start=f.done_at_start,
                    )
                )
            completed = facts.by_outcome(facts_of.COMPLETED)
            committed_points = facts.committed_points
            dto = sprint_dto(sprint, committed_points, facts.completed_points)
            return SprintSummaryDTO(
                sprint=dto,
                committed_points=committed_points,
                completed_points=facts.completed_points,
                planned_points=_sum(c.points for c in live),
                card_count=len(live),
                unestimated_count=sum(1 for c in live if c.points is None),
                committed_count=facts.committed_count,
                completed_count=len(completed),
                not_completed_count=(
                    len(facts.by_outcome(facts_of.NOT_COMPLETED)) if closed else 0
                ),
                added_count=len(facts.added),
                removed_count=len(facts.removed),
                cards=tuple(rows),
                completed_outside_count=len(facts.by_outcome(facts_of.COMPLETED_OUTSIDE)),
            )

    # --- the working calendar ------------------------------------------------------------

    def list_holidays(self, project_id: int) -> list[HolidayDTO]:
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            return [
                HolidayDTO(h.id, h.project_id, h.day, h.name)
                for h in uow.session.scalars(
                    select(Holiday).where(Holiday.project_id == project_id).order_by(Holiday.day)
                )
            ]

    def add_holiday(self, project_id: int, day: object, name: str = "") -> HolidayDTO:
        when = clean_date(day, "holiday")
        if when is None:
            raise ValidationError("The holiday needs a date (YYYY-MM-DD).")
        label = clean_text(name, "holiday name", 200, required=False)
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            taken = session.scalar(
                select(Holiday.id).where(Holiday.project_id == project_id, Holiday.day == when)
            )
            if taken is not None:
                raise Conflict(f"{when.isoformat()} is already a holiday in this project.")
            holiday = Holiday(project_id=project_id, day=when, name=label)
            session.add(holiday)
            session.flush()
            dto = HolidayDTO(holiday.id, project_id, when, label)
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project_id))
            uow.commit()
            return dto

    # --- creating and editing ------------------------------------------------------------

    def project_calendar(self, project_id: int) -> ProjectCalendarDTO:
        """The project's working weekdays, holidays and today in its time zone."""
        with self._ctx.read() as uow:
            return self._calendar(uow.session, get_project(uow.session, project_id))

    def suggest_sprint(self, project_id: int) -> NewSprintDTO:
        """The name and dates ``create_sprint`` gives a sprint created without them (the
        one place they are worked out, so what *Create sprint* shows is what it creates)."""
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            self._check_scrum(project)
            return self._suggest(session, project)

    def create_sprint(
        self,
        project_id: int,
        name: str | None = None,
        goal: str = "",
        start: object = None,
        end: object = None,
    ) -> SprintDTO:
        """A planned sprint. Without a name: "<KEY> Sprint N"; without dates: two weeks from
        the next working day, or from the first working day after the latest sprint if that
        one ends later (see :meth:`suggest_sprint`)."""
        clean_name = None if name is None or not str(name).strip() else self._clean_name(name)
        clean_goal = clean_multiline(goal, "sprint goal", 10_000)
        start_date = clean_date(start, "start date")
        end_date = clean_date(end, "end date")
        with self._ctx.write() as uow:
            session = uow.session
            project = get_project(session, project_id)
            self._check_scrum(project)
            if start_date is None:
                suggestion = self._suggest(session, project)
                start_date = suggestion.start
                if end_date is None:
                    end_date = suggestion.end
            elif end_date is None:
                calendar = self._calendar(session, project)
                try:
                    end_date = default_sprint_end(
                        start_date, calendar.working_weekdays, calendar.holidays
                    )
                except ValueError as exc:
                    raise ValidationError(
                        f"Cannot work out the sprint's end: {exc} Give the end date."
                    ) from exc
            self._check_dates(start_date, end_date)
            if clean_name is None:
                clean_name = self._default_name(session, project)
            self._check_name_free(session, project_id, clean_name, None)
            self._check_overlap(session, project, start_date, end_date, None)
            sprint = Sprint(
                project_id=project_id,
                name=clean_name,
                goal=clean_goal,
                start_date=start_date,
                end_date=end_date,
                state="planned",
            )
            session.add(sprint)
            session.flush()
            dto = self._dto_with_points(session, sprint)
            uow.notify(Change(ChangeKind.SPRINTS_CHANGED, project_id))
            uow.commit()
            return dto

    def update_sprint(
        self,
        sprint_id: int,
        *,
        name: str | None = None,
        goal: str | None = None,
        start: object = _UNSET,
        end: object = _UNSET,
        expected_version: int | None = None,
    ) -> SprintDTO:
        """Rename, change the goal or the dates of a planned or active sprint."""
        clean_name = None if name is None else self._clean_name(name)
        clean_goal = None if goal is None else clean_multiline(goal, "sprint goal", 10_000)
        new_start = _UNSET if start is _UNSET else clean_date(start, "start date")
        new_end = _UNSET if end is _UNSET else clean_date(end, "end date")
        with self._ctx.write() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id, for_update=True)
            self._check_sprint_version(sprint, expected_version)
            if sprint.state == "closed":
                raise Conflict(f"The sprint {sprint.name!r} is closed; it cannot be edited.")
            changed = False
            if clean_name is not None and clean_name != sprint.name:
                self._check_name_free(session, sprint.project_id, clean_name, sprint.id)
                sprint.name = clean_name
                changed = True
            if clean_goal is not None and clean_goal != sprint.goal:
                sprint.goal = clean_goal
                changed = True
            start_date = sprint.start_date if new_start is _UNSET else new_start
            end_date = sprint.end_date if new_end is _UNSET else new_end
            if (start_date, end_date) != (sprint.start_date, sprint.end_date):
                project = get_project(session, sprint.project_id)
                if sprint.state == "active":
                    self._check_active_start(project, sprint, start_date)
                self._check_dates(start_date, end_date)
                self._check_overlap(session, project, start_date, end_date, sprint.id)
                sprint.start_date = start_date
                sprint.end_date = end_date
                changed = True
            if changed:
                sprint.version += 1
                session.flush()
                uow.notify(Change(ChangeKind.SPRINTS_CHANGED, sprint.project_id))
            dto = self._dto_with_points(session, sprint)
            uow.commit()
            return dto

    # --- planning ------------------------------------------------------------------------

    def plan_card(
        self, card_id: int, sprint_id: int | None, expected_version: int | None = None
    ) -> CardDTO:
        """Put a card into a planned or active sprint, or back into the backlog (None)."""
        with self._ctx.write() as uow:
            session = uow.session
            card = get_card_for_update(session, card_id)
            key = card_key(session, card)
            check_version(card, expected_version, key)
            if card.archived:
                raise Conflict(f"{key} is archived; restore it before planning it.")
            target: Sprint | None = None
            if sprint_id is not None:
                check_id(sprint_id, "sprint")
                target = self._plannable_sprint(session, card, key, sprint_id)
            if card.sprint_id == sprint_id:
                return fetch_card(session, card.id)
            old = session.get(Sprint, card.sprint_id) if card.sprint_id is not None else None
            self._move_to_sprint(session, card, old, target)
            session.flush()
            dto = fetch_card(session, card.id)
            uow.notify(Change(ChangeKind.CARD_CHANGED, card.project_id, (dto,)))
            uow.commit()
            return dto

    def _plannable_sprint(self, session: Session, card: Card, key: str, sprint_id: int) -> Sprint:
        """The sprint ``sprint_id`` when ``card`` may be planned into it: the card's
        project's, of a Scrum project, not closed, and the card no epic."""
        target = session.get(Sprint, sprint_id)
        if target is None or target.project_id != card.project_id:
            raise NotFound(f"There is no sprint with id {sprint_id} in this project.")
        self._check_scrum(get_project(session, card.project_id))
        if target.state == "closed":
            raise Conflict(f"The sprint {target.name!r} is closed; cards cannot be added to it.")
        if card.type == "epic":
            raise ValidationError(
                f"{key} is an epic; plan the cards of the epic into sprints instead."
            )
        return target

    def replan_card(
        self,
        card_id: int,
        sprint_id: int | None = _UNSET,
        assignee_id: int | None = _UNSET,
        expected_version: int | None = None,
    ) -> CardDTO:
        """Give a card another assignee and/or another sprint (None: unassigned / the
        backlog; left out: kept) in ONE transaction, as a drag on the Team page does: an
        ``assigned`` and a ``sprint_changed`` history event, one new version. Its undo is
        the same call with the old values."""
        for value, what in ((assignee_id, "member"), (sprint_id, "sprint")):
            if value is not _UNSET and value is not None:
                check_id(value, what)
                if not 0 < value < 2**31:  # beyond a database integer: no such row
                    raise NotFound(f"There is no {what} with id {str(value)[:20]}.")
        with self._ctx.write() as uow:
            session = uow.session
            card = get_card_for_update(session, card_id)
            key = card_key(session, card)
            check_version(card, expected_version, key)
            if card.archived:
                raise Conflict(f"{key} is archived; restore it before planning it.")
            new_sprint: Sprint | None = None
            move = sprint_id is not _UNSET and sprint_id != card.sprint_id
            if move and sprint_id is not None:
                new_sprint = self._plannable_sprint(session, card, key, sprint_id)
            assign = assignee_id is not _UNSET and assignee_id != card.assignee_id
            if assign and assignee_id is not None:
                link = session.scalar(
                    select(ProjectMember.active).where(
                        ProjectMember.project_id == card.project_id,
                        ProjectMember.member_id == assignee_id,
                    )
                )
                if not link:
                    raise NotFound(
                        f"Member {assignee_id} is not in this project's team; "
                        f"{key} cannot be assigned to them."
                    )
            if not move and not assign:
                return fetch_card(session, card.id)
            if assign:
                before = card.assignee_id
                card.assignee_id = assignee_id
                if not move:
                    card.version += 1
                    card.updated_at = self._ctx.clock()
                    session.flush()
                record_event(
                    session,
                    self._ctx,
                    card,
                    "assigned",
                    {"assignee_id": before},
                    {"assignee_id": assignee_id},
                )
            if move:
                old = session.get(Sprint, card.sprint_id) if card.sprint_id is not None else None
                self._move_to_sprint(session, card, old, new_sprint)
            session.flush()
            dto = fetch_card(session, card.id)
            uow.notify(Change(ChangeKind.CARD_CHANGED, card.project_id, (dto,)))
            uow.commit()
            return dto

    # --- running -------------------------------------------------------------------------

    def start_preview(self, sprint_id: int) -> SprintStartDTO:
        """What *Start sprint* proposes: start today (in the project's time zone), end so
        that the sprint keeps its planned number of working days, and the commitment."""
        with self._ctx.read() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id)
            project = get_project(session, sprint.project_id)
            self._check_scrum(project)
            calendar = self._calendar(session, project)
            start = calendar.today
            end = self._end_for_start(calendar, sprint, start)
            planned_days = (
                calendar.working_days(sprint.start_date, sprint.end_date)
                if sprint.start_date is not None and sprint.end_date is not None
                else None
            )
            categories = self._categories(session, project.id)
            live = self._live_cards(session, sprint.id)
            cards = [c for c in live if categories.get(c.column_id) != "done"]
            return SprintStartDTO(
                sprint=self._dto_with_points(session, sprint),
                start=start,
                end=end,
                planned_working_days=planned_days,
                card_count=len(cards),
                points=_sum(c.points for c in cards),
                unestimated_keys=tuple(
                    f"{project.key}-{c.number}" for c in cards if c.points is None
                ),
                calendar=calendar,
                done_keys=tuple(
                    f"{project.key}-{c.number}"
                    for c in live
                    if categories.get(c.column_id) == "done"
                ),
            )

    def start_sprint(
        self,
        sprint_id: int,
        allow_unestimated: bool = False,
        expected_version: int | None = None,
        *,
        name: str | None = None,
        goal: str | None = None,
        start: object = None,
        end: object = None,
    ) -> SprintDTO:
        """Make a planned sprint the active one and record its commitment snapshot.

        ``start``/``end`` are the dates the person confirmed; a sprint starts today or
        earlier, never later (its burndown begins on its start day). Without them the
        planned dates are kept, except that a sprint started before its planned start
        starts today and one planned to start before the last sprint closed starts on that
        day; a moved start keeps the planned number of working days. ``name`` and ``goal``,
        when given, are saved in the same transaction.
        """
        clean_name = None if name is None else self._clean_name(name)
        clean_goal = None if goal is None else clean_multiline(goal, "sprint goal", 10_000)
        start_date = clean_date(start, "start date")
        end_date = clean_date(end, "end date")
        with self._ctx.write() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id, for_update=True)
            self._check_sprint_version(sprint, expected_version)
            project = get_project(session, sprint.project_id)
            self._check_scrum(project)
            if sprint.state != "planned":
                raise Conflict(
                    f"The sprint {sprint.name!r} is {sprint.state}; only a planned sprint "
                    "can be started."
                )
            active = session.scalar(
                select(Sprint.name).where(
                    Sprint.project_id == sprint.project_id,
                    Sprint.state == "active",
                    Sprint.id != sprint.id,
                )
            )
            if active is not None:
                raise Conflict(
                    f"The sprint {active!r} is still active; complete it before starting "
                    f"{sprint.name!r} (one active sprint per project)."
                )
            calendar = self._calendar(session, project)
            today = calendar.today
            if start_date is None:
                start_date = self._default_start(session, project, sprint, today)
            elif start_date > today:
                raise ValidationError(
                    f"A sprint starts today or earlier: {start_date.isoformat()} is after "
                    f"today ({today.isoformat()}). Keep it planned and start it on that day."
                )
            if end_date is None:
                end_date = self._end_for_start(calendar, sprint, start_date)
            self._check_dates(start_date, end_date)
            self._check_overlap(session, project, start_date, end_date, sprint.id)
            if clean_name is not None and clean_name != sprint.name:
                self._check_name_free(session, sprint.project_id, clean_name, sprint.id)
                sprint.name = clean_name
            if clean_goal is not None:
                sprint.goal = clean_goal
            cards = self._live_cards(session, sprint.id)
            categories = self._categories(session, project.id)
            # A card already done is no part of the commitment, estimated or not.
            unestimated = [
                c for c in cards if c.points is None and categories.get(c.column_id) != "done"
            ]
            if unestimated and not allow_unestimated:
                keys = ", ".join(f"{project.key}-{c.number}" for c in unestimated[:5])
                more = "" if len(unestimated) <= 5 else f" and {len(unestimated) - 5} more"
                what = "card has" if len(unestimated) == 1 else "cards have"
                raise ValidationError(
                    f"{len(unestimated)} {what} no estimate in {sprint.name!r} ({keys}{more}); "
                    "estimate them first, or start the sprint anyway."
                )
            now = self._ctx.clock()
            facts_of.start_snapshot(session, sprint.id, cards, categories)
            sprint.state = "active"
            sprint.started_at = now
            sprint.start_date = start_date
            sprint.end_date = end_date
            sprint.version += 1
            session.flush()
            dto = self._dto_with_points(session, sprint)
            uow.notify(Change(ChangeKind.SPRINTS_CHANGED, sprint.project_id))
            uow.commit()
            return dto

    def complete_sprint(
        self,
        sprint_id: int,
        carry_over: str | int = "backlog",
        expected_version: int | None = None,
    ) -> SprintDTO:
        """Close the active sprint; unfinished cards go to ``carry_over``: ``"backlog"``,
        ``"next"`` (the next planned sprint by start date), ``"new"`` (a new sprint, named
        and dated as :meth:`suggest_sprint` would after this close) or a planned sprint's
        id."""
        with self._ctx.write() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id, for_update=True)
            self._check_sprint_version(sprint, expected_version)
            if sprint.state != "active":
                raise Conflict(
                    f"The sprint {sprint.name!r} is {sprint.state}; only the active sprint "
                    "can be completed."
                )
            facts = facts_of.sprint_facts(session, sprint, self._ctx.clock())
            unfinished_ids = [c.card_id for c in facts.by_outcome(facts_of.NOT_COMPLETED)]
            if isinstance(carry_over, str) and carry_over.strip().lower() == "new":
                target: Sprint | None = self._new_sprint_after_close(session, sprint)
            else:
                target = self._carry_over_target(session, sprint, carry_over, bool(unfinished_ids))
            destination = "backlog" if target is None else target.name
            facts_of.outcome_snapshot(session, facts, destination)
            session.flush()
            unfinished = (
                list(session.scalars(select(Card).where(Card.id.in_(unfinished_ids))))
                if unfinished_ids
                else []
            )
            unfinished.sort(key=lambda c: c.rank)
            for c in unfinished:
                self._move_to_sprint(session, c, sprint, target)
            sprint.state = "closed"
            sprint.closed_at = self._ctx.clock()
            sprint.version += 1
            session.flush()
            moved = fetch_cards(session, sprint.project_id, [c.id for c in unfinished])
            dto = self._dto_with_points(session, sprint)
            uow.notify(Change(ChangeKind.SPRINTS_CHANGED, sprint.project_id))
            if moved:
                uow.notify(Change(ChangeKind.CARD_CHANGED, sprint.project_id, tuple(moved)))
            uow.commit()
            return dto

    # --- capacity and velocity -----------------------------------------------------------

    def set_capacity(
        self,
        sprint_id: int,
        member_id: int,
        hours: object = None,
        points: object = None,
        days_off: object = 0,
        expected_version: int | None = None,
    ) -> MemberCapacityDTO:
        """A member's capacity for a planned or active sprint. Without ``hours`` it is their
        hours per day times the sprint's working days less ``days_off``."""
        clean_h = clean_hours(hours, "capacity in hours")
        clean_p = None
        if points is not None and not (isinstance(points, str) and not points.strip()):
            try:
                clean_p = clean_points(points)
            except ValidationError as exc:
                raise ValidationError(
                    str(exc).replace("Story points", "The capacity in points")
                ) from exc
        off = _clean_days_off(days_off)
        with self._ctx.write() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id, for_update=True)
            if sprint.state == "closed":
                raise Conflict(
                    f"The sprint {sprint.name!r} is closed; its capacity cannot be changed."
                )
            project = get_project(session, sprint.project_id)
            self._check_scrum(project)
            member = session.get(Member, member_id)
            link = session.scalar(
                select(ProjectMember).where(
                    ProjectMember.project_id == project.id, ProjectMember.member_id == member_id
                )
            )
            if member is None or link is None or not link.active:
                who = f"member id {member_id}" if member is None else member.display_name
                raise ValidationError(
                    f"{who} is not in the team of {project.key}; add them to the team first."
                )
            days = self._working_days(session, project, sprint)
            if off > days:
                raise ValidationError(
                    f"{member.display_name} cannot have {off} days off in {sprint.name!r}: "
                    f"the sprint has {days} working days."
                )
            row = session.scalar(
                select(SprintCapacity).where(
                    SprintCapacity.sprint_id == sprint.id, SprintCapacity.member_id == member_id
                )
            )
            if row is None:
                row = SprintCapacity(
                    sprint_id=sprint.id,
                    member_id=member_id,
                    hours=clean_h,
                    points=clean_p,
                    days_off=off,
                    version=1,
                )
                session.add(row)
            else:
                if expected_version is not None and row.version != expected_version:
                    raise StaleEdit(
                        f"The capacity of {member.display_name} in {sprint.name!r} was changed "
                        "by someone else; reload it, then apply your change again.",
                        current_version=row.version,
                    )
                row.hours, row.points, row.days_off = clean_h, clean_p, off
                row.version += 1
            session.flush()
            plan = self._plan(session, sprint, project)
            dto = next(m for m in plan.members if m.member_id == member_id)
            uow.notify(Change(ChangeKind.SPRINTS_CHANGED, sprint.project_id))
            uow.commit()
            return dto

    def list_capacity(self, sprint_id: int) -> list[MemberCapacityDTO]:
        """Every member's capacity for the sprint (the team's active members, and anyone
        with a capacity row or cards in it), by display name."""
        return list(self.sprint_plan(sprint_id).members)

    def sprint_plan(self, sprint_id: int, unit: str | None = None) -> SprintPlanDTO:
        """The sprint's capacity plan in ``unit`` ("points" or "hours"; None: the unit
        most of its estimated cards use)."""
        if unit is not None and unit not in PLAN_UNITS:
            raise ValidationError(f"A sprint is planned in points or hours, not {unit!r}.")
        with self._ctx.read() as uow:
            session = uow.session
            sprint = self._get(session, sprint_id)
            project = get_project(session, sprint.project_id)
            return self._plan(session, sprint, project, unit)

    def velocity(self, project_id: int) -> VelocityDTO:
        """Committed against completed points of the last closed sprints, and the planning
        velocity (the average completed points of the last three)."""
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            series = facts_of.project_velocity(
                session, project_id, self._ctx.clock(), last=VELOCITY_HISTORY
            )
            rows = tuple(
                VelocitySprintDTO(v.sprint_id, v.name, v.start, v.end, v.committed, v.completed)
                for v in series.sprints
            )
            history = tuple(v.completed for v in series.sprints[-series.window :])
            return VelocityDTO(project_id, rows, series.planning, history)

    def _plan(
        self, session: Session, sprint: Sprint, project: Project, unit: str | None = None
    ) -> SprintPlanDTO:
        days = self._working_days(session, project, sprint)
        capacities = {
            c.member_id: c
            for c in session.scalars(
                select(SprintCapacity).where(SprintCapacity.sprint_id == sprint.id)
            )
        }
        team = {
            m.id: (m, pm)
            for m, pm in session.execute(
                select(Member, ProjectMember)
                .join(ProjectMember, ProjectMember.member_id == Member.id)
                .where(ProjectMember.project_id == project.id)
            ).all()
        }
        live = self._live_cards(session, sprint.id)
        suggested = self._suggested_unit(session, project, live)
        unit = unit or suggested
        history = self._velocity_before(session, project, sprint)
        velocity = facts_of.average(history)
        wanted = {mid for mid, (m, pm) in team.items() if m.active and pm.active}
        wanted |= set(capacities)
        wanted |= {c.assignee_id for c in live if c.assignee_id is not None}
        missing = wanted - set(team)
        others = (
            {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(missing)))}
            if missing
            else {}
        )
        rows: list[tuple[Member, Decimal, SprintCapacity | None, Decimal, bool]] = []
        for mid in wanted:
            if mid in team:
                member, link = team[mid]
                per_day = link.hours_per_day if link.hours_per_day is not None else ZERO
            elif mid in others:
                member, per_day = others[mid], ZERO
            else:
                continue
            row = capacities.get(mid)
            explicit = row is not None and row.hours is not None
            hours = capacity_hours(per_day, days, row)
            rows.append((member, per_day, row, hours, explicit))
        rows.sort(key=lambda r: (r[0].display_name.lower(), r[0].id))
        shares = velocity_shares(velocity, [r[3] for r in rows])
        members = []
        for (member, per_day, row, hours, explicit), share in zip(rows, shares, strict=True):
            typed = None if row is None else row.points
            mine = [c for c in live if c.assignee_id == member.id]
            members.append(
                MemberCapacityDTO(
                    member_id=member.id,
                    display_name=member.display_name,
                    hours_per_day=per_day,
                    working_days=days,
                    days_off=0 if row is None else row.days_off,
                    capacity_hours=hours,
                    hours_explicit=explicit,
                    capacity_points=typed if typed is not None else share,
                    assigned_points=_sum(c.points for c in mine),
                    assigned_hours=_sum(c.estimate_hours for c in mine),
                    assigned_count=len(mine),
                    unestimated_count=sum(1 for c in mine if c.points is None),
                    has_capacity_row=row is not None,
                    version=None if row is None else row.version,
                    points_explicit=typed is not None,
                    velocity_share=share,
                    unit=unit,
                )
            )
        unassigned = [c for c in live if c.assignee_id is None]
        point_caps = [m.capacity_points for m in members if m.capacity_points is not None]
        committed = facts_of.commitment_points(session, sprint.id)
        return SprintPlanDTO(
            sprint=self._dto_with_points(session, sprint),
            working_days=days,
            members=tuple(members),
            capacity_hours=_sum(m.capacity_hours for m in members),
            capacity_points=_sum(point_caps) if point_caps else None,
            assigned_points=_sum(m.assigned_points for m in members),
            assigned_hours=_sum(m.assigned_hours for m in members),
            unassigned_points=_sum(c.points for c in unassigned),
            unassigned_count=len(unassigned),
            planned_points=_sum(c.points for c in live),
            committed_points=committed,
            card_count=len(live),
            unestimated_count=sum(1 for c in live if c.points is None),
            velocity=velocity,
            velocity_history=history,
            unit=unit,
            suggested_unit=suggested,
            unassigned_hours=_sum(c.estimate_hours for c in unassigned),
            planned_hours=_sum(c.estimate_hours for c in live),
        )

    def _velocity_before(
        self, session: Session, project: Project, sprint: Sprint
    ) -> tuple[Decimal, ...]:
        """Completed points of the last closed sprints that started before ``sprint``."""
        return facts_of.planning_history(session, sprint, self._ctx.clock())

    @staticmethod
    def _suggested_unit(session: Session, project: Project, live: list[Card]) -> str:
        """Points when most estimated cards have points: the sprint's, or, when none of
        its cards is estimated yet, the project's live cards (a tie is points)."""

        def unit_of(rows: Iterable[tuple[Decimal | None, Decimal | None]]) -> str | None:
            with_points = with_hours_only = 0
            for points, hours in rows:
                if points is not None:
                    with_points += 1
                elif hours is not None:
                    with_hours_only += 1
            if not with_points and not with_hours_only:
                return None
            return "points" if with_points >= with_hours_only else "hours"

        found = unit_of((c.points, c.estimate_hours) for c in live)
        if found is None:
            found = unit_of(
                session.execute(
                    select(Card.points, Card.estimate_hours).where(
                        Card.project_id == project.id,
                        Card.archived.is_(False),
                        Card.type != "epic",
                        or_(Card.points.is_not(None), Card.estimate_hours.is_not(None)),
                    )
                ).all()
            )
        return found or "points"

    @staticmethod
    def _working_days(session: Session, project: Project, sprint: Sprint) -> int:
        if sprint.start_date is None or sprint.end_date is None:
            return 0
        holidays = set(session.scalars(select(Holiday.day).where(Holiday.project_id == project.id)))
        return len(
            working_days(sprint.start_date, sprint.end_date, project.working_weekdays, holidays)
        )

    # --- helpers -------------------------------------------------------------------------

    def _move_to_sprint(
        self, session: Session, card: Card, old: Sprint | None, new: Sprint | None
    ) -> None:
        card.sprint_id = None if new is None else new.id
        card.version += 1
        card.updated_at = self._ctx.clock()
        session.flush()
        record_event(
            session,
            self._ctx,
            card,
            "sprint_changed",
            {"sprint": None if old is None else old.name, "sprint_id": _sprint_id_of(old)},
            {"sprint": None if new is None else new.name, "sprint_id": _sprint_id_of(new)},
        )

    def _new_sprint_after_close(self, session: Session, sprint: Sprint) -> Sprint:
        """A planned sprint for the unfinished cards, dated as if created right after the
        close (closing early frees the rest of the closing sprint's dates)."""
        project = get_project(session, sprint.project_id)
        sprint.state, sprint.closed_at = "closed", self._ctx.clock()
        session.flush()
        suggestion = self._suggest(session, project)
        new = Sprint(
            project_id=project.id,
            name=suggestion.name,
            goal="",
            start_date=suggestion.start,
            end_date=suggestion.end,
            state="planned",
        )
        session.add(new)
        session.flush()
        return new

    def _carry_over_target(
        self, session: Session, sprint: Sprint, carry_over: str | int, needed: bool
    ) -> Sprint | None:
        if isinstance(carry_over, str) and carry_over.strip().lower() == "backlog":
            return None
        if isinstance(carry_over, str) and carry_over.strip().lower() == "next":
            planned = list(
                session.scalars(
                    select(Sprint).where(
                        Sprint.project_id == sprint.project_id, Sprint.state == "planned"
                    )
                )
            )
            planned.sort(key=lambda s: (s.start_date is None, s.start_date or dt.date.min, s.id))
            if not planned:
                if needed:
                    raise Conflict(
                        f"There is no planned sprint after {sprint.name!r} to carry the "
                        "unfinished cards over to; create one or move them to the backlog."
                    )
                return None
            return planned[0]
        if isinstance(carry_over, bool) or not isinstance(carry_over, int):
            raise ValidationError(
                f"Unfinished cards go to 'backlog', 'next', 'new' or a sprint, not {carry_over!r}."
            )
        target = session.get(Sprint, carry_over)
        if target is None or target.project_id != sprint.project_id:
            raise NotFound(f"There is no sprint with id {carry_over} in this project.")
        if target.id == sprint.id:
            raise ValidationError(
                f"Unfinished cards cannot be carried over to {sprint.name!r} itself."
            )
        if target.state != "planned":
            raise Conflict(
                f"The sprint {target.name!r} is {target.state}; unfinished cards can only be "
                "carried over to a planned sprint."
            )
        return target

    @staticmethod
    def _get(session: Session, sprint_id: int, for_update: bool = False) -> Sprint:
        check_id(sprint_id, "sprint")
        sprint = session.get(Sprint, sprint_id, with_for_update=for_update)
        if sprint is None:
            raise NotFound(f"There is no sprint with id {sprint_id}.")
        return sprint

    @staticmethod
    def _check_sprint_version(sprint: Sprint, expected_version: int | None) -> None:
        if expected_version is not None and sprint.version != expected_version:
            raise StaleEdit(
                f"The sprint {sprint.name!r} was changed by someone else since you opened it; "
                "reload it, then apply your change again.",
                current_version=sprint.version,
            )

    @staticmethod
    def _check_scrum(project: Project) -> None:
        if project.methodology != "scrum":
            raise ValidationError(
                f"{project.key} is a Kanban project; Kanban projects have no sprints."
            )

    @staticmethod
    def _clean_name(name: object) -> str:
        text = clean_text(name, "sprint name", SPRINT_NAME_MAX)
        if text.lower() in RESERVED_NAMES:
            raise ValidationError(
                f"{text!r} cannot be a sprint name: it means something else when planning "
                "cards (choose another name)."
            )
        return text

    @staticmethod
    def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
        if start is not None and end is not None and end < start:
            raise ValidationError(
                f"The sprint cannot end ({end.isoformat()}) before it starts ({start.isoformat()})."
            )

    @staticmethod
    def _check_name_free(
        session: Session, project_id: int, name: str, sprint_id: int | None
    ) -> None:
        query = select(Sprint.name).where(
            Sprint.project_id == project_id, func.lower(Sprint.name) == name.lower()
        )
        if sprint_id is not None:
            query = query.where(Sprint.id != sprint_id)
        taken = session.scalar(query)
        if taken is not None:
            raise Conflict(f"There is already a sprint called {taken!r} in this project.")

    def _check_overlap(
        self,
        session: Session,
        project: Project,
        start: dt.date | None,
        end: dt.date | None,
        sprint_id: int | None,
    ) -> None:
        """Refuse dates that overlap the time a closed sprint ran.

        A closed sprint held its dates from its start to the day it was closed (closing
        early frees the rest, and the next sprint may start on that day). The dates of a
        planned sprint are a plan: as in Jira, they may overlap other planned sprints and
        the active one, and are confirmed when the sprint starts; only one sprint is
        active at a time.
        """
        if start is None or end is None:
            return
        query = select(Sprint).where(
            Sprint.project_id == project.id,
            Sprint.state == "closed",
            Sprint.start_date.is_not(None),
            Sprint.start_date <= end,
        )
        if sprint_id is not None:
            query = query.where(Sprint.id != sprint_id)
        for other in session.scalars(query.order_by(Sprint.start_date, Sprint.id)):
            assert other.start_date is not None
            if other.closed_at is not None:
                closed_on = self._local_date(project, other.closed_at)
            else:  # closed without a time (an import): it ran until its planned end
                closed_on = (other.end_date or other.start_date) + dt.timedelta(days=1)
            if other.start_date < closed_on and start < closed_on:
                raise Conflict(
                    f"The dates {start.isoformat()} to {end.isoformat()} overlap the sprint "
                    f"{other.name!r}, which ran from {other.start_date.isoformat()} until it "
                    f"was closed on {closed_on.isoformat()}; a sprint may start on or after "
                    "that day (planned sprints may overlap each other and the active one)."
                )

    def _check_active_start(self, project: Project, sprint: Sprint, start: dt.date | None) -> None:
        """An active sprint's start date is never after the day it was started: its
        burndown begins on the start day with the commitment."""
        if start is None:
            raise ValidationError("An active sprint keeps its start date.")
        started_on = (
            self._local_date(project, sprint.started_at)
            if sprint.started_at is not None
            else self._today(project)
        )
        if start > started_on:
            raise ValidationError(
                f"{sprint.name!r} was started on {started_on.isoformat()}; its start date "
                f"cannot be later ({start.isoformat()})."
            )

    def _calendar(self, session: Session, project: Project) -> ProjectCalendarDTO:
        holidays = frozenset(
            session.scalars(select(Holiday.day).where(Holiday.project_id == project.id))
        )
        return ProjectCalendarDTO(
            project.id, self._today(project), project.working_weekdays, holidays
        )

    def _suggest(self, session: Session, project: Project) -> NewSprintDTO:
        calendar = self._calendar(session, project)
        after, after_sprint = calendar.today, None
        for other in session.scalars(
            select(Sprint).where(Sprint.project_id == project.id).order_by(Sprint.id)
        ):
            ends = (
                self._local_date(project, other.closed_at)
                if other.state == "closed" and other.closed_at is not None
                else other.end_date
            )
            if ends is not None and ends > after:
                after, after_sprint = ends, other.name
        try:
            start, end = default_sprint_dates(after, calendar.working_weekdays, calendar.holidays)
        except ValueError as exc:
            raise ValidationError(
                f"Cannot work out default sprint dates: {exc} Give the dates explicitly."
            ) from exc
        return NewSprintDTO(
            project_id=project.id,
            name=self._default_name(session, project),
            start=start,
            end=end,
            after_sprint=after_sprint,
            after_end=after if after_sprint is not None else None,
            calendar=calendar,
        )

    def _default_start(
        self, session: Session, project: Project, sprint: Sprint, today: dt.date
    ) -> dt.date:
        """The start of a sprint started without dates: its planned start, but never after
        today and never before the day the last sprint closed."""
        start = sprint.start_date if sprint.start_date is not None else today
        start = min(start, today)
        closed = [
            self._local_date(project, s.closed_at)
            for s in session.scalars(
                select(Sprint).where(
                    Sprint.project_id == project.id,
                    Sprint.state == "closed",
                    Sprint.closed_at.is_not(None),
                )
            )
            if s.closed_at is not None
        ]
        if closed:
            start = max(start, min(max(closed), today))
        return start

    @staticmethod
    def _end_for_start(calendar: ProjectCalendarDTO, sprint: Sprint, start: dt.date) -> dt.date:
        """The planned end if the start is the planned one, else an end that keeps the
        planned number of working days (two weeks for a sprint planned without dates)."""
        try:
            if sprint.start_date is None or sprint.end_date is None:
                return default_sprint_end(start, calendar.working_weekdays, calendar.holidays)
            if start == sprint.start_date:
                return sprint.end_date
            return end_keeping_working_days(
                sprint.start_date,
                sprint.end_date,
                start,
                calendar.working_weekdays,
                calendar.holidays,
            )
        except ValueError as exc:
            raise ValidationError(
                f"Cannot work out the sprint's end: {exc} Give the end date."
            ) from exc

    @staticmethod
    def _local_date(project: Project, when: dt.datetime) -> dt.date:
        """The day ``when`` (UTC; naive taken as UTC) falls on in the project's time zone."""
        return local_date(when, project.time_zone)

    @staticmethod
    def _default_name(session: Session, project: Project) -> str:
        names = {
            n.lower()
            for n in session.scalars(select(Sprint.name).where(Sprint.project_id == project.id))
        }
        number = len(names) + 1
        while f"{project.key} sprint {number}".lower() in names:
            number += 1
        return f"{project.key} Sprint {number}"

    def _today(self, project: Project) -> dt.date:
        return today_in(project.time_zone, self._ctx.clock())

    @staticmethod
    def _live_cards(session: Session, sprint_id: int) -> list[Card]:
        """Live (not archived) non-epic cards in the sprint, in rank order."""
        return list(
            session.scalars(
                select(Card)
                .where(
                    Card.sprint_id == sprint_id,
                    Card.archived.is_(False),
                    Card.type != "epic",
                )
                .order_by(Card.rank)
            )
        )

    @staticmethod
    def _categories(session: Session, project_id: int) -> dict[int, str]:
        return dict(
            session.execute(
                select(WorkflowColumn.id, WorkflowColumn.category).where(
                    WorkflowColumn.project_id == project_id
                )
            ).all()
        )

    def _dto_with_points(self, session: Session, sprint: Sprint) -> SprintDTO:
        committed, completed = facts_of.sprint_totals(session, sprint, self._ctx.clock())
        return sprint_dto(sprint, committed, completed)


def _sprint_id_of(sprint: Sprint | None) -> int | None:
    return None if sprint is None else sprint.id


def capacity_hours(per_day: Decimal, days: int, row: SprintCapacity | None) -> Decimal:
    """A member's hours for a sprint of ``days`` working days (holidays already left out):
    the hours typed into their capacity row, else hours per day x (days - their days off).
    The sprint plan and the Team page's workload grid both count capacity with this."""
    if row is not None and row.hours is not None:
        return row.hours
    off = row.days_off if row is not None else 0
    return (per_day * max(days - off, 0)).quantize(Decimal("0.01"))


def velocity_shares(velocity: Decimal | None, hours: list[Decimal]) -> list[Decimal | None]:
    """Each member's share of the velocity, in proportion to their available hours, in
    tenths of a point that add up to the velocity exactly (largest remainders get the
    leftover tenths; ties go to the earlier member). None for all without a velocity or
    without any available hours."""
    total = _sum(hours)
    if velocity is None or total <= 0:
        return [None] * len(hours)
    tenths = int((velocity * 10).to_integral_value())
    exact = [tenths * max(h, ZERO) / total for h in hours]
    floors = [int(x) for x in exact]  # non-negative, so int() is the floor
    order = sorted(range(len(hours)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[: tenths - sum(floors)]:
        floors[i] += 1
    return [Decimal(f) / 10 for f in floors]


def _clean_days_off(value: object) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise ValidationError("The days off must be a whole number.")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise ValidationError(f"The days off must be a whole number, not {value!r}.") from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationError(f"The days off must be a whole number, not {value!r}.")
    if number < 0:
        raise ValidationError("The days off cannot be negative.")
    return int(number)


__all__ = [
    "PLAN_UNITS",
    "HolidayDTO",
    "MemberCapacityDTO",
    "NewSprintDTO",
    "ProjectCalendarDTO",
    "SprintCardOutcomeDTO",
    "SprintPlanDTO",
    "SprintService",
    "SprintStartDTO",
    "SprintSummaryDTO",
    "VelocityDTO",
    "VelocitySprintDTO",
    "capacity_hours",
    "sprint_dto",
    "velocity_shares",
]
