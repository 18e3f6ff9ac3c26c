"""The sprint report: every figure a stakeholder reads about one sprint, as one frozen DTO.

(~600 lines in one module: the report's DTOs and ReportService, which alone builds them.)

Which card is committed, completed, completed outside the sprint, not completed, added,
removed or re-estimated is app.services.sprint_facts' answer, the same one the velocity chart
and ``sprintdeck sprint list`` give (Jira Software's definitions, docs/metrics.md). For a
closed sprint it comes from the commitment and outcome snapshots and the history before the
close, never from the cards as they are now: a card's title, type and assignee are taken as
they were at the close (the history after it is walked back). Re-running the report of a
closed sprint later gives the same answer, whatever happened to its cards since. The report
of an active sprint is its live state, up to now.

Time and cost: the hours logged on the sprint's cards (every card the report lists) on the
days it ran, from the local day it started (or its start date, if earlier) to the day it
closed (or today, while active), per person (who logged them), per card and in total. Each
log costs its hours times the rate in force on its day (app.services.time.project_costs,
the same costing as ``log list`` and the budget). Logs without a rate count their hours
but no money: a figure with such hours says "no rate" rather than a cost of 0. A log
entered later but dated within the sprint counts too: the report reads the time as logged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import local_date, today_in
from app.errors import NotFound, ValidationError
from app.metrics.burndown import BurndownSeries
from app.metrics.calendar import working_days
from app.metrics.costing import minutes_to_hours
from app.metrics.points import format_points
from app.metrics.velocity import VelocitySeries
from app.models import (
    Card,
    HistoryEvent,
    Holiday,
    Member,
    Project,
    Sprint,
)
from app.services.chart_data import ChartService
from app.services.context import ServiceContext
from app.services.sprint_facts import (
    NOT_COMPLETED,
    TREND,
    closed_sprints,
    sprint_facts,
    sprint_trend,
)
from app.services.time import WorkLogDTO, project_costs

ZERO = Decimal("0")
# The velocity trend shows this many sprints, the reported one last.
VELOCITY_TREND = TREND

# What became of a card. The first four are those of a closed sprint's outcome snapshot
# (app.services.sprint_facts); an active sprint's cards still in it and not done are
# "in_progress".
OUTCOME_LABELS = {
    "completed": "Completed",
    "not_completed": "Not completed",
    "in_progress": "In progress",
    "removed": "Removed",
    "completed_outside": "Completed outside the sprint",
}


@dataclass(frozen=True, slots=True)
class ReportCardDTO:
    card_id: int
    key: str
    title: str  # as at the close (or now, while active)
    type: str
    assignee: str | None
    points_committed: Decimal | None  # in the commitment snapshot; None if not committed
    # The estimate it counts with: at the close (outcome snapshot), or now while active; for
    # a removed card, when it left the sprint.
    points_final: Decimal | None
    outcome: str  # a key of OUTCOME_LABELS
    destination: str | None  # where it went: "backlog", a sprint's name, or "archived"
    committed: bool
    added_at: dt.datetime | None  # when it joined the sprint after the start (UTC)
    blocked_hours: Decimal  # time blocked within the sprint window
    points_initial: Decimal | None = None  # at the start, or when it was added
    done_at_start: bool = False  # in the sprint at the start, already done: not committed
    # Who did it (the history's actor): who finished it (its last move into a done column
    # by the close), who added it after the start, who took it out of the sprint.
    completed_by: str | None = None
    added_by: str | None = None
    removed_by: str | None = None
    # Time logged on it while the sprint ran (module docstring), and what it cost.
    logged_hours: Decimal = ZERO
    cost: Decimal = ZERO
    unrated_hours: Decimal = ZERO  # of logged_hours, those logged without a rate

    @property
    def added_after_start(self) -> bool:
        return self.added_at is not None

    @property
    def re_estimated(self) -> bool:
        """Its estimate changed after the start: ``points_initial`` → ``points_final``."""
        return self.points_initial != self.points_final

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


@dataclass(frozen=True, slots=True)
class PersonWorkDTO:
    name: str  # "Unassigned" for cards without an assignee
    completed_points: Decimal
    completed_cards: int
    not_completed_points: Decimal  # left unfinished (or still in progress)
    not_completed_cards: int
    blocked_hours: Decimal


@dataclass(frozen=True, slots=True)
class TimeCostDTO:
    """Hours logged while the sprint ran and what they cost, for one person, one card or
    the whole sprint. ``cost`` adds up the logs that had a rate on their day;
    ``unrated_hours`` are the hours of those that had none."""

    name: str  # the person, the card's key, or "Total"
    title: str  # the card's title ("" for a person or the total)
    hours: Decimal
    cost: Decimal
    unrated_hours: Decimal

    @property
    def fully_rated(self) -> bool:
        return self.unrated_hours == 0

    @property
    def no_rate(self) -> bool:
        """Hours logged, and none of them had a rate: there is no cost to show."""
        return self.hours > 0 and self.unrated_hours >= self.hours


@dataclass(frozen=True, slots=True)
class VelocityPointDTO:
    sprint_name: str
    committed_points: Decimal
    completed_points: Decimal
    current: bool  # the reported sprint
    active: bool  # still running: completed so far


@dataclass(frozen=True, slots=True)
class BlockedCardDTO:
    key: str
    title: str
    assignee: str | None
    hours: Decimal
    spells: int  # how many times it was blocked within the window
    blocked_at_end: bool  # still blocked at the close (or now)


@dataclass(frozen=True, slots=True)
class SprintReportDTO:
    project_key: str
    project_name: str
    time_zone: str
    sprint_id: int
    sprint_name: str
    goal: str
    state: str  # "active" or "closed"
    start_date: dt.date | None
    end_date: dt.date | None
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    as_of: dt.datetime  # the close, or the time the report of an active sprint was made
    working_days: int
    working_days_left: int  # 0 once closed
    team: tuple[str, ...]
    committed_points: Decimal
    committed_cards: int
    completed_points: Decimal  # everything completed in the sprint, scope added included
    completed_cards: int
    completed_committed_points: Decimal  # of the committed cards only
    not_completed_points: Decimal  # unfinished (carried over), or still in progress
    not_completed_cards: int
    added_points: Decimal  # at their estimate when added, removed again or not
    added_cards: int
    removed_points: Decimal  # at their estimate when they left, committed or added
    removed_cards: int
    completed_outside_cards: int
    re_estimate_points: Decimal  # net change of the estimates changed after the start
    final_scope_points: Decimal  # the points of the cards in the sprint at the close (or now)
    cards: tuple[ReportCardDTO, ...]
    people: tuple[PersonWorkDTO, ...]
    blocked: tuple[BlockedCardDTO, ...]
    velocity: tuple[VelocityPointDTO, ...]  # oldest first, this sprint last
    planning_velocity: Decimal | None  # average completed of the last closed sprints
    # The trend as the chart paints it: ``velocity``'s sprints, the running one named
    # "(so far)", with ``planning_velocity`` and the number of closed sprints it averages.
    velocity_series: VelocitySeries
    burndown: BurndownSeries | None
    summary: str
    # Time and cost (module docstring): per person, per card with time, and the total.
    currency: str = "EUR"
    time_from: dt.date | None = None
    time_to: dt.date | None = None
    time_people: tuple[TimeCostDTO, ...] = ()
    time_cards: tuple[TimeCostDTO, ...] = ()
    time_total: TimeCostDTO | None = None

    @property
    def is_active(self) -> bool:
        return self.state == "active"

    @property
    def scope_change_points(self) -> Decimal:
        return self.final_scope_points - self.committed_points

    @property
    def completion_percent(self) -> int | None:
        if not self.committed_points:
            return None
        return int((self.completed_points * 100 / self.committed_points).to_integral_value())

    @property
    def carried_over_cards(self) -> int:
        return sum(1 for c in self.cards if c.outcome == "not_completed")

    @property
    def blocked_hours(self) -> Decimal:
        return sum((b.hours for b in self.blocked), ZERO)

    def by_outcome(self, *outcomes: str) -> tuple[ReportCardDTO, ...]:
        return tuple(c for c in self.cards if c.outcome in outcomes)

    @property
    def completed(self) -> tuple[ReportCardDTO, ...]:
        return self.by_outcome("completed")

    @property
    def not_completed(self) -> tuple[ReportCardDTO, ...]:
        return self.by_outcome("not_completed", "in_progress")

    @property
    def added(self) -> tuple[ReportCardDTO, ...]:
        """Added after the start, removed again or not (one that came in already done is
        completed outside the sprint instead)."""
        return tuple(
            c for c in self.cards if c.added_after_start and c.outcome != "completed_outside"
        )

    @property
    def re_estimated(self) -> tuple[ReportCardDTO, ...]:
        return tuple(c for c in self.cards if c.re_estimated)

    @property
    def removed(self) -> tuple[ReportCardDTO, ...]:
        return self.by_outcome("removed")

    @property
    def completed_outside(self) -> tuple[ReportCardDTO, ...]:
        return self.by_outcome("completed_outside")


def _sum(values: Any) -> Decimal:
    total = ZERO
    for value in values:
        if value is not None:
            total += value
    return total


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _signed(value: Decimal) -> str:
    return ("+" if value >= 0 else "−") + format_points(abs(value), places=1)


class ReportService:
    """Read-only: builds sprint reports."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def resolve_sprint(self, project_id: int, sprint: str) -> int:
        """The id of the sprint named ``sprint``, or of the ``active`` one, or the ``last``
        closed one (a sprint literally called "active" or "last" wins over the keyword)."""
        wanted = str(sprint).strip()
        if not wanted:
            raise ValidationError("Name the sprint to report on (a name, 'active' or 'last').")
        with self._ctx.read() as uow:
            session = uow.session
            project = session.get(Project, project_id)
            if project is None:
                raise NotFound(f"There is no project with id {project_id}.")
            by_name = session.scalar(
                select(Sprint.id).where(
                    Sprint.project_id == project_id, func.lower(Sprint.name) == wanted.lower()
                )
            )
            if by_name is not None:
                return by_name
            if wanted.lower() == "active":
                active = session.scalar(
                    select(Sprint.id).where(
                        Sprint.project_id == project_id, Sprint.state == "active"
                    )
                )
                if active is None:
                    raise NotFound(f"{project.key} has no active sprint.")
                return active
            if wanted.lower() == "last":
                closed = closed_sprints(session, project_id)
                if not closed:
                    raise NotFound(f"{project.key} has no closed sprint yet.")
                return closed[-1].id
            raise NotFound(f"There is no sprint called {wanted!r} in {project.key}.")

    def sprint_report(self, project_id: int, sprint: str) -> SprintReportDTO:
        """The report of ``sprint``: a sprint's name, ``"active"`` or ``"last"``."""
        return self.report_for(self.resolve_sprint(project_id, sprint))

    def report_for(self, sprint_id: int) -> SprintReportDTO:
        """The report of the sprint with this id (started: active or closed)."""
        with self._ctx.read() as uow:
            session = uow.session
            row = session.get(Sprint, sprint_id)
            if row is None:
                raise NotFound(f"There is no sprint with id {sprint_id}.")
            if row.state == "planned" or row.started_at is None:
                raise ValidationError(
                    f"The sprint {row.name!r} has not started yet; there is nothing to report."
                )
        burndown: BurndownSeries | None
        try:
            burndown = ChartService(self._ctx).sprint_burndown(sprint_id)
        except ValidationError:
            burndown = None
        with self._ctx.read() as uow:
            return self._build(uow.session, sprint_id, burndown)

    # --- building ------------------------------------------------------------------------

    def _build(
        self, session: Session, sprint_id: int, burndown: BurndownSeries | None
    ) -> SprintReportDTO:
        sprint = session.get(Sprint, sprint_id)
        assert sprint is not None and sprint.started_at is not None
        project = session.get(Project, sprint.project_id)
        assert project is not None
        closed = sprint.state == "closed"
        started = _utc(sprint.started_at)
        as_of = _utc(sprint.closed_at) if closed and sprint.closed_at else _utc(self._ctx.clock())

        facts = sprint_facts(session, sprint, as_of)
        ids = {f.card_id for f in facts.cards}
        cards = {c.id: c for c in session.scalars(select(Card).where(Card.id.in_(ids)))}
        events = list(
            session.scalars(
                select(HistoryEvent)
                .where(HistoryEvent.card_id.in_(ids))
                .order_by(HistoryEvent.at, HistoryEvent.id)
            )
        )
        per_card: dict[int, list[HistoryEvent]] = defaultdict(list)
        for e in events:
            per_card[e.card_id].append(e)
        members = dict(session.execute(select(Member.id, Member.display_name)).all())

        rows: list[ReportCardDTO] = []
        for f in facts.cards:
            card = cards[f.card_id]
            state = _state_at(card, per_card[f.card_id], as_of)
            result = f.outcome
            if not closed and result == NOT_COMPLETED:
                result = "in_progress"
            rows.append(
                ReportCardDTO(
                    card_id=f.card_id,
                    key=f"{project.key}-{card.number}",
                    title=state["title"],
                    type=state["type"],
                    assignee=members.get(state["assignee_id"]),
                    points_committed=f.points_committed,
                    points_final=f.points_final,
                    outcome=result,
                    destination=f.destination,
                    committed=f.committed,
                    added_at=f.added_at,
                    blocked_hours=ZERO,
                    points_initial=f.points_initial,
                    done_at_start=f.done_at_start,
                    **_actors(per_card[f.card_id], sprint.id, f.added_at, as_of, result),
                )
            )
        order = {"completed": 0, "not_completed": 1, "in_progress": 1}
        rows.sort(key=lambda r: (order.get(r.outcome, 2), cards[r.card_id].number))

        blocked = _blocked(rows, per_card, started, as_of)
        hours = {b.key: b.hours for b in blocked}
        rows = [_with_hours(r, hours.get(r.key, ZERO)) for r in rows]

        first_day = local_date(started, project.time_zone)
        if sprint.start_date is not None:
            first_day = min(first_day, sprint.start_date)
        last_day = local_date(as_of, project.time_zone)
        logs = []
        if last_day >= first_day:
            costed = project_costs(session, project, first_day, last_day)
            logs = [log for log in costed if log.card_id in ids]
        rows = [_with_time(r, [log for log in logs if log.card_id == r.card_id]) for r in rows]

        in_scope = [r for r in rows if r.outcome in order]
        done_rows = [r for r in rows if r.outcome == "completed"]
        open_rows = [r for r in rows if r.outcome in ("not_completed", "in_progress")]
        added_rows = [r for r in rows if r.added_after_start and r.outcome != "completed_outside"]
        removed_rows = [r for r in rows if r.outcome == "removed"]
        changed = [
            r
            for r in rows
            if r.outcome != "completed_outside" and not (r.done_at_start and r.outcome == "removed")
        ]
        committed_points = facts.committed_points
        completed_points = _sum(r.points_final for r in done_rows)

        holidays = set(session.scalars(select(Holiday.day).where(Holiday.project_id == project.id)))
        total_days = left_days = 0
        if sprint.start_date and sprint.end_date:
            mask = project.working_weekdays
            total_days = len(working_days(sprint.start_date, sprint.end_date, mask, holidays))
            if not closed:
                today = today_in(project.time_zone, as_of)
                if today <= sprint.end_date:
                    first = max(today, sprint.start_date)
                    left_days = len(working_days(first, sprint.end_date, mask, holidays))

        people = _people(rows)
        velocity, series = _velocity(session, sprint, committed_points, completed_points, as_of)
        team = tuple(sorted({r.assignee for r in rows if r.assignee}, key=str.lower))
        report = SprintReportDTO(
            project_key=project.key,
            project_name=project.name,
            time_zone=project.time_zone,
            sprint_id=sprint.id,
            sprint_name=sprint.name,
            goal=sprint.goal or "",
            state=sprint.state,
            start_date=sprint.start_date,
            end_date=sprint.end_date,
            started_at=started,
            closed_at=_utc(sprint.closed_at) if sprint.closed_at else None,
            as_of=as_of,
            working_days=total_days,
            working_days_left=left_days,
            team=team,
            committed_points=committed_points,
            committed_cards=facts.committed_count,
            completed_points=completed_points,
            completed_cards=len(done_rows),
            completed_committed_points=_sum(r.points_final for r in done_rows if r.committed),
            not_completed_points=_sum(r.points_final for r in open_rows),
            not_completed_cards=len(open_rows),
            added_points=_sum(r.points_initial for r in added_rows),
            added_cards=len(added_rows),
            removed_points=_sum(r.points_final for r in removed_rows),
            removed_cards=len(removed_rows),
            completed_outside_cards=sum(1 for r in rows if r.outcome == "completed_outside"),
            re_estimate_points=_sum(
                (r.points_final or ZERO) - (r.points_initial or ZERO)
                for r in changed
                if r.re_estimated
            ),
            final_scope_points=_sum(r.points_final for r in in_scope),
            cards=tuple(rows),
            people=people,
            blocked=blocked,
            velocity=velocity,
            planning_velocity=series.planning,
            velocity_series=series,
            burndown=burndown,
            summary="",
            currency=project.currency,
            time_from=first_day,
            time_to=last_day,
            time_people=_time_people(logs),
            time_cards=tuple(
                TimeCostDTO(r.key, r.title, r.logged_hours, r.cost, r.unrated_hours)
                for r in rows
                if r.logged_hours
            ),
            time_total=_time_cost("Total", "", logs),
        )
        return _with_summary(report)


# --- pieces ------------------------------------------------------------------------------


def _state_at(card: Card, events: list[HistoryEvent], when: dt.datetime) -> dict[str, Any]:
    """Title, type and assignee as they were at ``when``: now, with later edits undone."""
    state: dict[str, Any] = {
        "title": card.title,
        "type": card.type,
        "assignee_id": card.assignee_id,
    }
    for e in reversed(events):
        if _utc(e.at) <= when:
            break
        for name in state:
            if name in (e.before or {}):
                state[name] = e.before[name]
    return state


def _actors(
    events: list[HistoryEvent],
    sprint_id: int,
    added_at: dt.datetime | None,
    as_of: dt.datetime,
    outcome: str,
) -> dict[str, str | None]:
    """Who finished, added and removed the card, from its history up to ``as_of``: the
    actor of its last move into a done column (if it ended done), of the event by which it
    joined the sprint at ``added_at``, and of the last one that took it out (if removed)."""
    completed_by = added_by = removed_by = None
    inside = False
    category = None
    for e in events:
        at = _utc(e.at)
        if at > as_of:
            break
        if e.category_after == "done" and category != "done":
            completed_by = e.actor
        category = e.category_after
        now_inside = e.sprint_id_after == sprint_id and not e.archived_after
        if now_inside and not inside and added_at is not None and at <= added_at:
            added_by = e.actor
        if inside and not now_inside:
            removed_by = e.actor
        inside = now_inside
    return {
        "completed_by": completed_by if outcome in ("completed", "completed_outside") else None,
        "added_by": added_by if added_at is not None else None,
        "removed_by": removed_by if outcome == "removed" else None,
    }


def _with_hours(row: ReportCardDTO, hours: Decimal) -> ReportCardDTO:
    from dataclasses import replace

    return replace(row, blocked_hours=hours)


def _time_cost(name: str, title: str, logs: list[WorkLogDTO]) -> TimeCostDTO:
    """The hours (summed in minutes, then turned into hours) and cost of ``logs``."""
    minutes = sum(log.minutes for log in logs)
    unrated = sum(log.minutes for log in logs if log.rate is None)
    return TimeCostDTO(
        name,
        title,
        minutes_to_hours(minutes),
        _sum(log.cost for log in logs if log.rate is not None),
        minutes_to_hours(unrated),
    )


def _with_time(row: ReportCardDTO, logs: list[WorkLogDTO]) -> ReportCardDTO:
    from dataclasses import replace

    if not logs:
        return row
    t = _time_cost(row.key, row.title, logs)
    return replace(row, logged_hours=t.hours, cost=t.cost, unrated_hours=t.unrated_hours)


def _time_people(logs: list[WorkLogDTO]) -> tuple[TimeCostDTO, ...]:
    """One row per person who logged time, most hours first."""
    mine: dict[str, list[WorkLogDTO]] = defaultdict(list)
    for log in logs:
        mine[log.member_name].append(log)
    people = [_time_cost(name, "", found) for name, found in mine.items()]
    people.sort(key=lambda p: (-p.hours, p.name.lower()))
    return tuple(people)


def _blocked(
    rows: list[ReportCardDTO],
    per_card: dict[int, list[HistoryEvent]],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[BlockedCardDTO, ...]:
    """Blocked time within [start, end] from the 'blocked'/'unblocked' events (and a
    'created' event that created the card blocked)."""
    result = []
    for row in rows:
        flips = [e for e in per_card[row.card_id] if _flip(e) is not None]
        if not flips:
            continue
        # Blocked before the first event we know of when that event unblocks it.
        blocked_since: dt.datetime | None = start if _flip(flips[0]) == "unblocked" else None
        total = dt.timedelta(0)
        spells = 1 if blocked_since is not None and _utc(flips[0].at) > start else 0
        for e in flips:
            at = _utc(e.at)
            if at > end:
                break
            kind = _flip(e)
            if kind == "blocked" and blocked_since is None:
                blocked_since = at
                if at >= start:
                    spells += 1
                elif spells == 0:
                    spells = 1  # blocked before the start, still blocked at it
            elif kind == "unblocked" and blocked_since is not None:
                total += _overlap(blocked_since, at, start, end)
                blocked_since = None
                if at < start:
                    spells = 0
        still = blocked_since is not None
        if still:
            assert blocked_since is not None
            total += _overlap(blocked_since, end, start, end)
        if total <= dt.timedelta(0) and not still:
            continue
        hours = (Decimal(int(total.total_seconds())) / 3600).quantize(Decimal("0.1"))
        result.append(BlockedCardDTO(row.key, row.title, row.assignee, hours, spells, still))
    result.sort(key=lambda b: (-b.hours, b.key))
    return tuple(result)


def _flip(event: HistoryEvent) -> str | None:
    """How the event changed the blocked flag: "blocked", "unblocked" or None (a card
    created blocked starts blocked at its creation)."""
    if event.kind in ("blocked", "unblocked"):
        return event.kind
    if event.kind == "created" and (event.after or {}).get("blocked"):
        return "blocked"
    return None


def _overlap(a: dt.datetime, b: dt.datetime, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    low, high = max(a, start), min(b, end)
    return max(high - low, dt.timedelta(0))


def _people(rows: list[ReportCardDTO]) -> tuple[PersonWorkDTO, ...]:
    names = {r.assignee or "Unassigned" for r in rows if r.outcome != "removed"}
    people = []
    for name in names:
        mine = [r for r in rows if (r.assignee or "Unassigned") == name]
        done = [r for r in mine if r.outcome == "completed"]
        open_ = [r for r in mine if r.outcome in ("not_completed", "in_progress")]
        people.append(
            PersonWorkDTO(
                name=name,
                completed_points=_sum(r.points_final for r in done),
                completed_cards=len(done),
                not_completed_points=_sum(r.points_final for r in open_),
                not_completed_cards=len(open_),
                blocked_hours=sum((r.blocked_hours for r in mine), ZERO),
            )
        )
    people.sort(key=lambda p: (p.name == "Unassigned", -p.completed_points, p.name.lower()))
    return tuple(people)


def _velocity(
    session: Session,
    sprint: Sprint,
    committed: Decimal,
    completed: Decimal,
    now: dt.datetime,
) -> tuple[tuple[VelocityPointDTO, ...], VelocitySeries]:
    """The report's velocity trend (app.services.sprint_facts.sprint_trend), as the table's
    rows and as the series the chart paints."""
    series = sprint_trend(session, sprint, committed, completed, now, shown=VELOCITY_TREND)
    points = [
        VelocityPointDTO(v.name, v.committed, v.completed, current=False, active=False)
        for v in series.sprints[:-1]
    ]
    points.append(
        VelocityPointDTO(
            sprint.name, committed, completed, current=True, active=sprint.state == "active"
        )
    )
    return tuple(points), series


def _with_summary(report: SprintReportDTO) -> SprintReportDTO:
    from dataclasses import replace

    parts = []
    percent = report.completion_percent
    lead = "Completed so far" if report.is_active else "Completed"
    figures = (
        f"{lead} {format_points(report.completed_points, places=1)} of "
        f"{format_points(report.committed_points, places=1)} committed "
        f"{'point' if report.committed_points == 1 else 'points'}"
    )
    if percent is not None:
        figures += f" ({percent}%)"
    in_sprint = len(report.cards) - _left(report)
    figures += f" and {report.completed_cards} of {_plural(in_sprint, 'card')}"
    parts.append(figures)
    if report.is_active:
        parts.append(f"{_plural(report.not_completed_cards, 'card')} in progress")
        if report.working_days_left:
            parts.append(f"{_plural(report.working_days_left, 'working day')} left")
    else:
        parts.append(f"{_plural(report.carried_over_cards, 'card')} carried over")
    if report.scope_change_points:
        change = report.scope_change_points
        parts.append(f"scope {_signed(change)} {'point' if abs(change) == 1 else 'points'}")
    else:
        parts.append("scope unchanged")
    if report.added_cards:
        parts.append(f"{_plural(report.added_cards, 'card')} added")
    if report.removed_cards:
        parts.append(f"{_plural(report.removed_cards, 'card')} removed")
    return replace(report, summary="; ".join(parts) + ".")


def _left(report: SprintReportDTO) -> int:
    return sum(1 for c in report.cards if c.outcome in ("removed", "completed_outside"))


__all__ = [
    "OUTCOME_LABELS",
    "BlockedCardDTO",
    "PersonWorkDTO",
    "ReportCardDTO",
    "ReportService",
    "SprintReportDTO",
    "TimeCostDTO",
    "VelocityPointDTO",
]
