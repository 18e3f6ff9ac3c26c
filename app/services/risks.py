"""The risk register: add, update, close and list a project's risks (``services.risks``).

A risk is keyed ``R-<number>`` within its project. Probability and impact are 1..5 before
the planned response (inherent) and after it (residual, optional: without it the residual
is the inherent); exposure is their product, so 1..25. A risk still open (or being
mitigated) past its proximity date is ``overdue``: its moment came and nobody closed it.

A risk links epics and cards (both are cards in the database; the DTO tells them apart by
type: ``epic_keys`` and ``card_keys``) and milestones, by name.

Every write is one transaction and publishes ``risks_changed``; an update is its own
inverse (undo calls :meth:`RiskService.update_risk` with the old values), a delete is undone
by :meth:`RiskService.restore_risk` with the DTO the delete returned. An edit or a delete
given the ``expected_version`` it was based on is refused (:class:`StaleEdit`, a
:class:`Conflict`) when someone changed the risk since.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.clock import today_in
from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.models import (
    Card,
    Member,
    Milestone,
    Project,
    ProjectMember,
    Risk,
    RiskCard,
    RiskMilestone,
)
from app.models.plan import RISK_STATUSES
from app.services.common import find_card_id, get_project
from app.services.context import ServiceContext
from app.services.events import Change, ChangeKind
from app.services.validation import (
    clean_choice,
    clean_date,
    clean_money,
    clean_multiline,
    clean_text,
)

TITLE_MAX = 200
SCHEDULE_DAYS_MAX = 1000
ACTIVE_STATUSES = ("open", "mitigating")
RISK_KEY = re.compile(r"^\s*R-?(\d{1,9})\s*$", re.IGNORECASE)


class _Keep:
    """The default of :meth:`RiskService.update_risk`'s fields: leave the value as it is
    (None is a value there: it clears an optional field)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()


@dataclass(frozen=True)
class RiskDTO:
    """One risk of the register as the UI and the CLI see it (read-only)."""

    id: int
    project_id: int
    number: int
    title: str
    description: str
    probability: int
    impact: int
    residual_probability: int | None
    residual_impact: int | None
    owner_id: int | None
    owner: str  # the owner's name, "" for none
    response: str
    trigger: str
    proximity: dt.date | None
    status: str
    schedule_days: int | None
    cost_impact: Decimal | None
    epic_keys: tuple[str, ...]  # linked epics, as keys (WEB-3)
    card_keys: tuple[str, ...]  # linked cards that are not epics, as keys
    milestones: tuple[str, ...]  # linked milestones, by name
    overdue: bool
    version: int

    @property
    def key(self) -> str:
        return f"R-{self.number}"

    @property
    def exposure(self) -> int:
        """Inherent exposure: probability times impact before the response (1..25)."""
        return self.probability * self.impact

    @property
    def current_probability(self) -> int:
        return self.residual_probability or self.probability

    @property
    def current_impact(self) -> int:
        return self.residual_impact or self.impact

    @property
    def residual_exposure(self) -> int:
        """Exposure after the response (the inherent one where no residual was given)."""
        return self.current_probability * self.current_impact

    @property
    def active(self) -> bool:
        """Open or being mitigated: still a threat."""
        return self.status in ACTIVE_STATUSES

    @property
    def linked_keys(self) -> tuple[str, ...]:
        """The epics, then the cards, it is linked to."""
        return self.epic_keys + self.card_keys


def risk_number(value: object) -> int:
    """The number of a risk key such as ``R-3`` (or a bare ``3``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and RISK_KEY.match(value):
        number = int(RISK_KEY.match(value).group(1))  # type: ignore[union-attr]
    else:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
        raise ValidationError(f"{shown} is not a risk key (it looks like R-3).")
    if number < 1:
        raise ValidationError("Risk numbers start at R-1.")
    return number


def clean_scale(value: object, what: str) -> int:
    """A probability or an impact: a whole number from 1 to 5."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
        raise ValidationError(f"The {what} is a whole number from 1 to 5, not {shown}.")
    return value


def _optional_scale(value: object, what: str) -> int | None:
    if value is None or value == "":
        return None
    return clean_scale(value, what)


def clean_schedule_days(value: object) -> int | None:
    """A schedule impact in working days: empty for none, else 0 to 1000."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
        raise ValidationError(
            f"The schedule impact is a whole number of days from 0 to {SCHEDULE_DAYS_MAX}, "
            f"not {shown}."
        )
    return value


class RiskService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- reading -------------------------------------------------------------------------

    def list_risks(self, project_id: int, include_closed: bool = True) -> list[RiskDTO]:
        """The register by number; ``include_closed=False`` keeps open and mitigating."""
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            query = select(Risk).where(Risk.project_id == project_id).order_by(Risk.number)
            if not include_closed:
                query = query.where(Risk.status.in_(ACTIVE_STATUSES))
            return _dtos(session, project, list(session.scalars(query)), self._today(project))

    def get_risk(self, project_id: int, key: object) -> RiskDTO:
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            risk = _find(session, project_id, key)
            return _dtos(session, project, [risk], self._today(project))[0]

    def top_risks(self, project_id: int, limit: int = 5) -> list[RiskDTO]:
        """The open and mitigating risks with the highest residual exposure first (ties:
        the nearer proximity date, then the older risk): the status report's list."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValidationError("Ask for at least one top risk.")
        active = self.list_risks(project_id, include_closed=False)
        far = dt.date.max
        active.sort(key=lambda r: (-r.residual_exposure, r.proximity or far, r.number))
        return active[:limit]

    # --- writing -------------------------------------------------------------------------

    def add_risk(
        self,
        project_id: int,
        title: str,
        *,
        probability: object,
        impact: object,
        residual_probability: object = None,
        residual_impact: object = None,
        description: str = "",
        owner: object = None,
        response: str = "",
        trigger: str = "",
        proximity: object = None,
        status: str = "open",
        schedule_days: object = None,
        cost_impact: object = None,
        cards: Iterable[str] = (),
        epics: Iterable[str] = (),
        milestones: Iterable[str] = (),
    ) -> RiskDTO:
        """Add a risk to the register as ``R-<next number>``. ``owner``: a member of the
        project (name or id); ``cards``: card keys (an epic's key is fine there too);
        ``epics``: epic keys (a card that is not an epic is refused); ``milestones``: their
        names."""
        values = _clean(
            {
                "title": title,
                "probability": probability,
                "impact": impact,
                "residual_probability": residual_probability,
                "residual_impact": residual_impact,
                "description": description,
                "response": response,
                "trigger": trigger,
                "proximity": proximity,
                "status": status,
                "schedule_days": schedule_days,
                "cost_impact": cost_impact,
            }
        )
        with self._ctx.write() as uow:
            session = uow.session
            project = _lock_project(session, project_id)
            owner_id = _owner_id(session, project_id, owner)
            card_ids = _card_ids(session, project, cards)
            card_ids += [i for i in _card_ids(session, project, epics, epics_only=True)
                         if i not in card_ids]  # fmt: skip
            milestone_ids = _milestone_ids(session, project_id, milestones)
            number = (
                session.scalar(select(func.max(Risk.number)).where(Risk.project_id == project_id))
                or 0
            ) + 1
            risk = Risk(project_id=project_id, number=number, owner_id=owner_id, **values)
            session.add(risk)
            session.flush()
            _set_links(session, risk.id, card_ids, milestone_ids)
            dto = _dtos(session, project, [risk], self._today(project))[0]
            uow.notify(Change(ChangeKind.RISKS_CHANGED, project_id))
            uow.commit()
            return dto

    def update_risk(
        self,
        project_id: int,
        key: object,
        *,
        expected_version: int | None = None,
        owner: object = KEEP,
        cards: object = KEEP,
        epics: object = KEEP,
        milestones: object = KEEP,
        **fields: Any,
    ) -> RiskDTO:
        """Change some of a risk's fields (those not given are kept; None clears an
        optional one). ``fields``: title, description, probability, impact,
        residual_probability, residual_impact, response, trigger, proximity, status,
        schedule_days, cost_impact. ``cards`` replaces the linked cards that are not epics
        (an epic's key given there is linked as an epic), ``epics`` the linked epics,
        ``milestones`` the linked milestones. ``expected_version``: the version the change
        is based on; a risk changed since is refused (:class:`StaleEdit`)."""
        unknown = set(fields) - set(_CLEANERS)
        if unknown:
            raise ValidationError(f"A risk has no field {sorted(unknown)[0]!r}.")
        values = _clean({k: v for k, v in fields.items() if v is not KEEP})
        with self._ctx.write() as uow:
            session = uow.session
            project = _lock_project(session, project_id)
            risk = _find(session, project_id, key)
            _check_version(risk, expected_version)
            changed = False
            if owner is not KEEP:
                owner_id = _owner_id(session, project_id, owner)
                if owner_id != risk.owner_id:
                    risk.owner_id = owner_id
                    changed = True
            for name, value in values.items():
                if getattr(risk, name) != value:
                    setattr(risk, name, value)
                    changed = True
            card_ids = None
            if cards is not KEEP or epics is not KEEP:
                card_ids = _new_links(session, project, risk.id, cards, epics)
            milestone_ids = (
                None if milestones is KEEP else _milestone_ids(session, project_id, milestones)  # type: ignore[arg-type]
            )
            if card_ids is not None and set(card_ids) != set(_linked_cards(session, risk.id)):
                session.execute(delete(RiskCard).where(RiskCard.risk_id == risk.id))
                _set_links(session, risk.id, card_ids, [])
                changed = True
            if milestone_ids is not None and set(milestone_ids) != set(
                session.scalars(
                    select(RiskMilestone.milestone_id).where(RiskMilestone.risk_id == risk.id)
                )
            ):
                session.execute(delete(RiskMilestone).where(RiskMilestone.risk_id == risk.id))
                _set_links(session, risk.id, [], milestone_ids)
                changed = True
            if changed:
                risk.version += 1
            session.flush()
            dto = _dtos(session, project, [risk], self._today(project))[0]
            if changed:
                uow.notify(Change(ChangeKind.RISKS_CHANGED, project_id))
                uow.commit()
            return dto

    def close_risk(self, project_id: int, key: object, happened: bool = False) -> RiskDTO:
        """Close a risk (or mark that it happened); undo is :meth:`update_risk` with the
        old status."""
        return self.update_risk(project_id, key, status="happened" if happened else "closed")

    def delete_risk(
        self, project_id: int, key: object, expected_version: int | None = None
    ) -> RiskDTO:
        """Take a risk out of the register; returns it as it was, links included, for
        :meth:`restore_risk` (undo). ``expected_version``: refused when the risk was
        changed since (:class:`StaleEdit`)."""
        with self._ctx.write() as uow:
            session = uow.session
            project = get_project(session, project_id)
            risk = _find(session, project_id, key)
            _check_version(risk, expected_version)
            dto = _dtos(session, project, [risk], self._today(project))[0]
            session.delete(risk)
            session.flush()
            uow.notify(Change(ChangeKind.RISKS_CHANGED, project_id))
            uow.commit()
            return dto

    def restore_risk(self, risk: RiskDTO) -> RiskDTO:
        """Put a deleted risk back with its key, fields and links (undoing
        :meth:`delete_risk`). Links to what no longer exists are dropped, an owner who left
        the team is cleared. Refused (:class:`Conflict`) when its key was taken since."""
        if not isinstance(risk, RiskDTO):
            raise ValidationError("Only a risk the register returned can be restored.")
        with self._ctx.write() as uow:
            session = uow.session
            project = _lock_project(session, risk.project_id)
            taken = session.scalar(
                select(Risk.id).where(Risk.project_id == project.id, Risk.number == risk.number)
            )
            if taken is not None:
                raise Conflict(f"{risk.key} cannot come back: its key is in use again.")
            try:
                owner_id = _owner_id(session, project.id, risk.owner_id)
            except ValidationError:
                owner_id = None
            card_ids = _existing_cards(session, project, risk.linked_keys)
            milestone_ids = list(
                session.scalars(
                    select(Milestone.id).where(
                        Milestone.project_id == project.id, Milestone.name.in_(risk.milestones)
                    )
                )
            )
            restored = Risk(
                project_id=project.id,
                number=risk.number,
                title=risk.title,
                description=risk.description,
                probability=risk.probability,
                impact=risk.impact,
                residual_probability=risk.residual_probability,
                residual_impact=risk.residual_impact,
                owner_id=owner_id,
                response=risk.response,
                trigger=risk.trigger,
                proximity=risk.proximity,
                status=risk.status,
                schedule_days=risk.schedule_days,
                cost_impact=risk.cost_impact,
                version=risk.version + 1,
            )
            session.add(restored)
            session.flush()
            _set_links(session, restored.id, card_ids, milestone_ids)
            dto = _dtos(session, project, [restored], self._today(project))[0]
            uow.notify(Change(ChangeKind.RISKS_CHANGED, project.id))
            uow.commit()
            return dto

    def _today(self, project: Project) -> dt.date:
        return today_in(project.time_zone, self._ctx.clock())


# --- helpers -------------------------------------------------------------------------------


def _text(what: str, limit: int) -> Any:
    return lambda value: clean_text(value, what, limit)


def _long(what: str) -> Any:
    return lambda value: clean_multiline(value, what, 10_000)


_CLEANERS: dict[str, Any] = {
    "title": _text("risk title", TITLE_MAX),
    "description": _long("description"),
    "probability": lambda v: clean_scale(v, "probability"),
    "impact": lambda v: clean_scale(v, "impact"),
    "residual_probability": lambda v: _optional_scale(v, "residual probability"),
    "residual_impact": lambda v: _optional_scale(v, "residual impact"),
    "response": _long("response"),
    "trigger": _long("trigger"),
    "proximity": lambda v: clean_date(v, "proximity date"),
    "status": lambda v: clean_choice(v, RISK_STATUSES, "risk status"),
    "schedule_days": clean_schedule_days,
    "cost_impact": lambda v: clean_money(v, "cost impact"),
}


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    return {name: _CLEANERS[name](value) for name, value in raw.items()}


def _lock_project(session: Session, project_id: int) -> Project:
    """The project, locked for this transaction: two writers adding a risk at once get
    R-4 and R-5, never two R-4s."""
    get_project(session, project_id)
    project = session.get(Project, project_id, with_for_update=True)
    assert project is not None
    return project


def _find(session: Session, project_id: int, key: object) -> Risk:
    number = risk_number(key)
    risk = session.scalar(select(Risk).where(Risk.project_id == project_id, Risk.number == number))
    if risk is None:
        raise NotFound(f"There is no risk R-{number} in this project.")
    return risk


def _owner_id(session: Session, project_id: int, owner: object) -> int | None:
    """A member of the project, by id or by name (case-insensitive); None for no owner."""
    if owner is None or owner == "":
        return None
    query = select(Member.id).join(ProjectMember, ProjectMember.member_id == Member.id)
    query = query.where(ProjectMember.project_id == project_id)
    if isinstance(owner, int) and not isinstance(owner, bool):
        member_id = session.scalar(query.where(Member.id == owner))
        shown = f"member {owner}"
    else:
        name = clean_text(owner, "owner", 100)
        member_id = session.scalar(query.where(func.lower(Member.display_name) == name.lower()))
        shown = name
    if member_id is None:
        raise ValidationError(f"The owner {shown} is not a member of this project's team.")
    return member_id


def _check_version(risk: Risk, expected_version: int | None) -> None:
    """Refuse a change based on an older version of the risk than the stored one."""
    if expected_version is not None and risk.version != expected_version:
        raise StaleEdit(
            f"R-{risk.number} was changed by someone else since you opened it; "
            "reload it, then apply your change again.",
            current_version=risk.version,
        )


def _card_ids(
    session: Session, project: Project, keys: Iterable[str], epics_only: bool = False
) -> list[int]:
    """The ids of cards of ``project`` by key; ``epics_only``: each must be an epic."""
    if isinstance(keys, str):
        keys = [keys]
    ids: list[int] = []
    for key in keys:
        card_id = find_card_id(session, key)
        row = session.execute(select(Card.project_id, Card.type).where(Card.id == card_id)).one()
        shown = str(key).strip().upper()
        if row.project_id != project.id:
            raise ValidationError(f"{shown} is a card of another project.")
        if epics_only and row.type != "epic":
            raise ValidationError(f"{shown} is a {row.type}, not an epic.")
        if card_id not in ids:
            ids.append(card_id)
    return ids


def _new_links(
    session: Session, project: Project, risk_id: int, cards: object, epics: object
) -> list[int]:
    """The card ids a risk links after an update: the given cards (or the linked ones
    that are not epics, when kept) and the given epics (or the linked epics, when kept)."""
    linked = session.execute(
        select(Card.id, Card.type)
        .join(RiskCard, RiskCard.card_id == Card.id)
        .where(RiskCard.risk_id == risk_id)
    ).all()
    if cards is KEEP:
        ids = [row.id for row in linked if row.type != "epic"]
    else:
        ids = _card_ids(session, project, cards)  # type: ignore[arg-type]
    if epics is KEEP:
        epic_ids = [row.id for row in linked if row.type == "epic"]
    else:
        epic_ids = _card_ids(session, project, epics, epics_only=True)  # type: ignore[arg-type]
    return ids + [i for i in epic_ids if i not in ids]


def _existing_cards(session: Session, project: Project, keys: Iterable[str]) -> list[int]:
    """The ids of those of ``keys`` that are still cards of ``project`` (a restore)."""
    ids: list[int] = []
    for key in keys:
        try:
            ids.extend(_card_ids(session, project, [key]))
        except (NotFound, ValidationError):
            continue
    return ids


def _milestone_ids(session: Session, project_id: int, names: Iterable[str]) -> list[int]:
    if isinstance(names, str):
        names = [names]
    ids: list[int] = []
    for name in names:
        clean = clean_text(name, "milestone name", 200)
        milestone_id = session.scalar(
            select(Milestone.id).where(
                Milestone.project_id == project_id, func.lower(Milestone.name) == clean.lower()
            )
        )
        if milestone_id is None:
            raise NotFound(f"There is no milestone {clean!r} in this project.")
        if milestone_id not in ids:
            ids.append(milestone_id)
    return ids


def _set_links(
    session: Session, risk_id: int, card_ids: Iterable[int], milestone_ids: Iterable[int]
) -> None:
    session.add_all(RiskCard(risk_id=risk_id, card_id=c) for c in card_ids)
    session.add_all(RiskMilestone(risk_id=risk_id, milestone_id=m) for m in milestone_ids)
    session.flush()


def _linked_cards(session: Session, risk_id: int) -> list[int]:
    return list(session.scalars(select(RiskCard.card_id).where(RiskCard.risk_id == risk_id)))


def _dtos(session: Session, project: Project, risks: list[Risk], today: dt.date) -> list[RiskDTO]:
    if not risks:
        return []
    ids = [r.id for r in risks]
    cards: dict[int, list[str]] = {}
    epics: dict[int, list[str]] = {}
    for risk_id, number, kind in session.execute(
        select(RiskCard.risk_id, Card.number, Card.type)
        .join(Card, Card.id == RiskCard.card_id)
        .where(RiskCard.risk_id.in_(ids))
        .order_by(Card.number)
    ):
        into = epics if kind == "epic" else cards
        into.setdefault(risk_id, []).append(f"{project.key}-{number}")
    milestones: dict[int, list[str]] = {}
    for risk_id, name in session.execute(
        select(RiskMilestone.risk_id, Milestone.name)
        .join(Milestone, Milestone.id == RiskMilestone.milestone_id)
        .where(RiskMilestone.risk_id.in_(ids))
        .order_by(Milestone.day, Milestone.name)
    ):
        milestones.setdefault(risk_id, []).append(name)
    owners = {r.owner_id for r in risks if r.owner_id is not None}
    names = (
        dict(
            session.execute(
                select(Member.id, Member.display_name).where(Member.id.in_(owners))
            ).all()
        )
        if owners
        else {}
    )
    return [
        RiskDTO(
            id=r.id,
            project_id=r.project_id,
            number=r.number,
            title=r.title,
            description=r.description or "",
            probability=r.probability,
            impact=r.impact,
            residual_probability=r.residual_probability,
            residual_impact=r.residual_impact,
            owner_id=r.owner_id,
            owner=names.get(r.owner_id, "") if r.owner_id is not None else "",
            response=r.response or "",
            trigger=r.trigger or "",
            proximity=r.proximity,
            status=r.status,
            schedule_days=r.schedule_days,
            cost_impact=None if r.cost_impact is None else Decimal(r.cost_impact),
            epic_keys=tuple(epics.get(r.id, ())),
            card_keys=tuple(cards.get(r.id, ())),
            milestones=tuple(milestones.get(r.id, ())),
            overdue=(
                r.status in ACTIVE_STATUSES and r.proximity is not None and r.proximity < today
            ),
            version=r.version,
        )
        for r in risks
    ]
