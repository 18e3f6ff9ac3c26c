"""A project's board read straight through the DB-API driver (``sqlite3``, ``psycopg``),
without SQLAlchemy.

Why, measured (docs/benchmarks.md): SQLAlchemy's row processing and the DTOs built from it
took as long as the query itself on a 10,000-card board; reading plain tuples and converting
the few typed columns here halves the load on SQLite and takes a third off it on
PostgreSQL. On SQLite it also lets the window paint its first board before SQLAlchemy (~150
ms of imports) is loaded at all (app/startup.py): this module imports nothing but the
standard library and the DTOs.

The SQL is the same for both engines; a :class:`Flavour` says what differs: the parameter
mark, how "false" is written, and how raw values become typed ones. SQLite hands back text
and numbers, so its flavour mirrors the column types in app/models: ``UTCDateTime`` (naive
UTC text -> aware UTC datetime), ``Date``, ``Numeric`` with its scale (SQLAlchemy formats
the stored number with the column's scale before making a Decimal) and ``Boolean`` (0/1).
psycopg hands back typed values already (aware datetimes, dates, Decimals with their scale,
booleans); the read sets the transaction's time zone to UTC so that the datetimes are UTC as
the SQLAlchemy path gives them. A card's columns and their conversions come from
app/services/card_fields.py, which every read path shares. The result is exactly what the
SQLAlchemy path gives (tests/storage/test_sqlite_board.py compares them field by field, on
both engines).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from app.errors import NotFound
from app.services.card_fields import (
    CARD_COLUMN_NAMES,
    CARD_COLUMNS_SQL,
    card_dtos,
    date_from_text,
    scaled,
    sqlite_card_dtos,
    utc_from_text,
)
from app.services.dto import (
    BoardDTO,
    CardDTO,
    CardMatch,
    ChecklistItemDTO,
    ColumnDTO,
    Figures,
    LabelDTO,
    MemberDTO,
    ProjectDTO,
    SprintDTO,
)

if TYPE_CHECKING:
    import sqlite3


class Connection(Protocol):
    """What the read needs of a DB-API connection: ``execute(sql, params)`` giving rows
    (sqlite3.Connection and psycopg.Connection both have it)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


def _utc(value: str | None) -> dt.datetime | None:
    return None if value is None else utc_from_text(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else date_from_text(value)


def _scaled(value: float | int | None, places: int) -> Decimal | None:
    return None if value is None else scaled(value, places)


def _same(value: Any, *_: Any) -> Any:
    return value


def _aware_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Flavour:
    """What differs between engines: the parameter mark, "false", the raw → typed
    conversions, and the card rows' DTO builder (app/services/card_fields.py)."""

    mark: str
    false: str
    utc: Callable[[Any], dt.datetime | None]
    date: Callable[[Any], dt.date | None]
    scaled: Callable[[Any, int], Decimal | None]
    card_dtos: Callable[..., list[CardDTO]]
    begin: tuple[str, ...] = ()  # run first, inside the caller's transaction

    def sql(self, text: str) -> str:
        return text.replace("?", self.mark).replace("= FALSE", f"= {self.false}")


def _fetch(conn: Connection, statements: list[tuple[str, tuple]]) -> list[list[Any]]:
    """Each statement's rows, in turn.

    Not in a psycopg pipeline: measured at 10,000 cards it saves a dozen small round trips
    but costs half as much client time again (48.9 against 33.2 ms), psycopg reading a
    pipeline's large results in Python."""
    # fetchall: psycopg's row-by-row iteration costs a third of the card read.
    results = []
    for sql, parameters in statements:
        cursor = conn.execute(sql, parameters)
        results.append(cursor.fetchall() if cursor.description is not None else [])
    return results


SQLITE = Flavour("?", "0", _utc, _date, _scaled, sqlite_card_dtos)
POSTGRESQL = Flavour(
    "%s",
    "FALSE",
    _aware_utc,
    _same,
    _same,
    card_dtos,
    begin=("SET LOCAL TIME ZONE 'UTC'",),
)


_PROJECT_COLUMNS = (
    "id, key, name, methodology, description, time_zone, working_weekdays, currency, "
    "budget, version"
)


def _project(row: tuple, flavour: Flavour) -> ProjectDTO:
    pid, key, name, methodology, description, zone, weekdays, currency, budget, version = row
    return ProjectDTO(
        pid,
        key,
        name,
        methodology,
        description,
        zone,
        weekdays,
        currency,
        flavour.scaled(budget, 2),
        version,
    )


def read_projects(conn: Connection, flavour: Flavour = SQLITE) -> list[ProjectDTO]:
    """The projects that are not archived, by key (as ProjectService.list_projects)."""
    rows = conn.execute(
        flavour.sql(f"SELECT {_PROJECT_COLUMNS} FROM project WHERE archived = FALSE ORDER BY key")
    ).fetchall()
    return [_project(r, flavour) for r in rows]


_CARD_SELECT = (
    f"SELECT {CARD_COLUMNS_SQL} FROM card WHERE project_id = ? AND archived = FALSE ORDER BY rank"
)
_IN_PROJECT = "card_id IN (SELECT id FROM card WHERE project_id = ?)"

# Every read of a board, in the order they are sent; each takes the project id (or nothing).
_BOARD_READS: tuple[tuple[str, str, bool], ...] = (
    ("project", f"SELECT {_PROJECT_COLUMNS} FROM project WHERE id = ?", True),
    (
        "columns",
        "SELECT id, project_id, name, position, category, wip_limit, archived, version "
        "FROM workflow_column WHERE project_id = ? AND archived = FALSE ORDER BY position",
        True,
    ),
    (
        "members",
        "SELECT m.id, m.display_name, pm.role, m.active, pm.active "
        "FROM member AS m JOIN project_member AS pm ON pm.member_id = m.id "
        "WHERE pm.project_id = ? ORDER BY m.display_name, m.id",
        True,
    ),
    # All labels, not only the project's: a handful per project, and a card is shown with
    # whatever it is linked to. In name order: a card's labels are put in this order.
    ("labels", "SELECT id, name, color FROM label ORDER BY name, id", False),
    ("project_labels", "SELECT id FROM label WHERE project_id = ? ORDER BY name, id", True),
    (
        "sprints",
        "SELECT id, project_id, name, goal, start_date, end_date, state, version, "
        "started_at, closed_at FROM sprint WHERE project_id = ? ORDER BY start_date, id",
        True,
    ),
    ("cards", _CARD_SELECT, True),
    # Everyone a card can name (reporters need not be members of the project any more).
    ("names", "SELECT id, display_name FROM member", False),
    # The links alone: ordering tens of thousands of them by the label's name (a join and
    # a sort) cost the server more than the card read itself; the few labels are ordered
    # once instead (the "labels" read) and the links follow that order in Python.
    ("card_labels", f"SELECT card_id, label_id FROM card_label WHERE {_IN_PROJECT}", True),
    ("watchers", f"SELECT card_id, member_id FROM card_watcher WHERE {_IN_PROJECT}", True),
    (
        "checklists",
        f"SELECT card_id, text, done FROM checklist_item WHERE {_IN_PROJECT} "
        "ORDER BY card_id, position",
        True,
    ),
    (
        "comment_counts",
        "SELECT comment.card_id, COUNT(comment.id) FROM comment JOIN card ON card.id = "
        "comment.card_id WHERE card.project_id = ? AND comment.deleted_at IS NULL "
        "GROUP BY comment.card_id",
        True,
    ),
    # The not-done cards blocking each card (app/services/plans.py blocked_keys). "+ 0":
    # from the (few) dependencies to their cards, not every card of the project to its.
    (
        "blocked_by",
        "SELECT d.blocked_id, p.key, b.number FROM card_dependency AS d "
        "JOIN card AS b ON b.id = d.blocker_id JOIN card AS x ON x.id = d.blocked_id "
        "JOIN workflow_column AS bc ON bc.id = b.column_id "
        "JOIN workflow_column AS xc ON xc.id = x.column_id "
        "JOIN project AS p ON p.id = b.project_id "
        "WHERE x.project_id + 0 = ? AND bc.category <> 'done' AND xc.category <> 'done' "
        "AND b.archived = FALSE ORDER BY d.blocked_id, b.number",
        True,
    ),
)


def read_board(
    conn: Connection, project_id: int, flavour: Flavour = SQLITE, *, epics_only: bool = False
) -> BoardDTO:
    """The board of one project (live cards in rank order, columns, people, labels, sprints),
    read in one go on ``conn``; call it inside a transaction for a consistent picture.
    ``epics_only``: of the cards only the epics, as ``BoardService.load_board_head`` (the
    columns' cards come a page at a time: :func:`read_column_page`).

    The statements are run first, then the rows become DTOs."""
    reads = _BOARD_HEAD_READS if epics_only else _BOARD_READS
    statements = [(statement, ()) for statement in flavour.begin]
    statements += [
        (flavour.sql(sql), (project_id,) if per_project else ()) for _, sql, per_project in reads
    ]
    fetched = _fetch(conn, statements)[len(flavour.begin) :]
    found = {name: result for (name, _, _), result in zip(reads, fetched, strict=True)}
    if not found["project"]:
        raise NotFound(f"There is no project with id {project_id}.")
    project = _project(found["project"][0], flavour)
    columns = tuple(
        ColumnDTO(cid, pid, name, position, category, wip, bool(archived), version)
        for cid, pid, name, position, category, wip, archived, version in found["columns"]
    )
    members = tuple(
        MemberDTO(mid, name, role, bool(active and member_active))
        for mid, name, role, active, member_active in found["members"]
    )
    # One LabelDTO per label, shared by its cards.
    labels_by_id = {lid: LabelDTO(lid, name, color) for lid, name, color in found["labels"]}
    project_labels = tuple(labels_by_id[lid] for (lid,) in found["project_labels"])
    sprints = tuple(
        SprintDTO(
            sid,
            pid,
            name,
            goal,
            flavour.date(start),
            flavour.date(end),
            state,
            version,
            started_at=flavour.utc(started),
            closed_at=flavour.utc(closed),
        )
        for sid, pid, name, goal, start, end, state, version, started, closed in found["sprints"]
    )
    cards = _read_cards(
        conn, found, project, labels_by_id, {s.id: s.name for s in sprints}, flavour
    )
    return BoardDTO(
        project=project,
        columns=columns,
        cards=tuple(cards),
        members=members,
        labels=project_labels,
        epics=tuple(c for c in cards if c.type == "epic"),
        sprints=sprints,
        comment_counts=dict(found["comment_counts"]),
        blocked_by=_blocked_by(found["blocked_by"]),
        complete=not epics_only,
    )


# The board without its work: the same reads with the cards (and what hangs on them)
# narrowed to the project's epics.
_EPIC_IN_PROJECT = "card_id IN (SELECT id FROM card WHERE project_id = ? AND type = 'epic')"
_BOARD_HEAD_READS = tuple(
    (
        name,
        sql.replace("ORDER BY rank", "AND type = 'epic' ORDER BY rank")
        if name == "cards"
        else sql.replace(_IN_PROJECT, _EPIC_IN_PROJECT)
        if name in ("card_labels", "watchers", "checklists")
        else sql,
        per_project,
    )
    for name, sql, per_project in _BOARD_READS
)


def read_column_page(
    conn: Connection,
    board: BoardDTO,
    column_id: int,
    *,
    sprint_id: int | None = None,
    newest_first: bool = False,
    offset: int = 0,
    limit: int = 100,
    flavour: Flavour = SQLITE,
) -> list[CardDTO]:
    """``BoardService.column_page`` on a DB-API connection: one page of a column's live
    cards (epics left out; in ``sprint_id`` when given) in rank order, or a done column's
    newest finished first, as DTOs the board reader makes (``board``: its head, for the
    project, labels and sprint names)."""
    where = "project_id = ? AND column_id = ? AND archived = FALSE AND type <> 'epic'"
    parameters: tuple[Any, ...] = (board.project.id, column_id)
    if sprint_id is not None:
        where += " AND sprint_id = ?"
        parameters += (sprint_id,)
    order = "resolved_at DESC NULLS LAST, rank" if newest_first else "rank"
    ids = [
        row[0]
        for row in conn.execute(
            flavour.sql(f"SELECT id FROM card WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"),
            (*parameters, limit, offset),
        ).fetchall()
    ]
    return read_cards(conn, board, ids, flavour)


def read_cards(
    conn: Connection, board: BoardDTO, ids: list[int], flavour: Flavour = SQLITE
) -> list[CardDTO]:
    """The cards with these ids as the board reader makes them, in the ids' order."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    reads = {
        "cards": f"SELECT {CARD_COLUMNS_SQL} FROM card WHERE id IN ({marks})",
        "names": "SELECT id, display_name FROM member",
        "card_labels": f"SELECT card_id, label_id FROM card_label WHERE card_id IN ({marks})",
        "watchers": f"SELECT card_id, member_id FROM card_watcher WHERE card_id IN ({marks})",
        "checklists": f"SELECT card_id, text, done FROM checklist_item "
        f"WHERE card_id IN ({marks}) ORDER BY card_id, position",
    }
    found = {
        name: conn.execute(flavour.sql(sql), () if name == "names" else ids).fetchall()
        for name, sql in reads.items()
    }
    labels_by_id = {lb.id: lb for lb in _all_labels(conn, flavour)}
    cards = _read_cards(
        conn, found, board.project, labels_by_id, {sp.id: sp.name for sp in board.sprints}, flavour
    )
    by_id = {c.id: c for c in cards}
    return [by_id[i] for i in ids if i in by_id]


def read_matching_page(
    conn: sqlite3.Connection,
    board: BoardDTO,
    column_id: int,
    matching: CardMatch,
    *,
    sprint_id: int | None = None,
    newest_first: bool = False,
    offset: int = 0,
    limit: int = 100,
    density: float | None = None,
) -> list[CardDTO]:
    """``BoardService.column_page(..., matching=...)`` on the first paint's sqlite3
    connection: a page of a column's cards that a board filter lets through, found by the
    same plans (app/services/match_sql.py)."""
    from app.services.match_sql import match_sql, matching_page_ids

    m = match_sql(matching, board.project.id, postgres=False, fts=_has_trigram_index(conn))

    def rows(sql: str, params: dict[str, Any]) -> list[Any]:
        return conn.execute(sql, params).fetchall()

    ids = matching_page_ids(
        rows, m, False, column_id, sprint_id, newest_first, offset, limit, density
    )
    return read_cards(conn, board, ids)


def read_matching_figures(
    conn: sqlite3.Connection, project_id: int, sprint_id: int | None, matching: CardMatch
) -> dict[int, Figures]:
    """``BoardService.column_figures(..., matching=...)`` on the first paint's sqlite3
    connection: per column, the count and points of the cards the filter lets through."""
    from app.services.match_sql import match_sql, matching_figures_sql

    m = match_sql(matching, project_id, postgres=False, fts=_has_trigram_index(conn))
    if m.nothing:
        return {}
    sql, params = matching_figures_sql(m, False, sprint_id)
    return {
        column_id: Figures(
            int(count), SQLITE.scaled(points, 1) or Decimal(0), int(count) - int(estimated)
        )
        for column_id, count, points, estimated in conn.execute(sql, params).fetchall()
    }


def _has_trigram_index(conn: sqlite3.Connection) -> bool:
    """Whether the file has migration 0013's trigram index (not before SQLite 3.34)."""
    from app.services.match_sql import TRIGRAM_INDEX_SQL

    return conn.execute(TRIGRAM_INDEX_SQL).fetchone() is not None


def _all_labels(conn: Connection, flavour: Flavour) -> list[LabelDTO]:
    """Every label in name order (a card's labels are put in this order)."""
    rows = conn.execute(flavour.sql("SELECT id, name, color FROM label ORDER BY name, id"))
    return [LabelDTO(lid, name, color) for lid, name, color in rows.fetchall()]


def read_column_figures(
    conn: Connection, project_id: int, sprint_id: int | None = None, flavour: Flavour = SQLITE
) -> dict[int, Figures]:
    """``BoardService.column_figures`` on a DB-API connection: per column, its live cards'
    count, points and unestimated count (epics left out; in ``sprint_id`` when given)."""
    where = "project_id = ? AND archived = FALSE AND type <> 'epic'"
    parameters: tuple[Any, ...] = (project_id,)
    if sprint_id is not None:
        where += " AND sprint_id = ?"
        parameters += (sprint_id,)
    rows = conn.execute(
        flavour.sql(
            f"SELECT column_id, COUNT(*), SUM(points), COUNT(points) FROM card WHERE {where} "
            "GROUP BY column_id"
        ),
        parameters,
    ).fetchall()
    return {
        column_id: Figures(
            int(count), flavour.scaled(points, 1) or Decimal(0), int(count) - int(estimated)
        )
        for column_id, count, points, estimated in rows
    }


def _blocked_by(rows: Iterable[tuple[int, str, int]]) -> dict[int, tuple[str, ...]]:
    """Card id -> keys of the not-done cards blocking it."""
    found: dict[int, list[str]] = {}
    for blocked, key, number in rows:
        found.setdefault(blocked, []).append(f"{key}-{number}")
    return {card: tuple(keys) for card, keys in found.items()}


_ID, _NUMBER, _TITLE, _PARENT = (
    CARD_COLUMN_NAMES.index(name) for name in ("id", "number", "title", "parent_id")
)


def _parents(
    conn: Connection, rows: list[Any], project_key: str, flavour: Flavour
) -> dict[int, tuple[str, str]]:
    """Parent card id -> (key, title) for the cards in ``rows``. Parents are nearly always
    live cards of the same board, already read: only the others (archived ones) are asked
    for, instead of a query over the whole project's cards for every board."""
    wanted = {row[_PARENT] for row in rows if row[_PARENT] is not None}
    if not wanted:
        return {}
    found = {row[_ID]: (row[_NUMBER], row[_TITLE]) for row in rows if row[_ID] in wanted}
    missing = sorted(wanted - found.keys())
    if missing:
        marks = ", ".join("?" * len(missing))
        for card_id, number, title in conn.execute(
            flavour.sql(f"SELECT id, number, title FROM card WHERE id IN ({marks})"), missing
        ).fetchall():
            found[card_id] = (number, title)
    return {
        card_id: (f"{project_key}-{number}", title) for card_id, (number, title) in found.items()
    }


def _read_cards(
    conn: Connection,
    found: dict[str, list[Any]],
    project: ProjectDTO,
    labels_by_id: dict[int, LabelDTO],
    sprint_names: dict[int, str],
    flavour: Flavour,
) -> list[CardDTO]:
    project_key = project.key
    if not found["cards"]:
        return []
    parents = _parents(conn, found["cards"], project_key, flavour)
    labels: dict[int, list[LabelDTO]] = defaultdict(list)
    place = {label_id: i for i, label_id in enumerate(labels_by_id)}  # name order
    links = sorted(found["card_labels"], key=lambda link: place[link[1]])
    for card_id, label_id in links:
        labels[card_id].append(labels_by_id[label_id])
    watchers: dict[int, list[int]] = defaultdict(list)
    for card_id, member_id in found["watchers"]:
        watchers[card_id].append(member_id)
    checklists: dict[int, list[ChecklistItemDTO]] = defaultdict(list)
    for card_id, text, done in found["checklists"]:
        checklists[card_id].append(ChecklistItemDTO(text, bool(done)))

    return flavour.card_dtos(
        found["cards"],
        project_key,
        dict(found["names"]),
        sprint_names,
        parents,
        labels,
        watchers,
        checklists,
    )
