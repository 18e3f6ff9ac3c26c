"""Helpers shared by the card-related services: loading DTOs in bulk, and what every
writer of cards shares: a history event's values and the card-number allocator."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

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
from app.services.card_fields import (
    CARD_COLUMN_NAMES,
    PARENT_ID,
    SPRINT_ID,
    card_dto,
    card_dtos,
)
from app.services.context import ServiceContext
from app.services.dto import (
    CardDTO,
    ChecklistItemDTO,
    ColumnDTO,
    LabelDTO,
    ProjectDTO,
    SprintDTO,
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


def sprint_dto(
    s: Sprint, committed: Decimal | None = None, completed: Decimal | None = None
) -> SprintDTO:
    return SprintDTO(
        s.id,
        s.project_id,
        s.name,
        s.goal,
        s.start_date,
        s.end_date,
        s.state,
        s.version,
        started_at=s.started_at,
        closed_at=s.closed_at,
        committed_points=committed,
        completed_points=completed,
    )


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


# A card row as fetch_cards and fetch_one_card select it (app/services/card_fields.py).
_CARD_COLUMNS = [Card.__table__.c[name] for name in CARD_COLUMN_NAMES]
_NO_PARENT: tuple[str | None, str | None] = (None, None)


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
    query = select(*_CARD_COLUMNS).order_by(Card.rank)
    ids: list[int] | None = None
    if card_ids is not None:
        ids = list(card_ids)
        if not ids:
            return []
        # The ids alone, and the project checked on the primary key's rows: with both in the
        # WHERE, SQLite walks the project's index (every card of it) instead of the ids.
        query = query.where(Card.id.in_(ids), Card.project_id + 0 == project_id)
    else:
        query = query.where(Card.project_id == project_id)
    if not include_archived and ids is None:
        query = query.where(Card.archived.is_(False))
    # Core on the session's connection: the ORM's row loading costs more than the query.
    execute = session.connection().execute
    rows = execute(query).all()
    if not rows:
        return []

    member_query = select(Member.id, Member.display_name)
    if ids is not None:  # a few cards: only the people they name
        people = {r.assignee_id for r in rows} | {r.reporter_id for r in rows}
        member_query = member_query.where(Member.id.in_(people - {None}))
    members = dict(execute(member_query).all())
    sprints = dict(
        execute(select(Sprint.id, Sprint.name).where(Sprint.project_id == project_id)).all()
    )
    parent_ids = {r.parent_id for r in rows if r.parent_id is not None}
    parents = (
        {
            pid: (number, title)
            for pid, number, title in execute(
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

    # One LabelDTO per label, shared by all its cards (a database has a few labels per project
    # and tens of thousands of card-label links).
    all_labels = {
        label_id: LabelDTO(label_id, name, color)
        for label_id, name, color in execute(select(Label.id, Label.name, Label.color))
    }
    labels: dict[int, list[LabelDTO]] = defaultdict(list)
    for card_id, label_id in execute(
        select(card_label.c.card_id, card_label.c.label_id)
        .join(Label, Label.id == card_label.c.label_id)
        .where(in_scope(card_label.c.card_id))
        .order_by(Label.name)
    ).all():
        labels[card_id].append(all_labels[label_id])
    watchers: dict[int, list[int]] = defaultdict(list)
    for card_id, member_id in execute(
        select(card_watcher.c.card_id, card_watcher.c.member_id).where(
            in_scope(card_watcher.c.card_id)
        )
    ).all():
        watchers[card_id].append(member_id)
    checklists: dict[int, list[ChecklistItemDTO]] = defaultdict(list)
    for card_id, text, done in execute(
        select(ChecklistItem.card_id, ChecklistItem.text, ChecklistItem.done)
        .where(in_scope(ChecklistItem.card_id))
        .order_by(ChecklistItem.card_id, ChecklistItem.position)
    ).all():
        checklists[card_id].append(ChecklistItemDTO(text, done))

    parent_keys = {
        pid: (f"{project_key}-{number}", title) for pid, (number, title) in parents.items()
    }
    return card_dtos(rows, project_key, members, sprints, parent_keys, labels, watchers, checklists)


_Assignee = aliased(Member)
_Reporter = aliased(Member)
_Parent = aliased(Card)
_ONE_CARD = (
    select(
        *_CARD_COLUMNS,
        Project.key,
        _Assignee.display_name,
        _Reporter.display_name,
        Sprint.name,
        _Parent.number,
        _Parent.title,
    )
    .join(Project, Project.id == Card.project_id)
    .outerjoin(_Assignee, _Assignee.id == Card.assignee_id)
    .outerjoin(_Reporter, _Reporter.id == Card.reporter_id)
    .outerjoin(Sprint, Sprint.id == Card.sprint_id)
    .outerjoin(_Parent, _Parent.id == Card.parent_id)
    .where(Card.id == bindparam("card_id"))
)
# A card's labels, watchers and checklist in one round trip: (kind, number, text, text2, flag)
# rows where kind 0 is a label (id, name, colour), 1 a watcher (member id) and 2 a checklist
# item (position, text, done). Each part's order is restored in Python.
_ONE_CARD_EXTRAS = union_all(
    select(
        literal(0).label("kind"),
        Label.id.label("number"),
        Label.name.label("text"),
        Label.color.label("text2"),
        cast(null(), Boolean).label("flag"),
    )
    .join(card_label, Label.id == card_label.c.label_id)
    .where(card_label.c.card_id == bindparam("card_id")),
    select(
        literal(1),
        card_watcher.c.member_id,
        cast(null(), String),
        cast(null(), String),
        cast(null(), Boolean),
    ).where(card_watcher.c.card_id == bindparam("card_id")),
    select(
        literal(2),
        ChecklistItem.position,
        ChecklistItem.text,
        cast(null(), String),
        ChecklistItem.done,
    ).where(ChecklistItem.card_id == bindparam("card_id")),
)


def fetch_one_card(session: Session, card_id: int) -> CardDTO | None:
    """One card as a DTO, the same as :func:`fetch_cards` gives it, in two small Core queries
    (the move's hot path); None when there is no such card. Archived cards included."""
    conn = session.connection()
    params = {"card_id": card_id}
    row = conn.execute(_ONE_CARD, params).first()
    if row is None:
        return None
    labels: list[LabelDTO] = []
    watchers: list[int] = []
    checklist: list[tuple[int, ChecklistItemDTO]] = []
    for kind, number, text, text2, flag in conn.execute(_ONE_CARD_EXTRAS, params):
        if kind == 0:
            labels.append(LabelDTO(number, text, text2))
        elif kind == 1:
            watchers.append(number)
        else:
            checklist.append((number, ChecklistItemDTO(text, bool(flag))))
    r = tuple(row)
    project_key, assignee_name, reporter_name, sprint_name, parent_number, parent_title = r[
        len(_CARD_COLUMNS) :
    ]
    has_parent = r[PARENT_ID] is not None and parent_number is not None
    return card_dto(
        r[: len(_CARD_COLUMNS)],
        project_key,
        assignee_name,
        reporter_name,
        sprint_name if r[SPRINT_ID] is not None else None,
        *((f"{project_key}-{parent_number}", parent_title) if has_parent else _NO_PARENT),
        tuple(sorted(labels, key=lambda lb: lb.name)),
        tuple(sorted(watchers)),
        tuple(item for _, item in sorted(checklist, key=lambda pair: pair[0])),
    )


def fetch_card(session: Session, card_id: int) -> CardDTO:
    check_id(card_id, "card")
    project_id = session.scalar(select(Card.project_id).where(Card.id == card_id))
    if project_id is None:
        raise NotFound(f"There is no card with id {card_id}.")
    return fetch_cards(session, project_id, [card_id])[0]


# A project key, a dash and a card number of at most 12 ASCII digits (str.isdigit() would
# take "¹" and numbers beyond SQLite's 64-bit integers).
CARD_KEY = re.compile(r"[A-Z][A-Z0-9]{1,9}-[0-9]{1,12}", re.ASCII)


def find_card_id(session: Session, key: str) -> int:
    """The id of the card with a key such as ``SD-42`` (case-insensitive)."""
    text = str(key).strip().upper()
    if not CARD_KEY.fullmatch(text):
        shown = text if len(text) <= 40 else text[:39] + "…"
        raise NotFound(f"{shown!r} is not a card key (it looks like PROJ-42).")
    project_key, _, number = text.rpartition("-")
    card_id = session.scalar(
        select(Card.id)
        .join(Project, Project.id == Card.project_id)
        .where(Project.key == project_key, Card.number == int(number))
    )
    if card_id is None:
        raise NotFound(f"There is no card {key.strip().upper()}.")
    return card_id


# --- writing: the one shape of a history event, the one card-number allocator -------------


def event_values(
    *,
    project_id: int,
    card_id: int,
    at: dt.datetime,
    actor: str,
    kind: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    column_id: int | None,
    category: str | None,
    sprint_id: int | None,
    points: Decimal | None,
    archived: bool,
) -> dict[str, Any]:
    """The column values of one history_event row: the change (``kind``, the changed
    fields' ``before``/``after``) and the card's state after it (column and that column's
    category at the time, sprint, points, archived), which the charts replay.

    Every writer of history takes its values from here: :func:`record_event` (an ORM row),
    the move's Core insert (app/services/board.py) and the import writer's bulk inserts
    (app/services/transfer/common.py). A new history column is one edit here (and a
    migration)."""
    return {
        "project_id": project_id,
        "card_id": card_id,
        "at": at,
        "actor": actor,
        "kind": kind,
        "before": before or {},
        "after": after or {},
        "column_id_after": column_id,
        "category_after": category,
        "sprint_id_after": sprint_id,
        "points_after": points,
        "archived_after": archived,
    }


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
            **event_values(
                project_id=card.project_id,
                card_id=card.id,
                at=context.clock(),
                actor=context.actor,
                kind=kind,
                before=before,
                after=after,
                column_id=card.column_id,
                category=category,
                sprint_id=card.sprint_id,
                points=card.points,
                archived=card.archived,
            )
        )
    )


def allocate_card_numbers(
    session: Session, project_id: int, count: int = 1, above: int | None = None
) -> range:
    """``count`` card numbers of the project nobody else will get, allocated by the database
    itself (one ``UPDATE ... RETURNING`` on the project row, so two writers never get the
    same number). With ``above``, the numbers start after it if the project's counter is
    lower (an import keeping the file's numbers, WEB-42 stays 42, the rest follow)."""
    counter = Project.next_card_number
    start = counter if above is None else case((counter > above, counter), else_=above + 1)
    after = session.execute(
        update(Project)
        .where(Project.id == project_id)
        .values(next_card_number=start + count)
        .returning(Project.next_card_number)
    ).scalar_one()
    return range(after - count, after)


def max_rank(session: Session, project_id: int) -> str | None:
    return session.scalar(select(func.max(Card.rank)).where(Card.project_id == project_id))
