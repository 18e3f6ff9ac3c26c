"""A project's board read straight through SQLite's DB-API (``sqlite3``), without SQLAlchemy.

Two reasons, both measured (docs/benchmarks.md):

* it is the bulk read behind :meth:`BoardService.load_board` on SQLite: SQLAlchemy's row
  processing and the DTOs built from it took as long as the query itself on a 10,000-card
  board; reading plain tuples and converting the few typed columns here halves the load;
* it lets the window paint its first board before SQLAlchemy (~150 ms of imports) is
  loaded at all (see app/startup.py): this module imports nothing but the standard library
  and the DTOs.

The result is exactly what the SQLAlchemy path gives (tests/storage/test_sqlite_board.py compares
them field by field), so the conversions mirror the column types in app/models:
``UTCDateTime`` (naive UTC text -> aware UTC datetime), ``Date``, ``Numeric`` with its scale
(SQLAlchemy formats the stored number with the column's scale before making a Decimal) and
``Boolean`` (0/1). A card's columns and their conversions come from
app/services/card_fields.py, which both read paths share. Other databases use the
SQLAlchemy path.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from decimal import Decimal

from app.errors import NotFound
from app.services.card_fields import (
    CARD_COLUMNS_SQL,
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


def _utc(value: str | None) -> dt.datetime | None:
    return None if value is None else utc_from_text(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else date_from_text(value)


def _scaled(value: float | int | None, places: int) -> Decimal | None:
    return None if value is None else scaled(value, places)


_PROJECT_COLUMNS = (
    "id, key, name, methodology, description, time_zone, working_weekdays, currency, "
    "budget, version"
)


def _project(row: tuple) -> ProjectDTO:
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
        _scaled(budget, 2),
        version,
    )


def read_projects(conn: sqlite3.Connection) -> list[ProjectDTO]:
    """The projects that are not archived, by key (as ProjectService.list_projects)."""
    rows = conn.execute(
        f"SELECT {_PROJECT_COLUMNS} FROM project WHERE archived = 0 ORDER BY key"
    ).fetchall()
    return [_project(r) for r in rows]


_CARD_SELECT = (
    f"SELECT {CARD_COLUMNS_SQL} FROM card WHERE project_id = ? AND archived = 0 ORDER BY rank"
)
_IN_PROJECT = "card_id IN (SELECT id FROM card WHERE project_id = ?)"


def read_board(conn: sqlite3.Connection, project_id: int) -> BoardDTO:
    """The board of one project (live cards in rank order, columns, people, labels, sprints),
    read in one go on ``conn``; call it inside a transaction for a consistent picture."""
    row = conn.execute(
        f"SELECT {_PROJECT_COLUMNS} FROM project WHERE id = ?", (project_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no project with id {project_id}.")
    project = _project(row)
    columns = tuple(
        ColumnDTO(cid, pid, name, position, category, wip, bool(archived), version)
        for cid, pid, name, position, category, wip, archived, version in conn.execute(
            "SELECT id, project_id, name, position, category, wip_limit, archived, version "
            "FROM workflow_column WHERE project_id = ? AND archived = 0 ORDER BY position",
            (project_id,),
        )
    )
    members = tuple(
        MemberDTO(mid, name, role, bool(active and member_active))
        for mid, name, role, active, member_active in conn.execute(
            "SELECT m.id, m.display_name, pm.role, m.active, pm.active "
            "FROM member AS m JOIN project_member AS pm ON pm.member_id = m.id "
            "WHERE pm.project_id = ? ORDER BY m.display_name, m.id",
            (project_id,),
        )
    )
    # One LabelDTO per label, shared by its cards. All labels, not only the project's: a
    # handful per project, and a card is shown with whatever it is linked to.
    labels_by_id = {
        lid: LabelDTO(lid, name, color)
        for lid, name, color in conn.execute("SELECT id, name, color FROM label")
    }
    project_labels = tuple(
        labels_by_id[lid]
        for (lid,) in conn.execute(
            "SELECT id FROM label WHERE project_id = ? ORDER BY name, id", (project_id,)
        )
    )
    sprints = tuple(
        SprintDTO(
            sid,
            pid,
            name,
            goal,
            _date(start),
            _date(end),
            state,
            version,
            started_at=_utc(started),
            closed_at=_utc(closed),
        )
        for sid, pid, name, goal, start, end, state, version, started, closed in conn.execute(
            "SELECT id, project_id, name, goal, start_date, end_date, state, version, "
            "started_at, closed_at FROM sprint WHERE project_id = ? ORDER BY start_date, id",
            (project_id,),
        )
    )
    cards = _read_cards(conn, project, labels_by_id, {s.id: s.name for s in sprints})
    return BoardDTO(
        project=project,
        columns=columns,
        cards=tuple(cards),
        members=members,
        labels=project_labels,
        epics=tuple(c for c in cards if c.type == "epic"),
        sprints=sprints,
    )


def _read_cards(
    conn: sqlite3.Connection,
    project: ProjectDTO,
    labels_by_id: dict[int, LabelDTO],
    sprint_names: dict[int, str],
) -> list[CardDTO]:
    pid, project_key = project.id, project.key
    rows = conn.execute(_CARD_SELECT, (pid,)).fetchall()
    if not rows:
        return []
    # Everyone a card can name (reporters need not be members of the project any more).
    names = dict(conn.execute("SELECT id, display_name FROM member"))
    parents = {
        card_id: (f"{project_key}-{number}", title)
        for card_id, number, title in conn.execute(
            "SELECT id, number, title FROM card WHERE id IN "
            "(SELECT parent_id FROM card WHERE project_id = ? AND parent_id IS NOT NULL)",
            (pid,),
        )
    }
    labels: dict[int, list[LabelDTO]] = defaultdict(list)
    for card_id, label_id in conn.execute(
        "SELECT cl.card_id, cl.label_id FROM card_label AS cl JOIN label ON label.id = "
        f"cl.label_id WHERE cl.{_IN_PROJECT} ORDER BY label.name",
        (pid,),
    ):
        labels[card_id].append(labels_by_id[label_id])
    watchers: dict[int, list[int]] = defaultdict(list)
    for card_id, member_id in conn.execute(
        f"SELECT card_id, member_id FROM card_watcher WHERE {_IN_PROJECT}", (pid,)
    ):
        watchers[card_id].append(member_id)
    checklists: dict[int, list[ChecklistItemDTO]] = defaultdict(list)
    for card_id, text, done in conn.execute(
        f"SELECT card_id, text, done FROM checklist_item WHERE {_IN_PROJECT} "
        "ORDER BY card_id, position",
        (pid,),
    ):
        checklists[card_id].append(ChecklistItemDTO(text, bool(done)))

    return sqlite_card_dtos(
        rows, project_key, names, sprint_names, parents, labels, watchers, checklists
    )
