"""A card move on PostgreSQL in two round trips (``BoardService.move_card``'s fast path).

The general path (app/services/board.py) costs about ten round trips on PostgreSQL: BEGIN,
the pool's ping, the card, its labels, the columns, the neighbours' ranks, the UPDATE, the
history INSERT, the change log and its NOTIFY, COMMIT. Here, on a pooled psycopg connection
in autocommit:

1. one pipeline sends every read at once (the card with its looked-up names, its labels,
   watchers and checklist, the two columns, the rank bounds), one Sync;
2. one statement writes: the version-guarded ``UPDATE card ... RETURNING`` and, fed from
   what it returned, the history event, the ``change_log`` row and ``pg_notify``, as
   data-modifying CTEs. A single statement in autocommit is its own transaction: all of it
   or nothing, also when the connection is lost half way; a stale version updates no row,
   so nothing else is written either, and the move is refused with the general path's
   Conflict.

The rows written are the general path's, value for value (tests/storage/test_pg_move.py
compares both paths on two databases). The checks run in the general path's order with its
messages. Whatever is unusual goes to the general path instead (:data:`FALLBACK`): a
position that is not a whole number from 1, a rank key that needs a rebalance, the commit
that prunes the change log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from app.errors import Conflict, NotFound, ValidationError
from app.services.card_fields import CARD_COLUMN_NAMES, PARENT_ID, SPRINT_ID, card_dto
from app.services.dto import CardDTO, ChecklistItemDTO, LabelDTO
from app.services.events import Change, ChangeKind
from app.storage.pg_notify import CHANNEL, notify_payload

if TYPE_CHECKING:
    from app.services.context import ServiceContext

# Returned when the general path must do this move.
FALLBACK: Any = object()

_CARD = (
    "SELECT "
    + ", ".join(f"c.{name}" for name in CARD_COLUMN_NAMES)
    + ", p.key, a.display_name, r.display_name, s.name, par.number, par.title "
    "FROM card AS c JOIN project AS p ON p.id = c.project_id "
    "LEFT JOIN member AS a ON a.id = c.assignee_id "
    "LEFT JOIN member AS r ON r.id = c.reporter_id "
    "LEFT JOIN sprint AS s ON s.id = c.sprint_id "
    "LEFT JOIN card AS par ON par.id = c.parent_id "
    "WHERE c.id = %(card_id)s"
)
# Labels (0: id, name, colour), watchers (1: member id), checklist items (2: position,
# text, done): app/services/common.py's _ONE_CARD_EXTRAS in plain SQL.
_EXTRAS = (
    "SELECT 0, l.id, l.name, l.color, NULL::boolean FROM label AS l "
    "JOIN card_label AS cl ON cl.label_id = l.id WHERE cl.card_id = %(card_id)s "
    "UNION ALL SELECT 1, member_id, NULL, NULL, NULL FROM card_watcher "
    "WHERE card_id = %(card_id)s "
    "UNION ALL SELECT 2, position, text, NULL, done FROM checklist_item "
    "WHERE card_id = %(card_id)s"
)
_COLUMNS = (
    "SELECT id, project_id, name, category, archived FROM workflow_column "
    "WHERE id = %(to_column)s OR id = (SELECT column_id FROM card WHERE id = %(card_id)s)"
)
_PROJECT = "(SELECT project_id FROM card WHERE id = %(card_id)s)"
_NEXT = (
    "(SELECT min(rank) FROM card WHERE project_id = {project} AND rank > {key} "
    "AND id <> %(card_id)s)"
)
_PREVIOUS = (
    "(SELECT max(rank) FROM card WHERE project_id = {project} AND rank < {key} "
    "AND id <> %(card_id)s)"
)
_IN_COLUMN = "column_id = %(to_column)s AND archived = FALSE AND id <> %(card_id)s"
# The rank bounds, one query per way of placing the card (app/services/board.py _bounds).
_BOUNDS_RANK = (
    "SELECT (SELECT id FROM card WHERE project_id = {p} AND rank = %(rank)s "
    "AND id <> %(card_id)s), {next}"
).format(p=_PROJECT, next=_NEXT.format(project=_PROJECT, key="%(rank)s"))
_BOUNDS_NEIGHBOUR = (
    "SELECT n.column_id, n.archived, n.rank, {bound} FROM card AS n WHERE n.id = %(neighbour_id)s"
)
_BOUNDS_AFTER = _BOUNDS_NEIGHBOUR.format(bound=_NEXT.format(project="n.project_id", key="n.rank"))
_BOUNDS_BEFORE = _BOUNDS_NEIGHBOUR.format(
    bound=_PREVIOUS.format(project="n.project_id", key="n.rank")
)
_BOUNDS_LAST = (
    "SELECT above.rank, {next} FROM (SELECT max(rank) AS rank FROM card WHERE {col}) AS above"
).format(next=_NEXT.format(project=_PROJECT, key="above.rank"), col=_IN_COLUMN)
_BOUNDS_POSITION = (
    "SELECT below.rank, {previous}, above.rank, {next} FROM "
    "(SELECT max(rank) AS rank FROM card WHERE {col}) AS above LEFT JOIN "
    "(SELECT rank FROM card WHERE {col} ORDER BY rank OFFSET %(offset)s LIMIT 1) AS below "
    "ON TRUE"
).format(
    previous=_PREVIOUS.format(project=_PROJECT, key="below.rank"),
    next=_NEXT.format(project=_PROJECT, key="above.rank"),
    col=_IN_COLUMN,
)
# The write: all of it or nothing, in one statement (its own transaction in autocommit).
_WRITE = (
    "WITH moved AS (UPDATE card SET column_id = %(to_column)s, rank = %(rank)s, "
    "resolved_at = %(resolved_at)s::timestamptz, version = %(new_version)s, "
    "updated_at = %(updated_at)s::timestamptz "
    "WHERE id = %(card_id)s AND version = %(old_version)s RETURNING id, project_id), "
    "event AS (INSERT INTO history_event (project_id, card_id, at, actor, kind, before, "
    "after, column_id_after, category_after, sprint_id_after, points_after, archived_after) "
    "SELECT project_id, id, %(at)s::timestamptz, %(actor)s, %(kind)s, %(before)s::json, "
    "%(after)s::json, %(column_after)s::integer, %(category_after)s::varchar, "
    "%(sprint_after)s::integer, %(points_after)s::numeric, %(archived_after)s::boolean "
    "FROM moved), "
    "logged AS (INSERT INTO change_log (origin, project_id, kind, card_ids, at) "
    "SELECT %(origin)s, project_id, %(change_kind)s, %(card_ids)s, %(log_at)s::timestamptz "
    "FROM moved RETURNING id) "
    f"SELECT pg_notify('{CHANNEL}', %(payload)s) FROM logged"
)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """As UTCDateTime reads a timestamptz back: aware, in UTC."""
    return None if value is None else value.astimezone(dt.UTC)


_TIMES = tuple(CARD_COLUMN_NAMES.index(n) for n in ("created_at", "updated_at", "resolved_at"))


def _card(row: tuple, extras: list[tuple]) -> CardDTO:
    """The card as app/services/common.py fetch_one_card builds it."""
    n = len(CARD_COLUMN_NAMES)
    values = list(row[:n])
    for i in _TIMES:
        values[i] = _aware(values[i])
    project_key, assignee_name, reporter_name, sprint_name, parent_number, parent_title = row[n:]
    labels: list[LabelDTO] = []
    watchers: list[int] = []
    checklist: list[tuple[int, ChecklistItemDTO]] = []
    for kind, number, text, text2, flag in extras:
        if kind == 0:
            labels.append(LabelDTO(number, text, text2))
        elif kind == 1:
            watchers.append(number)
        else:
            checklist.append((number, ChecklistItemDTO(text, bool(flag))))
    has_parent = values[PARENT_ID] is not None and parent_number is not None
    return card_dto(
        tuple(values),
        project_key,
        assignee_name,
        reporter_name,
        sprint_name if values[SPRINT_ID] is not None else None,
        *((f"{project_key}-{parent_number}", parent_title) if has_parent else (None, None)),
        tuple(sorted(labels, key=lambda lb: lb.name)),
        tuple(sorted(watchers)),
        tuple(item for _, item in sorted(checklist, key=lambda pair: pair[0])),
    )


def _bounds_query(
    after_id: int | None, before_id: int | None, position: int | None, rank: str | None
) -> tuple[str, str]:
    """(the way of placing the card, its bounds query), in app/services/board.py _bounds's
    order of precedence."""
    if rank is not None:
        return "rank", _BOUNDS_RANK
    if after_id is not None and position is None:
        return "after", _BOUNDS_AFTER
    if before_id is not None and position is None:
        return "before", _BOUNDS_BEFORE
    if position is not None:
        return "position", _BOUNDS_POSITION
    return "last", _BOUNDS_LAST


def _bounds(
    how: str, row: tuple | None, card_id: int, column_id: int, neighbour_id: int | None
) -> tuple[str | None, str | None] | None:
    """The rank interval from the bounds query's row, as app/services/board.py _bounds
    gives it (same answers, same refusals), for every way but an exact rank key."""
    if how in ("after", "before"):
        if neighbour_id == card_id:
            raise ValidationError("A card cannot be placed next to itself.")
        if row is None or row[0] != column_id or row[1]:
            raise Conflict("The card to place it next to is no longer in that column; reload.")
        return (row[2], row[3]) if how == "after" else (row[3], row[2])
    assert row is not None
    if how == "position":
        below, previous, above, following = row
        if below is not None:
            return (previous, below)
        row = (above, following)
    above, following = row
    if above is None:
        return None  # an empty column: the card keeps its place in the ranking
    return (above, following)


def move_card(
    context: ServiceContext,
    card_id: int,
    to_column_id: int,
    *,
    after_id: int | None,
    before_id: int | None,
    position: int | None,
    rank: str | None,
    expected_version: int | None,
) -> CardDTO:
    """The move in two round trips, or :data:`FALLBACK` when the general path must make it.

    Raises what the general path raises (NotFound, Conflict, ValidationError, and
    DatabaseProblem for a lost connection), having written nothing."""
    from app.services.context import PRUNE_EVERY

    if (context.commits + 1) % PRUNE_EVERY == 0:
        return FALLBACK  # the commit that prunes the change log
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or position < 1
    ):
        return FALLBACK  # refused there, in its order
    how, bounds_sql = _bounds_query(after_id, before_id, position, rank)
    neighbour_id = after_id if how == "after" else before_id if how == "before" else None
    if how in ("after", "before") and (
        isinstance(neighbour_id, bool) or not isinstance(neighbour_id, int)
    ):
        return FALLBACK
    if not isinstance(to_column_id, int) or isinstance(to_column_id, bool):
        return FALLBACK  # check_id's message
    if rank is not None and not isinstance(rank, str):
        return FALLBACK
    from app.services.board import POSITION_MAX, pick_rank
    from app.services.common import check_version

    params: dict[str, Any] = {
        "card_id": card_id,
        "to_column": to_column_id,
        "neighbour_id": neighbour_id,
        "rank": rank,
        "offset": (min(position, POSITION_MAX) - 1) if position is not None else 0,
    }
    with _Autocommit(context) as conn:
        cursors = [conn.cursor() for _ in range(4)]
        # Leaving the pipeline sends the one Sync and reads every result into its cursor
        # (a sync() inside it would cost a second round trip at the exit).
        with conn.pipeline():
            for cursor, sql in zip(cursors, (_CARD, _EXTRAS, _COLUMNS, bounds_sql), strict=True):
                cursor.execute(sql, params)
        card_row = cursors[0].fetchone()
        extras = cursors[1].fetchall()
        columns = {r[0]: r for r in cursors[2].fetchall()}
        bounds_row = cursors[3].fetchone()
        if card_row is None:
            raise NotFound(f"There is no card with id {card_id}.")
        old = _card(card_row, extras)
        if expected_version is not None and old.version != expected_version:
            check_version(old, expected_version, old.key)  # type: ignore[arg-type]
        if old.archived:
            raise Conflict(f"{old.key} is archived; restore it before moving it.")
        target = columns.get(to_column_id)
        if target is None or target[1] != old.project_id:
            raise NotFound(f"There is no column with id {to_column_id} on this board.")
        _, _, target_name, target_category, target_archived = target
        if target_archived:
            raise Conflict(f"The column {target_name!r} is archived.")
        source = columns[old.column_id]
        if how == "rank":
            taken, following = bounds_row  # type: ignore[misc]
            interval: tuple[str | None, str | None] | None = (
                (rank, rank) if taken is None else (rank, following)
            )
        else:
            interval = _bounds(how, bounds_row, old.id, to_column_id, neighbour_id)
        new_rank, rebalance = pick_rank(interval, old.rank)
        if rebalance:
            return FALLBACK
        if new_rank is None and to_column_id == old.column_id:
            return old  # already there: nothing to write
        resolved_at = old.resolved_at
        if target_category == "done" and source[3] != "done":
            resolved_at = context.clock()
        elif target_category != "done":
            resolved_at = None
        updated_at = context.clock()
        rank_value = new_rank if new_rank is not None else old.rank
        if to_column_id != source[0]:
            kind = "moved"
            before = {"column": source[2], "category": source[3], "rank": old.rank}
            after = {"column": target_name, "category": target_category, "rank": rank_value}
        else:
            kind = "ranked"
            before = {"rank": old.rank}
            after = {"rank": rank_value}
        event_at = context.clock()
        log_at = context.clock()
        change_kind = str(ChangeKind.CARD_MOVED)
        written = conn.execute(
            _WRITE,
            {
                "card_id": old.id,
                "old_version": old.version,
                "to_column": to_column_id,
                "rank": rank_value,
                "resolved_at": resolved_at,
                "new_version": old.version + 1,
                "updated_at": updated_at,
                "at": event_at,
                "actor": context.actor,
                "kind": kind,
                "before": json.dumps(before),
                "after": json.dumps(after),
                "column_after": to_column_id,
                "category_after": target_category,
                "sprint_after": old.sprint_id,
                "points_after": old.points,
                "archived_after": old.archived,
                "origin": context.origin,
                "change_kind": change_kind,
                "card_ids": str(old.id),
                "log_at": log_at,
                "payload": notify_payload(context.origin, old.project_id, change_kind, [old.id]),
            },
        ).fetchall()
    if not written:
        raise Conflict("The card changed while it was being moved; reload and try again.")
    context.commits += 1
    dto = old._replace(
        column_id=to_column_id,
        rank=rank_value,
        resolved_at=_aware(resolved_at),
        updated_at=_aware(updated_at),
        version=old.version + 1,
    )
    for hook in context.after_commit:
        hook()
    context.bus.publish(Change(ChangeKind.CARD_MOVED, old.project_id, (dto,), (source[0],)))
    return dto


class _Autocommit:
    """A pooled psycopg connection in autocommit for the duration of the move; driver
    errors become the unit of work's readable ones (app/services/context.py), and a broken
    connection is dropped from the pool."""

    def __init__(self, context: ServiceContext) -> None:
        self._engine = context.writer.kw["bind"]
        self._raw: Any = None

    def __enter__(self) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from app.services.context import translate_db_error

        try:
            self._raw = self._engine.raw_connection()
        except SQLAlchemyError as exc:
            raise translate_db_error(exc) from exc
        conn = self._raw.driver_connection
        try:
            conn.autocommit = True
        except Exception:
            self._raw.invalidate()  # not idle: no use to anyone
            self._raw.close()
            raise
        return conn

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        import psycopg
        from sqlalchemy.exc import DBAPIError

        from app.services.context import translate_db_error

        raw, conn = self._raw, self._raw.driver_connection
        if conn.broken or conn.closed:
            raw.invalidate(exc if isinstance(exc, Exception) else None)
        else:
            try:
                conn.autocommit = False
            except psycopg.Error:
                raw.invalidate()
        raw.close()
        if isinstance(exc, psycopg.Error):
            wrapped = DBAPIError.instance(
                "move_card", None, exc, psycopg.Error, connection_invalidated=conn.broken
            )
            raise translate_db_error(wrapped) from exc


__all__ = ["FALLBACK", "move_card"]
