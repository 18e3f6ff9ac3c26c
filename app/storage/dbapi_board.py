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
from typing import Any, Protocol

from app.errors import NotFound
from app.services.card_fields import (
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
    ChecklistItemDTO,
    ColumnDTO,
    LabelDTO,
    MemberDTO,
    ProjectDTO,
    SprintDTO,
)


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


def read_board(conn: Connection, project_id: int, flavour: Flavour = SQLITE) -> BoardDTO:
    """The board of one project (live cards in rank order, columns, people, labels, sprints),
    read in one go on ``conn``; call it inside a transaction for a consistent picture."""

    def rows(sql: str, *parameters: Any) -> list[Any]:
        # fetchall: psycopg's row-by-row iteration costs a third of the card read.
        return conn.execute(flavour.sql(sql), parameters).fetchall()  # type: ignore[no-any-return]

    for statement in flavour.begin:
        conn.execute(statement)
    row = conn.execute(
        flavour.sql(f"SELECT {_PROJECT_COLUMNS} FROM project WHERE id = ?"), (project_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no project with id {project_id}.")
    project = _project(row, flavour)
    columns = tuple(
        ColumnDTO(cid, pid, name, position, category, wip, bool(archived), version)
        for cid, pid, name, position, category, wip, archived, version in rows(
            "SELECT id, project_id, name, position, category, wip_limit, archived, version "
            "FROM workflow_column WHERE project_id = ? AND archived = FALSE ORDER BY position",
            project_id,
        )
    )
    members = tuple(
        MemberDTO(mid, name, role, bool(active and member_active))
        for mid, name, role, active, member_active in rows(
            "SELECT m.id, m.display_name, pm.role, m.active, pm.active "
            "FROM member AS m JOIN project_member AS pm ON pm.member_id = m.id "
            "WHERE pm.project_id = ? ORDER BY m.display_name, m.id",
            project_id,
        )
    )
    # One LabelDTO per label, shared by its cards. All labels, not only the project's: a
    # handful per project, and a card is shown with whatever it is linked to.
    labels_by_id = {
        lid: LabelDTO(lid, name, color)
        for lid, name, color in rows("SELECT id, name, color FROM label")
    }
    project_labels = tuple(
        labels_by_id[lid]
        for (lid,) in rows(
            "SELECT id FROM label WHERE project_id = ? ORDER BY name, id", project_id
        )
    )
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
        for sid, pid, name, goal, start, end, state, version, started, closed in rows(
            "SELECT id, project_id, name, goal, start_date, end_date, state, version, "
            "started_at, closed_at FROM sprint WHERE project_id = ? ORDER BY start_date, id",
            project_id,
        )
    )
    cards = _read_cards(rows, project, labels_by_id, {s.id: s.name for s in sprints}, flavour)
    comment_counts = dict(
        rows(
            "SELECT comment.card_id, COUNT(comment.id) FROM comment JOIN card ON card.id = "
            "comment.card_id WHERE card.project_id = ? AND comment.deleted_at IS NULL "
            "GROUP BY comment.card_id",
            project_id,
        )
    )
    return BoardDTO(
        project=project,
        columns=columns,
        cards=tuple(cards),
        members=members,
        labels=project_labels,
        epics=tuple(c for c in cards if c.type == "epic"),
        sprints=sprints,
        comment_counts=comment_counts,
        blocked_by=_blocked_by(rows, project_id),
    )


def _blocked_by(rows: Callable[..., list[Any]], project_id: int) -> dict[int, tuple[str, ...]]:
    """Card id -> keys of the not-done cards blocking it (app/services/plans.py
    blocked_keys, in plain SQL)."""
    found: dict[int, list[str]] = {}
    for blocked, key, number in rows(
        "SELECT d.blocked_id, p.key, b.number FROM card_dependency AS d "
        "JOIN card AS b ON b.id = d.blocker_id JOIN card AS x ON x.id = d.blocked_id "
        "JOIN workflow_column AS bc ON bc.id = b.column_id "
        "JOIN workflow_column AS xc ON xc.id = x.column_id "
        "JOIN project AS p ON p.id = b.project_id "
        "WHERE x.project_id = ? AND bc.category <> 'done' AND xc.category <> 'done' "
        "AND b.archived = FALSE ORDER BY d.blocked_id, b.number",
        project_id,
    ):
        found.setdefault(blocked, []).append(f"{key}-{number}")
    return {card: tuple(keys) for card, keys in found.items()}


def _read_cards(
    rows: Callable[..., Iterable[Any]],
    project: ProjectDTO,
    labels_by_id: dict[int, LabelDTO],
    sprint_names: dict[int, str],
    flavour: Flavour,
) -> list[CardDTO]:
    pid, project_key = project.id, project.key
    found = rows(_CARD_SELECT, pid)
    if not found:
        return []
    # Everyone a card can name (reporters need not be members of the project any more).
    names = dict(rows("SELECT id, display_name FROM member"))
    parents = {
        card_id: (f"{project_key}-{number}", title)
        for card_id, number, title in rows(
            "SELECT id, number, title FROM card WHERE id IN "
            "(SELECT parent_id FROM card WHERE project_id = ? AND parent_id IS NOT NULL)",
            pid,
        )
    }
    labels: dict[int, list[LabelDTO]] = defaultdict(list)
    for card_id, label_id in rows(
        "SELECT cl.card_id, cl.label_id FROM card_label AS cl JOIN label ON label.id = "
        f"cl.label_id WHERE cl.{_IN_PROJECT} ORDER BY label.name",
        pid,
    ):
        labels[card_id].append(labels_by_id[label_id])
    watchers: dict[int, list[int]] = defaultdict(list)
    for card_id, member_id in rows(
        f"SELECT card_id, member_id FROM card_watcher WHERE {_IN_PROJECT}", pid
    ):
        watchers[card_id].append(member_id)
    checklists: dict[int, list[ChecklistItemDTO]] = defaultdict(list)
    for card_id, text, done in rows(
        f"SELECT card_id, text, done FROM checklist_item WHERE {_IN_PROJECT} "
        "ORDER BY card_id, position",
        pid,
    ):
        checklists[card_id].append(ChecklistItemDTO(text, bool(done)))

    return flavour.card_dtos(
        found, project_key, names, sprint_names, parents, labels, watchers, checklists
    )
