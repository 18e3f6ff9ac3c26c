"""What the standup shows for each person, read in one go (the standup view's data).

For each active member of the project's team, in the team's order: their blocked cards, their
cards in progress by how long they have been in their column (in working days of the
project's calendar; older than ``stale_after`` flagged), what they finished or moved since
the last standup (from the history: the cards now assigned to them that moved after
``since``) and the comments they wrote since then (deleted ones left out). ``since`` is the
start of the last standup held (``services.standups.last_started``); None means "since
yesterday" (the last 24 hours), what a team's first standup looks back over.

A fixed number of queries for the whole team (cards, columns, members, the history and the
comments of the period), so that a standup of ten people is one read, not ten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from app.clock import local_date, today_in
from app.errors import NotFound, ValidationError
from app.metrics.calendar import working_days
from app.models import Card, Comment, HistoryEvent, Holiday, Member, WorkflowColumn
from app.services.common import check_id, column_dto, fetch_cards, get_project
from app.services.context import ServiceContext
from app.services.dto import CardDTO, MemberDTO

DEFAULT_STALE_AFTER = 3  # working days in a column before a card in progress is flagged
MAX_STALE_AFTER = 365
DEFAULT_LOOKBACK = dt.timedelta(hours=24)  # without a last standup: since yesterday


@dataclass(frozen=True, slots=True)
class StandupCard:
    """A card as the standup lists it: where it is and for how long it has been there."""

    card: CardDTO
    column_name: str
    days_in_column: int  # working days since it entered its column (0: today)
    stale: bool  # in progress for longer than the threshold


@dataclass(frozen=True, slots=True)
class StandupMove:
    """A move since the last standup: ``finished`` when it went into a done column."""

    card_id: int
    card_key: str
    title: str
    from_column: str
    to_column: str
    at: dt.datetime
    finished: bool


@dataclass(frozen=True, slots=True)
class StandupComment:
    card_id: int
    card_key: str
    card_title: str
    at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True)
class PersonStandup:
    """One person's turn."""

    member: MemberDTO
    blocked: tuple[StandupCard, ...]
    in_progress: tuple[StandupCard, ...]  # not blocked; longest in its column first
    finished: tuple[StandupMove, ...]  # moved into done since the last standup
    moved: tuple[StandupMove, ...]  # other moves since the last standup
    comments: tuple[StandupComment, ...]

    @property
    def has_nothing(self) -> bool:
        """Nothing to say: no card blocked or in progress, nothing done or written."""
        return not (self.blocked or self.in_progress or self.finished or self.moved)


@dataclass(frozen=True, slots=True)
class StandupData:
    project_id: int
    since: dt.datetime  # UTC
    today: dt.date  # in the project's zone
    stale_after: int
    people: tuple[PersonStandup, ...]


class StandupDataService:
    """Reads what a standup walks through; writes nothing."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def for_team(
        self,
        project_id: int,
        since: dt.datetime | None = None,
        stale_after: int = DEFAULT_STALE_AFTER,
    ) -> StandupData:
        """Every active team member's turn, in the team's order (by name)."""
        return self._read(project_id, since, stale_after, None)

    def for_member(
        self,
        project_id: int,
        member_id: int,
        since: dt.datetime | None = None,
        stale_after: int = DEFAULT_STALE_AFTER,
    ) -> PersonStandup:
        """One person's turn (a member of the project's team, active or not)."""
        check_id(member_id, "member")
        data = self._read(project_id, since, stale_after, member_id)
        if not data.people:
            raise NotFound(f"There is no member with id {member_id} in this project's team.")
        return data.people[0]

    # --- reading ---------------------------------------------------------------------------

    def _read(
        self,
        project_id: int,
        since: dt.datetime | None,
        stale_after: int,
        member_id: int | None,
    ) -> StandupData:
        if isinstance(stale_after, bool) or not isinstance(stale_after, int):
            raise ValidationError("The days before a card is flagged must be a whole number.")
        if not 1 <= stale_after <= MAX_STALE_AFTER:
            raise ValidationError(
                f"The days before a card is flagged must be from 1 to {MAX_STALE_AFTER}."
            )
        now = self._ctx.clock()
        if since is None:
            since = now - DEFAULT_LOOKBACK
        elif not isinstance(since, dt.datetime):
            raise ValidationError("The last standup's start must be a date and time.")
        elif since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        if since > now:
            raise ValidationError("The last standup cannot start in the future.")
        since = since.astimezone(dt.UTC)
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            zone = project.time_zone
            today = today_in(zone, now)
            holidays = set(
                session.scalars(select(Holiday.day).where(Holiday.project_id == project_id))
            )
            weekdays = project.working_weekdays
            columns = {
                c.id: column_dto(c)
                for c in session.scalars(
                    select(WorkflowColumn).where(WorkflowColumn.project_id == project_id)
                )
            }
            people = _team(session, project_id, member_id)
            ids = [m.id for m in people]
            cards = [
                c
                for c in fetch_cards(session, project_id)
                if c.assignee_id in ids and c.type != "epic"
            ]
            entered = _entered_column(session, project_id, [c.id for c in cards])
            moves = session.execute(
                select(
                    HistoryEvent.card_id,
                    HistoryEvent.at,
                    HistoryEvent.before,
                    HistoryEvent.after,
                    HistoryEvent.category_after,
                )
                .join(Card, Card.id == HistoryEvent.card_id)
                .where(
                    HistoryEvent.project_id == project_id,
                    HistoryEvent.kind == "moved",
                    HistoryEvent.at >= since,
                    Card.assignee_id.in_(ids) if ids else Card.id.is_(None),
                    Card.archived.is_(False),
                )
                .order_by(HistoryEvent.at, HistoryEvent.id)
            ).all()
            # Authors are names: matched case-insensitively here (SQL's lower() is ASCII-only).
            names = {m.display_name.casefold() for m in people}
            comments = [
                row
                for row in session.execute(
                    select(Comment.card_id, Comment.created_at, Comment.author, Comment.text)
                    .join(Card, Card.id == Comment.card_id)
                    .where(
                        Card.project_id == project_id,
                        Card.archived.is_(False),
                        Comment.created_at >= since,
                        Comment.deleted_at.is_(None),
                    )
                    .order_by(Comment.created_at, Comment.id)
                ).all()
                if row.author.casefold() in names
            ]
            titles = dict(
                session.execute(
                    select(Card.id, Card.title).where(
                        Card.id.in_({m.card_id for m in moves} | {c.card_id for c in comments})
                    )
                ).all()
            )
            project_key = project.key
            numbers = dict(
                session.execute(select(Card.id, Card.number).where(Card.id.in_(list(titles)))).all()
            )

        def in_column(card: CardDTO) -> int:
            start = local_date(entered.get(card.id, card.created_at), zone)
            if start >= today:
                return 0
            days = working_days(start + dt.timedelta(days=1), today, weekdays, holidays)
            return len(days)

        def listed(card: CardDTO) -> StandupCard:
            days = in_column(card)
            column = columns.get(card.column_id)
            return StandupCard(
                card,
                column.name if column else "",
                days,
                stale=column is not None
                and column.category == "in_progress"
                and days > stale_after,
            )

        by_person: dict[int, list[CardDTO]] = {}
        for card in cards:
            by_person.setdefault(card.assignee_id or 0, []).append(card)
        assignee_of = {c.id: c.assignee_id for c in cards}
        moves_of: dict[int, list[StandupMove]] = {}
        for card_id, at, before, after, category in moves:
            person = assignee_of.get(card_id)
            if person is None:
                continue
            moves_of.setdefault(person, []).append(
                StandupMove(
                    card_id,
                    f"{project_key}-{numbers.get(card_id)}",
                    titles.get(card_id, ""),
                    str((before or {}).get("column", "")),
                    str((after or {}).get("column", "")),
                    at,
                    finished=category == "done",
                )
            )
        comments_of: dict[str, list[StandupComment]] = {}
        for card_id, at, author, text in comments:
            comments_of.setdefault(author.casefold(), []).append(
                StandupComment(
                    card_id,
                    f"{project_key}-{numbers.get(card_id)}",
                    titles.get(card_id, ""),
                    at,
                    text,
                )
            )

        turns = []
        for member in people:
            mine = by_person.get(member.id, [])
            open_cards = [
                c
                for c in mine
                if c.column_id in columns and columns[c.column_id].category != "done"
            ]
            blocked = [listed(c) for c in open_cards if c.blocked]
            working = [
                listed(c)
                for c in open_cards
                if not c.blocked and columns[c.column_id].category == "in_progress"
            ]
            working.sort(key=lambda s: (-s.days_in_column, s.card.rank))
            blocked.sort(key=lambda s: (-s.days_in_column, s.card.rank))
            moved = _last_per_card(moves_of.get(member.id, []))
            turns.append(
                PersonStandup(
                    member,
                    tuple(blocked),
                    tuple(working),
                    tuple(m for m in moved if m.finished),
                    tuple(m for m in moved if not m.finished),
                    tuple(comments_of.get(member.display_name.casefold(), ())),
                )
            )
        return StandupData(project_id, since, today, stale_after, tuple(turns))


def _team(session: object, project_id: int, member_id: int | None) -> list[MemberDTO]:
    """The project's active team in the team's order (by name), or the one member asked."""
    from app.models import ProjectMember

    query = (
        select(Member, ProjectMember)
        .join(ProjectMember, ProjectMember.member_id == Member.id)
        .where(ProjectMember.project_id == project_id)
        .order_by(func.lower(Member.display_name), Member.id)
    )
    if member_id is None:
        query = query.where(ProjectMember.active.is_(True), Member.active.is_(True))
    else:
        query = query.where(Member.id == member_id)
    return [
        MemberDTO(m.id, m.display_name, pm.role, m.active and pm.active)
        for m, pm in session.execute(query).all()  # type: ignore[attr-defined]
    ]


UNDO_WINDOW = dt.timedelta(hours=1)  # a move taken back this soon does not reset the age


def _entered_column(session: object, project_id: int, card_ids: Sequence[int]) -> dict:
    """When each card entered the column it is in, replayed from its history.

    A move taken back within :data:`UNDO_WINDOW` (an undo, a slip of the mouse) does not
    count: the card has been in its column since it first came there, not since the undo.
    """
    if not card_ids:
        return {}
    rows = session.execute(  # type: ignore[attr-defined]
        select(HistoryEvent.card_id, HistoryEvent.at, HistoryEvent.column_id_after)
        .where(
            HistoryEvent.project_id == project_id,
            HistoryEvent.kind.in_(("created", "moved", "restored")),
            HistoryEvent.card_id.in_(list(card_ids)),
        )
        .order_by(HistoryEvent.card_id, HistoryEvent.at, HistoryEvent.id)
    ).all()
    stacks: dict[int, list[tuple[int | None, dt.datetime]]] = {}
    for card_id, at, column_id in rows:
        stack = stacks.setdefault(card_id, [])
        if not stack:
            stack.append((column_id, at))
        elif column_id == stack[-1][0]:
            continue
        elif len(stack) >= 2 and stack[-2][0] == column_id and at - stack[-1][1] <= UNDO_WINDOW:
            stack.pop()
        else:
            stack.append((column_id, at))
    return {card_id: stack[-1][1] for card_id, stack in stacks.items() if stack}


def _last_per_card(moves: list[StandupMove]) -> list[StandupMove]:
    """One line per card: where it went last (from where it was at the last standup)."""
    first: dict[int, StandupMove] = {}
    last: dict[int, StandupMove] = {}
    for move in moves:
        first.setdefault(move.card_id, move)
        last[move.card_id] = move
    return [
        StandupMove(
            m.card_id,
            m.card_key,
            m.title,
            first[m.card_id].from_column,
            m.to_column,
            m.at,
            m.finished,
        )
        for m in sorted(last.values(), key=lambda m: m.at)
        if first[m.card_id].from_column != m.to_column  # moved and back: no move at all
    ]


__all__ = [
    "DEFAULT_STALE_AFTER",
    "PersonStandup",
    "StandupCard",
    "StandupComment",
    "StandupData",
    "StandupDataService",
    "StandupMove",
]
