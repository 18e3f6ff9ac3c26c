"""Helpers shared by the card-related services: loading DTOs in bulk, writing history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, StaleEdit, ValidationError
from app.models import (
    Card,
    ChecklistItem,
    HistoryEvent,
    Label,
    Member,
    Project,
    Sprint,
    WorkflowColumn,
    card_label,
    card_watcher,
)
from app.services.context import ServiceContext
from app.services.dto import (
    CardDTO,
    ChecklistItemDTO,
    ColumnDTO,
    LabelDTO,
    ProjectDTO,
)


def project_dto(p: Project) -> ProjectDTO:
    return ProjectDTO(
        id=p.id,
        key=p.key,
        name=p.name,
        methodology=p.methodology,
        description=p.description,
        time_zone=p.time_zone,
        working_weekdays=p.working_weekdays,
        currency=p.currency,
        budget=p.budget,
        version=p.version,
    )


def column_dto(c: WorkflowColumn) -> ColumnDTO:
    return ColumnDTO(
        id=c.id,
        project_id=c.project_id,
        name=c.name,
        position=c.position,
        category=c.category,
        wip_limit=c.wip_limit,
        archived=c.archived,
        version=c.version,
    )


def check_id(value: object, what: str) -> int:
    """Ids are whole numbers: "1" or True must not quietly become card 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"The {what} must be a whole-number id, not {value!r:.40}.")
    return value


def get_project(session: Session, project_id: int) -> Project:
    check_id(project_id, "project")
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"There is no project with id {project_id}.")
    return project


def get_card_for_update(session: Session, card_id: int) -> Card:
    check_id(card_id, "card")
    card = session.get(Card, card_id, with_for_update=True)
    if card is None:
        raise NotFound(f"There is no card with id {card_id}.")
    return card


def check_version(card: Card, expected_version: int | None, key: str) -> None:
    if expected_version is not None and card.version != expected_version:
        raise StaleEdit(
            f"{key} was changed by someone else since you opened it "
            f"(your copy is version {expected_version}, the saved one is {card.version}). "
            "Reload it to see the changes, then apply yours again.",
            current_version=card.version,
        )


def card_key(session: Session, card: Card) -> str:
    project_key = session.scalar(select(Project.key).where(Project.id == card.project_id))
    return f"{project_key}-{card.number}"


_CARD_COLUMNS = [c for c in Card.__table__.columns]
_CARD_INDEX = {c.name: i for i, c in enumerate(_CARD_COLUMNS)}


def fetch_cards(
    session: Session,
    project_id: int,
    card_ids: Iterable[int] | None = None,
    include_archived: bool = False,
) -> list[CardDTO]:
    """Cards of a project as DTOs, in rank order, in a fixed number of queries."""
    project_key = session.scalar(select(Project.key).where(Project.id == project_id))
    if project_key is None:
        raise NotFound(f"There is no project with id {project_id}.")
    query = select(*_CARD_COLUMNS).where(Card.project_id == project_id).order_by(Card.rank)
    ids: list[int] | None = None
    if card_ids is not None:
        ids = list(card_ids)
        if not ids:
            return []
        query = query.where(Card.id.in_(ids))
    if not include_archived and ids is None:
        query = query.where(Card.archived.is_(False))
    rows = session.execute(query).all()
    if not rows:
        return []

    member_query = select(Member.id, Member.display_name)
    if ids is not None:  # a few cards: only the people they name
        people = {r.assignee_id for r in rows} | {r.reporter_id for r in rows}
        member_query = member_query.where(Member.id.in_(people - {None}))
    members = dict(session.execute(member_query).all())
    sprints = dict(
        session.execute(select(Sprint.id, Sprint.name).where(Sprint.project_id == project_id)).all()
    )
    parent_ids = {r.parent_id for r in rows if r.parent_id is not None}
    parents = (
        {
            pid: (number, title)
            for pid, number, title in session.execute(
                select(Card.id, Card.number, Card.title).where(Card.id.in_(parent_ids))
            ).all()
        }
        if parent_ids
        else {}
    )

    def in_scope(column: Any) -> Any:
        # For a whole board, join on the project; for a few cards, name them.
        if ids is not None:
            return column.in_(ids)
        return column.in_(select(Card.id).where(Card.project_id == project_id))

    labels: dict[int, list[LabelDTO]] = defaultdict(list)
    for card_id, label_id, name, color in session.execute(
        select(card_label.c.card_id, Label.id, Label.name, Label.color)
        .join(Label, Label.id == card_label.c.label_id)
        .where(in_scope(card_label.c.card_id))
        .order_by(Label.name)
    ).all():
        labels[card_id].append(LabelDTO(label_id, name, color))
    watchers: dict[int, list[int]] = defaultdict(list)
    for card_id, member_id in session.execute(
        select(card_watcher.c.card_id, card_watcher.c.member_id).where(
            in_scope(card_watcher.c.card_id)
        )
    ).all():
        watchers[card_id].append(member_id)
    checklists: dict[int, list[ChecklistItemDTO]] = defaultdict(list)
    for card_id, text, done in session.execute(
        select(ChecklistItem.card_id, ChecklistItem.text, ChecklistItem.done)
        .where(in_scope(ChecklistItem.card_id))
        .order_by(ChecklistItem.card_id, ChecklistItem.position)
    ).all():
        checklists[card_id].append(ChecklistItemDTO(text, done))

    # Rows as plain tuples read by position: attribute access on 10,000 rows x 30 fields
    # was most of the time a board took to load.
    c = _CARD_INDEX
    i_id, i_parent, i_assignee, i_reporter, i_sprint, i_number = (
        c["id"],
        c["parent_id"],
        c["assignee_id"],
        c["reporter_id"],
        c["sprint_id"],
        c["number"],
    )
    no_labels: tuple[LabelDTO, ...] = ()
    result = []
    for row in rows:
        r = tuple(row)
        card_id, parent_id = r[i_id], r[i_parent]
        parent = parents.get(parent_id) if parent_id is not None else None
        assignee_id, reporter_id, sprint_id = r[i_assignee], r[i_reporter], r[i_sprint]
        result.append(
            CardDTO(
                id=card_id,
                project_id=r[c["project_id"]],
                key=f"{project_key}-{r[i_number]}",
                number=r[i_number],
                type=r[c["type"]],
                title=r[c["title"]],
                description=r[c["description"]],
                priority=r[c["priority"]],
                points=r[c["points"]],
                estimate_hours=r[c["estimate_hours"]],
                remaining_hours=r[c["remaining_hours"]],
                assignee_id=assignee_id,
                assignee_name=members.get(assignee_id),
                reporter_id=reporter_id,
                reporter_name=members.get(reporter_id),
                column_id=r[c["column_id"]],
                rank=r[c["rank"]],
                sprint_id=sprint_id,
                sprint_name=sprints.get(sprint_id),
                parent_id=parent_id,
                parent_key=f"{project_key}-{parent[0]}" if parent else None,
                parent_title=parent[1] if parent else None,
                due_date=r[c["due_date"]],
                blocked=r[c["blocked"]],
                blocked_reason=r[c["blocked_reason"]],
                archived=r[c["archived"]],
                created_at=r[c["created_at"]],
                updated_at=r[c["updated_at"]],
                resolved_at=r[c["resolved_at"]],
                version=r[c["version"]],
                labels=tuple(labels.get(card_id, no_labels)),
                watcher_ids=tuple(sorted(watchers.get(card_id, ()))),
                checklist=tuple(checklists.get(card_id, ())),
            )
        )
    return result


def fetch_card(session: Session, card_id: int) -> CardDTO:
    check_id(card_id, "card")
    project_id = session.scalar(select(Card.project_id).where(Card.id == card_id))
    if project_id is None:
        raise NotFound(f"There is no card with id {card_id}.")
    return fetch_cards(session, project_id, [card_id])[0]


def find_card_id(session: Session, key: str) -> int:
    """The id of the card with a key such as ``SD-42`` (case-insensitive)."""
    project_key, _, number = key.strip().upper().rpartition("-")
    if not project_key or not number.isdigit():
        raise NotFound(f"{key!r} is not a card key (it looks like PROJ-42).")
    card_id = session.scalar(
        select(Card.id)
        .join(Project, Project.id == Card.project_id)
        .where(Project.key == project_key, Card.number == int(number))
    )
    if card_id is None:
        raise NotFound(f"There is no card {key.strip().upper()}.")
    return card_id


def record_event(
    session: Session,
    context: ServiceContext,
    card: Card,
    kind: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    category: str | None = None,
) -> None:
    """Append one history event describing ``card`` as it now is (same transaction)."""
    if category is None:
        category = session.scalar(
            select(WorkflowColumn.category).where(WorkflowColumn.id == card.column_id)
        )
    session.add(
        HistoryEvent(
            project_id=card.project_id,
            card_id=card.id,
            at=context.clock(),
            actor=context.actor,
            kind=kind,
            before=before or {},
            after=after or {},
            column_id_after=card.column_id,
            category_after=category,
            sprint_id_after=card.sprint_id,
            points_after=card.points,
            archived_after=card.archived,
        )
    )


def max_rank(session: Session, project_id: int) -> str | None:
    return session.scalar(select(func.max(Card.rank)).where(Card.project_id == project_id))
