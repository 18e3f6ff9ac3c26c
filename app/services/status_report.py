"""The project status report: progress, budget, earned value and workload, as a snapshot.

``take(project_id)`` computes the figures now and stores them (one ``status_snapshot`` row,
JSON text, money as exact strings); ``load(project_id, as_of)`` reads a stored one back. A
report is always rendered from a snapshot, so a past report never changes when cards, logs
or rates change later. ``preview`` computes the figures without storing them.

Workload here is each person's assigned work against their capacity in the active sprint,
from :meth:`SprintService.sprint_plan` (the planning dialog's figures); the Team page's
``services.workload`` (another branch) can take its place once merged.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.clock import local_date
from app.errors import NotFound, ValidationError
from app.models import Card, Sprint, StatusSnapshot, WorkflowColumn
from app.services.common import get_project
from app.services.context import ServiceContext

PAYLOAD_VERSION = 1


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

    @property
    def over(self) -> bool:
        return self.over_by > 0


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
    workload_sprint: str | None
    workload_unit: str
    workload: tuple[WorkloadRow, ...]

    @property
    def over_capacity(self) -> tuple[WorkloadRow, ...]:
        return tuple(row for row in self.workload if row.over)


@dataclass(frozen=True, slots=True)
class StatusSnapshotInfo:
    id: int
    number: int  # 1-based within the project, oldest first
    taken_at: dt.datetime
    taken_by: str
    as_of: dt.date


class StatusReportService:
    """Takes and reads status report snapshots (``services.status_reports``)."""

    def __init__(self, context: ServiceContext, budget: Any, sprints: Any) -> None:
        self._ctx = context
        # The budget, earned-value and sprint-plan figures come from those services.
        self._budget = budget
        self._sprints = sprints

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
        workload: dict[str, Any] = {"sprint": None, "unit": "points", "rows": []}
        if sprint is not None:
            plan = self._sprints.sprint_plan(sprint["id"])
            sprint["committed"] = _text(plan.commitment)
            workload = {
                "sprint": sprint["name"],
                "unit": plan.unit,
                "rows": [
                    {
                        "name": m.display_name,
                        "assigned": _text(m.assigned),
                        "capacity": _text(m.capacity),
                        "over_by": _text(m.over_by),
                    }
                    for m in plan.members
                ],
            }
        o = self._budget.overview(project_id)
        table = self._budget.evm(project_id)
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
        }  # fmt: skip


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
                        Decimal(r["over_by"]))
            for r in work["rows"]
        ),
    )  # fmt: skip


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
    "EvmRow",
    "StatusReportDTO",
    "StatusReportService",
    "StatusSnapshotInfo",
    "WorkloadRow",
]
