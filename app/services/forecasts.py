"""Forecasts with odds from the project's own history (``services.forecasts``).

What it reads, so the pure Monte Carlo (:mod:`app.metrics.forecast`) has something true to
sample:

- the history: cards finished per working day (a card counts on the local day of its last
  move into a done column, while it is still done; epics do not count), over the last
  ``window`` working days of the project's calendar before today (days before the first
  history event are left out: a two-week-old board has two weeks of history);
- the scope: an epic's open cards, a milestone's scope (its cards, and the open cards of
  its epics), the open cards ranked up to a given card, or simply N cards; an open epic
  with no cards yet counts as the historic cards per epic;
- the dependencies (card_dependency) among the open cards: the scope cannot finish before
  its longest chain, open blockers outside the scope included;
- the open and mitigating risks with a schedule impact: their (residual) probability on
  the 1..5 scale is read as 10, 30, 50, 70, 90%;
- the cost: logged hours of each finished card times the rate in force on the day of the
  log (the member's rate for this project, else their default rate), sampled per card,
  against the budget still left (the epic's budget for an epic, else the project's).

A published forecast stores its question, seed, trials and answer (JSON) in ``forecast``,
so the status report shows the same numbers and anyone can re-run it.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.clock import local_date, today_in
from app.errors import NotFound, ValidationError
from app.metrics import calendar, flow
from app.metrics import forecast as mc
from app.models import (
    Card,
    CardDependency,
    EpicBudget,
    Forecast,
    HistoryEvent,
    Holiday,
    MemberRate,
    Milestone,
    MilestoneScope,
    Project,
    Risk,
    RiskCard,
    RiskMilestone,
    WorkflowColumn,
    WorkLog,
)
from app.services.chart_data import FLOW_EVENT_COLUMNS, flow_event
from app.services.common import find_card_id, get_project
from app.services.context import ServiceContext
from app.services.events import Change, ChangeKind
from app.services.risks import ACTIVE_STATUSES
from app.services.validation import clean_date, clean_text

# The 1..5 probability scale as a chance per trial.
PROBABILITY_SHARE = {1: 0.1, 2: 0.3, 3: 0.5, 4: 0.7, 5: 0.9}
SEED_MAX = 2**31 - 1  # forecast.seed is a 32-bit integer column
CARDS_MAX = 100_000
CENT = Decimal("0.01")
TIMELINE_BINS = 20  # bars of a scope's histogram on the Timeline


@dataclass(frozen=True)
class CostOdds:
    """The cost of the rest of the scope, by confidence, and the odds of the budget."""

    per_card: Decimal  # the average cost of a finished card
    cost: dict[int, Decimal]  # confidence -> cost not exceeded in that share of trials
    budget_left: Decimal | None
    within_budget: float | None  # share of trials within budget_left (None: no budget)


@dataclass(frozen=True)
class ForecastDTO:
    project_id: int
    question: dict[str, object]  # what was asked (stored with a published forecast)
    scope: str  # "epic SD-4", "milestone Beta", "backlog to SD-30", "20 cards"...
    cards: int  # cards in the scope, unsplit epics counted with the ratio
    unsplit_epics: int
    cards_per_epic: float
    critical_path: int
    risks: tuple[str, ...]  # the risks whose delay was simulated (R-3...)
    window: int  # working days of history sampled
    finished_in_window: int
    trials: int
    seed: int
    start: dt.date  # the last day of history: working days count from the day after
    days: dict[int, int] | None  # "when": confidence -> working days
    dates: dict[int, dt.date] | None  # "when": confidence -> date
    histogram: tuple[tuple[int, int], ...]
    by_date: dt.date | None  # "how many by": the date asked
    cards_by_date: dict[int, int] | None
    cost: CostOdds | None
    cost_note: str  # why there is no cost forecast ("" when there is one)
    forecast_id: int | None = None  # the stored forecast, when published

    def to_json(self) -> dict[str, object]:
        """The answer as plain JSON (dates as ISO text, money as text)."""
        data = asdict(self)

        def plain(value: object) -> object:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return {str(k): plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        return plain(data)  # type: ignore[return-value]


@dataclass(frozen=True)
class ForecastBin:
    """One bar of a forecast's histogram: the trials that finish between two working days
    after today (``first_day``..``last_day``), and those days as dates."""

    first_day: int
    last_day: int
    first: dt.date
    last: dt.date
    trials: int


@dataclass(frozen=True)
class ScopeOdds:
    """One scope's forecast on the Timeline: working days and dates by confidence, the
    chance of being done by a milestone's date (None for an epic), and the risks counted.
    ``histogram`` is the trials' (working days, trials) as :meth:`ForecastService.forecast`
    gives it; ``bins`` the same in at most :data:`TIMELINE_BINS` bars, dated, for painting;
    ``deadline_days`` a milestone's date in working days after today (None for an epic)."""

    cards: int
    days: dict[int, int]
    dates: dict[int, dt.date]
    chance: float | None
    risks: tuple[str, ...]
    histogram: tuple[tuple[int, int], ...] = ()
    bins: tuple[ForecastBin, ...] = ()
    deadline_days: int | None = None


@dataclass(frozen=True)
class TimelineForecastDTO:
    """Every open epic's and milestone's forecast, from one shared set of trials. ``note``
    says why there is none at all (no throughput in the window), else "";
    ``epic_notes`` and ``milestone_notes`` say in one line why one scope has none (nothing
    left to do, no scope linked, out of reach at this throughput)."""

    epics: dict[int, ScopeOdds]
    milestones: dict[int, ScopeOdds]
    seed: int
    trials: int
    note: str = ""
    epic_notes: dict[int, str] = field(default_factory=dict)
    milestone_notes: dict[int, str] = field(default_factory=dict)

    def why_not(self, kind: str, ident: int) -> str:
        """Why the epic or milestone ``ident`` has no forecast ("" when it has one)."""
        found = self.epics if kind == "epic" else self.milestones
        if ident in found:
            return ""
        if self.note:
            return self.note
        notes = self.epic_notes if kind == "epic" else self.milestone_notes
        return notes.get(ident, "The history cannot forecast it.")


@dataclass(frozen=True)
class _Scope:
    label: str
    card_ids: frozenset[int]  # the open cards of the scope
    unsplit_epics: int
    epic_id: int | None
    # What a risk may be linked to for it to count: the scope's cards and epics (done
    # ones too, and the epics of its cards), its milestone; ``whole``: the whole project.
    touched: frozenset[int] = frozenset()
    milestone_id: int | None = None
    whole: bool = False


class ForecastService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def forecast(
        self,
        project_id: int,
        *,
        epic: str | None = None,
        milestone: str | None = None,
        to_card: str | None = None,
        cards: object = None,
        date: object = None,
        seed: object = None,
        window: object = mc.DEFAULT_WINDOW,
        trials: object = mc.DEFAULT_TRIALS,
        publish: bool = False,
    ) -> ForecastDTO:
        """When the scope will be done (and, with ``date``, how many cards by then), with
        odds. At most one of ``epic`` (key), ``milestone`` (name), ``to_card`` (the backlog
        down to that card's rank) or ``cards`` (a number); none: every open card.
        ``publish`` stores it. Refused in one line when the history cannot answer."""
        asked = [name for name, v in (("epic", epic), ("milestone", milestone),
                 ("to_card", to_card), ("cards", cards)) if v is not None]  # fmt: skip
        if len(asked) > 1:
            raise ValidationError("Forecast one scope at a time: an epic, a milestone or N cards.")
        count = None if cards is None else _whole(cards, "number of cards", 0, CARDS_MAX)
        seed_value = (
            secrets.randbelow(SEED_MAX) if seed is None else _whole(seed, "seed", 0, SEED_MAX)
        )
        window_days = _whole(window, "history window", 0, 10**6)
        trial_count = _whole(trials, "number of trials", 0, 10**7)
        try:
            mc.check_window(window_days)
        except mc.ForecastError as exc:
            raise ValidationError(str(exc)) from None
        day = clean_date(date, "date")
        question: dict[str, object] = {
            "epic": epic,
            "milestone": milestone,
            "to_card": to_card,
            "cards": count,
            "date": day.isoformat() if day else None,
            "window": window_days,
        }
        with self._ctx.write() if publish else self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            today = today_in(project.time_zone, self._ctx.clock())
            holidays = set(
                session.scalars(select(Holiday.day).where(Holiday.project_id == project_id))
            )
            mask = project.working_weekdays
            done = _done_columns(session, project_id)
            history, start = self._history(session, project, today, mask, holidays, window_days)
            if count is not None:
                scope = _Scope(f"{count} cards", frozenset(), 0, None)
            else:
                scope = _scope(session, project, done, epic, milestone, to_card)
            ratio = mc.cards_per_epic(_children_per_epic(session, project_id))
            n = (
                count
                if count is not None
                else mc.expand_scope(len(scope.card_ids), scope.unsplit_epics, ratio)
            )
            path = _critical_path(session, project_id, done, scope.card_ids)
            active = _active_risks(session, project_id)
            applying = [r for r in active if r.applies_to(scope)]
            risks = [r.simulated for r in applying]
            try:
                when = mc.when_done(
                    n,
                    history,
                    window=window_days,
                    trials=trial_count,
                    seed=seed_value,
                    critical_path=path,
                    risks=risks,
                )
                how_many = None
                if day is not None:
                    if day <= today:
                        raise ValidationError(
                            f"The date {day.isoformat()} is not after today ({today.isoformat()})."
                        )
                    ahead = len(
                        calendar.working_days(today + dt.timedelta(days=1), day, mask, holidays)
                    )
                    how_many = mc.how_many_by(
                        ahead, history, window=window_days, trials=trial_count,
                        seed=seed_value, risks=risks,
                    )  # fmt: skip
            except mc.ForecastError as exc:
                raise ValidationError(str(exc)) from None
            cost, cost_note = _cost(session, project, done, scope, n, trial_count, seed_value)
            dto = ForecastDTO(
                project_id=project_id,
                question=question,
                scope=scope.label,
                cards=n,
                unsplit_epics=scope.unsplit_epics,
                cards_per_epic=ratio,
                critical_path=path,
                risks=tuple(r.key for r in applying),
                window=len(history),
                finished_in_window=int(sum(history)),
                trials=trial_count,
                seed=seed_value,
                start=start,
                days=when.days,
                dates=dict(mc.dates(when, today, mask, holidays)),
                histogram=when.histogram,
                by_date=day,
                cards_by_date=None if how_many is None else how_many.cards,
                cost=cost,
                cost_note=cost_note,
            )
            if not publish:
                return dto
            row = Forecast(
                project_id=project_id,
                question=json.dumps(question, sort_keys=True),
                seed=seed_value,
                trials=trial_count,
                answer=json.dumps(dto.to_json(), sort_keys=True),
                created_by=self._ctx.actor[:100],
            )
            session.add(row)
            session.flush()
            stored = ForecastDTO(**{**dto.__dict__, "forecast_id": row.id})
            uow.notify(Change(ChangeKind.FORECAST_PUBLISHED, project_id))
            uow.commit()
            return stored

    def timeline(
        self,
        project_id: int,
        *,
        seed: object = 18,
        trials: object = 2000,
        window: object = mc.DEFAULT_WINDOW,
    ) -> TimelineForecastDTO:
        """Every open epic's and milestone's forecast for the Timeline, from one shared set
        of trials (the history is read and sampled once, not once per epic), each with its
        histogram. A scope with nothing left to do, or out of reach, is left out and its
        note says why; when the history cannot answer at all, ``note`` says why and nothing
        is guessed. Each answer equals :meth:`forecast` of that scope with the
        same seed and trials (without the cost)."""
        seed_value = _whole(seed, "seed", 0, SEED_MAX)
        window_days = _whole(window, "history window", 0, 10**6)
        trial_count = _whole(trials, "number of trials", 0, 10**7)
        try:
            mc.check_window(window_days)
        except mc.ForecastError as exc:
            raise ValidationError(str(exc)) from None
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            today = today_in(project.time_zone, self._ctx.clock())
            holidays = set(
                session.scalars(select(Holiday.day).where(Holiday.project_id == project_id))
            )
            mask = project.working_weekdays
            done = _done_columns(session, project_id)
            scopes, children_per_epic = _timeline_scopes(session, project, done)
            if not scopes:
                return TimelineForecastDTO({}, {}, seed_value, trial_count)
            history, _ = self._history(session, project, today, mask, holidays, window_days)
            ratio = mc.cards_per_epic(children_per_epic)
            edges = _open_edges(session, project_id, done)
            upstream = _upstream(edges)
            active = _active_risks(session, project_id)
            questions, applied, asked = [], [], []
            notes: dict[str, dict[int, str]] = {"epic": {}, "milestone": {}}
            for kind, ident, scope, deadline in scopes:
                n = mc.expand_scope(len(scope.card_ids), scope.unsplit_epics, ratio)
                if n == 0:
                    notes[kind][ident] = _nothing_left(kind, scope)
                    continue
                applying = [r for r in active if r.applies_to(scope)]
                questions.append(
                    mc.WhenQuestion(
                        n,
                        _path_length(edges, scope.card_ids, upstream),
                        tuple(r.simulated for r in applying),
                    )
                )
                applied.append(tuple(r.key for r in applying))
                asked.append((kind, ident, deadline))
            try:
                answers = mc.when_done_many(
                    questions, history, window=window_days, trials=trial_count, seed=seed_value
                )
            except mc.ForecastError as exc:
                return TimelineForecastDTO(
                    {}, {}, seed_value, trial_count, str(exc), notes["epic"], notes["milestone"]
                )
        longest = max(
            (a.histogram[-1][0] for a in answers if isinstance(a, mc.WhenForecast) and a.histogram),
            default=0,
        )
        calendar_days = _working_dates(today, longest, mask, holidays)
        epics: dict[int, ScopeOdds] = {}
        milestones: dict[int, ScopeOdds] = {}
        for (kind, ident, deadline), answer, risk_keys in zip(asked, answers, applied, strict=True):
            if not isinstance(answer, mc.WhenForecast):
                # Out of reach at this throughput: no bar is better than a guess.
                notes[kind][ident] = str(answer)
                continue
            chance = None
            ahead = None
            if deadline is not None:
                ahead = (
                    len(calendar.working_days(today + dt.timedelta(days=1), deadline, mask,
                                              holidays))
                    if deadline > today
                    else 0
                )  # fmt: skip
                chance = answer.chance_within(ahead)
            odds = ScopeOdds(
                answer.cards,
                dict(answer.days),
                {c: calendar_days[n] for c, n in answer.days.items()},
                chance,
                risk_keys,
                answer.histogram,
                tuple(
                    ForecastBin(first, last, calendar_days[first], calendar_days[last], n)
                    for first, last, n in mc.histogram_bins(answer.histogram, TIMELINE_BINS)
                ),
                ahead,
            )
            (epics if kind == "epic" else milestones)[ident] = odds
        return TimelineForecastDTO(
            epics, milestones, seed_value, trial_count, "", notes["epic"], notes["milestone"]
        )

    def published(self, project_id: int, limit: int = 20) -> list[dict[str, object]]:
        """The stored forecasts, newest first: id, when, by whom, question, seed and answer."""
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            rows = session.scalars(
                select(Forecast)
                .where(Forecast.project_id == project_id)
                .order_by(Forecast.created_at.desc(), Forecast.id.desc())
                .limit(max(1, min(int(limit), 1000)))
            )
            return [
                {
                    "id": r.id,
                    "created_at": r.created_at.isoformat(),
                    "created_by": r.created_by,
                    "question": json.loads(r.question),
                    "seed": r.seed,
                    "trials": r.trials,
                    "answer": json.loads(r.answer),
                }
                for r in rows
            ]

    def _history(
        self,
        session: Session,
        project: Project,
        today: dt.date,
        mask: int,
        holidays: set[dt.date],
        window: int,
    ) -> tuple[list[int], dt.date]:
        """Finished cards per working day over the last ``window`` working days before
        today (oldest first), and the last of those days.

        Only the cards that moved into a done column during the window can have finished
        in it, so only their events are read (all of them: whether a card is finished
        depends on its whole history), not the project's whole history."""
        last = calendar.working_day_on_or_before(today - dt.timedelta(days=1), mask, holidays)
        first_at = session.scalar(
            select(func.min(HistoryEvent.at))
            .join(Card, Card.id == HistoryEvent.card_id)
            .where(HistoryEvent.project_id == project.id, Card.type != "epic")
        )
        if first_at is None:
            return [], last
        first_day = local_date(first_at, project.time_zone)
        days: list[dt.date] = []
        day = last
        for _ in range(calendar.SEARCH_LIMIT_DAYS):
            if len(days) >= window or day < first_day:
                break
            if calendar.is_working_day(day, mask, holidays):
                days.append(day)
            day -= dt.timedelta(days=1)
        days.reverse()
        if not days:
            return [], last
        # A day early, so no time zone can put a finish of the first day before it.
        since = dt.datetime.combine(days[0] - dt.timedelta(days=1), dt.time(), dt.UTC)
        candidates = (
            select(HistoryEvent.card_id)
            .join(Card, Card.id == HistoryEvent.card_id)
            .where(
                HistoryEvent.project_id == project.id,
                HistoryEvent.category_after == "done",
                HistoryEvent.at >= since,
                Card.type != "epic",
            )
            .distinct()
        )
        # Core rows (no ORM layer), read by card (its index), not by project: the
        # candidates are few; an event of another project (a card moved) is left out here.
        rows = session.connection().execute(
            select(*FLOW_EVENT_COLUMNS, HistoryEvent.project_id)
            .where(HistoryEvent.card_id.in_(candidates))
            .order_by(HistoryEvent.at, HistoryEvent.id)
        )
        events = [flow_event(row) for row in rows.all() if row[-1] == project.id]
        per_day = dict.fromkeys(days, 0)
        for timing in flow.card_timings(events, self._ctx.clock()):
            finished = local_date(timing.finished, project.time_zone)
            if finished in per_day:
                per_day[finished] += 1
        return [per_day[d] for d in days], last


# --- helpers -------------------------------------------------------------------------------


def _whole(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
        raise ValidationError(f"The {what} is a whole number from {low} to {high:,}, not {shown}.")
    return value


def _done_columns(session: Session, project_id: int) -> set[int]:
    return set(
        session.scalars(
            select(WorkflowColumn.id).where(
                WorkflowColumn.project_id == project_id, WorkflowColumn.category == "done"
            )
        )
    )


def _open(done: set[int]):  # type: ignore[no-untyped-def]
    """Live cards not in a done column."""
    return and_(Card.archived.is_(False), Card.column_id.not_in(done) if done else True)


def _epic_scope(
    session: Session, project_id: int, done: set[int], epic_ids: Iterable[int]
) -> tuple[set[int], int]:
    """The open children of the epics, and how many open epics have no cards at all."""
    epic_ids = list(epic_ids)
    if not epic_ids:
        return set(), 0
    children = set(
        session.scalars(
            select(Card.id).where(Card.parent_id.in_(epic_ids), Card.type != "epic", _open(done))
        )
    )
    with_children = set(
        session.scalars(
            select(Card.parent_id).where(Card.parent_id.in_(epic_ids), Card.archived.is_(False))
        )
    )
    open_epics = set(session.scalars(select(Card.id).where(Card.id.in_(epic_ids), _open(done))))
    return children, len(open_epics - with_children)


def _scope(
    session: Session,
    project: Project,
    done: set[int],
    epic: str | None,
    milestone: str | None,
    to_card: str | None,
) -> _Scope:
    if epic is not None:
        card = _own_card(session, project, epic)
        if card.type != "epic":
            raise ValidationError(f"{project.key}-{card.number} is a {card.type}, not an epic.")
        ids, unsplit = _epic_scope(session, project.id, done, [card.id])
        return _Scope(
            f"epic {project.key}-{card.number}",
            frozenset(ids),
            unsplit,
            card.id,
            touched=frozenset(ids | {card.id}),
        )
    if milestone is not None:
        name = clean_text(milestone, "milestone name", 200)
        found = session.scalar(
            select(Milestone).where(
                Milestone.project_id == project.id, func.lower(Milestone.name) == name.lower()
            )
        )
        if found is None:
            raise NotFound(f"There is no milestone {name!r} in this project.")
        rows = session.execute(
            select(Card.id, Card.type)
            .join(MilestoneScope, MilestoneScope.card_id == Card.id)
            .where(MilestoneScope.milestone_id == found.id, Card.archived.is_(False))
        ).all()
        epics = [cid for cid, kind in rows if kind == "epic"]
        plain = set(
            session.scalars(
                select(Card.id).where(
                    Card.id.in_([cid for cid, kind in rows if kind != "epic"]), _open(done)
                )
            )
        )
        children, unsplit = _epic_scope(session, project.id, done, epics)
        linked = {cid for cid, _ in rows}
        return _Scope(
            f"milestone {found.name}",
            frozenset(plain | children),
            unsplit,
            None,
            touched=frozenset(plain | children | linked),
            milestone_id=found.id,
        )
    query = select(Card.id, Card.parent_id).where(
        Card.project_id == project.id, Card.type != "epic", _open(done)
    )
    if to_card is None:
        ids = frozenset(session.scalars(query.with_only_columns(Card.id)))
        return _Scope("every open card", ids, 0, None, touched=ids, whole=True)
    card = _own_card(session, project, to_card)
    rows = session.execute(query.where(Card.rank <= card.rank)).all()
    ids = frozenset(r[0] for r in rows)
    parents = {r[1] for r in rows if r[1] is not None}
    return _Scope(f"backlog to {project.key}-{card.number}", ids, 0, None, touched=ids | parents)


def _nothing_left(kind: str, scope: _Scope) -> str:
    """Why a Timeline scope of no open card has no forecast, in one line."""
    if kind == "epic":
        return "Every card of this epic is done: nothing left to forecast."
    if not scope.touched:
        return "No card or epic is linked to this milestone: nothing to forecast."
    return "Every card of this milestone is done: nothing left to forecast."


def _timeline_scopes(
    session: Session, project: Project, done: set[int]
) -> tuple[list[tuple[str, int, _Scope, dt.date | None]], list[int]]:
    """The scope of every live epic and every milestone of a project, as :func:`_scope`
    would build each, from three queries: ("epic" | "milestone", id, scope, its date); and
    the number of cards of each epic, as :func:`_children_per_epic` counts them."""
    every = (
        session.connection()
        .execute(
            select(Card.id, Card.type, Card.parent_id, Card.column_id, Card.archived).where(
                Card.project_id == project.id
            )
        )
        .all()
    )
    epic_ids = {cid for cid, kind, *_ in every if kind == "epic"}
    per_epic: dict[int, int] = {}  # children per epic, archived ones too (the ratio)
    for _cid, _kind, parent, _column, _archived in every:
        if parent in epic_ids:
            per_epic[parent] = per_epic.get(parent, 0) + 1
    cards = [(cid, kind, parent, column) for cid, kind, parent, column, gone in every if not gone]
    is_open = {cid: column not in done for cid, _, _, column in cards}
    kind_of = {cid: kind for cid, kind, _, _ in cards}
    open_children: dict[int, set[int]] = {}
    with_children: set[int] = set()
    for cid, kind, parent, _ in cards:
        if parent is None:
            continue
        with_children.add(parent)
        if kind != "epic" and is_open[cid]:
            open_children.setdefault(parent, set()).add(cid)

    def epic_parts(epic_ids: Iterable[int]) -> tuple[set[int], int]:
        children: set[int] = set()
        unsplit = 0
        for epic_id in epic_ids:
            children |= open_children.get(epic_id, set())
            if epic_id not in with_children and is_open.get(epic_id, False):
                unsplit += 1
        return children, unsplit

    scopes: list[tuple[str, int, _Scope, dt.date | None]] = []
    for cid, kind, _, _ in cards:
        if kind != "epic":
            continue
        ids, unsplit = epic_parts([cid])
        scope = _Scope("epic", frozenset(ids), unsplit, cid, touched=frozenset(ids | {cid}))
        scopes.append(("epic", cid, scope, None))
    milestones = session.execute(
        select(Milestone.id, Milestone.day)
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.day, Milestone.id)
    ).all()
    linked: dict[int, list[int]] = {}
    for milestone_id, card_id in session.execute(
        select(MilestoneScope.milestone_id, MilestoneScope.card_id)
        .join(Milestone, Milestone.id == MilestoneScope.milestone_id)
        .where(Milestone.project_id == project.id)
    ):
        if card_id in kind_of:  # a live card
            linked.setdefault(milestone_id, []).append(card_id)
    for milestone_id, day in milestones:
        rows = linked.get(milestone_id, [])
        plain = {c for c in rows if kind_of[c] != "epic" and is_open[c]}
        children, unsplit = epic_parts(c for c in rows if kind_of[c] == "epic")
        scope = _Scope(
            "milestone",
            frozenset(plain | children),
            unsplit,
            None,
            touched=frozenset(plain | children | set(rows)),
            milestone_id=milestone_id,
        )
        scopes.append(("milestone", milestone_id, scope, day))
    return scopes, list(per_epic.values())


@dataclass(frozen=True)
class _ActiveRisk:
    """An open or mitigating risk with a schedule impact, and what it is linked to."""

    number: int
    simulated: mc.ScheduleRisk
    cards: frozenset[int]
    milestones: frozenset[int]

    @property
    def key(self) -> str:
        return f"R-{self.number}"

    def applies_to(self, scope: _Scope) -> bool:
        """A risk delays a forecast when it is project-wide (linked to nothing), when the
        forecast is of the whole project, or when it is linked to the forecast's milestone
        or to one of the cards or epics of its scope."""
        if not self.cards and not self.milestones:
            return True
        if scope.whole:
            return True
        if scope.milestone_id is not None and scope.milestone_id in self.milestones:
            return True
        return not self.cards.isdisjoint(scope.touched)


def _active_risks(session: Session, project_id: int) -> list[_ActiveRisk]:
    """The project's open risks with a schedule impact, by number, with their links (three
    queries whatever the number of risks)."""
    rows = list(
        session.execute(
            select(Risk.id, Risk.number, Risk.probability, Risk.residual_probability,
                   Risk.schedule_days)
            .where(Risk.project_id == project_id, Risk.status.in_(ACTIVE_STATUSES),
                   Risk.schedule_days > 0)
            .order_by(Risk.number)
        )
    )  # fmt: skip
    if not rows:
        return []
    ids = [r[0] for r in rows]
    cards: dict[int, set[int]] = {}
    for risk_id, card_id in session.execute(
        select(RiskCard.risk_id, RiskCard.card_id).where(RiskCard.risk_id.in_(ids))
    ):
        cards.setdefault(risk_id, set()).add(card_id)
    milestones: dict[int, set[int]] = {}
    for risk_id, milestone_id in session.execute(
        select(RiskMilestone.risk_id, RiskMilestone.milestone_id).where(
            RiskMilestone.risk_id.in_(ids)
        )
    ):
        milestones.setdefault(risk_id, set()).add(milestone_id)
    return [
        _ActiveRisk(
            number,
            mc.ScheduleRisk(PROBABILITY_SHARE[residual or inherent], days, key=number),
            frozenset(cards.get(risk_id, ())),
            frozenset(milestones.get(risk_id, ())),
        )
        for risk_id, number, inherent, residual, days in rows
    ]


def _own_card(session: Session, project: Project, key: str) -> Card:
    card = session.get(Card, find_card_id(session, key))
    assert card is not None
    if card.project_id != project.id:
        raise ValidationError(f"{key.strip().upper()} is a card of another project.")
    return card


def _children_per_epic(session: Session, project_id: int) -> list[int]:
    parent = aliased(Card)
    return list(
        session.scalars(
            select(func.count(Card.id))
            .join(parent, parent.id == Card.parent_id)
            .where(parent.project_id == project_id, parent.type == "epic")
            .group_by(Card.parent_id)
        )
    )


def _open_edges(session: Session, project_id: int, done: set[int]) -> list[tuple[int, int]]:
    """The "blocks" links between the project's open cards (one query)."""
    blocker = aliased(Card)
    blocked = aliased(Card)
    return [
        (a, b)
        for a, b in session.execute(
            select(CardDependency.blocker_id, CardDependency.blocked_id)
            .join(blocker, blocker.id == CardDependency.blocker_id)
            .join(blocked, blocked.id == CardDependency.blocked_id)
            .where(
                blocked.project_id == project_id,
                blocker.archived.is_(False),
                blocked.archived.is_(False),
                blocker.column_id.not_in(done) if done else True,
                blocked.column_id.not_in(done) if done else True,
            )
        )
    ]


def _path_length(
    edges: list[tuple[int, int]],
    scope: Iterable[int],
    upstream: dict[int, list[int]] | None = None,
) -> int:
    """The longest chain of open cards the scope waits for (open blockers outside the scope
    included: the scope cannot finish before them). ``upstream`` (blocked -> blockers, from
    :func:`_upstream`) saves rebuilding it when many scopes share the same links."""
    cards = set(scope)
    if not cards:
        return 0
    if upstream is None:
        upstream = _upstream(edges)
    pending = list(cards)
    while pending:
        for a in upstream.get(pending.pop(), ()):
            if a not in cards:
                cards.add(a)
                pending.append(a)
    involved = [(a, b) for a, b in edges if b in cards]
    return mc.critical_path_length(cards, involved)


def _upstream(edges: list[tuple[int, int]]) -> dict[int, list[int]]:
    upstream: dict[int, list[int]] = {}
    for a, b in edges:
        upstream.setdefault(b, []).append(a)
    return upstream


def _critical_path(session: Session, project_id: int, done: set[int], scope: frozenset[int]) -> int:
    """:func:`_path_length` of a scope, reading the links."""
    if not scope:
        return 0
    return _path_length(_open_edges(session, project_id, done), scope)


def _working_dates(today: dt.date, count: int, mask: int, holidays: set[dt.date]) -> list[dt.date]:
    """``today`` and the next ``count`` working days: index n is the date n working days on."""
    days = [today]
    for _ in range(count):
        days.append(calendar.next_working_day(days[-1], mask, holidays))
    return days


def _rate(
    rates: list[tuple[dt.date, int | None, Decimal]], project_id: int, day: dt.date
) -> Decimal | None:
    """The hourly rate in force on ``day``: the member's rate for this project, else their
    default one (the latest that started on or before ``day``)."""
    for wanted in (project_id, None):
        chosen = None
        for start, pid, rate in rates:
            if pid == wanted and start <= day:
                chosen = rate
        if chosen is not None:
            return chosen
    return None


def _cost(
    session: Session,
    project: Project,
    done: set[int],
    scope: _Scope,
    cards: int,
    trials: int,
    seed: int,
) -> tuple[CostOdds | None, str]:
    """The cost forecast, or why there is none (a line)."""
    logs = list(
        session.execute(
            select(WorkLog.card_id, WorkLog.member_id, WorkLog.day, WorkLog.minutes, Card.column_id)
            .join(Card, Card.id == WorkLog.card_id)
            .where(Card.project_id == project.id)
        )
    )
    if not logs:
        return None, "No time is logged on this project's cards: no cost per card to forecast from."
    members = {member for _, member, *_ in logs}
    rates: dict[int, list[tuple[dt.date, int | None, Decimal]]] = {}
    for member, start, pid, rate in session.execute(
        select(MemberRate.member_id, MemberRate.effective_from, MemberRate.project_id,
               MemberRate.hourly_rate)
        .where(MemberRate.member_id.in_(members),
               or_(MemberRate.project_id == project.id, MemberRate.project_id.is_(None)))
        .order_by(MemberRate.effective_from)
    ):  # fmt: skip
        rates.setdefault(member, []).append((start, pid, Decimal(rate)))
    finished: dict[int, Decimal] = {}
    spent = Decimal(0)
    spent_in_scope = Decimal(0)
    epic_children: set[int] = set()
    if scope.epic_id is not None:
        epic_children = set(
            session.scalars(select(Card.id).where(Card.parent_id == scope.epic_id))
        ) | {scope.epic_id}
    for card_id, member, day, minutes, column_id in logs:
        rate = _rate(rates.get(member, []), project.id, day) or Decimal(0)
        money = (Decimal(minutes) / 60 * rate).quantize(CENT, ROUND_HALF_UP)
        spent += money
        if card_id in epic_children:
            spent_in_scope += money
        if column_id in done:
            finished[card_id] = finished.get(card_id, Decimal(0)) + money
    if not finished:
        return None, "No finished card has logged time: no cost per card to forecast from."
    cents = [int(v * 100) for v in finished.values()]
    if scope.epic_id is not None:
        budget = session.scalar(
            select(EpicBudget.amount).where(EpicBudget.card_id == scope.epic_id)
        )
        left = None if budget is None else Decimal(budget) - spent_in_scope
    else:
        left = None if project.budget is None else Decimal(project.budget) - spent
    result = mc.cost_forecast(
        cards,
        cents,
        budget_cents=None if left is None else int(left * 100),
        trials=trials,
        seed=seed,
    )
    per_card = (sum(finished.values(), Decimal(0)) / len(finished)).quantize(CENT, ROUND_HALF_UP)
    odds = CostOdds(
        per_card=per_card,
        cost={c: (Decimal(v) / 100).quantize(CENT) for c, v in result.cents.items()},
        budget_left=None if left is None else left.quantize(CENT),
        within_budget=result.within_budget,
    )
    return odds, ""


__all__ = [
    "CostOdds",
    "ForecastBin",
    "ForecastDTO",
    "ForecastService",
    "ScopeOdds",
    "TimelineForecastDTO",
]
