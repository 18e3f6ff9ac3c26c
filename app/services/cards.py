"""Cards: create, read, edit, archive and restore. Every change writes a history event.

(~580 lines: one service class whose create, edit, archive and restore share one validation
of every field.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationError
from app.metrics.ranks import key_between
from app.models import (
    CARD_TYPES,
    PRIORITIES,
    Card,
    ChecklistItem,
    HistoryEvent,
    Label,
    Member,
    ProjectMember,
    Sprint,
    WorkflowColumn,
)
from app.services.common import (
    allocate_card_numbers,
    card_key,
    check_id,
    check_version,
    fetch_card,
    fetch_cards,
    find_card_id,
    get_card_for_update,
    get_project,
    max_rank,
    record_event,
)
from app.services.context import ServiceContext
from app.services.dto import CardDTO, HistoryEventDTO
from app.services.events import Change, ChangeKind
from app.services.validation import (
    TITLE_MAX,
    clean_choice,
    clean_date,
    clean_hours,
    clean_multiline,
    clean_points,
    clean_text,
    clean_title,
)

EDITABLE_FIELDS = (
    "title",
    "description",
    "type",
    "priority",
    "points",
    "estimate_hours",
    "remaining_hours",
    "assignee_id",
    "reporter_id",
    "parent_id",
    "due_date",
    "blocked",
    "blocked_reason",
    "label_ids",
    "watcher_ids",
    "checklist",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


class CardService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- reading -------------------------------------------------------------------------

    def get_card(self, card_id: int) -> CardDTO:
        with self._ctx.read() as uow:
            return fetch_card(uow.session, card_id)

    def get_cards(self, project_id: int, card_ids: Sequence[int]) -> list[CardDTO]:
        """Those cards of the project as they are now (archived ones too), in rank order;
        ids that are not the project's are left out. (What the change feed fetches.)"""
        with self._ctx.read() as uow:
            return fetch_cards(uow.session, project_id, card_ids, include_archived=True)

    def find_card(self, key: str) -> CardDTO:
        with self._ctx.read() as uow:
            return fetch_card(uow.session, find_card_id(uow.session, key))

    def list_cards(self, project_id: int, include_archived: bool = False) -> list[CardDTO]:
        """Cards in board order: by column position, then rank."""
        with self._ctx.read() as uow:
            cards = fetch_cards(uow.session, project_id, include_archived=include_archived)
            positions = dict(
                uow.session.execute(
                    select(WorkflowColumn.id, WorkflowColumn.position).where(
                        WorkflowColumn.project_id == project_id
                    )
                ).all()
            )
        return sorted(cards, key=lambda c: (positions.get(c.column_id, 0), c.rank))

    def history(self, card_id: int) -> list[HistoryEventDTO]:
        with self._ctx.read() as uow:
            events = uow.session.scalars(
                select(HistoryEvent)
                .where(HistoryEvent.card_id == card_id)
                .order_by(HistoryEvent.at, HistoryEvent.id)
            )
            return [
                HistoryEventDTO(
                    e.id,
                    e.card_id,
                    e.at,
                    e.actor,
                    e.kind,
                    dict(e.before),
                    dict(e.after),
                    column_id_after=e.column_id_after,
                    category_after=e.category_after,
                    sprint_id_after=e.sprint_id_after,
                    points_after=e.points_after,
                    archived_after=bool(e.archived_after),
                )
                for e in events
            ]

    # --- creating ------------------------------------------------------------------------

    def create_card(
        self,
        project_id: int,
        title: str,
        *,
        type: str = "story",
        priority: str = "medium",
        points: object = None,
        description: str = "",
        assignee_id: int | None = None,
        reporter_id: int | None = None,
        column_id: int | None = None,
        sprint_id: int | None = None,
        parent_id: int | None = None,
        label_ids: tuple[int, ...] | list[int] = (),
        due_date: object = None,
        blocked: bool = False,
        blocked_reason: str = "",
        estimate_hours: object = None,
        remaining_hours: object = None,
        watcher_ids: tuple[int, ...] | list[int] = (),
        checklist: tuple[tuple[str, bool], ...] | list[tuple[str, bool]] = (),
    ) -> CardDTO:
        """Create a card at the bottom of the ranking (and so of its column and the backlog)."""
        title = clean_title(title)
        card_type = clean_choice(type, CARD_TYPES, "card type")
        priority = clean_choice(priority, PRIORITIES, "priority")
        clean = clean_points(points)
        description = clean_multiline(description, "description")
        due = clean_date(due_date, "due date")
        reason = clean_text(blocked_reason, "blocked reason", TITLE_MAX, required=False)
        extra = self._clean_changes(
            {
                "label_ids": label_ids,
                "estimate_hours": estimate_hours,
                "remaining_hours": remaining_hours,
                "watcher_ids": watcher_ids,
                "checklist": checklist,
            }
        )
        for value, what in (
            (column_id, "column"),
            (assignee_id, "assignee"),
            (reporter_id, "reporter"),
            (sprint_id, "sprint"),
            (parent_id, "epic"),
        ):
            if value is not None:
                check_id(value, what)
        with self._ctx.write() as uow:
            session = uow.session
            project = get_project(session, project_id)
            column = self._column(session, project_id, column_id)
            self._check_member(session, project_id, assignee_id, "assignee")
            self._check_member(session, project_id, reporter_id, "reporter")
            self._check_sprint(session, project_id, sprint_id)
            self._check_parent(session, project_id, parent_id, None, card_type)
            labels = self._labels(session, project_id, extra["label_ids"])
            watchers = self._watchers(session, project_id, extra["watcher_ids"])
            number = allocate_card_numbers(session, project.id)[0]
            now = self._ctx.clock()
            card = Card(
                project_id=project_id,
                number=number,
                type=card_type,
                title=title,
                description=description,
                priority=priority,
                points=clean,
                estimate_hours=extra["estimate_hours"],
                remaining_hours=extra["remaining_hours"],
                assignee_id=assignee_id,
                reporter_id=reporter_id,
                column_id=column.id,
                rank=key_between(max_rank(session, project_id), None),
                sprint_id=sprint_id,
                parent_id=parent_id,
                due_date=due,
                blocked=bool(blocked),
                blocked_reason=reason if blocked else "",
                created_at=now,
                updated_at=now,
                resolved_at=now if column.category == "done" else None,
            )
            card.labels = labels
            card.watchers = watchers
            card.checklist = [
                ChecklistItem(position=i, text=text, done=done)
                for i, (text, done) in enumerate(extra["checklist"])
            ]
            session.add(card)
            session.flush()
            record_event(
                session,
                self._ctx,
                card,
                "created",
                {},
                self._created_values(session, card, column),
                category=column.category,
            )
            session.flush()
            dto = fetch_card(session, card.id)
            uow.notify(Change(ChangeKind.CARD_ADDED, project_id, (dto,)))
            uow.commit()
            return dto

    @staticmethod
    def _created_values(session: Session, card: Card, column: WorkflowColumn) -> dict[str, Any]:
        """What the 'created' event says the card started as: its title, column and points,
        and the assignee, sprint and block it was created with, so that replaying the
        history (a sprint report's blocked time, who had the card) needs no other source."""
        values: dict[str, Any] = {
            "title": card.title,
            "column": column.name,
            "points": _jsonable(card.points),
        }
        if card.sprint_id is not None:
            values["sprint"] = session.scalar(
                select(Sprint.name).where(Sprint.id == card.sprint_id)
            )
            values["sprint_id"] = card.sprint_id
        if card.assignee_id is not None:
            values["assignee_id"] = card.assignee_id
        if card.blocked:
            values["blocked"] = True
            values["blocked_reason"] = card.blocked_reason
        return values

    # --- editing -------------------------------------------------------------------------

    def update_card(
        self, card_id: int, changes: dict[str, Any], expected_version: int | None = None
    ) -> CardDTO:
        """Apply ``changes`` (field name -> new value, see EDITABLE_FIELDS) in one go."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValidationError(
                f"These card fields cannot be edited: {', '.join(sorted(unknown))}."
            )
        values = self._clean_changes(changes)
        with self._ctx.write() as uow:
            session = uow.session
            card = get_card_for_update(session, card_id)
            key = card_key(session, card)
            check_version(card, expected_version, key)
            if card.archived:
                raise Conflict(f"{key} is archived; restore it before editing.")
            pid = card.project_id
            if "assignee_id" in values:
                self._check_member(session, pid, values["assignee_id"], "assignee")
            if "reporter_id" in values:
                self._check_member(session, pid, values["reporter_id"], "reporter")
            if "parent_id" in values or "type" in values:
                self._check_parent(
                    session,
                    pid,
                    values.get("parent_id", card.parent_id),
                    card.id,
                    values.get("type", card.type),
                )
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for name, value in values.items():
                old = self._current(card, name)
                if name == "label_ids":
                    labels = self._labels(session, pid, value)
                    new = sorted(lb.id for lb in labels)
                    if new != old:
                        card.labels = labels
                elif name == "watcher_ids":
                    watchers = self._watchers(session, pid, value)
                    new = sorted(m.id for m in watchers)
                    if new != old:
                        card.watchers = watchers
                elif name == "checklist":
                    new = [[text, done] for text, done in value]
                    if new != old:
                        card.checklist = [
                            ChecklistItem(position=i, text=text, done=done)
                            for i, (text, done) in enumerate(value)
                        ]
                else:
                    new = value
                    if new != old:
                        setattr(card, name, value)
                if new != old:
                    before[name] = _jsonable(old)
                    after[name] = _jsonable(new)
            if not after:
                return fetch_card(session, card.id)
            if "blocked" in after and not card.blocked:
                card.blocked_reason = ""
            card.version += 1
            card.updated_at = self._ctx.clock()
            session.flush()
            self._record_edit(session, card, before, after)
            session.flush()
            dto = fetch_card(session, card.id)
            uow.notify(Change(ChangeKind.CARD_CHANGED, pid, (dto,)))
            uow.commit()
            return dto

    def _record_edit(
        self, session: Session, card: Card, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        """One event per kind of change, so charts can pick estimates and blocks out easily."""
        groups = {
            "estimated": ("points",),
            "assigned": ("assignee_id",),
            "blocked": ("blocked", "blocked_reason"),
        }
        remaining = dict(after)
        for kind, fields in groups.items():
            picked = [f for f in fields if f in remaining]
            if not picked:
                continue
            if kind == "blocked" and "blocked" not in picked:
                continue  # only the reason changed: an ordinary edit
            if kind == "blocked":
                kind = "blocked" if card.blocked else "unblocked"
            record_event(
                session,
                self._ctx,
                card,
                kind,
                {f: before[f] for f in picked},
                {f: remaining.pop(f) for f in picked},
            )
        if remaining:
            record_event(
                session,
                self._ctx,
                card,
                "edited",
                {f: before[f] for f in remaining},
                remaining,
            )

    def _clean_changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "title":
                values[name] = clean_title(value)
            elif name == "description":
                values[name] = clean_multiline(value, "description")
            elif name == "type":
                values[name] = clean_choice(value, CARD_TYPES, "card type")
            elif name == "priority":
                values[name] = clean_choice(value, PRIORITIES, "priority")
            elif name == "points":
                values[name] = clean_points(value)
            elif name in ("estimate_hours", "remaining_hours"):
                values[name] = clean_hours(value, name.replace("_", " "))
            elif name in ("assignee_id", "reporter_id", "parent_id"):
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                    raise ValidationError(f"{name} must be an id or empty.")
                values[name] = value
            elif name == "due_date":
                values[name] = clean_date(value, "due date")
            elif name == "blocked":
                values[name] = bool(value)
            elif name == "blocked_reason":
                values[name] = clean_text(value, "blocked reason", TITLE_MAX, required=False)
            elif name in ("label_ids", "watcher_ids"):
                what = "labels" if name == "label_ids" else "watchers"
                if value is None:
                    value = ()
                if not isinstance(value, list | tuple | set | frozenset) or not all(
                    isinstance(v, int) and not isinstance(v, bool) for v in value
                ):
                    raise ValidationError(f"The {what} must be given as a list of ids.")
                values[name] = sorted(set(value))
            elif name == "checklist":
                items = []
                if value is not None and not isinstance(value, list | tuple):
                    raise ValidationError("The checklist must be a list of items.")
                for entry in value or ():
                    try:
                        text, done = (entry.text, entry.done) if hasattr(entry, "text") else entry
                    except (TypeError, ValueError) as exc:
                        raise ValidationError(
                            "Each checklist item is a text and whether it is done."
                        ) from exc
                    items.append((clean_text(text, "checklist item", TITLE_MAX), bool(done)))
                values[name] = items
        return values

    @staticmethod
    def _current(card: Card, name: str) -> Any:
        if name == "label_ids":
            return sorted(lb.id for lb in card.labels)
        if name == "watcher_ids":
            return sorted(m.id for m in card.watchers)
        if name == "checklist":
            return [[item.text, item.done] for item in card.checklist]
        return getattr(card, name)

    # --- archiving -----------------------------------------------------------------------

    def archive_card(self, card_id: int, expected_version: int | None = None) -> CardDTO:
        """Delete, the recoverable way: the card leaves every view but keeps key and history."""
        return self._set_archived(card_id, True, expected_version)

    def restore_card(self, card_id: int, expected_version: int | None = None) -> CardDTO:
        return self._set_archived(card_id, False, expected_version)

    def _set_archived(self, card_id: int, archived: bool, expected_version: int | None) -> CardDTO:
        with self._ctx.write() as uow:
            session = uow.session
            card = get_card_for_update(session, card_id)
            key = card_key(session, card)
            check_version(card, expected_version, key)
            if card.archived == archived:
                state = "archived" if archived else "not archived"
                raise Conflict(f"{key} is already {state}.")
            category = None
            if not archived:
                column = session.get(WorkflowColumn, card.column_id)
                if column is None or column.archived:
                    # Its column was archived meanwhile: bring it back to the first column.
                    first = self._column(session, card.project_id, None)
                    card.column_id = first.id
                    category = first.category
            card.archived = archived
            card.version += 1
            card.updated_at = self._ctx.clock()
            session.flush()
            record_event(
                session,
                self._ctx,
                card,
                "archived" if archived else "restored",
                {"archived": not archived},
                {"archived": archived},
                category=category,
            )
            session.flush()
            dto = fetch_card(session, card.id)
            uow.notify(
                Change(
                    ChangeKind.CARD_ARCHIVED if archived else ChangeKind.CARD_RESTORED,
                    card.project_id,
                    (dto,),
                )
            )
            uow.commit()
            return dto

    # --- checks --------------------------------------------------------------------------

    @staticmethod
    def _column(session: Session, project_id: int, column_id: int | None) -> WorkflowColumn:
        if column_id is None:
            column = session.scalar(
                select(WorkflowColumn)
                .where(WorkflowColumn.project_id == project_id, WorkflowColumn.archived.is_(False))
                .order_by(WorkflowColumn.position)
                .limit(1)
            )
            if column is None:
                raise Conflict("This project has no columns; add one first.")
            return column
        column = session.get(WorkflowColumn, column_id)
        if column is None or column.project_id != project_id:
            raise NotFound(f"There is no column with id {column_id} in this project.")
        if column.archived:
            raise Conflict(f"The column {column.name!r} is archived.")
        return column

    @staticmethod
    def _check_member(session: Session, project_id: int, member_id: int | None, role: str) -> None:
        if member_id is None:
            return
        found = session.scalar(
            select(ProjectMember.id).where(
                ProjectMember.project_id == project_id, ProjectMember.member_id == member_id
            )
        )
        if found is None:
            raise NotFound(f"The {role} (member {member_id}) is not in this project's team.")

    @staticmethod
    def _check_sprint(session: Session, project_id: int, sprint_id: int | None) -> None:
        if sprint_id is None:
            return
        sprint = session.get(Sprint, sprint_id)
        if sprint is None or sprint.project_id != project_id:
            raise NotFound(f"There is no sprint with id {sprint_id} in this project.")
        if sprint.state == "closed":
            raise Conflict(f"The sprint {sprint.name!r} is closed; cards cannot be added to it.")

    @staticmethod
    def _check_parent(
        session: Session,
        project_id: int,
        parent_id: int | None,
        card_id: int | None,
        card_type: str,
    ) -> None:
        if parent_id is None:
            return
        if card_type == "epic":
            raise ValidationError("An epic cannot itself belong to an epic.")
        if parent_id == card_id:
            raise ValidationError("A card cannot be its own epic.")
        parent = session.get(Card, parent_id)
        if parent is None or parent.project_id != project_id:
            raise NotFound(f"There is no epic with id {parent_id} in this project.")
        if parent.type != "epic":
            raise ValidationError(f"{card_key(session, parent)} is not an epic.")

    @staticmethod
    def _labels(session: Session, project_id: int, label_ids: Any) -> list[Label]:
        ids = sorted(set(label_ids or ()))
        if not ids:
            return []
        labels = list(
            session.scalars(select(Label).where(Label.id.in_(ids), Label.project_id == project_id))
        )
        if len(labels) != len(ids):
            raise NotFound("One of the labels does not exist in this project.")
        return labels

    @staticmethod
    def _watchers(session: Session, project_id: int, member_ids: Any) -> list[Member]:
        ids = sorted(set(member_ids or ()))
        if not ids:
            return []
        members = list(
            session.scalars(
                select(Member)
                .join(ProjectMember, ProjectMember.member_id == Member.id)
                .where(Member.id.in_(ids), ProjectMember.project_id == project_id)
            )
        )
        if len(members) != len(ids):
            raise NotFound("One of the watchers is not in this project's team.")
        return members
