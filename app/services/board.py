"""The board: loading it in a few queries, and moving cards (the path that must stay fast).

(~560 lines in one module: loading and moving share the move path's prepared statements and
rank lookups, kept beside the code that uses them.)
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    Connection,
    Integer,
    Numeric,
    Select,
    bindparam,
    case,
    column,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationError
from app.metrics.ranks import key_between, keys_between, needs_rebalance
from app.models import Card, HistoryEvent, Label, Member, ProjectMember, Sprint, WorkflowColumn
from app.services.comments import comment_counts
from app.services.common import (
    card_key,
    check_id,
    check_version,
    column_dto,
    event_values,
    fetch_cards,
    fetch_one_card,
    get_card_for_update,
    get_project,
    project_dto,
    record_event,
    sprint_dto,
)
from app.services.context import ServiceContext
from app.services.dto import (
    BoardDTO,
    CardDTO,
    CardMatch,
    EpicFigures,
    Figures,
    LabelDTO,
    MemberDTO,
)
from app.services.events import Change, ChangeKind
from app.services.match_sql import (
    MatchSQL,
    match_sql,
    matching_figures_sql,
    matching_page_ids,
)
from app.services.plans import blocked_keys
from app.services.search import has_trigram_index
from app.storage import read_board

_MOVE_COLUMNS = select(
    WorkflowColumn.id,
    WorkflowColumn.project_id,
    WorkflowColumn.name,
    WorkflowColumn.category,
    WorkflowColumn.archived,
).where(WorkflowColumn.id.in_(bindparam("ids", expanding=True)))


# The move's statements, built once: constructing a select costs more than running it.
_card = Card.__table__.c
_neighbour = Card.__table__.alias("neighbour")


def _neighbour_with_bound(after: bool) -> Select:
    """The neighbour's column, archived flag and rank, with the next key in the project's
    ranking after it (``after``) or before it, ignoring the card being moved: one query."""
    if after:
        bound = select(func.min(_card.rank)).where(_card.rank > _neighbour.c.rank)
    else:
        bound = select(func.max(_card.rank)).where(_card.rank < _neighbour.c.rank)
    bound = bound.where(
        _card.project_id == _neighbour.c.project_id, _card.id != bindparam("card_id")
    )
    return select(
        _neighbour.c.column_id,
        _neighbour.c.archived,
        _neighbour.c.rank,
        bound.scalar_subquery(),
    ).where(_neighbour.c.id == bindparam("neighbour_id"))


_AFTER_NEIGHBOUR = _neighbour_with_bound(after=True)
_BEFORE_NEIGHBOUR = _neighbour_with_bound(after=False)
_NEXT_RANK = select(func.min(_card.rank)).where(
    _card.project_id == bindparam("project_id"),
    _card.rank > bindparam("rank"),
    _card.id != bindparam("card_id"),
)
_PREVIOUS_RANK = select(func.max(_card.rank)).where(
    _card.project_id == bindparam("project_id"),
    _card.rank < bindparam("rank"),
    _card.id != bindparam("card_id"),
)
_RANK_TAKEN = select(_card.id).where(
    _card.project_id == bindparam("project_id"),
    _card.rank == bindparam("rank"),
    _card.id != bindparam("card_id"),
)
_IN_COLUMN = (
    _card.column_id == bindparam("column_id"),
    _card.archived.is_(False),
    _card.id != bindparam("card_id"),
)
_LAST_IN_COLUMN = select(func.max(_card.rank)).where(*_IN_COLUMN)
_AT_POSITION = (
    select(_card.rank).where(*_IN_COLUMN).order_by(_card.rank).offset(bindparam("offset")).limit(1)
)
_MOVE = (
    update(Card.__table__)
    .where(_card.id == bindparam("card_id"), _card.version == bindparam("old_version"))
    .values(
        column_id=bindparam("to_column", type_=_card.column_id.type),
        rank=bindparam("new_rank", type_=_card.rank.type),
        resolved_at=bindparam("new_resolved_at", type_=_card.resolved_at.type),
        version=bindparam("new_version", type_=_card.version.type),
        updated_at=bindparam("new_updated_at", type_=_card.updated_at.type),
    )
)
_INSERT_EVENT = insert(HistoryEvent.__table__)


# count, point sum (wide enough for a whole project), estimated count: a header's figures.
_FIGURES = (
    func.count(),
    func.sum(Card.points, type_=Numeric(14, 1, asdecimal=True)),
    func.count(Card.points),
)


def _check_page(project_id: int, column_id: int, offset: int, limit: int) -> None:
    """A column page's ids and bounds, or a ValidationError naming the bad one."""
    for value, what in ((project_id, "project"), (column_id, "column")):
        check_id(value, what)
    _check_count(offset, "offset")
    _check_count(limit, "page size")


def _check_count(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"The {what} is a whole number from 0, not {value!r:.40}.")


def _done_column_ids(session: Session, project_id: int) -> list[int]:
    """The project's done columns (finished work: out of the backlog, done in progress)."""
    return list(
        session.scalars(
            select(WorkflowColumn.id).where(
                WorkflowColumn.project_id == project_id, WorkflowColumn.category == "done"
            )
        )
    )


# The grouped figures of a filtered board, typed as _FIGURES (the points a Numeric(14, 1)).
_MATCH_FIGURE_COLUMNS = (
    column("column_id", Integer),
    column("n", Integer),
    column("points", Numeric(14, 1, asdecimal=True)),
    column("estimated", Integer),
)


def _figures(count: int, points: object, estimated: int) -> Figures:
    total = Decimal(0) if points is None else Decimal(str(points))
    return Figures(int(count), total, int(count) - int(estimated))


@dataclass(slots=True)
class _CardRef:
    """What the ranking helpers and messages need of a card being moved (no ORM object)."""

    id: int
    project_id: int
    number: int
    version: int
    rank: str


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _as_stored(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp as it reads back from the database (UTC, see UTCDateTime)."""
    return None if value is None else value.astimezone(dt.UTC)


POSITION_MAX = 1_000_000_000  # a position beyond any column: the card lands last


def _on_postgres(context: ServiceContext) -> bool:
    """The writer is a psycopg connection pool (the two-round-trip move applies)."""
    bind = context.writer.kw.get("bind")
    dialect = getattr(bind, "dialect", None)
    return getattr(dialect, "name", None) == "postgresql" and dialect.driver == "psycopg"  # type: ignore[union-attr]


class BoardService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        # PostgreSQL: moves go through app/storage/pg_move.py (two round trips instead of
        # about ten); False sends every move down the general path (tests compare both).
        self.fast_moves = _on_postgres(context)
        self._fts: bool | None = None  # SQLite: the database has the trigram index

    def load_board(self, project_id: int) -> BoardDTO:
        """One project's board: columns, live cards in rank order, people, labels, sprints."""
        check_id(project_id, "project")
        # Tens of thousands of new objects that all live on: the cyclic collector would walk
        # the whole heap several times while they are made, for nothing to collect.
        with _collector_paused(), self._ctx.read() as uow:
            conn = uow.session.connection()
            # The engine's fast read where it has one (SQLite: plain DB-API reads, half the
            # time of the Core path), in this transaction.
            fast = read_board(conn, project_id)
            return fast if fast is not None else self._load_board_core(uow.session, project_id)

    def load_board_head(self, project_id: int) -> BoardDTO:
        """A board without its work: columns, people, labels, sprints, comment counts and
        blockers, and of the cards only the epics (the lanes and filters name them). The
        columns' cards come a page at a time (:meth:`column_page`), their figures from
        :meth:`column_figures`: what opening a 200,000-card board costs is what it shows."""
        check_id(project_id, "project")
        with self._ctx.read() as uow:
            return self._load_board_core(uow.session, project_id, epics_only=True)

    def column_page(
        self,
        project_id: int,
        column_id: int,
        *,
        sprint_id: int | None = None,
        newest_first: bool = False,
        offset: int = 0,
        limit: int = 100,
        matching: CardMatch | None = None,
        density: float | None = None,
    ) -> list[CardDTO]:
        """One page of a board column: its live cards (epics left out; in ``sprint_id``
        when given; only those ``matching`` a filter when given) from ``offset``, in rank
        order, or ``newest_first`` (a done column: the most recently resolved first, then
        by rank) -- the order app/ui/board/model.py keeps, so the next page starts where
        the rows held end.

        ``density``: the share of the column's cards that match (from
        :meth:`column_figures`), when known: it picks how a text filter's page is found
        (walking the column when matches are common, from the search index when rare);
        the answer is the same either way."""
        _check_page(project_id, column_id, offset, limit)
        if matching is not None and not matching.is_empty():
            with self._ctx.read() as uow:
                session = uow.session
                ids = self._matching_ids(
                    session,
                    project_id,
                    column_id,
                    sprint_id,
                    newest_first,
                    offset,
                    limit,
                    matching,
                    density,
                )
                if not ids:
                    return []
                found = {c.id: c for c in fetch_cards(session, project_id, ids)}
            return [found[i] for i in ids if i in found]
        where = [
            Card.project_id == project_id,
            Card.column_id == column_id,
            Card.archived.is_(False),
            Card.type != "epic",
        ]
        if sprint_id is not None:
            where.append(Card.sprint_id == check_id(sprint_id, "sprint"))
        order = (
            (Card.resolved_at.desc().nulls_last(), Card.rank)  # index ix_card_column_resolved
            if newest_first
            else (Card.rank,)
        )
        with self._ctx.read() as uow:
            session = uow.session
            ids = list(
                session.scalars(
                    select(Card.id).where(*where).order_by(*order).offset(offset).limit(limit)
                )
            )
            if not ids:
                return []
            found = {c.id: c for c in fetch_cards(session, project_id, ids)}
        return [found[i] for i in ids if i in found]

    def column_page_ids(
        self,
        project_id: int,
        column_id: int,
        *,
        sprint_id: int | None = None,
        newest_first: bool = False,
        offset: int = 0,
        limit: int = 100,
        matching: CardMatch | None = None,
        density: float | None = None,
    ) -> list[int]:
        """The ids of :meth:`column_page`'s cards, in its order, without the cards: for a
        caller that holds most of them already (the board's store, typing in the filter:
        the first matches of a column are mostly the cards its first page showed)."""
        _check_page(project_id, column_id, offset, limit)
        if matching is None:
            matching = CardMatch()
        with self._ctx.read() as uow:
            return self._matching_ids(
                uow.session,
                project_id,
                column_id,
                sprint_id,
                newest_first,
                offset,
                limit,
                matching,
                density,
            )

    def _match_sql(self, connection: Connection, project_id: int, matching: CardMatch) -> MatchSQL:
        postgres = connection.dialect.name == "postgresql"
        if not isinstance(matching, CardMatch) or not isinstance(matching.text, str):
            raise ValidationError("The board filter is not one the board understands.")
        if self._fts is None and not postgres:
            self._fts = has_trigram_index(connection)
        return match_sql(matching, project_id, postgres, bool(self._fts))

    def _matching_ids(
        self,
        session: Session,
        project_id: int,
        column_id: int,
        sprint_id: int | None,
        newest_first: bool,
        offset: int,
        limit: int,
        matching: CardMatch,
        density: float | None,
    ) -> list[int]:
        """The ids of a filtered column's page, in its order (app/services/match_sql.py's
        plans, which the first paint shares)."""
        connection = session.connection()
        postgres = connection.dialect.name == "postgresql"
        m = self._match_sql(connection, project_id, matching)
        if sprint_id is not None:
            check_id(sprint_id, "sprint")

        def rows(sql: str, params: dict[str, object]) -> Sequence[Sequence[object]]:
            return session.execute(text(sql), params).all()

        return matching_page_ids(
            rows, m, postgres, column_id, sprint_id, newest_first, offset, limit, density
        )

    @staticmethod
    def _load_board_core(session: Session, project_id: int, epics_only: bool = False) -> BoardDTO:
        """The same board through SQLAlchemy Core, for databases other than SQLite;
        ``epics_only``: of the cards, only the live epics."""
        project = get_project(session, project_id)
        columns = session.scalars(
            select(WorkflowColumn)
            .where(WorkflowColumn.project_id == project_id, WorkflowColumn.archived.is_(False))
            .order_by(WorkflowColumn.position)
        )
        if epics_only:
            epic_ids = session.scalars(
                select(Card.id).where(
                    Card.project_id == project_id, Card.archived.is_(False), Card.type == "epic"
                )
            ).all()
            cards = fetch_cards(session, project_id, epic_ids)
        else:
            cards = fetch_cards(session, project_id)
        members = session.execute(
            select(Member, ProjectMember)
            .join(ProjectMember, ProjectMember.member_id == Member.id)
            .where(ProjectMember.project_id == project_id)
            .order_by(Member.display_name, Member.id)
        ).all()
        labels = session.scalars(
            select(Label).where(Label.project_id == project_id).order_by(Label.name, Label.id)
        )
        sprints = session.scalars(
            select(Sprint)
            .where(Sprint.project_id == project_id)
            .order_by(Sprint.start_date, Sprint.id)
        )
        return BoardDTO(
            project=project_dto(project),
            columns=tuple(column_dto(c) for c in columns),
            cards=tuple(cards),
            members=tuple(
                MemberDTO(m.id, m.display_name, pm.role, m.active and pm.active)
                for m, pm in members
            ),
            labels=tuple(LabelDTO(lb.id, lb.name, lb.color) for lb in labels),
            epics=tuple(c for c in cards if c.type == "epic"),
            sprints=tuple(sprint_dto(s) for s in sprints),
            comment_counts=comment_counts(session, project_id),
            blocked_by=blocked_keys(session, project_id),
            complete=not epics_only,
        )

    def column_figures(
        self,
        project_id: int,
        sprint_id: int | None = None,
        *,
        matching: CardMatch | None = None,
    ) -> dict[int, Figures]:
        """Per workflow column: the live cards a board column counts (epics are containers,
        not work: left out) and their points, in ``sprint_id`` when given, and only those
        ``matching`` a filter when given (what "12 of 40 cards" counts). One GROUP BY,
        however many cards there are; a column without cards is absent."""
        check_id(project_id, "project")
        if matching is not None and not matching.is_empty():
            return self._matching_figures(project_id, sprint_id, matching)
        where = [
            Card.project_id == project_id,
            Card.archived.is_(False),
            Card.type != "epic",
        ]
        if sprint_id is not None:
            where.append(Card.sprint_id == check_id(sprint_id, "sprint"))
        statement = select(Card.column_id, *_FIGURES).where(*where).group_by(Card.column_id)
        with self._ctx.read() as uow:
            rows = uow.session.execute(statement).all()
        return {column_id: _figures(*rest) for column_id, *rest in rows}

    def _matching_figures(
        self, project_id: int, sprint_id: int | None, matching: CardMatch
    ) -> dict[int, Figures]:
        """:meth:`column_figures` of a filter: every match counted, one query (SQLite: from
        the search index's matches to their cards, in the cards' key order)."""
        with self._ctx.read() as uow:
            connection = uow.session.connection()
            postgres = connection.dialect.name == "postgresql"
            m = self._match_sql(connection, project_id, matching)
            if m.nothing:
                return {}
            if sprint_id is not None:
                check_id(sprint_id, "sprint")
            sql, params = matching_figures_sql(m, postgres, sprint_id)
            rows = connection.execute(text(sql).columns(*_MATCH_FIGURE_COLUMNS), params).all()
        return {column_id: _figures(*rest) for column_id, *rest in rows}

    def section_figures(
        self,
        project_id: int,
        sprint_ids: list[int] | tuple[int, ...],
        epic_id: int | None = None,
    ) -> dict[int | None, Figures]:
        """The backlog page's sections: per sprint of ``sprint_ids`` its live cards (epics
        left out) and, under None, the backlog's: cards in no sprint that are not in a done
        column (finished work leaves the backlog). Every section asked is present.
        ``epic_id``: only that epic's cards (what the backlog shows with the epic chosen)."""
        check_id(project_id, "project")
        ids = [check_id(i, "sprint") for i in sprint_ids]
        live: tuple = (Card.project_id == project_id, Card.archived.is_(False), Card.type != "epic")
        if epic_id is not None:
            live = (*live, Card.parent_id == check_id(epic_id, "epic"))
        found: dict[int | None, Figures] = {i: Figures() for i in ids}
        with self._ctx.read() as uow:
            session = uow.session
            if ids:
                # Found by ix_card_sprint: the project condition on the sprints, not the
                # cards (see sprint_cards).
                mine = select(Sprint.id).where(Sprint.project_id == project_id)
                rows = session.execute(
                    select(Card.sprint_id, *_FIGURES)
                    .where(*live[1:], Card.sprint_id.in_(ids), Card.sprint_id.in_(mine))
                    .group_by(Card.sprint_id)
                ).all()
                found.update({sprint: _figures(*rest) for sprint, *rest in rows})
            # The done columns' ids rather than a join: the count then reads the covering
            # index ix_card_project_column alone (33 -> 26 ms at 200,000 cards).
            done = _done_column_ids(session, project_id)
            backlog = session.execute(
                select(*_FIGURES).where(
                    *live, Card.sprint_id.is_(None), Card.column_id.not_in(done)
                )
            ).one()
            found[None] = _figures(*backlog)
        return found

    def section_page(
        self,
        project_id: int,
        *,
        after_rank: str | None = None,
        limit: int = 100,
        epic_id: int | None = None,
        last: bool = False,
    ) -> list[CardDTO]:
        """A page of the backlog section (the cards :meth:`section_figures` counts under
        None), in rank order after ``after_rank`` (keyset paging: the next page starts where
        the rows held end, whatever was inserted before them); ``epic_id``: that epic's cards
        only; ``last``: the section's last cards instead, the last first (its bottom, for
        "Move to bottom"). The unique (project_id, rank) index gives the order."""
        check_id(project_id, "project")
        _check_count(limit, "page size")
        with self._ctx.read() as uow:
            session = uow.session
            where = [
                Card.project_id == project_id,
                Card.archived.is_(False),
                Card.type != "epic",
                Card.sprint_id.is_(None),
                Card.column_id.not_in(_done_column_ids(session, project_id)),
            ]
            if epic_id is not None:
                where.append(Card.parent_id == check_id(epic_id, "epic"))
            if after_rank is not None:
                where.append(Card.rank < after_rank if last else Card.rank > after_rank)
            order = Card.rank.desc() if last else Card.rank
            ids = list(session.scalars(select(Card.id).where(*where).order_by(order).limit(limit)))
            if not ids:
                return []
            found = {c.id: c for c in fetch_cards(session, project_id, ids)}
        return [found[i] for i in ids if i in found]

    def column_end(self, column_id: int, *, last: bool, excluding: int | None = None) -> int | None:
        """The first (or ``last``) live card of a column in rank order, epics left out,
        other than ``excluding``: where "Move to top/bottom of column" puts a card, found by
        ix_card_column_rank without reading the column. None: no other card there."""
        check_id(column_id, "column")
        where = [Card.column_id == column_id, Card.archived.is_(False), Card.type != "epic"]
        if excluding is not None:
            where.append(Card.id != check_id(excluding, "card"))
        order = Card.rank.desc() if last else Card.rank
        with self._ctx.read() as uow:
            return uow.session.scalar(select(Card.id).where(*where).order_by(order).limit(1))

    def sprint_cards(
        self, project_id: int, sprint_ids: list[int] | tuple[int, ...]
    ) -> dict[int, list[CardDTO]]:
        """Per sprint of ``sprint_ids``: its live cards (epics left out) in rank order, all
        of them (a sprint holds a sprint's work, which the backlog page shows whole)."""
        check_id(project_id, "project")
        ids = [check_id(i, "sprint") for i in sprint_ids]
        found: dict[int, list[CardDTO]] = {i: [] for i in ids}
        if not ids:
            return found
        with self._ctx.read() as uow:
            session = uow.session
            # The project's condition on the sprints, not on the cards: with one there SQLite
            # (without ANALYZE's statistics) scans the project's index, not ix_card_sprint.
            card_ids = list(
                session.scalars(
                    select(Card.id).where(
                        Card.sprint_id.in_(ids),
                        Card.sprint_id.in_(
                            select(Sprint.id).where(Sprint.project_id == project_id)
                        ),
                        Card.archived.is_(False),
                        Card.type != "epic",
                    )
                )
            )
            cards = fetch_cards(session, project_id, card_ids) if card_ids else []
        for card in cards:  # fetch_cards gives rank order
            found[card.sprint_id].append(card)  # type: ignore[index]
        return found

    def epic_progress(self, project_id: int) -> dict[int, EpicFigures]:
        """Per epic of the project: its live cards (whatever their sprint or column), their
        points and the points of those in a done column; an epic without cards is absent.
        One GROUP BY, for the backlog's epics panel."""
        check_id(project_id, "project")
        points = func.coalesce(Card.points, 0)
        with self._ctx.read() as uow:
            session = uow.session
            done_ids = _done_column_ids(session, project_id)
            done = case((Card.column_id.in_(done_ids), points), else_=0) if done_ids else 0
            # From the index ix_card_project_parent alone, in its order (migration 0015).
            statement = (
                select(
                    Card.parent_id,
                    func.count(),
                    func.sum(points, type_=Numeric(14, 1, asdecimal=True)),
                    func.sum(done, type_=Numeric(14, 1, asdecimal=True)),
                )
                .where(
                    Card.project_id == project_id,
                    Card.parent_id.is_not(None),
                    Card.archived.is_(False),
                    Card.type != "epic",
                )
                .group_by(Card.parent_id)
            )
            rows = session.execute(statement).all()
        return {
            epic: EpicFigures(int(count), Decimal(str(total or 0)), Decimal(str(done or 0)))
            for epic, count, total, done in rows
        }

    def move_card(
        self,
        card_id: int,
        to_column_id: int,
        *,
        after_id: int | None = None,
        before_id: int | None = None,
        position: int | None = None,
        rank: str | None = None,
        expected_version: int | None = None,
    ) -> CardDTO:
        """Move a card into ``to_column_id``, placed by one of (checked in this order):

        * ``rank``: an exact rank key to restore (undo); if taken, just after it;
        * ``position``: 1-based place within the target column;
        * ``after_id`` / ``before_id``: the card that will be just above / below it;
        * nothing: last in the column.

        Writes the card row and one history event, in one transaction.
        """
        check_id(card_id, "card")
        if self.fast_moves:
            from app.storage import pg_move

            moved = pg_move.move_card(
                self._ctx,
                card_id,
                to_column_id,
                after_id=after_id,
                before_id=before_id,
                position=position,
                rank=rank,
                expected_version=expected_version,
            )
            if moved is not pg_move.FALLBACK:
                return moved  # type: ignore[no-any-return]
        with self._ctx.write() as uow:
            session = uow.session
            conn = session.connection()
            # The card as the UI will get it, read once: the checks use it and the result is
            # a copy with the moved fields replaced (no second read after the write).
            old = fetch_one_card(session, card_id)
            if old is None:
                raise NotFound(f"There is no card with id {card_id}.")
            card = _CardRef(old.id, old.project_id, old.number, old.version, old.rank)
            # The card's key is only needed for a message: no query on the happy path.
            if expected_version is not None and old.version != expected_version:
                check_version(card, expected_version, old.key)  # type: ignore[arg-type]
            if old.archived:
                raise Conflict(f"{old.key} is archived; restore it before moving it.")
            to_column_id = check_id(to_column_id, "column")
            found = {
                r.id: r for r in conn.execute(_MOVE_COLUMNS, {"ids": [to_column_id, old.column_id]})
            }
            target = found.get(to_column_id)
            if target is None or target.project_id != old.project_id:
                raise NotFound(f"There is no column with id {to_column_id} on this board.")
            if target.archived:
                raise Conflict(f"The column {target.name!r} is archived.")
            source = found.get(old.column_id)
            assert source is not None

            new_rank = self._new_rank(session, card, target.id, after_id, before_id, position, rank)
            if new_rank is None and target.id == old.column_id:
                # already there: nothing to write
                if card.rank != old.rank:  # re-keyed by a rebalance
                    return fetch_cards(session, old.project_id, [old.id])[0]
                return old
            old_rank = card.rank
            resolved_at = old.resolved_at
            if target.category == "done" and source.category != "done":
                resolved_at = self._ctx.clock()
            elif target.category != "done":
                resolved_at = None
            updated_at = self._ctx.clock()
            new_rank_value = new_rank if new_rank is not None else card.rank
            done = conn.execute(
                _MOVE,
                {
                    "card_id": old.id,
                    "old_version": old.version,
                    "to_column": target.id,
                    "new_rank": new_rank_value,
                    "new_resolved_at": resolved_at,
                    "new_version": old.version + 1,
                    "new_updated_at": updated_at,
                },
            )
            if done.rowcount != 1:
                raise Conflict("The card changed while it was being moved; reload and try again.")
            if target.id != source.id:
                kind = "moved"
                before = {"column": source.name, "category": source.category, "rank": old_rank}
                after = {"column": target.name, "category": target.category, "rank": new_rank_value}
            else:
                kind = "ranked"
                before = {"rank": old_rank}
                after = {"rank": new_rank_value}
            conn.execute(
                _INSERT_EVENT,
                event_values(
                    project_id=old.project_id,
                    card_id=old.id,
                    at=self._ctx.clock(),
                    actor=self._ctx.actor,
                    kind=kind,
                    before=before,
                    after=after,
                    column_id=target.id,
                    category=target.category,
                    sprint_id=old.sprint_id,
                    points=old.points,
                    archived=old.archived,
                ),
            )
            dto = old._replace(
                column_id=target.id,
                rank=new_rank_value,
                resolved_at=_as_stored(resolved_at),
                updated_at=_as_stored(updated_at),
                version=old.version + 1,
            )
            uow.notify(Change(ChangeKind.CARD_MOVED, old.project_id, (dto,), (source.id,)))
            uow.commit()
            return dto

    def rank_cards(
        self,
        card_ids: list[int],
        *,
        after_id: int | None = None,
        before_id: int | None = None,
        expected_versions: dict[int, int] | None = None,
    ) -> list[CardDTO]:
        """Re-rank cards in the project-wide ranking (the backlog's order), keeping their
        relative order: just below ``after_id``, or just above ``before_id`` (one is needed).

        Writes one row and one 'ranked' history event per card moved, whatever the size of the
        project: the new keys are taken strictly between the two neighbouring keys.
        """
        if not isinstance(card_ids, list | tuple):
            raise ValidationError("Choose at least one card to move.")
        ids = [check_id(i, "card") for i in dict.fromkeys(card_ids)]
        if not ids:
            raise ValidationError("Choose at least one card to move.")
        if (after_id is None) == (before_id is None):
            raise ValidationError("Say which card to place them after or before.")
        anchor_id = check_id(after_id if after_id is not None else before_id, "card")
        if anchor_id in ids:
            raise ValidationError("A card cannot be placed next to itself.")
        with self._ctx.write() as uow:
            session = uow.session
            cards = []
            for card_id in ids:
                card = get_card_for_update(session, card_id)
                expected = (expected_versions or {}).get(card_id)
                if expected is not None and card.version != expected:
                    check_version(card, expected, card_key(session, card))
                if card.archived:
                    raise Conflict(f"{card_key(session, card)} is archived.")
                cards.append(card)
            project_id = cards[0].project_id
            anchor = session.get(Card, anchor_id)
            if (
                anchor is None
                or anchor.project_id != project_id
                or any(c.project_id != project_id for c in cards)
            ):
                raise NotFound("The cards to rank are not all in the same project.")
            cards.sort(key=lambda c: c.rank)
            moving = {c.id for c in cards}
            others = (Card.project_id == project_id, Card.id.not_in(moving))
            if after_id is not None:
                lower: str | None = anchor.rank
                upper = session.scalar(
                    select(func.min(Card.rank)).where(*others, Card.rank > anchor.rank)
                )
            else:
                upper = anchor.rank
                lower = session.scalar(
                    select(func.max(Card.rank)).where(*others, Card.rank < anchor.rank)
                )
            keys = keys_between(lower, upper, len(cards))
            if any(needs_rebalance(k) for k in keys):
                self._rebalance(session, project_id)
                for c in cards:
                    session.refresh(c)
                session.refresh(anchor)
                return self._finish_rank(uow, cards, after_id, before_id, anchor)
            return self._apply_ranks(uow, cards, keys)

    def _finish_rank(
        self, uow, cards: list[Card], after_id: int | None, before_id: int | None, anchor: Card
    ) -> list[CardDTO]:  # type: ignore[no-untyped-def]
        session = uow.session
        moving = {c.id for c in cards}
        others = (Card.project_id == anchor.project_id, Card.id.not_in(moving))
        if after_id is not None:
            lower: str | None = anchor.rank
            upper = session.scalar(select(func.min(Card.rank)).where(*others, Card.rank > lower))
        else:
            upper = anchor.rank
            lower = session.scalar(select(func.max(Card.rank)).where(*others, Card.rank < upper))
        return self._apply_ranks(uow, cards, keys_between(lower, upper, len(cards)))

    def _apply_ranks(self, uow, cards: list[Card], keys: list[str]) -> list[CardDTO]:  # type: ignore[no-untyped-def]
        session = uow.session
        changed = []
        old = {c.id: c.rank for c in cards}
        if set(keys) & set(old.values()):
            # A new key equals an old one of these cards: step out of the unique
            # constraint's way first (rare; costs one more write per card).
            for card in cards:
                card.rank = "~" + card.rank
            session.flush()
        for card, key in zip(cards, keys, strict=True):
            card.rank = key
            if key != old[card.id]:
                card.version += 1
                card.updated_at = self._ctx.clock()
                changed.append(card)
        session.flush()
        for card in changed:
            record_event(
                session, self._ctx, card, "ranked", {"rank": old[card.id]}, {"rank": card.rank}
            )
        session.flush()
        if len(cards) == 1:  # the usual re-rank: the move's two small queries
            one = fetch_one_card(session, cards[0].id)
            dtos = [] if one is None else [one]
        else:
            fetched = {
                d.id: d for d in fetch_cards(session, cards[0].project_id, [c.id for c in cards])
            }
            dtos = [fetched[c.id] for c in cards]
        if changed:
            uow.notify(Change(ChangeKind.CARDS_RANKED, cards[0].project_id, tuple(dtos)))
        uow.commit()
        return dtos

    def restore_ranks(
        self, ranks: dict[int, str], expected_versions: dict[int, int] | None = None
    ) -> list[CardDTO]:
        """Put cards back on exact rank keys in one transaction (the undo and redo of a
        re-rank). Keys may swap between the cards; a key meanwhile taken by another card is
        replaced by the next free key after it."""
        if not ranks:
            return []
        with self._ctx.write() as uow:
            session = uow.session
            cards = []
            for card_id in ranks:
                card = get_card_for_update(session, card_id)
                check_version(card, (expected_versions or {}).get(card_id), card_key(session, card))
                cards.append(card)
            project_id = cards[0].project_id
            old = {c.id: c.rank for c in cards}
            for card in cards:
                card.rank = "~" + card.rank  # out of the way while the keys swap
            session.flush()
            for card in sorted(cards, key=lambda c: ranks[c.id]):
                target = ranks[card.id]
                taken = session.scalar(
                    select(Card.id).where(Card.project_id == project_id, Card.rank == target)
                )
                if taken is not None:
                    upper = session.scalar(
                        select(func.min(Card.rank)).where(
                            Card.project_id == project_id, Card.rank > target, Card.rank < "~"
                        )
                    )
                    target = key_between(target, upper)
                card.rank = target
                session.flush()
            changed = [c for c in cards if c.rank != old[c.id]]
            for card in changed:
                card.version += 1
                card.updated_at = self._ctx.clock()
            session.flush()
            for card in changed:
                record_event(
                    session, self._ctx, card, "ranked", {"rank": old[card.id]}, {"rank": card.rank}
                )
            session.flush()
            dtos = fetch_cards(session, project_id, [c.id for c in cards])
            if changed:
                uow.notify(Change(ChangeKind.CARDS_RANKED, project_id, tuple(dtos)))
            uow.commit()
            return dtos

    # --- ranking -------------------------------------------------------------------------

    def _new_rank(
        self,
        session: Session,
        card: _CardRef,
        column_id: int,
        after_id: int | None,
        before_id: int | None,
        position: int | None,
        rank: str | None,
    ) -> str | None:
        """The card's new rank key, or None when its current one already fits the request."""
        conn = session.connection()
        bounds = _bounds(conn, card, column_id, after_id, before_id, position, rank)
        key, rebalance = pick_rank(bounds, card.rank)
        if rebalance:
            self._rebalance(session, card.project_id)
            card.rank = session.scalar(select(Card.rank).where(Card.id == card.id))
            bounds = _bounds(conn, card, column_id, after_id, before_id, position, rank)
            assert bounds is not None
            key = key_between(*bounds)
        return key

    @staticmethod
    def _rebalance(session: Session, project_id: int) -> None:
        """Re-key every card of a project in order (rare: only when keys grew too long)."""
        cards = list(
            session.scalars(select(Card).where(Card.project_id == project_id).order_by(Card.rank))
        )
        for c in cards:
            c.rank = "~" + c.rank  # out of the way of the unique constraint for a moment
        session.flush()
        for c, new_key in zip(cards, keys_between(None, None, len(cards)), strict=True):
            c.rank = new_key
        session.flush()


def pick_rank(
    bounds: tuple[str | None, str | None] | None, current: str
) -> tuple[str | None, bool]:
    """From the open interval a card must land in (None: anywhere) and its current key:
    (the new key, or None when the current one already fits; whether the project's keys
    must be rebalanced before a key can be taken there). Both move paths decide with it."""
    if bounds is None:
        return None, False
    lower, upper = bounds
    if lower is not None and lower == upper:
        return (None if lower == current else lower), False
    if (lower is None or lower < current) and (upper is None or current < upper):
        return None, False
    key = key_between(lower, upper)
    return key, needs_rebalance(key)


def _bounds(
    conn: Connection,
    card: _CardRef,
    column_id: int,
    after_id: int | None,
    before_id: int | None,
    position: int | None,
    rank: str | None,
) -> tuple[str | None, str | None] | None:
    """The open interval of rank keys the card must land in; None: anywhere will do.

    Neighbours within the column are turned into neighbours in the project-wide ranking
    (the next key after the card above, ignoring the moving card itself), so a new key is
    unique across the project while only one row is written.
    """
    ids = {"project_id": card.project_id, "card_id": card.id}
    if rank is not None:
        if conn.execute(_RANK_TAKEN, {**ids, "rank": rank}).scalar() is None:
            return (rank, rank)  # free: restore exactly this key
        return (rank, conn.execute(_NEXT_RANK, {**ids, "rank": rank}).scalar())
    if after_id is not None and position is None:
        above, upper = _neighbour_bound(conn, _AFTER_NEIGHBOUR, after_id, column_id, card)
        return (above, upper)
    if before_id is not None and position is None:
        below, lower = _neighbour_bound(conn, _BEFORE_NEIGHBOUR, before_id, column_id, card)
        return (lower, below)
    in_column = {"column_id": column_id, "card_id": card.id}
    if position is not None:
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise ValidationError("The position is a whole number from 1.")
        # Past the last card is last: SQLite's integers end at 2**63, a column far sooner.
        position = min(position, POSITION_MAX)
        below = conn.execute(_AT_POSITION, {**in_column, "offset": position - 1}).scalar()
        if below is not None:
            return (conn.execute(_PREVIOUS_RANK, {**ids, "rank": below}).scalar(), below)
    above = conn.execute(_LAST_IN_COLUMN, in_column).scalar()
    if above is None:
        return None  # an empty column: the card keeps its place in the ranking
    return (above, conn.execute(_NEXT_RANK, {**ids, "rank": above}).scalar())


def _neighbour_bound(
    conn: Connection, statement: Select, neighbour_id: int, column_id: int, card: _CardRef
) -> tuple[str, str | None]:
    """(the neighbour's rank, the next key beyond it) for a card placed next to it."""
    if neighbour_id == card.id:
        raise ValidationError("A card cannot be placed next to itself.")
    row = conn.execute(statement, {"neighbour_id": neighbour_id, "card_id": card.id}).first()
    if row is None or row[0] != column_id or row[1]:
        raise Conflict("The card to place it next to is no longer in that column; reload.")
    return row[2], row[3]
