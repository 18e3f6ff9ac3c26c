"""Milestones, their scope, card dependencies and what the Timeline draws (issue 18, part A).

A milestone is a named date of a project with a scope: cards, and epics (which bring their
children). A dependency says one card blocks another; a link that would close a cycle is
refused with the cycle named, because a cycle can never be finished. Every write is one
transaction and publishes ``plans_changed`` after its commit; deleting a milestone returns
what :meth:`PlanService.restore_milestone` needs to bring it back (undo).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.clock import local_date
from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.models import Card, Project, Sprint, WorkflowColumn
from app.models.plan import CardDependency, Milestone, MilestoneScope
from app.services.common import check_id, find_card_id, get_project
from app.services.context import ServiceContext
from app.services.events import Change, ChangeKind
from app.services.validation import clean_date, clean_multiline, clean_text

MILESTONE_NAME_MAX = 200
MILESTONE_DESCRIPTION_MAX = 10_000
EPIC_DEFAULT_DAYS = 14  # an epic with no date at all is drawn two weeks long


@dataclass(frozen=True)
class MilestoneDTO:
    """A milestone with the size of its scope (cards, an epic counting its children) and
    how many of those are done."""

    id: int
    project_id: int
    name: str
    day: dt.date
    description: str
    version: int
    scope_size: int = 0
    done_count: int = 0
    scope_keys: tuple[str, ...] = ()  # the cards and epics linked directly
    scope_ids: tuple[int, ...] = ()  # their ids, in the same order


@dataclass(frozen=True)
class MilestoneDeletionDTO:
    """What a deleted milestone was, so undo can restore it with its scope."""

    milestone: MilestoneDTO
    scope_card_ids: tuple[int, ...]


@dataclass(frozen=True)
class LinkedCardDTO:
    id: int
    key: str
    title: str
    done: bool


@dataclass(frozen=True)
class CardLinksDTO:
    """What a card blocks and what blocks it (the card editor's Links tab)."""

    card_id: int
    blocks: tuple[LinkedCardDTO, ...]
    blocked_by: tuple[LinkedCardDTO, ...]


@dataclass(frozen=True)
class PlanningFlagDTO:
    """A card planned into a sprint before (or without) a card it depends on."""

    card_id: int
    card_key: str
    blocker_key: str
    message: str


@dataclass(frozen=True)
class TimelineSprintDTO:
    id: int
    name: str
    start: dt.date
    end: dt.date
    state: str


@dataclass(frozen=True)
class TimelineEpicDTO:
    """An epic's bar: from its first start to its latest due date or sprint end (until a
    forecast gives a range), with how many of its cards are done."""

    id: int
    key: str
    title: str
    start: dt.date
    end: dt.date
    total: int
    done: int


@dataclass(frozen=True)
class TimelineLinkDTO:
    """An arrow between two epic bars: the blocking epic, the blocked one, and the card
    links it stands for ("TL-3 blocks TL-7"); ``direct``: the epics themselves are linked."""

    blocker_epic_id: int
    blocked_epic_id: int
    direct: bool
    pairs: tuple[str, ...]


@dataclass(frozen=True)
class TimelineDTO:
    project_id: int
    today: dt.date
    project_start: dt.date
    sprints: tuple[TimelineSprintDTO, ...]
    epics: tuple[TimelineEpicDTO, ...]
    milestones: tuple[MilestoneDTO, ...]
    links: tuple[TimelineLinkDTO, ...] = ()


def _done_column_ids(session: Session, project_id: int) -> set[int]:
    return set(
        session.scalars(
            select(WorkflowColumn.id).where(
                WorkflowColumn.project_id == project_id, WorkflowColumn.category == "done"
            )
        )
    )


def _project_start(session: Session, project: Project) -> dt.date:
    """The first day of a project: its first sprint's start or the day it was created,
    whichever is earlier (a milestone before it is refused)."""
    created = local_date(project.created_at, project.time_zone)
    first_sprint = session.scalar(
        select(func.min(Sprint.start_date)).where(Sprint.project_id == project.id)
    )
    return min(created, first_sprint) if first_sprint is not None else created


def _key_map(session: Session, card_ids: Iterable[int]) -> dict[int, tuple[str, str, int, int]]:
    """Card id -> (key, title, column id, project id) for the given cards."""
    ids = list(set(card_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Card.id, Project.key, Card.number, Card.title, Card.column_id, Card.project_id)
        .join(Project, Project.id == Card.project_id)
        .where(Card.id.in_(ids))
    ).all()
    return {r[0]: (f"{r[1]}-{r[2]}", r[3], r[4], r[5]) for r in rows}


class PlanService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- milestones ----------------------------------------------------------------------

    def list_milestones(self, project_id: int) -> list[MilestoneDTO]:
        """The project's milestones by date, each with its scope size and done count."""
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            return self._milestones(uow.session, project_id)

    def get_milestone(self, milestone_id: int) -> MilestoneDTO:
        with self._ctx.read() as uow:
            milestone = self._get(uow.session, milestone_id)
            return self._milestone_dto(uow.session, milestone)

    def find_milestone(self, project_id: int, name: str) -> MilestoneDTO:
        """A milestone by its name (case-insensitive), as the CLI names them."""
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            milestone = self._by_name(uow.session, project_id, str(name))
            return self._milestone_dto(uow.session, milestone)

    def add_milestone(
        self,
        project_id: int,
        name: object,
        day: object,
        description: object = "",
        scope: Sequence[int] = (),
    ) -> MilestoneDTO:
        """A new milestone; its name is unique in the project and its date is not before
        the project starts. ``scope``: ids of the cards and epics it covers (linked in the
        same transaction)."""
        clean_name = clean_text(name, "milestone name", MILESTONE_NAME_MAX)
        when = self._clean_day(day)
        text = clean_multiline(description or "", "description", MILESTONE_DESCRIPTION_MAX)
        ids = [check_id(c, "card") for c in scope]
        with self._ctx.write() as uow:
            session = uow.session
            project = get_project(session, project_id)
            self._check_day(session, project, when)
            self._check_unique(session, project_id, clean_name, None)
            milestone = Milestone(
                project_id=project_id, name=clean_name, day=when, description=text
            )
            session.add(milestone)
            session.flush()
            self._set_scope(session, milestone, ids, replace=True)
            dto = self._milestone_dto(session, milestone)
            uow.notify(Change(ChangeKind.PLANS_CHANGED, project_id))
            uow.commit()
            return dto

    def update_milestone(
        self,
        milestone_id: int,
        *,
        name: object = None,
        day: object = None,
        description: object = None,
        scope: Sequence[int] | None = None,
        expected_version: int | None = None,
    ) -> MilestoneDTO:
        """Rename a milestone, move its date, change its description or replace its scope
        (card and epic ids); None keeps one. Undo is the same call with the old values."""
        ids = None if scope is None else [check_id(c, "card") for c in scope]
        clean_name = None if name is None else clean_text(name, "milestone name", 200)
        when = None if day is None else self._clean_day(day)
        text = (
            None
            if description is None
            else clean_multiline(description, "description", MILESTONE_DESCRIPTION_MAX)
        )
        with self._ctx.write() as uow:
            session = uow.session
            milestone = self._get(session, milestone_id)
            if expected_version is not None and milestone.version != expected_version:
                raise StaleEdit(
                    f"The milestone {milestone.name!r} was changed by someone else since you "
                    "opened it. Reload it, then apply your change again.",
                    current_version=milestone.version,
                )
            project = get_project(session, milestone.project_id)
            changed = False
            if clean_name is not None and clean_name != milestone.name:
                self._check_unique(session, milestone.project_id, clean_name, milestone.id)
                milestone.name = clean_name
                changed = True
            if when is not None and when != milestone.day:
                self._check_day(session, project, when)
                milestone.day = when
                changed = True
            if text is not None and text != milestone.description:
                milestone.description = text
                changed = True
            if ids is not None and self._set_scope(session, milestone, ids, replace=True):
                changed = True
            if changed:
                milestone.version += 1
                session.flush()
            dto = self._milestone_dto(session, milestone)
            if changed:
                uow.notify(Change(ChangeKind.PLANS_CHANGED, milestone.project_id))
                uow.commit()
            return dto

    def move_milestone(self, milestone_id: int, day: object) -> MilestoneDTO:
        """Move a milestone to another date (what dragging its diamond does)."""
        return self.update_milestone(milestone_id, day=day)

    def delete_milestone(self, milestone_id: int) -> MilestoneDeletionDTO:
        """Delete a milestone; the answer restores it (with its scope) for undo."""
        with self._ctx.write() as uow:
            session = uow.session
            milestone = self._get(session, milestone_id)
            dto = self._milestone_dto(session, milestone)
            scope = tuple(
                session.scalars(
                    select(MilestoneScope.card_id)
                    .where(MilestoneScope.milestone_id == milestone.id)
                    .order_by(MilestoneScope.card_id)
                )
            )
            session.execute(
                delete(MilestoneScope).where(MilestoneScope.milestone_id == milestone.id)
            )
            session.delete(milestone)
            uow.notify(Change(ChangeKind.PLANS_CHANGED, dto.project_id))
            uow.commit()
            return MilestoneDeletionDTO(dto, scope)

    def restore_milestone(self, deletion: MilestoneDeletionDTO) -> MilestoneDTO:
        """Bring a deleted milestone back with its scope (the cards that still exist)."""
        old = deletion.milestone
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, old.project_id)
            if session.get(Milestone, old.id) is not None:
                raise Conflict(f"The milestone {old.name!r} is not deleted.")
            self._check_unique(session, old.project_id, old.name, None)
            milestone = Milestone(
                id=old.id,
                project_id=old.project_id,
                name=old.name,
                day=old.day,
                description=old.description,
                version=old.version + 1,
            )
            session.add(milestone)
            session.flush()
            alive = set(
                session.scalars(select(Card.id).where(Card.id.in_(deletion.scope_card_ids)))
            )
            for card_id in deletion.scope_card_ids:
                if card_id in alive:
                    session.add(MilestoneScope(milestone_id=milestone.id, card_id=card_id))
            session.flush()
            dto = self._milestone_dto(session, milestone)
            uow.notify(Change(ChangeKind.PLANS_CHANGED, old.project_id))
            uow.commit()
            return dto

    def link_scope(self, milestone_id: int, card_ids: Sequence[int]) -> MilestoneDTO:
        """Put cards or epics in a milestone's scope (ones already in it are kept)."""
        ids = [check_id(c, "card") for c in card_ids]
        if not ids:
            raise ValidationError("Name at least one card or epic to link.")
        with self._ctx.write() as uow:
            session = uow.session
            milestone = self._get(session, milestone_id)
            self._set_scope(session, milestone, ids, replace=False)
            dto = self._milestone_dto(session, milestone)
            uow.notify(Change(ChangeKind.PLANS_CHANGED, milestone.project_id))
            uow.commit()
            return dto

    def link_scope_keys(self, project_id: int, name: str, keys: Sequence[str]) -> MilestoneDTO:
        """:meth:`link_scope` by milestone name and card keys (``SD-4``), as the CLI has it."""
        milestone = self.find_milestone(project_id, name)
        with self._ctx.read() as uow:
            ids = [find_card_id(uow.session, key) for key in keys]
        return self.link_scope(milestone.id, ids)

    def unlink_scope(self, milestone_id: int, card_ids: Sequence[int]) -> MilestoneDTO:
        ids = [check_id(c, "card") for c in card_ids]
        with self._ctx.write() as uow:
            session = uow.session
            milestone = self._get(session, milestone_id)
            session.execute(
                delete(MilestoneScope).where(
                    MilestoneScope.milestone_id == milestone.id, MilestoneScope.card_id.in_(ids)
                )
            )
            session.flush()
            dto = self._milestone_dto(session, milestone)
            uow.notify(Change(ChangeKind.PLANS_CHANGED, milestone.project_id))
            uow.commit()
            return dto

    # --- dependencies --------------------------------------------------------------------

    def link(self, blocker_id: int, blocked_id: int) -> CardLinksDTO:
        """Record that ``blocker_id`` blocks ``blocked_id``. Refused for a card and itself,
        for cards of two projects, and when the link would close a cycle (named)."""
        check_id(blocker_id, "blocking card")
        check_id(blocked_id, "blocked card")
        with self._ctx.write() as uow:
            session = uow.session
            cards = _key_map(session, (blocker_id, blocked_id))
            for card_id in (blocker_id, blocked_id):
                if card_id not in cards:
                    raise NotFound(f"There is no card with id {card_id}.")
            blocker_key, blocked_key = cards[blocker_id][0], cards[blocked_id][0]
            if blocker_id == blocked_id:
                raise ValidationError(f"{blocker_key} cannot block itself.")
            project_id = cards[blocker_id][3]
            if cards[blocked_id][3] != project_id:
                raise ValidationError(
                    f"{blocker_key} and {blocked_key} are in different projects; "
                    "a card can only depend on a card of its own project."
                )
            exists = session.get(CardDependency, (blocker_id, blocked_id))
            if exists is None:
                cycle = self._path(session, project_id, blocked_id, blocker_id)
                if cycle is not None:
                    keys = _key_map(session, cycle)
                    names = [blocker_key] + [keys[c][0] for c in cycle]
                    raise Conflict(
                        f"{blocker_key} cannot block {blocked_key}: that closes the cycle "
                        + " → ".join(names)
                        + "."
                    )
                session.add(CardDependency(blocker_id=blocker_id, blocked_id=blocked_id))
                session.flush()
            dto = self._links(session, blocked_id)
            if exists is None:
                uow.notify(Change(ChangeKind.PLANS_CHANGED, project_id))
                uow.commit()
            return dto

    def unlink(self, blocker_id: int, blocked_id: int) -> CardLinksDTO:
        """Remove the link "``blocker_id`` blocks ``blocked_id``" (nothing if there is none)."""
        check_id(blocker_id, "blocking card")
        check_id(blocked_id, "blocked card")
        with self._ctx.write() as uow:
            session = uow.session
            cards = _key_map(session, (blocker_id, blocked_id))
            if blocked_id not in cards:
                raise NotFound(f"There is no card with id {blocked_id}.")
            link = session.get(CardDependency, (blocker_id, blocked_id))
            if link is not None:
                session.delete(link)
                session.flush()
            dto = self._links(session, blocked_id)
            if link is not None:
                uow.notify(Change(ChangeKind.PLANS_CHANGED, cards[blocked_id][3]))
                uow.commit()
            return dto

    def link_keys(self, blocker_key: str, blocked_key: str, unlink: bool = False) -> CardLinksDTO:
        """:meth:`link` (or :meth:`unlink`) by card keys, as ``card link KEY --blocks KEY2``."""
        with self._ctx.read() as uow:
            blocker = find_card_id(uow.session, blocker_key)
            blocked = find_card_id(uow.session, blocked_key)
        return self.unlink(blocker, blocked) if unlink else self.link(blocker, blocked)

    def links(self, card_id: int) -> CardLinksDTO:
        """What the card blocks and what blocks it, by key."""
        check_id(card_id, "card")
        with self._ctx.read() as uow:
            if uow.session.get(Card, card_id) is None:
                raise NotFound(f"There is no card with id {card_id}.")
            return self._links(uow.session, card_id)

    def blocked_by(self, project_id: int) -> dict[int, tuple[str, ...]]:
        """Card id -> keys of the cards blocking it that are not done (the board's "⛔
        blocked by SD-4" badge); one query for the whole board. Done cards are left out:
        they wait for nothing any more."""
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            return blocked_keys(session, project_id)

    def planning_flags(self, sprint_id: int) -> list[PlanningFlagDTO]:
        """Cards of a sprint planned before (or without) a card they depend on: the blocker
        is not done and is in no sprint or in a sprint that starts later."""
        check_id(sprint_id, "sprint")
        with self._ctx.read() as uow:
            session = uow.session
            sprint = session.get(Sprint, sprint_id)
            if sprint is None:
                raise NotFound(f"There is no sprint with id {sprint_id}.")
            cards = list(
                session.scalars(
                    select(Card.id).where(Card.sprint_id == sprint.id, Card.archived.is_(False))
                )
            )
            return self._flags(session, sprint, cards)

    def planning_problem(self, card_id: int, sprint_id: int) -> str | None:
        """Why planning this card into this sprint comes before a card it depends on (one
        line), or None when it does not."""
        check_id(card_id, "card")
        check_id(sprint_id, "sprint")
        with self._ctx.read() as uow:
            sprint = uow.session.get(Sprint, sprint_id)
            if sprint is None:
                raise NotFound(f"There is no sprint with id {sprint_id}.")
            flags = self._flags(uow.session, sprint, [card_id])
            return flags[0].message if flags else None

    # --- the timeline --------------------------------------------------------------------

    def timeline(self, project_id: int) -> TimelineDTO:
        """What the Timeline page draws: sprints, epic bars, milestones, today. A fixed
        number of grouped queries whatever the number of cards."""
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            today = local_date(self._ctx.clock(), project.time_zone)
            start = _project_start(session, project)
            sprints = tuple(
                TimelineSprintDTO(s.id, s.name, s.start_date, s.end_date, s.state)
                for s in session.scalars(
                    select(Sprint)
                    .where(
                        Sprint.project_id == project_id,
                        Sprint.start_date.is_not(None),
                        Sprint.end_date.is_not(None),
                    )
                    .order_by(Sprint.start_date, Sprint.id)
                )
            )
            done_cols = _done_column_ids(session, project_id)
            epics = session.execute(
                select(Card.id, Card.number, Card.title, Card.created_at, Card.due_date)
                .where(
                    Card.project_id == project_id,
                    Card.type == "epic",
                    Card.archived.is_(False),
                )
                .order_by(Card.rank)
            ).all()
            child = session.execute(
                select(
                    Card.parent_id,
                    func.count(Card.id),
                    func.sum(case((Card.column_id.in_(done_cols), 1), else_=0)),
                    func.min(Sprint.start_date),
                    func.max(Sprint.end_date),
                    func.max(Card.due_date),
                    func.min(Card.created_at),
                )
                .outerjoin(Sprint, Sprint.id == Card.sprint_id)
                .where(
                    Card.project_id == project_id,
                    Card.parent_id.is_not(None),
                    Card.archived.is_(False),
                )
                .group_by(Card.parent_id)
            ).all()
            by_epic = {row[0]: row[1:] for row in child}
            bars = []
            for epic_id, number, title, created, due in epics:
                total, done, first, last, latest_due, first_created = by_epic.get(
                    epic_id, (0, 0, None, None, None, None)
                )
                created_day = local_date(first_created or created, project.time_zone)
                begin = first or created_day
                ends = [d for d in (last, latest_due, due) if d is not None]
                end = max(ends) if ends else begin + dt.timedelta(days=EPIC_DEFAULT_DAYS)
                if end < begin:
                    end = begin
                bars.append(
                    TimelineEpicDTO(
                        epic_id, f"{project.key}-{number}", title, begin, end, total, int(done or 0)
                    )
                )
            return TimelineDTO(
                project_id,
                today,
                start,
                sprints,
                tuple(bars),
                tuple(self._milestones(session, project_id)),
                _epic_links(session, project, {e[0] for e in epics}),
            )

    # --- inside --------------------------------------------------------------------------

    def _clean_day(self, day: object) -> dt.date:
        when = clean_date(day, "milestone date")
        if when is None:
            raise ValidationError("A milestone needs a date (YYYY-MM-DD).")
        return when

    def _check_day(self, session: Session, project: Project, day: dt.date) -> None:
        start = _project_start(session, project)
        if day < start:
            raise ValidationError(
                f"{day.isoformat()} is before the project {project.key} starts "
                f"({start.isoformat()}); a milestone cannot come first."
            )

    def _check_unique(
        self, session: Session, project_id: int, name: str, milestone_id: int | None
    ) -> None:
        query = select(Milestone.id).where(
            Milestone.project_id == project_id, func.lower(Milestone.name) == name.lower()
        )
        if milestone_id is not None:
            query = query.where(Milestone.id != milestone_id)
        if session.scalar(query) is not None:
            raise Conflict(f"The project already has a milestone named {name!r}.")

    def _set_scope(
        self, session: Session, milestone: Milestone, ids: Sequence[int], replace: bool
    ) -> bool:
        """Link the cards to the milestone (``replace``: and unlink the others); refused for
        a missing card or one of another project. True when the scope changed."""
        cards = _key_map(session, ids)
        for card_id in ids:
            if card_id not in cards:
                raise NotFound(f"There is no card with id {card_id}.")
            if cards[card_id][3] != milestone.project_id:
                raise ValidationError(
                    f"{cards[card_id][0]} is a card of another project than the "
                    f"milestone {milestone.name!r}."
                )
        have = set(
            session.scalars(
                select(MilestoneScope.card_id).where(MilestoneScope.milestone_id == milestone.id)
            )
        )
        wanted = set(ids)
        gone = have - wanted if replace else set()
        if gone:
            session.execute(
                delete(MilestoneScope).where(
                    MilestoneScope.milestone_id == milestone.id,
                    MilestoneScope.card_id.in_(gone),
                )
            )
        for card_id in dict.fromkeys(ids):
            if card_id not in have:
                session.add(MilestoneScope(milestone_id=milestone.id, card_id=card_id))
        session.flush()
        return bool(gone or wanted - have)

    def _get(self, session: Session, milestone_id: int) -> Milestone:
        check_id(milestone_id, "milestone")
        milestone = session.get(Milestone, milestone_id)
        if milestone is None:
            raise NotFound(f"There is no milestone with id {milestone_id}.")
        return milestone

    def _by_name(self, session: Session, project_id: int, name: str) -> Milestone:
        milestone = session.scalar(
            select(Milestone).where(
                Milestone.project_id == project_id,
                func.lower(Milestone.name) == name.strip().lower(),
            )
        )
        if milestone is None:
            shown = name.strip() if len(name.strip()) <= 40 else name.strip()[:39] + "…"
            raise NotFound(f"There is no milestone named {shown!r} in this project.")
        return milestone

    def _milestones(self, session: Session, project_id: int) -> list[MilestoneDTO]:
        """Every milestone of the project with its scope counted, from four queries
        whatever the number of milestones (the Timeline reads them on every refresh)."""
        rows = list(
            session.scalars(
                select(Milestone)
                .where(Milestone.project_id == project_id)
                .order_by(Milestone.day, Milestone.id)
            )
        )
        if not rows:
            return []
        key = session.scalar(select(Project.key).where(Project.id == project_id))
        direct: dict[int, list[tuple[int, int, str, int, bool]]] = {}
        for milestone_id, *card in session.execute(
            select(
                MilestoneScope.milestone_id, Card.id, Card.number, Card.type, Card.column_id,
                Card.archived,
            )
            .join(Card, Card.id == MilestoneScope.card_id)
            .join(Milestone, Milestone.id == MilestoneScope.milestone_id)
            .where(Milestone.project_id == project_id)
            .order_by(Card.number)
        ):  # fmt: skip
            direct.setdefault(milestone_id, []).append(tuple(card))  # type: ignore[arg-type]
        epics = {c[0] for cards in direct.values() for c in cards if c[2] == "epic" and not c[4]}
        children: dict[int, list[tuple[int, int]]] = {}
        if epics:
            for card_id, column_id, parent_id in session.execute(
                select(Card.id, Card.column_id, Card.parent_id).where(
                    Card.parent_id.in_(epics), Card.archived.is_(False)
                )
            ):
                children.setdefault(parent_id, []).append((card_id, column_id))
        done_cols = _done_column_ids(session, project_id)
        answer = []
        for milestone in rows:
            cards = direct.get(milestone.id, [])
            scope: dict[int, int] = {}
            for card_id, _number, kind, column_id, archived in cards:
                if archived:
                    continue
                if kind == "epic" and children.get(card_id):
                    scope.update(dict(children[card_id]))
                else:
                    scope.setdefault(card_id, column_id)
            answer.append(_milestone_of(milestone, scope, done_cols, key, cards))
        return answer

    def _milestone_dto(self, session: Session, milestone: Milestone) -> MilestoneDTO:
        direct = list(
            session.execute(
                select(Card.id, Card.number, Card.type)
                .join(MilestoneScope, MilestoneScope.card_id == Card.id)
                .where(MilestoneScope.milestone_id == milestone.id)
                .order_by(Card.number)
            ).all()
        )
        key = session.scalar(select(Project.key).where(Project.id == milestone.project_id))
        scope = self._scope_cards(session, [r[0] for r in direct])
        done_cols = _done_column_ids(session, milestone.project_id)
        return _milestone_of(milestone, scope, done_cols, key, direct)

    def _scope_cards(self, session: Session, card_ids: list[int]) -> dict[int, int]:
        """Card id -> column id of a scope: the linked cards, and an epic's children in its
        place (an epic with no children counts as one card)."""
        if not card_ids:
            return {}
        linked = session.execute(
            select(Card.id, Card.column_id, Card.type).where(
                Card.id.in_(card_ids), Card.archived.is_(False)
            )
        ).all()
        epics = [r[0] for r in linked if r[2] == "epic"]
        children = (
            session.execute(
                select(Card.id, Card.column_id, Card.parent_id).where(
                    Card.parent_id.in_(epics), Card.archived.is_(False)
                )
            ).all()
            if epics
            else []
        )
        with_children = {r[2] for r in children}
        scope = {r[0]: r[1] for r in linked if r[0] not in with_children}
        scope.update({r[0]: r[1] for r in children})
        return scope

    def _links(self, session: Session, card_id: int) -> CardLinksDTO:
        rows = session.execute(
            select(CardDependency.blocker_id, CardDependency.blocked_id).where(
                or_(CardDependency.blocker_id == card_id, CardDependency.blocked_id == card_id)
            )
        ).all()
        others = {a if b == card_id else b for a, b in rows}
        cards = _key_map(session, others)
        project_id = session.scalar(select(Card.project_id).where(Card.id == card_id))
        done_cols = _done_column_ids(session, project_id) if project_id is not None else set()

        def linked(other: int) -> LinkedCardDTO:
            key, title, column, _ = cards[other]
            return LinkedCardDTO(other, key, title, column in done_cols)

        blocks = sorted((linked(b) for a, b in rows if a == card_id), key=_by_key)
        blocked_by = sorted((linked(a) for a, b in rows if b == card_id), key=_by_key)
        return CardLinksDTO(card_id, tuple(blocks), tuple(blocked_by))

    def _path(self, session: Session, project_id: int, start: int, goal: int) -> list[int] | None:
        """The cards from ``start`` to ``goal`` following "blocks" links, or None."""
        blocker = aliased(Card)
        edges: dict[int, list[int]] = {}
        for a, b in session.execute(
            select(CardDependency.blocker_id, CardDependency.blocked_id)
            .join(blocker, blocker.id == CardDependency.blocker_id)
            .where(blocker.project_id == project_id)
        ).all():
            edges.setdefault(a, []).append(b)
        came_from: dict[int, int | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])  # type: ignore[arg-type]
                return list(reversed(path))
            for nxt in sorted(edges.get(node, ())):
                if nxt not in came_from:
                    came_from[nxt] = node
                    queue.append(nxt)
        return None

    def _flags(
        self, session: Session, sprint: Sprint, card_ids: list[int]
    ) -> list[PlanningFlagDTO]:
        if not card_ids:
            return []
        blocker = aliased(Card)
        blocker_col = aliased(WorkflowColumn)
        blocker_sprint = aliased(Sprint)
        rows = session.execute(
            select(
                CardDependency.blocked_id,
                blocker.id,
                blocker_sprint.name,
                blocker_sprint.start_date,
                blocker_sprint.id,
            )
            .join(blocker, blocker.id == CardDependency.blocker_id)
            .join(blocker_col, blocker_col.id == blocker.column_id)
            .outerjoin(blocker_sprint, blocker_sprint.id == blocker.sprint_id)
            .where(
                CardDependency.blocked_id.in_(card_ids),
                blocker_col.category != "done",
                blocker.archived.is_(False),
            )
        ).all()
        keys = _key_map(session, {r[0] for r in rows} | {r[1] for r in rows})
        flags = []
        for blocked_id, blocker_id, b_sprint, b_start, b_sprint_id in rows:
            if b_sprint_id is None:
                why = "which is in no sprint"
            elif b_sprint_id == sprint.id:
                continue
            elif sprint.start_date is None or b_start is None or b_start > sprint.start_date:
                why = f"which is planned later, in {b_sprint}"
            else:
                continue
            flags.append(
                PlanningFlagDTO(
                    blocked_id,
                    keys[blocked_id][0],
                    keys[blocker_id][0],
                    f"{keys[blocked_id][0]} waits for {keys[blocker_id][0]}, {why}.",
                )
            )
        flags.sort(key=lambda f: (f.card_key, f.blocker_key))
        return flags


def _epic_links(
    session: Session, project: Project, epic_ids: set[int]
) -> tuple[TimelineLinkDTO, ...]:
    """The "blocks" links between the project's live cards, as arrows between the epics
    they belong to (an epic is its own; a card of no epic draws nothing), one query."""
    blocker = aliased(Card)
    blocked = aliased(Card)
    rows = session.execute(
        select(
            blocker.id, blocker.number, blocker.parent_id, blocked.id, blocked.number,
            blocked.parent_id,
        )
        .select_from(CardDependency)
        .join(blocker, blocker.id == CardDependency.blocker_id)
        .join(blocked, blocked.id == CardDependency.blocked_id)
        .where(
            blocker.project_id == project.id,
            blocker.archived.is_(False),
            blocked.archived.is_(False),
        )
        .order_by(blocker.number, blocked.number)
    ).all()  # fmt: skip
    arrows: dict[tuple[int, int], tuple[bool, list[str]]] = {}
    for a, a_number, a_parent, b, b_number, b_parent in rows:
        a_epic = a if a in epic_ids else a_parent if a_parent in epic_ids else None
        b_epic = b if b in epic_ids else b_parent if b_parent in epic_ids else None
        if a_epic is None or b_epic is None or a_epic == b_epic:
            continue
        _, pairs = arrows.setdefault((a_epic, b_epic), (False, []))
        pairs.append(f"{project.key}-{a_number} blocks {project.key}-{b_number}")
        if a == a_epic and b == b_epic:
            arrows[(a_epic, b_epic)] = (True, pairs)
    return tuple(
        TimelineLinkDTO(a, b, direct, tuple(pairs)) for (a, b), (direct, pairs) in arrows.items()
    )


def _by_key(card: LinkedCardDTO) -> tuple[str, int]:
    project, _, number = card.key.rpartition("-")
    return project, int(number)


__all__ = [
    "CardLinksDTO",
    "LinkedCardDTO",
    "MilestoneDTO",
    "MilestoneDeletionDTO",
    "PlanService",
    "PlanningFlagDTO",
    "TimelineDTO",
    "TimelineEpicDTO",
    "TimelineLinkDTO",
    "TimelineSprintDTO",
]


def blocked_keys(session: Session, project_id: int) -> dict[int, tuple[str, ...]]:
    """Card id -> keys of the not-done cards blocking it, for the project's not-done cards
    (one query; the board's SQLAlchemy read uses it, app/storage/dbapi_board.py says the
    same in plain SQL)."""
    blocker = aliased(Card)
    blocked = aliased(Card)
    blocker_col = aliased(WorkflowColumn)
    blocked_col = aliased(WorkflowColumn)
    rows = session.execute(
        select(CardDependency.blocked_id, Project.key, blocker.number)
        .join(blocker, blocker.id == CardDependency.blocker_id)
        .join(blocked, blocked.id == CardDependency.blocked_id)
        .join(blocker_col, blocker_col.id == blocker.column_id)
        .join(blocked_col, blocked_col.id == blocked.column_id)
        .join(Project, Project.id == blocker.project_id)
        .where(
            # "+ 0": SQLite then walks the (few) dependencies to their cards rather than every
            # card of the project to its dependencies (25 ms at 200,000 cards with none).
            blocked.project_id + 0 == project_id,
            blocker_col.category != "done",
            blocked_col.category != "done",
            blocker.archived.is_(False),
        )
        .order_by(CardDependency.blocked_id, blocker.number)
    ).all()
    return _grouped_keys(rows)


def _grouped_keys(rows: Any) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for blocked_card, key, number in rows:
        found.setdefault(blocked_card, []).append(f"{key}-{number}")
    return {card: tuple(keys) for card, keys in found.items()}


def _milestone_of(
    milestone: Milestone,
    scope: dict[int, int],
    done_columns: set[int] | frozenset[int],
    project_key: str | None,
    linked: Sequence[Sequence[Any]],
) -> MilestoneDTO:
    """The DTO of a milestone whose scope (card id -> column id) is known; ``linked`` are
    its directly linked cards as (id, number, ...) rows, in number order."""
    return MilestoneDTO(
        milestone.id,
        milestone.project_id,
        milestone.name,
        milestone.day,
        milestone.description,
        milestone.version,
        len(scope),
        sum(1 for column in scope.values() if column in done_columns),
        tuple(f"{project_key}-{row[1]}" for row in linked),
        tuple(row[0] for row in linked),
    )
