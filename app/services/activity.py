"""The activity feed: everything that changed in a project since a moment (``services.activity``).

Read from the card history (``history_event``) and the comments, worded as the card editor's
History tab words them (:mod:`app.services.history_text`), grouped by person and by card,
filterable by person and by kind. What a standup, a chat channel (``sprintdeck activity``)
and *View › Activity* show.

Kinds (:data:`KINDS`): a move to another column (``moved``; ``finished`` when it lands in a
done column), ``blocked``, ``commented``, ``estimated`` (story points), ``sprint_added`` and
``sprint_removed``, and ``other`` for the rest (created, assigned, edited, unblocked...).
Re-ranking is left out: it says nothing to a person reading what happened.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import project_zone
from app.errors import NotFound, ValidationError
from app.models import Card, HistoryEvent, Label, Member, ProjectMember, Sprint
from app.services.comments import CommentService
from app.services.common import get_project
from app.services.context import ServiceContext
from app.services.dto import HistoryEventDTO
from app.services.history_text import HistoryNames, describe_lines

KINDS = (
    "moved",
    "finished",
    "blocked",
    "commented",
    "estimated",
    "sprint_added",
    "sprint_removed",
    "other",
)
KIND_LABELS = {
    "moved": "Moved",
    "finished": "Finished",
    "blocked": "Blocked",
    "commented": "Commented",
    "estimated": "Estimate changed",
    "sprint_added": "Added to the sprint",
    "sprint_removed": "Removed from the sprint",
    "other": "Other changes",
}
_SKIPPED = frozenset({"ranked"})
COMMENT_PREVIEW = 200


@dataclass(frozen=True, slots=True)
class ActivityItemDTO:
    """One thing that happened: who, when, to which card, what kind, in words."""

    at: dt.datetime
    person: str
    kind: str
    card_id: int
    card_key: str
    card_title: str
    text: str


@dataclass(frozen=True, slots=True)
class ActivityGroupDTO:
    """Items under one heading: a person's name, or a card's "KEY title"."""

    title: str
    items: tuple[ActivityItemDTO, ...]


@dataclass(frozen=True, slots=True)
class ActivityDTO:
    project_id: int
    since: dt.datetime
    items: tuple[ActivityItemDTO, ...]  # oldest first
    people: tuple[str, ...]  # everyone who did something, whatever the filters, by name

    def by_person(self) -> list[ActivityGroupDTO]:
        """Groups by person, by name; each oldest first."""
        groups: dict[str, list[ActivityItemDTO]] = {}
        for item in self.items:
            groups.setdefault(item.person, []).append(item)
        return [
            ActivityGroupDTO(name, tuple(items))
            for name, items in sorted(groups.items(), key=lambda kv: kv[0].lower())
        ]

    def by_card(self) -> list[ActivityGroupDTO]:
        """Groups by card, the most recently touched first; each oldest first."""
        groups: dict[int, list[ActivityItemDTO]] = {}
        for item in self.items:
            groups.setdefault(item.card_id, []).append(item)
        ordered = sorted(groups.values(), key=lambda items: items[-1].at, reverse=True)
        return [
            ActivityGroupDTO(f"{items[0].card_key} {items[0].card_title}", tuple(items))
            for items in ordered
        ]


def kind_of(event: HistoryEventDTO) -> str | None:
    """The feed's kind of a history event (None: left out of the feed)."""
    if event.kind in _SKIPPED:
        return None
    if event.kind == "moved":
        return "finished" if event.category_after == "done" else "moved"
    if event.kind == "blocked":
        return "blocked"
    if event.kind == "estimated":
        return "estimated"
    if event.kind == "sprint_changed":
        if (event.after or {}).get("sprint_id") is not None:
            return "sprint_added"
        return "sprint_removed"
    return "other"


def clean_kinds(kinds: Iterable[str] | None) -> frozenset[str] | None:
    if kinds is None:
        return None
    chosen = frozenset(str(k).strip().lower() for k in kinds)
    unknown = sorted(chosen - set(KINDS))
    if unknown:
        raise ValidationError(f"Unknown kind {unknown[0]!r}; the kinds are {', '.join(KINDS)}.")
    return chosen


class ActivityService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def feed(
        self,
        project_id: int,
        since: dt.datetime,
        member: str | None = None,
        kinds: Iterable[str] | None = None,
    ) -> ActivityDTO:
        """What happened in the project at or after ``since``; only ``member``'s doings
        (by name, regardless of case) and only ``kinds`` when given."""
        if not isinstance(since, dt.datetime):
            raise ValidationError("'Since' must be a date and time.")
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        wanted = clean_kinds(kinds)
        who = None if member is None or not str(member).strip() else str(member).strip().lower()
        with self._ctx.read() as uow:
            session = uow.session
            project_key = get_project(session, project_id).key
            names = _names(session, project_id, project_key)
            rows = session.execute(
                select(HistoryEvent, Card.number, Card.title)
                .join(Card, Card.id == HistoryEvent.card_id)
                .where(HistoryEvent.project_id == project_id, HistoryEvent.at >= since)
                .order_by(HistoryEvent.at, HistoryEvent.id)
            ).all()
            items: list[ActivityItemDTO] = []
            for event, number, title in rows:
                dto = HistoryEventDTO(
                    event.id,
                    event.card_id,
                    event.at,
                    event.actor,
                    event.kind,
                    dict(event.before or {}),
                    dict(event.after or {}),
                    column_id_after=event.column_id_after,
                    category_after=event.category_after,
                    sprint_id_after=event.sprint_id_after,
                )
                kind = kind_of(dto)
                if kind is None:
                    continue
                text = "; ".join(describe_lines(dto, names))
                items.append(
                    ActivityItemDTO(
                        event.at,
                        event.actor,
                        kind,
                        event.card_id,
                        f"{project_key}-{number}",
                        title,
                        text,
                    )
                )
        titles = {item.card_id: item.card_title for item in items}
        for comment in CommentService(self._ctx).since(project_id, since):
            preview = " ".join(comment.text.split())
            if len(preview) > COMMENT_PREVIEW:
                preview = preview[: COMMENT_PREVIEW - 1] + "…"
            items.append(
                ActivityItemDTO(
                    comment.created_at,
                    comment.author,
                    "commented",
                    comment.card_id,
                    comment.card_key,
                    titles.get(comment.card_id) or self._title(comment.card_id),
                    f"Commented: {preview}",
                )
            )
        items.sort(key=lambda item: item.at)
        people = tuple(sorted({item.person for item in items}, key=str.lower))
        shown = [
            item
            for item in items
            if (who is None or item.person.lower() == who)
            and (wanted is None or item.kind in wanted)
        ]
        return ActivityDTO(project_id, since, tuple(shown), people)

    def resolve_since(self, project_id: int, text: str) -> dt.datetime:
        """``last-standup``, ``yesterday``, ``today``, a date (the start of that day in the
        project's zone) or a date and time, as the moment the feed starts."""
        value = str(text or "").strip().lower()
        with self._ctx.read() as uow:
            project = get_project(uow.session, project_id)
            zone = project_zone(project.time_zone)
            key = project.key
        now = self._ctx.clock()
        today = now.astimezone(zone).date()
        if value in ("last-standup", "standup", "last standup"):
            from app.services.standups import StandupService

            started = StandupService(self._ctx).last_started(project_id)
            if started is None:
                raise NotFound(f"No standup has been held on {key} yet; give a date instead.")
            return started
        if value == "yesterday":
            return _start_of(today - dt.timedelta(days=1), zone)
        if value == "today":
            return _start_of(today, zone)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD).") from None
            return _start_of(day, zone)
        try:
            moment = dt.datetime.fromisoformat(str(text).strip())
        except ValueError:
            shown = str(text) if len(str(text)) <= 40 else str(text)[:39] + "…"
            raise ValidationError(
                f"{shown!r} is not a moment: give a date (YYYY-MM-DD), 'yesterday', 'today' "
                "or 'last-standup'."
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(dt.UTC)

    def _title(self, card_id: int) -> str:
        with self._ctx.read() as uow:
            return uow.session.scalar(select(Card.title).where(Card.id == card_id)) or ""


def _start_of(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone).astimezone(dt.UTC)


def _names(session: Session, project_id: int, project_key: str) -> HistoryNames:
    """What history sentences name things by, read from the database."""
    members = dict(
        session.execute(
            select(Member.id, Member.display_name)
            .join(ProjectMember, ProjectMember.member_id == Member.id)
            .where(ProjectMember.project_id == project_id)
        ).all()
    )
    epics = {
        cid: f"{project_key}-{number} {title}"
        for cid, number, title in session.execute(
            select(Card.id, Card.number, Card.title).where(
                Card.project_id == project_id, Card.type == "epic"
            )
        ).all()
    }
    labels = dict(
        session.execute(select(Label.id, Label.name).where(Label.project_id == project_id)).all()
    )
    sprints = dict(
        session.execute(select(Sprint.id, Sprint.name).where(Sprint.project_id == project_id)).all()
    )
    return HistoryNames(members=members, epics=epics, labels=labels, sprints=sprints)


__all__ = [
    "KINDS",
    "KIND_LABELS",
    "ActivityDTO",
    "ActivityGroupDTO",
    "ActivityItemDTO",
    "ActivityService",
    "kind_of",
]
