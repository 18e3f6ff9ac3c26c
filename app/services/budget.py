"""Money against plan: the project budget, epic budgets, releases and earned value.

What a technical project manager answers for every week: how much has been spent (cost to
date, the work logs costed at the rate in force on their day), where it went (per sprint,
per person, per epic), how fast it goes (the burn rate of the last closed sprints) and when
the budget runs out at that rate; and, for a release, the AgileEVM table per closed sprint
(:mod:`app.metrics.evm`).

Costs are read as SQL aggregates: each log costed in SQL, in integer cents, at the rate in
force on its day (a CASE over the members' rate timelines, the project's own rate before the
member's default; :func:`app.metrics.costing.rate_periods`), with the same rounding as
:func:`app.metrics.costing.log_cost`, then summed per member and day, per epic, or per sprint.
So every figure has exactly the cents of the per-log costs the time service lists, and no
log is ever fetched into Python. Every write is one transaction that publishes
``project_changed``; every answer is a frozen DTO.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, case, cast, delete, func, literal_column, or_, select
from sqlalchemy.orm import Session

from app.clock import today_in
from app.errors import Conflict, NotFound, ValidationError
from app.metrics.costing import CENT, Rate, rate_cents, rate_periods
from app.metrics.evm import EvmPoint, SprintActuals, evm_series
from app.models import (
    Card,
    EpicBudget,
    Member,
    MemberRate,
    Project,
    Release,
    ReleaseEpic,
    Sprint,
    SprintSnapshot,
    WorkLog,
)
from app.services.common import find_card_id, get_project, project_dto
from app.services.context import ServiceContext
from app.services.dto import ProjectDTO
from app.services.events import Change, ChangeKind
from app.services.validation import clean_money, clean_text

RELEASE_NAME_MAX = 200
PLANNED_SPRINTS_MAX = 1000
WARN_AT = Decimal("0.80")
BURN_SPRINTS = 3
ZERO = Decimal("0.00")
DONE_OUTCOMES = ("completed", "completed_outside")
NO_EPIC = "(no epic)"
BETWEEN_SPRINTS = "(between sprints)"


@dataclass(frozen=True, slots=True)
class CostLine:
    """Cost and time of one sprint, person or epic; ``budget`` for an epic that has one."""

    label: str
    minutes: int
    cost: Decimal
    budget: Decimal | None = None
    key: str | None = None  # the epic's card key, or None

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class BurnPoint:
    """Cost to date at the end of a day (the burn-up's line)."""

    day: dt.date
    cost: Decimal


@dataclass(frozen=True, slots=True)
class BudgetWarning:
    """Spent 80% (``level`` 80) or all (100) of a budget: the project's or an epic's."""

    level: int
    what: str
    text: str


@dataclass(frozen=True, slots=True)
class BudgetOverviewDTO:
    project_key: str
    currency: str
    budget: Decimal | None
    cost_to_date: Decimal
    minutes: int
    spent_share: Decimal | None  # cost / budget (None without a budget)
    burnup: tuple[BurnPoint, ...]
    per_sprint: tuple[CostLine, ...]
    per_person: tuple[CostLine, ...]
    per_epic: tuple[CostLine, ...]
    burn_sprints: tuple[str, ...]  # the closed sprints the burn rate is taken from
    burn_rate_per_sprint: Decimal | None
    burn_rate_per_day: Decimal | None
    runs_out_on: dt.date | None
    runs_out_text: str
    warnings: tuple[BudgetWarning, ...]
    today: dt.date


@dataclass(frozen=True, slots=True)
class ReleaseDTO:
    id: int
    project_id: int
    name: str
    planned_sprints: int
    bac: Decimal
    epic_keys: tuple[str, ...]  # empty: the whole backlog
    version: int

    @property
    def scope_text(self) -> str:
        return ", ".join(self.epic_keys) if self.epic_keys else "whole backlog"


@dataclass(frozen=True, slots=True)
class EpicBudgetDTO:
    key: str
    title: str
    budget: Decimal


@dataclass(frozen=True, slots=True)
class EvmTableDTO:
    """The AgileEVM figures per closed sprint of a release (or of the project / an epic)."""

    project_key: str
    currency: str
    release: str
    scope: str
    planned_sprints: int
    bac: Decimal
    points: tuple[EvmPoint, ...]
    note: str  # why the table is empty, or ""


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class BudgetService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- writes ----------------------------------------------------------------------------

    def set_budget(self, project_id: int, amount: object) -> ProjectDTO:
        """Set (or with None / "" clear) the project's budget; negative is refused."""
        value = clean_money(amount, "budget")
        with self._ctx.write() as uow:
            project = get_project(uow.session, project_id)
            if project.budget != value:
                project.budget = value
                project.version += 1
                uow.session.flush()
                uow.notify(Change(ChangeKind.PROJECT_CHANGED, project.id))
            dto = project_dto(project)
            uow.commit()
            return dto

    def set_epic_budget(
        self, project_id: int, epic_key: str, amount: object
    ) -> EpicBudgetDTO | None:
        """Give an epic of this project its own budget (None / "" removes it)."""
        value = clean_money(amount, "epic budget")
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            epic = _epic(session, project_id, epic_key)
            row = session.get(EpicBudget, epic.id)
            dto = None
            if value is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(EpicBudget(card_id=epic.id, amount=value))
            else:
                row.amount = value
                row.version += 1
            if value is not None:
                dto = EpicBudgetDTO(_key(session, epic), epic.title, value)
            session.flush()
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project_id))
            uow.commit()
            return dto

    def add_release(
        self,
        project_id: int,
        name: str,
        planned_sprints: object,
        bac: object,
        epic_keys: Sequence[str] = (),
    ) -> ReleaseDTO:
        """A release for earned value: planned sprints (from the project's first sprint),
        budget at completion, and its epics (none: the whole backlog)."""
        clean_name = clean_text(name, "release name", RELEASE_NAME_MAX)
        sprints = _planned_sprints(planned_sprints)
        amount = clean_money(bac, "budget at completion (BAC)")
        if amount is None:
            raise ValidationError("Give the release's budget at completion (BAC).")
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            _refuse_taken_name(session, project_id, clean_name)
            epics = _epics(session, project_id, epic_keys)
            release = Release(
                project_id=project_id,
                name=clean_name,
                planned_sprints=sprints,
                budget_at_completion=amount,
            )
            session.add(release)
            session.flush()
            for epic in epics:
                session.add(ReleaseEpic(release_id=release.id, card_id=epic.id))
            session.flush()
            dto = _release_dto(session, release)
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project_id))
            uow.commit()
            return dto

    def update_release(
        self,
        project_id: int,
        name: str,
        *,
        new_name: str | None = None,
        planned_sprints: object = None,
        bac: object = None,
        epic_keys: Sequence[str] | None = None,
        expected_version: int | None = None,
    ) -> ReleaseDTO:
        """Change a release (found by ``name``, any case): what is given changes, the rest
        stays; ``epic_keys`` replaces its scope (empty: the whole backlog).
        ``expected_version`` refuses the change if someone changed the release since it was
        read (a Conflict); an undo passes the version its own change left."""
        clean_name = (
            None if new_name is None else clean_text(new_name, "release name", RELEASE_NAME_MAX)
        )
        sprints = None if planned_sprints is None else _planned_sprints(planned_sprints)
        amount = None
        if bac is not None:
            amount = clean_money(bac, "budget at completion (BAC)")
            if amount is None:
                raise ValidationError("Give the release's budget at completion (BAC).")
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            release = _find_release(session, project_id, str(name or ""))
            if release is None:  # pragma: no cover - a name was given: NotFound already
                raise NotFound("There is no such release in this project.")
            if expected_version is not None and release.version != expected_version:
                raise Conflict(
                    f"The release {release.name} was changed elsewhere; look again and retry."
                )
            if clean_name is not None and clean_name.lower() != release.name.lower():
                _refuse_taken_name(session, project_id, clean_name)
            if epic_keys is not None:
                epics = _epics(session, project_id, epic_keys)
                session.execute(delete(ReleaseEpic).where(ReleaseEpic.release_id == release.id))
                for epic in epics:
                    session.add(ReleaseEpic(release_id=release.id, card_id=epic.id))
            if clean_name is not None:
                release.name = clean_name
            if sprints is not None:
                release.planned_sprints = sprints
            if amount is not None:
                release.budget_at_completion = amount
            release.version += 1
            session.flush()
            dto = _release_dto(session, release)
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project_id))
            uow.commit()
            return dto

    def delete_release(self, project_id: int, name: str) -> ReleaseDTO:
        """Remove a release (by name, any case) and its list of epics; the epics, their
        cards and logs stay. Returns what was removed, so an undo can add it back."""
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            release = _find_release(session, project_id, str(name or ""))
            if release is None:  # pragma: no cover - a name was given: NotFound already
                raise NotFound("There is no such release in this project.")
            dto = _release_dto(session, release)
            session.delete(release)  # its epic list goes with it (ON DELETE CASCADE)
            session.flush()
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project_id))
            uow.commit()
            return dto

    # --- reads -----------------------------------------------------------------------------

    def list_releases(self, project_id: int) -> list[ReleaseDTO]:
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            rows = session.scalars(
                select(Release)
                .where(Release.project_id == project_id)
                .order_by(Release.created_at, Release.id)
            )
            return [_release_dto(session, r) for r in rows]

    def epic_budgets(self, project_id: int) -> list[EpicBudgetDTO]:
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            rows = session.execute(
                select(Card.number, Card.title, EpicBudget.amount)
                .join(EpicBudget, EpicBudget.card_id == Card.id)
                .where(Card.project_id == project_id)
                .order_by(Card.number)
            ).all()
            return [EpicBudgetDTO(f"{project.key}-{n}", t, a) for n, t, a in rows]

    def overview(self, project_id: int) -> BudgetOverviewDTO:
        """Cost to date against the budget: burn-up per day, per sprint / person / epic,
        the burn rate of the last closed sprints, the run-out date, the 80% / 100% warnings."""
        with self._ctx.read() as uow:
            project = get_project(uow.session, project_id)
            days = _cost_rows(uow.session, project, [WorkLog.member_id, WorkLog.day])
            return self._overview(uow.session, project, days)

    def overview_and_evm(
        self, project_id: int, release: str | None = None, *, project_wide: bool = False
    ) -> tuple[BudgetOverviewDTO, EvmTableDTO]:
        """:meth:`overview` and :meth:`evm` (``release``, ``project_wide`` as there) from one
        read: the logs are costed once per person and day, and the EVM's cost per sprint is
        summed from those rows unless the release is narrowed to epics (the Budget page and
        the status report show both; each costing pass reads every log of the project)."""
        with self._ctx.read() as uow:
            project = get_project(uow.session, project_id)
            days = _cost_rows(uow.session, project, [WorkLog.member_id, WorkLog.day])
            overview = self._overview(uow.session, project, days)
            table = self._evm(uow.session, project, release, None, project_wide, days)
            return overview, table

    def _overview(
        self, session: Session, project: Project, days: list[tuple[Any, ...]]
    ) -> BudgetOverviewDTO:
        """The overview from the logs' (member, day, minutes, cost) rows."""
        project_id = project.id
        today = today_in(project.time_zone, self._ctx.clock())
        epic_costs = _epic_cost_rows(session, project)
        sprints = list(
            session.execute(
                select(Sprint.id, Sprint.name, Sprint.start_date, Sprint.end_date, Sprint.state)
                .where(Sprint.project_id == project_id, Sprint.start_date.is_not(None))
                .order_by(Sprint.start_date, Sprint.id)
            ).all()
        )
        names = dict(
            session.execute(
                select(Member.id, Member.display_name).where(
                    Member.id.in_({row[0] for row in days} or {-1})
                )
            ).all()
        )
        epics = {
            cid: (f"{project.key}-{num}", title)
            for cid, num, title in session.execute(
                select(Card.id, Card.number, Card.title).where(
                    Card.project_id == project_id, Card.type == "epic"
                )
            )
        }
        epic_money = dict(
            session.execute(
                select(EpicBudget.card_id, EpicBudget.amount)
                .join(Card, Card.id == EpicBudget.card_id)
                .where(Card.project_id == project_id)
            ).all()
        )
        budget = project.budget
        key, currency = project.key, project.currency

        total = sum((cost for *_, cost in days), ZERO)
        minutes = sum(m for _, _, m, _ in days)
        by_day: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
        person: dict[int, list] = defaultdict(lambda: [0, ZERO])
        epic: dict[int | None, list] = defaultdict(lambda: [0, ZERO])
        sprint_of: dict[int | None, list] = defaultdict(lambda: [0, ZERO])
        for epic_id, m, cost in epic_costs:
            epic[epic_id][0] += m
            epic[epic_id][1] += cost
        sprint_cache: dict[dt.date, int | None] = {}
        for member_id, day, m, cost in days:
            by_day[day] += cost
            person[member_id][0] += m
            person[member_id][1] += cost
            if day not in sprint_cache:
                sprint_cache[day] = _sprint_on(sprints, day)
            sid = sprint_cache[day]
            sprint_of[sid][0] += m
            sprint_of[sid][1] += cost
        burnup: list[BurnPoint] = []
        running = ZERO
        for day in sorted(by_day):
            running += by_day[day]
            burnup.append(BurnPoint(day, running))
        per_sprint = [
            CostLine(name, sprint_of[sid][0], sprint_of[sid][1])
            for sid, name, *_ in sprints
            if sid in sprint_of
        ]
        if None in sprint_of:
            per_sprint.append(CostLine(BETWEEN_SPRINTS, *sprint_of[None]))
        per_person = sorted(
            (CostLine(names.get(mid, "?"), m, c) for mid, (m, c) in person.items()),
            key=lambda line: (-line.cost, line.label.lower()),
        )
        per_epic = []
        for eid in sorted(set(epic) | set(epic_money), key=lambda e: (e is None, e or 0)):
            m, c = epic.get(eid, (0, ZERO))
            if eid is None:
                per_epic.append(CostLine(NO_EPIC, m, c))
            elif eid in epics:
                ekey, title = epics[eid]
                per_epic.append(CostLine(f"{ekey} {title}", m, c, epic_money.get(eid), ekey))

        closed = [s for s in sprints if s.state == "closed" and s.end_date is not None]
        last = closed[-BURN_SPRINTS:]
        rate_sprint = rate_day = None
        if last:
            spent = sum((sprint_of[s.id][1] for s in last if s.id in sprint_of), ZERO)
            span = sum((s.end_date - s.start_date).days + 1 for s in last)
            rate_sprint = _money(spent / len(last))
            rate_day = _money(spent / max(span, 1))
        runs_out, runs_text = _run_out(budget, total, rate_day, today, len(last))
        warnings = []
        if budget is not None:
            warnings.extend(_warning("the project budget", total, budget))
        for line in per_epic:
            if line.budget is not None:
                warnings.extend(_warning(f"{line.label}'s budget", line.cost, line.budget))
        return BudgetOverviewDTO(
            project_key=key,
            currency=currency,
            budget=budget,
            cost_to_date=_money(total),
            minutes=minutes,
            spent_share=None if not budget else (total / budget).quantize(Decimal("0.0001")),
            burnup=tuple(burnup),
            per_sprint=tuple(per_sprint),
            per_person=tuple(per_person),
            per_epic=tuple(per_epic),
            burn_sprints=tuple(s.name for s in last),
            burn_rate_per_sprint=rate_sprint,
            burn_rate_per_day=rate_day,
            runs_out_on=runs_out,
            runs_out_text=runs_text,
            warnings=tuple(warnings),
            today=today,
        )

    def evm(
        self,
        project_id: int,
        release: str | None = None,
        epic: str | None = None,
        *,
        project_wide: bool = False,
    ) -> EvmTableDTO:
        """The AgileEVM table per closed sprint.

        ``release`` names a release (its epics, planned sprints and BAC). Without it, the
        project's only release if it has exactly one; else an epic (``epic``: its budget as
        BAC) or the whole project (its budget as BAC), planned over all its sprints. Given
        both, the release's figures narrowed to that epic (BAC still the release's).
        ``project_wide`` ignores the releases (the Budget page's "whole project" choice)."""
        with self._ctx.read() as uow:
            project = get_project(uow.session, project_id)
            return self._evm(uow.session, project, release, epic, project_wide, None)

    def _evm(
        self,
        session: Session,
        project: Project,
        release: str | None,
        epic: str | None,
        project_wide: bool,
        days: list[tuple[Any, ...]] | None,
    ) -> EvmTableDTO:
        """The EVM table; ``days`` (the overview's cost rows), when given, spare a costing
        pass where the scope is the whole project's logs."""
        project_id = project.id
        rel = None if project_wide else _find_release(session, project_id, release)
        epic_ids: set[int] | None = None
        scope = "whole backlog"
        if rel is not None:
            ids = set(
                session.scalars(select(ReleaseEpic.card_id).where(ReleaseEpic.release_id == rel.id))
            )
            epic_ids = ids or None
            bac, planned, name = rel.budget_at_completion, rel.planned_sprints, rel.name
            scope = _release_dto(session, rel).scope_text
        if epic is not None:
            card = _epic(session, project_id, epic)
            if epic_ids is not None and card.id not in epic_ids:
                raise ValidationError(
                    f"{_key(session, card)} is not in the release {rel.name}."  # type: ignore[union-attr]
                )
            epic_ids = {card.id}
            scope = _key(session, card)
        if rel is None:
            planned = (
                session.scalar(select(func.count(Sprint.id)).where(Sprint.project_id == project_id))
                or 0
            )
            if epic is not None:
                money = session.scalar(
                    select(EpicBudget.amount).where(EpicBudget.card_id == card.id)
                )
                name = f"epic {scope}"
                if money is None:
                    return _empty(
                        project,
                        name,
                        scope,
                        planned,
                        ZERO,
                        f"{scope} has no budget; give it one or name a release.",
                    )
                bac = money
            else:
                name = "whole project"
                if project.budget is None:
                    return _empty(
                        project,
                        name,
                        scope,
                        planned,
                        ZERO,
                        "The project has no budget and no release; set a budget or add a release.",
                    )
                bac = project.budget
        points = _release_actuals(session, project, epic_ids, rel, days)
        if planned < 1:
            return _empty(project, name, scope, 0, bac, "The project has no sprints yet.")
        series = evm_series(points, planned, bac)
        note = "" if series else "No sprint of this release has closed yet."
        return EvmTableDTO(
            project.key,
            project.currency,
            name,
            scope,
            planned,
            _money(bac),
            tuple(series),
            note,
        )


# --- the queries -------------------------------------------------------------------------


def _epic_of() -> Any:
    """The epic a card's time counts for: the epic itself, or the card's parent."""
    return case((Card.type == "epic", Card.id), else_=Card.parent_id)


def _rates(session: Session, project: Project) -> list[Rate]:
    """Every rate that can apply to this project's logs: the members' defaults and the
    project's own, in the project's currency (as the time service costs a log)."""
    return [
        Rate(member_id, project_id, start, rate, currency)
        for member_id, project_id, start, rate, currency in session.execute(
            select(
                MemberRate.member_id,
                MemberRate.project_id,
                MemberRate.effective_from,
                MemberRate.hourly_rate,
                MemberRate.currency,
            ).where(
                or_(MemberRate.project_id.is_(None), MemberRate.project_id == project.id),
                MemberRate.currency == project.currency,
            )
        )
    ]


def _int(value: int) -> Any:
    """An integer constant written into the SQL (typed, so ``//`` stays integer division)."""
    return literal_column(str(int(value)), BigInteger)


def _log_cents(rates: Sequence[Rate], project_id: int) -> Any:
    """A SQL expression: one log's cost in integer cents, at the rate in force on its day.

    The rate is a CASE on the member, then on the day against the member's rate timeline
    (:func:`app.metrics.costing.rate_periods`: the project's own rate before the default,
    the latest start on or before the day); the cost is
    :func:`app.metrics.costing.log_cost_cents`'s integer arithmetic, so summing it in SQL
    gives exactly the cents of costing each log on its own and adding them up."""
    whens: dict[int, Any] = {}
    for member_id in sorted({r.member_id for r in rates}):
        periods = rate_periods(rates, member_id, project_id)
        steps = [
            (WorkLog.day >= start, _int(rate_cents(amount))) for start, amount in reversed(periods)
        ]
        if steps:
            whens[member_id] = case(*steps, else_=_int(0))
    if not whens:
        return _int(0)
    per_hour = case(whens, value=WorkLog.member_id, else_=_int(0))
    minutes = cast(WorkLog.minutes, BigInteger)
    return (minutes * per_hour * _int(2) + _int(60)) // _int(120)


def _sums(cents: Any) -> tuple[Any, Any]:
    return func.sum(WorkLog.minutes), func.sum(cents)


def _cost_rows(
    session: Session, project: Project, columns: Sequence[Any], *where: Any
) -> list[tuple[Any, ...]]:
    """The project's logs grouped by ``columns``: each row is the columns' values, then the
    minutes and the exact cost (Decimal, to the cent) of the group's logs."""
    cents = _log_cents(_rates(session, project), project.id)
    query = (
        select(*columns, *_sums(cents))
        .join(Card, Card.id == WorkLog.card_id)
        .where(Card.project_id == project.id, *where)
        # By position: a CASE's bound dates would not match between SELECT and GROUP BY.
        .group_by(*(literal_column(str(i)) for i in range(1, len(columns) + 1)))
    )
    return [_costed(row) for row in session.execute(query).all()]


def _epic_cost_rows(session: Session, project: Project) -> list[tuple[Any, ...]]:
    """Minutes and cost per epic (None: cards in no epic). Summed per card first, in the
    order of the log index (no sort of every log), then the few thousand card rows per epic."""
    cents = _log_cents(_rates(session, project), project.id)
    per_card = (
        select(WorkLog.card_id.label("card_id"), *_sums(cents))
        .where(WorkLog.card_id.in_(select(Card.id).where(Card.project_id == project.id)))
        .group_by(WorkLog.card_id)
        .subquery()
    )
    minutes, cost = per_card.c[1], per_card.c[2]
    query = (
        select(_epic_of(), func.sum(minutes), func.sum(cost))
        .join(per_card, per_card.c.card_id == Card.id)
        .group_by(literal_column("1"))
    )
    return [_costed(row) for row in session.execute(query).all()]


def _costed(row: Any) -> tuple[Any, ...]:
    """A row ending with (minutes, cents) as (..., minutes, Decimal money)."""
    cents = int(row[-1] or 0)
    return (*row[:-2], int(row[-2] or 0), (Decimal(cents) / 100).quantize(CENT))


def _release_actuals(
    session: Session,
    project: Project,
    epic_ids: set[int] | None,
    rel: Release | None,
    days: list[tuple[Any, ...]] | None = None,
) -> list[SprintActuals]:
    """Per closed sprint of the release: points done so far, planned points at its close
    (cards in scope that existed then: scope added moves the plan), and cost so far (the
    logs dated up to the sprint's end). ``days``: the project's cost per (member, day), if
    already read; used when the release covers all the project's logs."""
    query = select(Sprint).where(Sprint.project_id == project.id, Sprint.state == "closed")
    closed = list(session.scalars(query.order_by(Sprint.start_date, Sprint.id)))
    if rel is not None and rel.first_sprint_id is not None:
        first = next((i for i, s in enumerate(closed) if s.id == rel.first_sprint_id), None)
        closed = closed[first:] if first is not None else closed
    if not closed:
        return []

    def in_scope(q: Any) -> Any:  # a select narrowed to the release's cards
        q = q.where(Card.project_id == project.id, Card.type != "epic")
        if epic_ids is not None:
            q = q.where(Card.parent_id.in_(epic_ids))
        return q

    done = dict(
        session.execute(
            in_scope(
                select(SprintSnapshot.sprint_id, func.sum(SprintSnapshot.points))
                .join(Card, Card.id == SprintSnapshot.card_id)
                .where(
                    SprintSnapshot.kind == "outcome",
                    SprintSnapshot.outcome.in_(DONE_OUTCOMES),
                    SprintSnapshot.sprint_id.in_([s.id for s in closed]),
                )
            ).group_by(SprintSnapshot.sprint_id)
        ).all()
    )
    closes = [
        s.closed_at or dt.datetime.combine(s.end_date or dt.date.max, dt.time.max, tzinfo=dt.UTC)
        for s in closed
    ]
    # The planned points at each sprint's close, all in one pass over the cards.
    planned = session.execute(
        in_scope(
            select(
                *(
                    func.coalesce(func.sum(case((Card.created_at <= at, Card.points))), 0)
                    for at in closes
                )
            ).where(or_(Card.archived.is_(False), Card.resolved_at.is_not(None)))
        )
    ).one()
    ends = sorted({s.end_date or at.date() for s, at in zip(closed, closes, strict=True)})
    bucket = case(
        *((WorkLog.day <= end, literal_column(str(i))) for i, end in enumerate(ends)),
        else_=literal_column(str(len(ends))),
    )
    spent = [ZERO] * len(ends)
    if days is not None and epic_ids is None:
        for _member, day, _minutes, cost in days:
            index = bisect_left(ends, day)
            if index < len(ends):
                spent[index] += cost
    else:
        where = [WorkLog.day <= ends[-1]]
        if epic_ids is not None:
            where.append(_epic_of().in_(epic_ids))
        for index, _minutes, cost in _cost_rows(session, project, [bucket], *where):
            spent[int(index)] += cost
    result = []
    points_so_far = Decimal(0)
    for sprint, at, planned_points in zip(closed, closes, planned, strict=True):
        points_so_far += Decimal(done.get(sprint.id) or 0)
        end = sprint.end_date or at.date()
        cost = sum(spent[: ends.index(end) + 1], ZERO)
        result.append(
            SprintActuals(
                sprint.name, points_so_far, max(Decimal(planned_points), points_so_far), cost
            )
        )
    return result


def _sprint_on(sprints: Iterable, day: dt.date) -> int | None:
    for sid, _name, start, end, _state in sprints:
        if start <= day and (end is None or day <= end):
            return sid
    return None


def _run_out(
    budget: Decimal | None, spent: Decimal, per_day: Decimal | None, today: dt.date, n: int
) -> tuple[dt.date | None, str]:
    if budget is None:
        return None, "No budget set."
    if spent >= budget:
        return None, "The budget is already spent."
    if per_day is None:
        return None, "No sprint has closed yet, so there is no burn rate."
    if per_day <= 0:
        return None, f"Nothing was spent in the last {n} closed sprints."
    days = math.ceil((budget - spent) / per_day)
    try:
        day = today + dt.timedelta(days=days)
    except OverflowError:
        return None, "At this rate the budget lasts for centuries."
    return day, f"At {per_day} a day the budget runs out on {day.isoformat()}."


def _warning(what: str, spent: Decimal, budget: Decimal) -> list[BudgetWarning]:
    if budget <= 0:
        return (
            [BudgetWarning(100, what, f"Over budget: {what} is 0 and {spent} is spent.")]
            if spent > 0
            else []
        )
    share = spent / budget
    pct = int((share * 100).to_integral_value(rounding=ROUND_HALF_UP))
    if share >= 1:
        return [
            BudgetWarning(
                100, what, f"Over budget: {pct}% of {what} is spent ({_money(spent)} of {budget})."
            )
        ]
    if share >= WARN_AT:
        return [
            BudgetWarning(80, what, f"{pct}% of {what} is spent ({_money(spent)} of {budget}).")
        ]
    return []


def _empty(
    project: Project, name: str, scope: str, planned: int, bac: Decimal, note: str
) -> EvmTableDTO:
    return EvmTableDTO(project.key, project.currency, name, scope, planned, _money(bac), (), note)


def _planned_sprints(value: object) -> int:
    if isinstance(value, bool):
        raise ValidationError("The number of planned sprints must be a whole number.")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            f"The number of planned sprints must be a whole number, not {str(value)[:40]!r}."
        ) from None
    if not 1 <= number <= PLANNED_SPRINTS_MAX:
        raise ValidationError(f"A release plans 1 to {PLANNED_SPRINTS_MAX} sprints, not {number}.")
    return number


def _epic(session: Session, project_id: int, key: str) -> Card:
    card = session.get(Card, find_card_id(session, key))
    if card is None or card.project_id != project_id:
        raise NotFound(f"There is no card {str(key).strip().upper()} in this project.")
    if card.type != "epic":
        raise ValidationError(f"{str(key).strip().upper()} is a {card.type}, not an epic.")
    return card


def _refuse_taken_name(session: Session, project_id: int, name: str) -> None:
    """A Conflict if another release of the project has this name (in any case)."""
    clash = session.scalar(
        select(Release.name).where(
            Release.project_id == project_id, func.lower(Release.name) == name.lower()
        )
    )
    if clash is not None:
        raise Conflict(f"There is already a release called {clash}.")


def _epics(session: Session, project_id: int, keys: Sequence[str]) -> list[Card]:
    """The epics named by ``keys`` (any case, each once), or NotFound / ValidationError."""
    return [
        _epic(session, project_id, key) for key in dict.fromkeys(k.strip().upper() for k in keys)
    ]


def _key(session: Session, card: Card) -> str:
    project_key = session.scalar(select(Project.key).where(Project.id == card.project_id))
    return f"{project_key}-{card.number}"


def _find_release(session: Session, project_id: int, name: str | None) -> Release | None:
    if name is None:
        rows = list(
            session.scalars(select(Release).where(Release.project_id == project_id).limit(2))
        )
        return rows[0] if len(rows) == 1 else None
    rel = session.scalar(
        select(Release).where(
            Release.project_id == project_id,
            func.lower(Release.name) == str(name).strip().lower(),
        )
    )
    if rel is None:
        raise NotFound(f"There is no release called {str(name).strip()[:60]!r} in this project.")
    return rel


def _release_dto(session: Session, release: Release) -> ReleaseDTO:
    project_key = session.scalar(select(Project.key).where(Project.id == release.project_id))
    numbers = session.scalars(
        select(Card.number)
        .join(ReleaseEpic, ReleaseEpic.card_id == Card.id)
        .where(ReleaseEpic.release_id == release.id)
        .order_by(Card.number)
    )
    return ReleaseDTO(
        release.id,
        release.project_id,
        release.name,
        release.planned_sprints,
        release.budget_at_completion,
        tuple(f"{project_key}-{n}" for n in numbers),
        release.version,
    )
