"""The project status report: progress, budget, earned value, workload, milestones, risks,
dependencies and the forecast, as a snapshot.

``take(project_id)`` computes the figures now and stores them (one ``status_snapshot`` row,
JSON text, money as exact strings); ``load(project_id, as_of)`` reads a stored one back. A
report is always rendered from a snapshot, so a past report never changes when cards, logs
or rates change later. ``preview`` computes the figures without storing them.

What each section is, and where it comes from (payload version 2; a version 1 snapshot,
taken before the last five sections existed, still renders, with those sections marked as
not recorded):

- Workload: the Team page's grid (:meth:`WorkloadService.grid`): each person's assigned
  work against their capacity per sprint (the active one, then the planned ones; per week
  on a Kanban project), and who is over capacity in which.
- Milestones: each with its scope done so far and its odds of being met: the share of the
  trials of a Monte Carlo forecast of its scope (:meth:`ForecastService.forecast`, seed
  :data:`FORECAST_SEED`) that finish on or before its date, and the 85% date. A milestone
  whose scope is done is met; one whose date has passed with open scope is missed (0%);
  one the history cannot forecast says why.
- Top risks: :meth:`RiskService.top_risks`, the open and mitigating risks by residual
  exposure.
- Dependencies that threaten a milestone, by one simple rule: a card of a milestone's open
  scope (its cards, and the cards of its epics) is blocked by a card that is not done, is
  not itself in that scope, and is planned later than the milestone: in a sprint that ends
  after the milestone's date, or due after it, or in the scope of a milestone dated after
  it, or (on a Scrum project) in no sprint at all.
- Forecast: when every open card will be done, at 50, 70, 85 and 95%, with the trials'
  histogram in at most :data:`HISTOGRAM_BINS` bins, each dated by its last working day.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import local_date, today_in
from app.errors import DomainError, NotFound, ValidationError
from app.metrics.calendar import working_days
from app.metrics.forecast import CONFIDENCES, add_working_days, histogram_bins
from app.models import (
    Card,
    CardDependency,
    Holiday,
    Milestone,
    MilestoneScope,
    Project,
    Sprint,
    StatusSnapshot,
    WorkflowColumn,
)
from app.services.common import get_project
from app.services.context import ServiceContext
from app.services.forecasts import ForecastService
from app.services.plans import PlanService
from app.services.risks import RiskService
from app.services.workload import WorkloadService

PAYLOAD_VERSION = 2
FORECAST_SEED = 16  # the report's forecasts are reproducible: the same history, the same odds
FORECAST_TRIALS = 10_000
HISTOGRAM_BINS = 10
TOP_RISKS = 5


@dataclass(frozen=True, slots=True)
class EvmRow:
    sprint: str
    ppc: Decimal | None
    apc: Decimal | None
    pv: Decimal | None
    ev: Decimal | None
    ac: Decimal | None
    cv: Decimal | None
    sv: Decimal | None
    cpi: Decimal | None
    spi: Decimal | None
    eac: Decimal | None
    etc: Decimal | None
    vac: Decimal | None
    reading: str


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    name: str
    assigned: Decimal
    capacity: Decimal | None
    over_by: Decimal
    sprint: str = ""  # the sprint (or Kanban week) of this figure

    @property
    def over(self) -> bool:
        return self.over_by > 0


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A milestone and its odds of being met (the module's docstring says how)."""

    name: str
    day: dt.date
    scope: int  # cards in its scope
    done: int
    chance: Decimal | None  # 0..1; None when it could not be forecast
    p85: dt.date | None
    note: str  # "met", "missed", why there is no forecast, or ""


@dataclass(frozen=True, slots=True)
class RiskRow:
    key: str
    title: str
    owner: str
    status: str
    residual: int  # exposure after the response, 1..25
    inherent: int
    proximity: dt.date | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class ThreatRow:
    """A card of a milestone's scope waiting for a card planned later than the milestone."""

    milestone: str
    milestone_day: dt.date
    card: str
    card_title: str
    blocker: str
    blocker_title: str
    why: str


@dataclass(frozen=True, slots=True)
class HistogramBin:
    first_day: int  # working days after the report's day
    last_day: int
    by: dt.date  # the date of ``last_day``
    trials: int


@dataclass(frozen=True, slots=True)
class ForecastSummary:
    scope: str
    cards: int
    trials: int
    seed: int
    dates: dict[int, dt.date]  # confidence -> date
    days: dict[int, int]  # confidence -> working days
    histogram: tuple[HistogramBin, ...]


@dataclass(frozen=True, slots=True)
class StatusReportDTO:
    snapshot_id: int | None
    project_key: str
    project_name: str
    currency: str
    taken_at: dt.datetime
    taken_by: str
    as_of: dt.date  # the day it was taken, in the project's zone
    cards_done: int
    cards_total: int
    points_done: Decimal
    points_total: Decimal
    active_sprint: str | None
    sprint_start: dt.date | None
    sprint_end: dt.date | None
    sprint_committed: Decimal | None
    sprint_done: Decimal | None
    budget: Decimal | None
    cost_to_date: Decimal
    spent_share: Decimal | None
    burn_rate_per_sprint: Decimal | None
    runs_out_on: dt.date | None
    runs_out_text: str
    warnings: tuple[str, ...]
    evm_title: str
    evm_note: str
    evm: tuple[EvmRow, ...]
    workload_sprint: str | None  # the first column of the workload (the active sprint)
    workload_unit: str
    workload: tuple[WorkloadRow, ...]
    version: int = PAYLOAD_VERSION  # of the stored payload; 1 has only the first four sections
    workload_sprints: tuple[str, ...] = ()  # every sprint (or week) of the workload, in order
    milestones: tuple[MilestoneRow, ...] = ()
    risks: tuple[RiskRow, ...] = ()
    threats: tuple[ThreatRow, ...] = ()
    forecast: ForecastSummary | None = None
    forecast_note: str = ""  # why there is no forecast

    @property
    def over_capacity(self) -> tuple[WorkloadRow, ...]:
        return tuple(row for row in self.workload if row.over)

    @property
    def has_plan_sections(self) -> bool:
        """Milestones, risks, dependencies and the forecast were recorded (version 2 on)."""
        return self.version >= 2


@dataclass(frozen=True, slots=True)
class StatusSnapshotInfo:
    id: int
    number: int  # 1-based within the project, oldest first
    taken_at: dt.datetime
    taken_by: str
    as_of: dt.date


class StatusReportService:
    """Takes and reads status report snapshots (``services.status_reports``)."""

    def __init__(
        self,
        context: ServiceContext,
        budget: Any,
        sprints: Any,
        *,
        workload: Any = None,
        plans: Any = None,
        risks: Any = None,
        forecasts: Any = None,
    ) -> None:
        self._ctx = context
        # The figures come from those services (built on the same context when not given).
        self._budget = budget
        self._sprints = sprints
        self._workload = workload or WorkloadService(context)
        self._plans = plans or PlanService(context)
        self._risks = risks or RiskService(context)
        self._forecasts = forecasts or ForecastService(context)

    def preview(self, project_id: int) -> StatusReportDTO:
        """The figures now, not stored."""
        return _from_payload(self._figures(project_id), None)

    def take(self, project_id: int) -> StatusReportDTO:
        """Compute the figures now and store them as a snapshot (one transaction)."""
        payload = self._figures(project_id)
        with self._ctx.write() as uow:
            get_project(uow.session, project_id)
            row = StatusSnapshot(
                project_id=project_id,
                taken_at=dt.datetime.fromisoformat(payload["taken_at"]),
                taken_by=payload["taken_by"],
                payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
            )
            uow.session.add(row)
            uow.session.flush()
            dto = _from_payload(payload, row.id)
            uow.commit()
            return dto

    def list_snapshots(self, project_id: int) -> list[StatusSnapshotInfo]:
        """The project's stored reports, oldest first."""
        with self._ctx.read() as uow:
            project = get_project(uow.session, project_id)
            rows = uow.session.execute(
                select(StatusSnapshot.id, StatusSnapshot.taken_at, StatusSnapshot.taken_by)
                .where(StatusSnapshot.project_id == project_id)
                .order_by(StatusSnapshot.taken_at, StatusSnapshot.id)
            ).all()
            return [
                StatusSnapshotInfo(sid, n, at, by, local_date(at, project.time_zone))
                for n, (sid, at, by) in enumerate(rows, start=1)
            ]

    def load(self, project_id: int, as_of: str | int = "last") -> StatusReportDTO:
        """A stored report: ``last``, its number (``3``, as ``status list`` shows), or a date
        (``2025-03-17``: the last one taken on or before that day, in the project's zone)."""
        snapshots = self.list_snapshots(project_id)
        if not snapshots:
            raise NotFound("No status report has been exported for this project yet.")
        chosen = _choose(snapshots, as_of)
        with self._ctx.read() as uow:
            text = uow.session.scalar(
                select(StatusSnapshot.payload).where(StatusSnapshot.id == chosen.id)
            )
        try:
            return _from_payload(json.loads(text or ""), chosen.id)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(f"Status report {chosen.number} is damaged: {exc}.") from exc

    # --- the figures -------------------------------------------------------------------------

    def _figures(self, project_id: int) -> dict[str, Any]:
        now = self._ctx.clock()
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            live = (
                select(func.count(Card.id), func.coalesce(func.sum(Card.points), 0))
                .join(WorkflowColumn, WorkflowColumn.id == Card.column_id)
                .where(
                    Card.project_id == project_id,
                    Card.archived.is_(False),
                    Card.type != "epic",
                )
            )
            total_cards, total_points = session.execute(live).one()
            done_cards, done_points = session.execute(
                live.where(WorkflowColumn.category == "done")
            ).one()
            active = session.scalar(
                select(Sprint).where(Sprint.project_id == project_id, Sprint.state == "active")
            )
            sprint: dict[str, Any] | None = None
            if active is not None:
                sprint_done = session.scalar(
                    live.with_only_columns(func.coalesce(func.sum(Card.points), 0)).where(
                        Card.sprint_id == active.id, WorkflowColumn.category == "done"
                    )
                )
                sprint = {
                    "id": active.id,
                    "name": active.name,
                    "start": _iso(active.start_date),
                    "end": _iso(active.end_date),
                    "done": _text(Decimal(sprint_done or 0)),
                }
            head = {
                "key": project.key,
                "name": project.name,
                "currency": project.currency,
                "zone": project.time_zone,
            }
        if sprint is not None:
            sprint["committed"] = _text(self._sprints.sprint_plan(sprint["id"]).commitment)
        workload = self._workload_figures(project_id)
        plan_sections = self._plan_figures(project_id)
        o, table = self._budget.overview_and_evm(project_id)
        return {
            "version": PAYLOAD_VERSION,
            "project": head,
            "taken_at": now.astimezone(dt.UTC).isoformat(),
            "taken_by": self._ctx.actor,
            "progress": {
                "cards_done": int(done_cards),
                "cards_total": int(total_cards),
                "points_done": _text(Decimal(done_points)),
                "points_total": _text(Decimal(total_points)),
                "sprint": sprint,
            },
            "budget": {
                "budget": _text(o.budget),
                "cost_to_date": _text(o.cost_to_date),
                "spent_share": _text(o.spent_share),
                "burn_rate_per_sprint": _text(o.burn_rate_per_sprint),
                "runs_out_on": _iso(o.runs_out_on),
                "runs_out_text": o.runs_out_text,
                "warnings": [w.text for w in o.warnings],
            },
            "evm": {
                "title": f"{table.release} ({table.scope}): BAC {table.bac:,.2f} "
                f"{table.currency} over {table.planned_sprints} sprints",
                "note": table.note,
                "rows": [
                    {
                        "sprint": p.sprint,
                        **{
                            name: _text(getattr(p, name))
                            for name in (
                                "ppc", "apc", "pv", "ev", "ac", "cv", "sv",
                                "cpi", "spi", "eac", "etc", "vac",
                            )
                        },
                        "reading": p.reading,
                    }
                    for p in table.points
                ],
            },
            "workload": workload,
            **plan_sections,
        }  # fmt: skip

    def _workload_figures(self, project_id: int) -> dict[str, Any]:
        grid = self._workload.grid(project_id)
        columns = [
            {
                "title": column.title,
                "rows": [
                    {
                        "name": row.display_name,
                        "assigned": _text(row.cells[i].assigned),
                        "capacity": _text(row.cells[i].capacity),
                        "over_by": _text(row.cells[i].over_by),
                    }
                    for row in grid.rows
                ],
            }
            for i, column in enumerate(grid.columns)
        ]
        return {
            "sprint": columns[0]["title"] if columns else None,
            "unit": grid.unit,
            "columns": columns,
        }

    def _plan_figures(self, project_id: int) -> dict[str, Any]:
        """Milestones with their odds, top risks, threatening dependencies, the forecast."""
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            today = today_in(project.time_zone, self._ctx.clock())
            mask = project.working_weekdays
            holidays = set(
                session.scalars(select(Holiday.day).where(Holiday.project_id == project_id))
            )
            threats = _threats(session, project)
        ask = {"seed": FORECAST_SEED, "trials": FORECAST_TRIALS}
        milestones = []
        for m in self._plans.list_milestones(project_id):
            row: dict[str, Any] = {
                "name": m.name,
                "day": m.day.isoformat(),
                "scope": m.scope_size,
                "done": m.done_count,
                "chance": None,
                "p85": None,
                "note": "",
            }
            if not m.scope_size:
                row["note"] = "no scope linked"
            elif m.done_count >= m.scope_size:
                row.update(chance="1", note="met: its scope is done")
            elif m.day < today:
                row.update(chance="0", note="missed: its date has passed")
            else:
                try:
                    answer = self._forecasts.forecast(project_id, milestone=m.name, **ask)
                except DomainError as exc:
                    row["note"] = f"no forecast: {exc}"
                else:
                    ahead = len(working_days(today + dt.timedelta(days=1), m.day, mask, holidays))
                    total = sum(n for _, n in answer.histogram)
                    made = sum(n for days, n in answer.histogram if days <= ahead)
                    row["chance"] = _text(
                        (Decimal(made) / Decimal(total)).quantize(Decimal("0.001"))
                        if total
                        else None
                    )
                    row["p85"] = _iso((answer.dates or {}).get(85))
            milestones.append(row)
        risks = [
            {
                "key": r.key,
                "title": r.title,
                "owner": r.owner,
                "status": r.status,
                "residual": r.residual_exposure,
                "inherent": r.exposure,
                "proximity": _iso(r.proximity),
                "overdue": r.overdue,
            }
            for r in self._risks.top_risks(project_id, TOP_RISKS)
        ]
        forecast: dict[str, Any] | None = None
        note = ""
        try:
            answer = self._forecasts.forecast(project_id, **ask)
        except DomainError as exc:
            note = str(exc)
        else:
            forecast = {
                "scope": answer.scope,
                "cards": answer.cards,
                "trials": answer.trials,
                "seed": answer.seed,
                "dates": {str(c): _iso((answer.dates or {}).get(c)) for c in CONFIDENCES},
                "days": {str(c): (answer.days or {}).get(c) for c in CONFIDENCES},
                "histogram": [
                    {
                        "first": first,
                        "last": last,
                        "by": add_working_days(today, last, mask, holidays).isoformat(),
                        "trials": n,
                    }
                    for first, last, n in histogram_bins(answer.histogram, HISTOGRAM_BINS)
                ],
            }
        return {
            "milestones": milestones,
            "risks": risks,
            "threats": threats,
            "forecast": forecast,
            "forecast_note": note,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _day(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _from_payload(p: dict[str, Any], snapshot_id: int | None) -> StatusReportDTO:
    head, progress, money, evm, work = (
        p["project"],
        p["progress"],
        p["budget"],
        p["evm"],
        p["workload"],
    )
    version = int(p.get("version", 1))
    # Version 1 stored the active sprint's workload only; version 2 every sprint's.
    columns = (
        [(c["title"], c["rows"]) for c in work["columns"]]
        if "columns" in work
        else [(work["sprint"], work["rows"])]
    )
    taken_at = dt.datetime.fromisoformat(p["taken_at"])
    sprint = progress["sprint"] or {}
    return StatusReportDTO(
        snapshot_id=snapshot_id,
        project_key=head["key"],
        project_name=head["name"],
        currency=head["currency"],
        taken_at=taken_at,
        taken_by=p["taken_by"],
        as_of=local_date(taken_at, head.get("zone")),
        cards_done=int(progress["cards_done"]),
        cards_total=int(progress["cards_total"]),
        points_done=Decimal(progress["points_done"]),
        points_total=Decimal(progress["points_total"]),
        active_sprint=sprint.get("name"),
        sprint_start=_day(sprint.get("start")),
        sprint_end=_day(sprint.get("end")),
        sprint_committed=_dec(sprint.get("committed")),
        sprint_done=_dec(sprint.get("done")),
        budget=_dec(money["budget"]),
        cost_to_date=Decimal(money["cost_to_date"]),
        spent_share=_dec(money["spent_share"]),
        burn_rate_per_sprint=_dec(money["burn_rate_per_sprint"]),
        runs_out_on=_day(money["runs_out_on"]),
        runs_out_text=money["runs_out_text"],
        warnings=tuple(money["warnings"]),
        evm_title=evm["title"],
        evm_note=evm["note"],
        evm=tuple(
            EvmRow(
                r["sprint"],
                *(_dec(r[n]) for n in ("ppc", "apc", "pv", "ev", "ac", "cv", "sv",
                                       "cpi", "spi", "eac", "etc", "vac")),
                r["reading"],
            )
            for r in evm["rows"]
        ),
        workload_sprint=work["sprint"],
        workload_unit=work["unit"],
        workload=tuple(
            WorkloadRow(r["name"], Decimal(r["assigned"]), _dec(r["capacity"]),
                        Decimal(r["over_by"]), title or "")
            for title, rows in columns
            for r in rows
        ),
        version=version,
        workload_sprints=tuple(title for title, _ in columns if title),
        milestones=tuple(
            MilestoneRow(m["name"], dt.date.fromisoformat(m["day"]), int(m["scope"]),
                         int(m["done"]), _dec(m["chance"]), _day(m["p85"]), m["note"])
            for m in p.get("milestones", ())
        ),
        risks=tuple(
            RiskRow(r["key"], r["title"], r["owner"], r["status"], int(r["residual"]),
                    int(r["inherent"]), _day(r["proximity"]), bool(r["overdue"]))
            for r in p.get("risks", ())
        ),
        threats=tuple(
            ThreatRow(t["milestone"], dt.date.fromisoformat(t["day"]), t["card"],
                      t["card_title"], t["blocker"], t["blocker_title"], t["why"])
            for t in p.get("threats", ())
        ),
        forecast=_forecast(p.get("forecast")),
        forecast_note=p.get("forecast_note", ""),
    )  # fmt: skip


def _forecast(f: dict[str, Any] | None) -> ForecastSummary | None:
    if f is None:
        return None
    return ForecastSummary(
        scope=f["scope"],
        cards=int(f["cards"]),
        trials=int(f["trials"]),
        seed=int(f["seed"]),
        dates={int(c): dt.date.fromisoformat(d) for c, d in f["dates"].items() if d},
        days={int(c): int(n) for c, n in f["days"].items() if n is not None},
        histogram=tuple(
            HistogramBin(int(b["first"]), int(b["last"]), dt.date.fromisoformat(b["by"]),
                         int(b["trials"]))
            for b in f["histogram"]
        ),
    )  # fmt: skip


def _threats(session: Session, project: Project) -> list[dict[str, Any]]:
    """The dependencies that threaten a milestone (the module's docstring gives the rule),
    by milestone date, then card."""
    done = set(
        session.scalars(
            select(WorkflowColumn.id).where(
                WorkflowColumn.project_id == project.id, WorkflowColumn.category == "done"
            )
        )
    )
    milestones = list(
        session.scalars(
            select(Milestone)
            .where(Milestone.project_id == project.id)
            .order_by(Milestone.day, Milestone.id)
        )
    )
    if not milestones:
        return []
    cards = {
        c.id: c
        for c in session.scalars(
            select(Card).where(Card.project_id == project.id, Card.archived.is_(False))
        )
    }
    sprint_ends = dict(
        session.execute(
            select(Sprint.id, Sprint.end_date).where(Sprint.project_id == project.id)
        ).all()
    )
    sprint_names = dict(
        session.execute(select(Sprint.id, Sprint.name).where(Sprint.project_id == project.id)).all()
    )
    children: dict[int, list[int]] = {}
    for c in cards.values():
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c.id)
    linked: dict[int, list[int]] = {}
    for milestone_id, card_id in session.execute(
        select(MilestoneScope.milestone_id, MilestoneScope.card_id).where(
            MilestoneScope.milestone_id.in_([m.id for m in milestones])
        )
    ).all():
        linked.setdefault(milestone_id, []).append(card_id)
    scopes: dict[int, set[int]] = {}
    for m in milestones:
        scope: set[int] = set()
        for card_id in linked.get(m.id, ()):
            card = cards.get(card_id)
            if card is None:
                continue
            if card.type == "epic" and children.get(card_id):
                scope.update(children[card_id])
            else:
                scope.add(card_id)
        scopes[m.id] = scope
    edges = session.execute(
        select(CardDependency.blocker_id, CardDependency.blocked_id).where(
            CardDependency.blocked_id.in_(list(cards))
        )
    ).all()
    key = {cid: f"{project.key}-{c.number}" for cid, c in cards.items()}
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for m in milestones:
        scope = scopes[m.id]
        for blocker_id, blocked_id in edges:
            blocked, blocker = cards.get(blocked_id), cards.get(blocker_id)
            if blocked is None or blocker is None or blocked_id not in scope:
                continue
            if blocked.column_id in done or blocker.column_id in done or blocker_id in scope:
                continue
            why = _later(blocker, m, milestones, scopes, sprint_ends, sprint_names, project)
            if why is None:
                continue
            found.append(
                (
                    (m.day, m.id, blocked.number, blocker.number),
                    {
                        "milestone": m.name,
                        "day": m.day.isoformat(),
                        "card": key[blocked_id],
                        "card_title": blocked.title,
                        "blocker": key[blocker_id],
                        "blocker_title": blocker.title,
                        "why": why,
                    },
                )
            )
    found.sort(key=lambda pair: pair[0])
    return [threat for _, threat in found]


def _later(
    blocker: Card,
    milestone: Milestone,
    milestones: list[Milestone],
    scopes: dict[int, set[int]],
    sprint_ends: dict[int, dt.date | None],
    sprint_names: dict[int, str],
    project: Project,
) -> str | None:
    """Why ``blocker`` is planned later than ``milestone`` (one line), or None."""
    day = milestone.day
    if blocker.sprint_id is not None:
        end = sprint_ends.get(blocker.sprint_id)
        if end is not None and end > day:
            return (
                f"planned in {sprint_names[blocker.sprint_id]}, which ends on "
                f"{end.isoformat()}, after {day.isoformat()}"
            )
    elif project.methodology == "scrum":
        return "in no sprint"
    if blocker.due_date is not None and blocker.due_date > day:
        return f"due on {blocker.due_date.isoformat()}, after {day.isoformat()}"
    for other in milestones:
        if other.day > day and blocker.id in scopes[other.id]:
            return f"in the scope of {other.name}, due {other.day.isoformat()}"
    return None


def _choose(snapshots: list[StatusSnapshotInfo], as_of: str | int) -> StatusSnapshotInfo:
    text = str(as_of).strip().lower()
    if text in ("", "last", "latest"):
        return snapshots[-1]
    if text.isdigit() and len(text) <= 9:
        number = int(text)
        if not 1 <= number <= len(snapshots):
            raise NotFound(
                f"There is no status report {number}; this project has {len(snapshots)}."
            )
        return snapshots[number - 1]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"--as-of takes last, a report number or a date (YYYY-MM-DD), not {text[:40]!r}."
        ) from None
    earlier = [s for s in snapshots if s.as_of <= day]
    if not earlier:
        raise NotFound(f"No status report was exported on or before {day.isoformat()}.")
    return earlier[-1]


__all__ = [
    "FORECAST_SEED",
    "PAYLOAD_VERSION",
    "EvmRow",
    "ForecastSummary",
    "HistogramBin",
    "MilestoneRow",
    "RiskRow",
    "StatusReportDTO",
    "StatusReportService",
    "StatusSnapshotInfo",
    "ThreatRow",
    "WorkloadRow",
]
