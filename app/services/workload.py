"""Workload: who is stretched and who has room (the Team page, the planning dialog, the
status report).

The grid has one row per person and one column per sprint of a Scrum project (the active
one, then the planned ones in order) or per week of a Kanban project (this week and the
next five). A cell is the work assigned to the person in that column, in the unit the team
plans in (points or hours, decided as the sprint plan decides it), against their capacity:
for a sprint the same figures as the sprint plan (``SprintService.sprint_plan``): typed-in
capacity first, else hours per day x the sprint's working days (holidays left out) less
their days off, and in points their share of the velocity; for a Kanban week hours per day x
the week's working days, and in points their share of the weekly throughput of the last
four weeks.

The assigned work is read with one aggregate query (grouped by column and assignee), never
card by card, so the page opens quickly on a big project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.clock import today_in
from app.errors import NotFound, ValidationError
from app.metrics.calendar import working_days
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
from app.services.common import check_id, fetch_cards, get_project
from app.services.context import ServiceContext
from app.services.dto import CardDTO
from app.services.sprints import capacity_hours, velocity_shares

ZERO = Decimal("0.0")
FREE_BELOW = Decimal("0.70")  # under 70% of capacity: room for more
KANBAN_WEEKS = 6  # this week and the next five
THROUGHPUT_WEEKS = 4  # a Kanban team's points capacity: its average of the last four weeks
LEVELS = ("free", "ok", "over", "unknown")
MAX_ID = 2**31 - 1  # ids are database integers: a bigger one is no id at all


def load_level(assigned: Decimal, capacity: Decimal | None) -> str:
    """free (< 70% of capacity), ok (up to 100%), over (> 100%), unknown (no capacity)."""
    if capacity is None:
        return "unknown"
    if capacity <= 0:
        return "over" if assigned > 0 else "free"
    ratio = assigned / capacity
    if ratio > 1:
        return "over"
    return "free" if ratio < FREE_BELOW else "ok"


@dataclass(frozen=True, slots=True)
class WorkloadColumnDTO:
    """A sprint (``sprint_id``) or, on a Kanban project, a week (Monday ``start``)."""

    key: str  # "sprint:<id>" or "week:<iso monday>": what cell_cards is asked with
    title: str
    start: dt.date | None
    end: dt.date | None
    sprint_id: int | None
    state: str | None  # active | planned for a sprint, None for a week
    working_days: int
    holidays: tuple[dt.date, ...]  # on working weekdays within the column


@dataclass(frozen=True, slots=True)
class WorkloadCellDTO:
    """One person's work in one column against their capacity (in the grid's unit)."""

    member_id: int | None  # None: the unassigned work (or a column total)
    column: int  # index into WorkloadDTO.columns
    assigned: Decimal
    capacity: Decimal | None  # None: not known (in points before any closed sprint)
    card_count: int
    unestimated_count: int  # cards without a figure in the grid's unit
    days_off: int = 0

    @property
    def ratio(self) -> Decimal | None:
        """assigned / capacity (None without a capacity above zero)."""
        if self.capacity is None or self.capacity <= 0:
            return None
        return self.assigned / self.capacity

    @property
    def level(self) -> str:
        return load_level(self.assigned, self.capacity)

    @property
    def over_by(self) -> Decimal:
        if self.capacity is None or self.assigned <= self.capacity:
            return ZERO
        return self.assigned - self.capacity


@dataclass(frozen=True, slots=True)
class WorkloadRowDTO:
    member_id: int
    display_name: str
    role: str
    active: bool  # False: a former member who still has work in these columns
    hours_per_day: Decimal
    cells: tuple[WorkloadCellDTO, ...]  # one per column


@dataclass(frozen=True, slots=True)
class WorkloadDTO:
    project_id: int
    methodology: str  # scrum | kanban
    unit: str  # points | hours
    columns: tuple[WorkloadColumnDTO, ...]
    rows: tuple[WorkloadRowDTO, ...]  # by name
    totals: tuple[WorkloadCellDTO, ...]  # per column: the people's work and capacity
    unassigned: tuple[WorkloadCellDTO, ...]  # per column: the work nobody has

    def row(self, member_id: int) -> WorkloadRowDTO:
        for row in self.rows:
            if row.member_id == member_id:
                return row
        raise NotFound(f"Member {member_id} has no row in this workload.")


@dataclass(frozen=True, slots=True)
class OverAllocationDTO:
    """Someone with more work than capacity in one column: "Ada: 14 / 10 pts"."""

    member_id: int
    display_name: str
    sprint_id: int | None  # None for a Kanban week
    column_title: str
    assigned: Decimal
    capacity: Decimal
    unit: str

    @property
    def text(self) -> str:
        return (
            f"{self.display_name}: {fmt(self.assigned)} / {fmt(self.capacity)} {short(self.unit)}"
        )


def fmt(value: Decimal | None) -> str:
    """A figure as a person reads it: 8, 7.5, 12.25 (no trailing zeros), ? when unknown."""
    if value is None:
        return "?"
    text = f"{value.normalize():f}"
    return text


def short(unit: str) -> str:
    return "pts" if unit == "points" else "h"


class WorkloadService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def grid(self, project_id: int) -> WorkloadDTO:
        """The project's workload grid (see the module's docstring)."""
        _check_ids(project_id, None)
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            if project.methodology == "kanban":
                return _KanbanGrid(session, project, self._ctx.clock()).build()
            return _ScrumGrid(session, project, self._ctx.clock()).build()

    def over_allocated(
        self, project_id: int, sprint_id: int | None = None
    ) -> list[OverAllocationDTO]:
        """Everyone over capacity, per column of the grid (only ``sprint_id``'s if given),
        most over first."""
        if sprint_id is not None:
            check_id(sprint_id, "sprint")
        grid = self.grid(project_id)
        if sprint_id is not None and all(c.sprint_id != sprint_id for c in grid.columns):
            return []
        found = []
        for row in grid.rows:
            for cell in row.cells:
                column = grid.columns[cell.column]
                if sprint_id is not None and column.sprint_id != sprint_id:
                    continue
                if cell.level == "over" and cell.capacity is not None:
                    found.append(
                        OverAllocationDTO(
                            row.member_id,
                            row.display_name,
                            column.sprint_id,
                            column.title,
                            cell.assigned,
                            cell.capacity,
                            grid.unit,
                        )
                    )
        found.sort(key=lambda o: (-(o.assigned - o.capacity), o.display_name.lower()))
        return found

    def cell_cards(self, project_id: int, column_key: str, member_id: int | None) -> list[CardDTO]:
        """The cards counted in one cell (``member_id`` None: the unassigned ones), by
        rank."""
        _check_ids(project_id, member_id)
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            where = [
                *_counted(session, project),
                _column_clause(session, project, column_key, self._ctx.clock()),
            ]
            where.append(
                Card.assignee_id.is_(None) if member_id is None else Card.assignee_id == member_id
            )
            ids = list(session.scalars(select(Card.id).where(*where)))
            return fetch_cards(session, project.id, ids)

    def member_cards(self, project_id: int, member_id: int) -> list[CardDTO]:
        """A person's cards in every column of the grid (what their row adds up), by rank."""
        check_id(member_id, "member")
        _check_ids(project_id, member_id)
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            if session.get(Member, member_id) is None:
                raise NotFound(f"There is no member with id {member_id}.")
            now = self._ctx.clock()
            grid = (
                _KanbanGrid(session, project, now)
                if project.methodology == "kanban"
                else _ScrumGrid(session, project, now)
            )
            keys = [c.key for c in grid.columns()]
            if not keys:
                return []
            clause = or_(*(_column_clause(session, project, k, now) for k in keys))
            ids = list(
                session.scalars(
                    select(Card.id).where(
                        *_counted(session, project), clause, Card.assignee_id == member_id
                    )
                )
            )
            return fetch_cards(session, project.id, ids)


# --- building the grid ---------------------------------------------------------------------


def _check_ids(project_id: int, member_id: int | None) -> None:
    """Whole-number ids within a database integer (PostgreSQL refuses bigger ones with an
    error a person cannot read)."""
    check_id(project_id, "project")
    if member_id is not None:
        check_id(member_id, "member")
    for value, what in ((project_id, "project"), (member_id, "member")):
        if value is not None and not 0 < value <= MAX_ID:
            raise NotFound(f"There is no {what} with id {str(value)[:20]}.")


def _counted(session: Session, project: Project) -> list:  # type: ignore[type-arg]
    """What counts as work: live non-epic cards of the project (and on a Kanban project,
    not done yet)."""
    where = [Card.project_id == project.id, Card.archived.is_(False), Card.type != "epic"]
    if project.methodology == "kanban":
        done = select(WorkflowColumn.id).where(
            WorkflowColumn.project_id == project.id, WorkflowColumn.category == "done"
        )
        where.append(Card.column_id.not_in(done))
    return where


def _column_clause(session: Session, project: Project, key: str, now: dt.datetime):  # type: ignore[no-untyped-def]
    if not isinstance(key, str) or len(key) > 40:
        raise ValidationError(f"Not a workload column: {key!r:.50}.")
    kind, _, value = key.partition(":")
    if kind == "sprint" and project.methodology != "kanban":
        # ASCII digits only ("١٢" is a number to int()) and within a database integer.
        if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
            raise ValidationError(f"Not a workload column: {key!r}.")
        return Card.sprint_id == int(value)
    if kind == "week" and project.methodology == "kanban":
        try:
            monday = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(f"Not a workload column: {key!r}.") from exc
        first = _monday(today_in(project.time_zone, now))
        in_week = and_(Card.due_date >= monday, Card.due_date < monday + dt.timedelta(days=7))
        if monday == first:
            # Work without a due date, and overdue work, is work in hand now.
            return or_(Card.due_date.is_(None), Card.due_date < monday + dt.timedelta(days=7))
        return in_week
    raise ValidationError(f"Not a workload column of this project: {key!r}.")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _holidays(session: Session, project: Project) -> frozenset[dt.date]:
    return frozenset(session.scalars(select(Holiday.day).where(Holiday.project_id == project.id)))


def _team(session: Session, project: Project) -> dict[int, tuple[Member, ProjectMember]]:
    return {
        m.id: (m, pm)
        for m, pm in session.execute(
            select(Member, ProjectMember)
            .join(ProjectMember, ProjectMember.member_id == Member.id)
            .where(ProjectMember.project_id == project.id)
        ).all()
    }


def _unit(counts: Iterable[tuple[int, int]]) -> str | None:
    """Points when at least as many estimated cards have points as have only hours (the
    rule of ``SprintService._suggested_unit``); None when nothing is estimated."""
    with_points = with_hours_only = 0
    for points, hours_only in counts:
        with_points += points or 0
        with_hours_only += hours_only or 0
    if not with_points and not with_hours_only:
        return None
    return "points" if with_points >= with_hours_only else "hours"


_HOURS_ONLY = func.sum(
    case((and_(Card.points.is_(None), Card.estimate_hours.is_not(None)), 1), else_=0)
)


class _Grid:
    def __init__(self, session: Session, project: Project, now: dt.datetime) -> None:
        self.session = session
        self.project = project
        self.now = now
        self.holidays = _holidays(session, project)
        self.today = today_in(project.time_zone, now)

    def columns(self) -> list[WorkloadColumnDTO]:
        raise NotImplementedError

    def _aggregate(self, bucket, columns: Sequence[WorkloadColumnDTO]):  # type: ignore[no-untyped-def]
        """(column index, assignee) -> (points, hours, count, no points, no hours), and the
        (points, hours-only) counts that decide the unit: one grouped query."""
        raise NotImplementedError

    def _capacities(
        self, columns: Sequence[WorkloadColumnDTO], people: dict[int, list[int]]
    ) -> dict[tuple[int, int], tuple[Decimal, Decimal | None, int]]:
        """(column, member) -> (hours, points or None, days off)."""
        raise NotImplementedError

    def build(self) -> WorkloadDTO:
        columns = self.columns()
        team = _team(self.session, self.project)
        sums, unit_counts = self._aggregate(columns)
        unit = _unit(unit_counts) or self._project_unit()
        active = {mid for mid, (m, pm) in team.items() if m.active and pm.active}
        # Who counts in each column: the active team and anyone with work in it (as the
        # sprint plan counts them, so that the velocity shares are the same).
        people: dict[int, list[int]] = {}
        for index in range(len(columns)):
            there = set(active) | {m for (i, m) in sums if i == index and m is not None}
            people[index] = sorted(there)
        caps = self._capacities(columns, people)
        everyone = set(active) | {m for (_, m) in sums if m is not None}
        missing = everyone - set(team)
        others = (
            {m.id: m for m in self.session.scalars(select(Member).where(Member.id.in_(missing)))}
            if missing
            else {}
        )
        rows = []
        for mid in everyone:
            if mid in team:
                member, link = team[mid]
                role, per_day, is_active = link.role, Decimal(link.hours_per_day), mid in active
            elif mid in others:
                member, role, per_day, is_active = others[mid], "", ZERO, False
            else:
                continue
            cells = tuple(
                self._cell(mid, i, unit, sums.get((i, mid)), caps.get((i, mid)))
                for i in range(len(columns))
            )
            rows.append(WorkloadRowDTO(mid, member.display_name, role, is_active, per_day, cells))
        rows.sort(key=lambda r: (r.display_name.lower(), r.member_id))
        unassigned = tuple(
            self._cell(None, i, unit, sums.get((i, None)), None) for i in range(len(columns))
        )
        totals = []
        for i in range(len(columns)):
            cells = [r.cells[i] for r in rows]
            known = [c.capacity for c in cells if c.capacity is not None]
            totals.append(
                WorkloadCellDTO(
                    None,
                    i,
                    sum((c.assigned for c in cells), ZERO),
                    sum(known, ZERO) if known else None,
                    sum(c.card_count for c in cells),
                    sum(c.unestimated_count for c in cells),
                    sum(c.days_off for c in cells),
                )
            )
        return WorkloadDTO(
            self.project.id,
            self.project.methodology,
            unit,
            tuple(columns),
            tuple(rows),
            tuple(totals),
            unassigned,
        )

    @staticmethod
    def _cell(
        member_id: int | None,
        index: int,
        unit: str,
        sums: tuple[Decimal, Decimal, int, int, int] | None,
        cap: tuple[Decimal, Decimal | None, int] | None,
    ) -> WorkloadCellDTO:
        points, hours, count, no_points, no_hours = sums or (ZERO, ZERO, 0, 0, 0)
        assigned = points if unit == "points" else hours
        unestimated = no_points if unit == "points" else no_hours
        capacity = None
        off = 0
        if cap is not None and member_id is not None:
            capacity = cap[1] if unit == "points" else cap[0]
            off = cap[2]
        return WorkloadCellDTO(member_id, index, assigned, capacity, count, unestimated, off)

    def _project_unit(self) -> str:
        counts = self.session.execute(
            select(func.count(Card.points), _HOURS_ONLY).where(
                Card.project_id == self.project.id,
                Card.archived.is_(False),
                Card.type != "epic",
            )
        ).all()
        return _unit((int(p or 0), int(h or 0)) for p, h in counts) or "points"

    def _group(self, bucket, where: list):  # type: ignore[no-untyped-def]
        return self.session.execute(
            select(
                bucket,
                Card.assignee_id,
                func.sum(Card.points),
                func.sum(Card.estimate_hours),
                func.count(Card.id),
                func.count(Card.id) - func.count(Card.points),
                func.count(Card.id) - func.count(Card.estimate_hours),
                func.count(Card.points),
                _HOURS_ONLY,
            )
            .where(*where)
            .group_by(bucket, Card.assignee_id)
        ).all()


def _dec(value: object) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


class _ScrumGrid(_Grid):
    def sprints(self) -> list[Sprint]:
        found = list(
            self.session.scalars(
                select(Sprint).where(
                    Sprint.project_id == self.project.id, Sprint.state.in_(("active", "planned"))
                )
            )
        )
        far = dt.date.max
        found.sort(
            key=lambda s: (s.state != "active", s.start_date or far, s.end_date or far, s.id)
        )
        return found

    def columns(self) -> list[WorkloadColumnDTO]:
        self._sprints = self.sprints()
        out = []
        for sprint in self._sprints:
            days, hols = 0, ()
            if sprint.start_date is not None and sprint.end_date is not None:
                days = len(
                    working_days(
                        sprint.start_date,
                        sprint.end_date,
                        self.project.working_weekdays,
                        self.holidays,
                    )
                )
                hols = tuple(
                    sorted(
                        d
                        for d in self.holidays
                        if sprint.start_date <= d <= sprint.end_date
                        and self.project.working_weekdays & (1 << d.weekday())
                    )
                )
            out.append(
                WorkloadColumnDTO(
                    f"sprint:{sprint.id}",
                    sprint.name,
                    sprint.start_date,
                    sprint.end_date,
                    sprint.id,
                    sprint.state,
                    days,
                    hols,
                )
            )
        return out

    def _aggregate(self, columns: Sequence[WorkloadColumnDTO]):  # type: ignore[no-untyped-def, override]
        index = {c.sprint_id: i for i, c in enumerate(columns)}
        if not index:
            return {}, []
        rows = self._group(
            Card.sprint_id,
            [*_counted(self.session, self.project), Card.sprint_id.in_(list(index))],
        )
        sums = {}
        counts = []
        for sid, mid, pts, hrs, n, no_p, no_h, with_p, hours_only in rows:
            sums[(index[sid], mid)] = (_dec(pts), _dec(hrs), int(n), int(no_p), int(no_h))
            counts.append((int(with_p or 0), int(hours_only or 0)))
        return sums, counts

    def _capacities(
        self, columns: Sequence[WorkloadColumnDTO], people: dict[int, list[int]]
    ) -> dict[tuple[int, int], tuple[Decimal, Decimal | None, int]]:
        ids = [c.sprint_id for c in columns]
        rows = (
            {
                (r.sprint_id, r.member_id): r
                for r in self.session.scalars(
                    select(SprintCapacity).where(SprintCapacity.sprint_id.in_(ids))
                )
            }
            if ids
            else {}
        )
        team = _team(self.session, self.project)
        out = {}
        for i, (column, sprint) in enumerate(zip(columns, self._sprints, strict=True)):
            # The sprint plan also counts whoever has a capacity row in the sprint.
            there = sorted(set(people[i]) | {m for (s, m) in rows if s == sprint.id})
            hours = []
            for mid in there:
                per_day = Decimal(team[mid][1].hours_per_day) if mid in team else ZERO
                hours.append(
                    capacity_hours(per_day, column.working_days, rows.get((sprint.id, mid)))
                )
            velocity = facts_of.average(facts_of.planning_history(self.session, sprint, self.now))
            shares = velocity_shares(velocity, hours)
            for mid, h, share in zip(there, hours, shares, strict=True):
                row = rows.get((sprint.id, mid))
                typed = None if row is None else row.points
                out[(i, mid)] = (
                    h,
                    typed if typed is not None else share,
                    0 if row is None else row.days_off,
                )
        return out


class _KanbanGrid(_Grid):
    def columns(self) -> list[WorkloadColumnDTO]:
        first = _monday(self.today)
        out = []
        mask = self.project.working_weekdays
        for week in range(KANBAN_WEEKS):
            start = first + dt.timedelta(days=7 * week)
            end = start + dt.timedelta(days=6)
            days = len(working_days(start, end, mask, self.holidays))
            hols = tuple(
                sorted(d for d in self.holidays if start <= d <= end and mask & (1 << d.weekday()))
            )
            title = "This week" if week == 0 else f"Week of {start.day} {start:%b}"
            out.append(
                WorkloadColumnDTO(
                    f"week:{start.isoformat()}", title, start, end, None, None, days, hols
                )
            )
        return out

    def _aggregate(self, columns: Sequence[WorkloadColumnDTO]):  # type: ignore[no-untyped-def, override]
        first = columns[0].start
        assert first is not None
        limit = first + dt.timedelta(days=7 * len(columns))
        rows = self._group(
            Card.due_date,
            [
                *_counted(self.session, self.project),
                or_(Card.due_date.is_(None), Card.due_date < limit),
            ],
        )
        sums: dict[tuple[int, int | None], tuple[Decimal, Decimal, int, int, int]] = {}
        counts = []
        for due, mid, pts, hrs, n, no_p, no_h, with_p, hours_only in rows:
            index = 0 if due is None or due < first else (due - first).days // 7
            old = sums.get((index, mid), (ZERO, ZERO, 0, 0, 0))
            sums[(index, mid)] = (
                old[0] + _dec(pts),
                old[1] + _dec(hrs),
                old[2] + int(n),
                old[3] + int(no_p),
                old[4] + int(no_h),
            )
            counts.append((int(with_p or 0), int(hours_only or 0)))
        return sums, counts

    def _capacities(
        self, columns: Sequence[WorkloadColumnDTO], people: dict[int, list[int]]
    ) -> dict[tuple[int, int], tuple[Decimal, Decimal | None, int]]:
        team = _team(self.session, self.project)
        throughput = self._throughput()
        out = {}
        for i, column in enumerate(columns):
            there = people[i]
            hours = [
                capacity_hours(
                    Decimal(team[mid][1].hours_per_day) if mid in team else ZERO,
                    column.working_days,
                    None,
                )
                for mid in there
            ]
            shares = velocity_shares(throughput, hours)
            for mid, h, share in zip(there, hours, shares, strict=True):
                out[(i, mid)] = (h, share, 0)
        return out

    def _throughput(self) -> Decimal | None:
        """Points the team finished per week, on average over the last four weeks (None
        when it finished none: no points capacity is known then)."""
        since = self.now - dt.timedelta(days=7 * THROUGHPUT_WEEKS)
        done = select(WorkflowColumn.id).where(
            WorkflowColumn.project_id == self.project.id, WorkflowColumn.category == "done"
        )
        total = self.session.scalar(
            select(func.sum(Card.points)).where(
                Card.project_id == self.project.id,
                Card.archived.is_(False),
                Card.column_id.in_(done),
                Card.resolved_at.is_not(None),
                Card.resolved_at >= since,
            )
        )
        if not total:
            return None
        return (_dec(total) / THROUGHPUT_WEEKS).quantize(Decimal("0.1"))


__all__ = [
    "LEVELS",
    "OverAllocationDTO",
    "WorkloadCellDTO",
    "WorkloadColumnDTO",
    "WorkloadDTO",
    "WorkloadRowDTO",
    "WorkloadService",
    "fmt",
    "load_level",
    "short",
]
