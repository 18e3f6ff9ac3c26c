"""Synthetic Kanban and Scrum projects of N cards each, with history, written fast.

The projects, columns, members and labels are made through the services (a handful of
calls); the cards, their labels, sprints, snapshots and history events are bulk-inserted
with SQLAlchemy Core in one transaction. History rows carry exactly what the services
write (``created`` with title/column/points, ``moved`` with column/category/rank,
``sprint_changed`` with sprint/sprint_id, and the ``*_after`` state columns).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import importlib
import json
import os
import random
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Table, insert, select, update

from app.bootstrap import open_runtime
from app.metrics.ranks import keys_between
from app.models import (
    Card,
    HistoryEvent,
    Label,
    Member,
    Project,
    Sprint,
    SprintSnapshot,
    WorkflowColumn,
    card_label,
)
from app.models.base import UTCDateTime

# The statement migration 0013 fills the search index with (``{where}``: which cards).
SEARCH_ROWS: str = importlib.import_module("app.migrations.versions.0013_card_search")._SQLITE_ROWS

KANBAN_KEY = "KAN"
SCRUM_KEY = "SCR"
KANBAN_COLUMNS = (
    ("Backlog", "todo", None),
    ("Ready", "todo", 40),
    ("In Progress", "in_progress", 20),
    ("Review", "in_progress", 10),
    ("Done", "done", None),
)
SCRUM_COLUMNS = (
    ("To Do", "todo", None),
    ("In Progress", "in_progress", None),
    ("Review", "in_progress", None),
    ("Done", "done", None),
)
MEMBERS = (
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Katherine Johnson",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Margaret Hamilton",
)
LABELS = ("backend", "frontend", "security", "performance", "ux", "docs", "infra", "data")
WORDS = tuple(
    [
        "fix",
        "crash",
        "export",
        "import",
        "sync",
        "login",
        "payment",
        "invoice",
        "report",
        "search",
        "filter",
        "board",
        "sprint",
        "backlog",
        "cache",
        "email",
        "upload",
        "avatar",
        "settings",
        "timezone",
        "migration",
        "audit",
        "billing",
        "webhook",
        "dashboard",
        "chart",
        "burndown",
        "velocity",
        "locale",
        "printing",
        "keyboard",
        "shortcut",
        "undo",
        "redo",
        "drag",
    ]
)
TYPES = ("story", "story", "story", "bug", "task", "spike")
PRIORITIES = ("highest", "high", "medium", "medium", "low", "lowest")
POINTS = (None, Decimal(1), Decimal(2), Decimal(3), Decimal(5), Decimal(8), Decimal(13))
SPRINT_CARDS = 500  # the active sprint's size (the metrics and report figures)
CLOSED_SPRINTS = 6
SPRINT_DAYS = 14
ACTOR = "bench"


@dataclass(frozen=True)
class BenchProject:
    project_id: int
    key: str
    column_ids: tuple[int, ...]


@dataclass(frozen=True)
class BenchDatabase:
    path: Path
    url: str
    size: int
    kanban: BenchProject
    scrum: BenchProject
    active_sprint_id: int


def build(path: Path, size: int, seed: int = 7, now: dt.datetime | None = None) -> BenchDatabase:
    """A new database at ``path`` with a Kanban and a Scrum project of ``size`` cards each,
    their history ending at ``now`` (default: the present)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = "sqlite:///" + str(path)
    runtime = open_runtime(url)
    try:
        rng = random.Random(seed)
        services = runtime.services
        kanban = services.projects.create_project(
            KANBAN_KEY, "Kanban benchmark", "kanban", KANBAN_COLUMNS
        )
        scrum = services.projects.create_project(
            SCRUM_KEY, "Scrum benchmark", "scrum", SCRUM_COLUMNS
        )
        for project in (kanban, scrum):
            for name in MEMBERS:
                services.projects.add_member(project.id, name, "Developer")
            for name in LABELS:
                services.projects.add_label(project.id, name)
        now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        with runtime.engine.begin() as conn:
            # The indexes of 200,000 cards' history outgrow SQLite's default 2 MB page
            # cache; a bigger one for this connection keeps their pages in memory.
            conn.exec_driver_sql("PRAGMA cache_size = -262144")
            with _search_filled_afterwards(conn):
                kb = _fill(conn, kanban.id, KANBAN_KEY, size, rng, now, scrum=False)
                sc = _fill(conn, scrum.id, SCRUM_KEY, size, rng, now, scrum=True)
        runtime.engine.dispose()
        assert sc[1] is not None
        return BenchDatabase(path, url, size, kb[0], sc[0], sc[1])
    finally:
        runtime.close()
        _settle_file(path)


def cache_folder() -> Path:
    """Where built databases are kept between runs: ``SPRINTDECK_BENCH_CACHE``, else
    ``$XDG_CACHE_HOME/sprintdeck-bench`` (``~/.cache/sprintdeck-bench``)."""
    named = os.environ.get("SPRINTDECK_BENCH_CACHE")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sprintdeck-bench"


def recipe_digest() -> str:
    """What a built database depends on: this module's code and the schema's migrations. A
    cached database made from another recipe is never reused."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    versions = Path(__file__).resolve().parent.parent / "app" / "migrations" / "versions"
    for migration in sorted(versions.glob("*.py")):
        digest.update(migration.name.encode())
        digest.update(migration.read_bytes())
    return digest.hexdigest()[:16]


def build_cached(path: Path, size: int, seed: int = 7, fresh: bool = False) -> BenchDatabase:
    """:func:`build`, reusing a database built earlier with the same size, seed and recipe
    on the same day (kept in :func:`cache_folder`): the cached file is copied to ``path``
    (runs change the database they measure), so a 200,000-card project is built once, not
    once per run. ``fresh`` builds it again."""
    folder = cache_folder()
    # The history ends on the day it was built (the active sprint runs today): a database
    # is reused on the day it was made, and built again on the next.
    today = dt.datetime.now(dt.UTC).date().isoformat()
    stem = f"bench-{size}-s{seed}-{today}-{recipe_digest()}"
    cached, described = folder / f"{stem}.db", folder / f"{stem}.json"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    if not fresh and cached.is_file() and described.is_file():
        try:
            fields = json.loads(described.read_text(encoding="utf-8"))
            shutil.copyfile(cached, path)
            return BenchDatabase(
                path=path,
                url="sqlite:///" + str(path),
                size=fields["size"],
                kanban=BenchProject(
                    **{**fields["kanban"], "column_ids": tuple(fields["kanban"]["column_ids"])}
                ),
                scrum=BenchProject(
                    **{**fields["scrum"], "column_ids": tuple(fields["scrum"]["column_ids"])}
                ),
                active_sprint_id=fields["active_sprint_id"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry: build it again below
    db = build(path, size, seed)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{stem}.db.partial"
        shutil.copyfile(path, partial)
        fields = asdict(db)
        fields.pop("path")
        fields.pop("url")
        described.write_text(json.dumps(fields), encoding="utf-8")
        partial.replace(cached)  # whole or absent: a run cut off leaves no half database
        for old in folder.glob(f"bench-{size}-s{seed}-*.db"):
            if old != cached:
                old.unlink(missing_ok=True)
                old.with_suffix(".json").unlink(missing_ok=True)
    except OSError:
        pass  # no room to keep it: the next run builds it again
    return db


@contextlib.contextmanager
def _search_filled_afterwards(conn) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The cards go in with the search index's triggers (migration 0013) off, and the index
    is then filled in one statement, the migration's own: one trigger per inserted card and
    label link tripled the time of a 200,000-card build. The triggers are put back as they
    were (their SQL read from ``sqlite_master``)."""
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'card_search%'"
    ).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    conn.exec_driver_sql("DELETE FROM card_search")
    conn.exec_driver_sql(SEARCH_ROWS.format(where="1"))
    has_fts = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'card_search_fts'"
    ).first()
    if has_fts:
        conn.exec_driver_sql("INSERT INTO card_search_fts (card_search_fts) VALUES ('rebuild')")
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def _settle_file(path: Path) -> None:
    """Leave the file as a database in use would be: its pages in the main file, the WAL
    empty. (A connection of the bulk insert lingered until garbage collection, keeping the
    whole database in the WAL, where every reader of the measured file then looked its
    pages up.)"""
    gc.collect()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _bulk_insert(conn, table: Table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """``INSERT`` ``rows`` into ``table`` through the driver's executemany, each value
    converted by its column type's own bind processor (so the stored text is what the ORM
    stores: UTC times, JSON, decimals), without SQLAlchemy's per-row statement machinery,
    which was half of the build's time."""
    if not rows:
        return
    dialect = conn.dialect
    names = list(rows[0])
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
    columns_of_values = []
    for name, proc in zip(names, processors, strict=True):
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, UTCDateTime) and dialect.name == "sqlite":
            values = [_sqlite_utc_text(v, proc) for v in values]
        elif proc is not None:
            values = [None if v is None else proc(v) for v in values]
        columns_of_values.append(values)
    conn.exec_driver_sql(sql, list(zip(*columns_of_values, strict=True)))


def _sqlite_utc_text(value: dt.datetime | None, proc) -> str | None:  # type: ignore[no-untyped-def]
    """What SQLite's ``UTCDateTime`` bind processor stores for a UTC time, written directly
    (the two processors were a tenth of a 200,000-card build); other zones go through it."""
    if value is None:
        return None
    if value.tzinfo is dt.UTC:
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
    return proc(value)


def _fill(conn, project_id: int, key: str, n: int, rng: random.Random, now, scrum: bool):  # type: ignore[no-untyped-def]
    columns = conn.execute(
        select(WorkflowColumn.id, WorkflowColumn.name, WorkflowColumn.category)
        .where(WorkflowColumn.project_id == project_id)
        .order_by(WorkflowColumn.position)
    ).all()
    members = list(conn.scalars(select(Member.id).order_by(Member.id)))
    labels = list(
        conn.scalars(select(Label.id).where(Label.project_id == project_id).order_by(Label.id))
    )
    start = now - dt.timedelta(days=SPRINT_DAYS * (CLOSED_SPRINTS + 1) + 30)

    # Sprints (Scrum only): closed ones, the active one (SPRINT_CARDS cards), a planned one.
    sprint_rows: list[dict] = []
    active_id = None
    if scrum:
        for i in range(CLOSED_SPRINTS + 2):
            s_start = (start + dt.timedelta(days=30 + SPRINT_DAYS * i)).date()
            s_end = s_start + dt.timedelta(days=SPRINT_DAYS - 3)
            state = (
                "closed" if i < CLOSED_SPRINTS else "active" if i == CLOSED_SPRINTS else "planned"
            )
            started = dt.datetime.combine(s_start, dt.time(9), dt.UTC)
            sprint_rows.append(
                {
                    "project_id": project_id,
                    "name": f"Sprint {i + 1}",
                    "goal": f"Goal {i + 1}",
                    "start_date": s_start,
                    "end_date": s_end,
                    "state": state,
                    "started_at": started if state != "planned" else None,
                    "closed_at": dt.datetime.combine(s_end, dt.time(17), dt.UTC)
                    if state == "closed"
                    else None,
                    "version": 1,
                }
            )
        conn.execute(insert(Sprint), sprint_rows)
        sprint_ids = list(
            conn.scalars(
                select(Sprint.id).where(Sprint.project_id == project_id).order_by(Sprint.id)
            )
        )
        for row, sid in zip(sprint_rows, sprint_ids, strict=True):
            row["id"] = sid
        active_id = sprint_ids[CLOSED_SPRINTS]

    first_id = (conn.scalar(select(Card.id).order_by(Card.id.desc()).limit(1)) or 0) + 1
    ranks = keys_between(None, None, n)
    cards: list[dict] = []
    events: list[dict] = []
    links: list[dict] = []
    snapshots: list[dict] = []
    last = len(columns) - 1
    n_epics = max(2, n // 200)
    # Sprint sizes: SPRINT_CARDS in the active one (fewer in tiny projects, which keep at
    # least half of their cards in the backlog).
    active_cards = min(SPRINT_CARDS, n // 4)
    closed_cards = min(60, max(1, n // 40))
    planned_cards = min(40, max(1, n // 40))
    # Which sprint each card belongs to: closed sprints ~ done work, active gets SPRINT_CARDS.
    for i in range(n):
        cid = first_id + i
        is_epic = i < n_epics
        ctype = "epic" if is_epic else rng.choice(TYPES)
        points = None if is_epic else rng.choice(POINTS)
        created = start + dt.timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        sprint = None
        if scrum and not is_epic:
            j = i - n_epics
            if j < active_cards:
                sprint = sprint_rows[CLOSED_SPRINTS]
            elif j < active_cards + CLOSED_SPRINTS * closed_cards:
                sprint = sprint_rows[(j - active_cards) // closed_cards]
            elif j < active_cards + CLOSED_SPRINTS * closed_cards + planned_cards:
                sprint = sprint_rows[CLOSED_SPRINTS + 1]
        # How far along the workflow the card is now.
        if is_epic:
            final = 0
        elif sprint is not None and sprint["state"] == "closed":
            final = last if rng.random() < 0.85 else rng.randrange(0, last)
        elif sprint is not None and sprint["state"] == "active":
            final = rng.choice((0, 1, 1, 2, last, last))
        elif sprint is not None:
            final = 0
        else:
            final = (
                rng.choice((0, 0, 0, 0, 1, 2, last, last)) if scrum else rng.randrange(0, last + 1)
            )
        column = columns[final]
        t = created
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 7))).capitalize()
        card = {
            "id": cid,
            "project_id": project_id,
            "number": i + 1,
            "type": ctype,
            "title": title,
            "description": "",
            "priority": rng.choice(PRIORITIES),
            "points": points,
            "estimate_hours": None,
            "remaining_hours": None,
            "assignee_id": rng.choice(members) if rng.random() < 0.8 else None,
            "reporter_id": rng.choice(members),
            "column_id": column.id,
            "rank": ranks[i],
            "sprint_id": None,
            "parent_id": None
            if is_epic or rng.random() < 0.3
            else first_id + rng.randrange(n_epics),
            "due_date": None,
            "blocked": rng.random() < 0.02,
            "blocked_reason": "",
            "archived": False,
            "created_at": created,
            "updated_at": created,
            "resolved_at": None,
            "version": 1,
        }
        state = {"column": columns[0], "sprint_id": None}

        def event(
            kind: str,
            before: dict,
            after: dict,
            at: dt.datetime,
            cid: int = cid,
            state: dict = state,
            points: Decimal | None = points,
        ) -> None:
            events.append(
                {
                    "project_id": project_id,
                    "card_id": cid,
                    "at": at,
                    "actor": ACTOR,
                    "kind": kind,
                    "before": before,
                    "after": after,
                    "column_id_after": state["column"].id,
                    "category_after": state["column"].category,
                    "sprint_id_after": state["sprint_id"],
                    "points_after": points,
                    "archived_after": False,
                }
            )

        event(
            "created",
            {},
            {
                "title": title,
                "column": columns[0].name,
                "points": None if points is None else str(points),
            },
            t,
        )
        if sprint is not None:
            sprint_start = sprint["started_at"] or now
            t = min(max(t, sprint_start - dt.timedelta(days=1)), now)
            state["sprint_id"] = sprint["id"]
            event(
                "sprint_changed",
                {"sprint": None, "sprint_id": None},
                {"sprint": sprint["name"], "sprint_id": sprint["id"]},
                t,
            )
            if sprint["state"] != "planned":
                snapshots.append(
                    {
                        "sprint_id": sprint["id"],
                        "kind": "commitment",
                        "card_id": cid,
                        "points": points,
                    }
                )
                t = max(t, sprint_start)
        for step in range(1, final + 1):
            t = min(t + dt.timedelta(hours=rng.randint(2, 40)), now)
            source, target = columns[step - 1], columns[step]
            state["column"] = target
            event(
                "moved",
                {"column": source.name, "category": source.category, "rank": ranks[i]},
                {"column": target.name, "category": target.category, "rank": ranks[i]},
                t,
            )
        if column.category == "done":
            card["resolved_at"] = t
        card["sprint_id"] = state["sprint_id"]
        card["updated_at"] = t
        card["version"] = 1 + final + (1 if sprint is not None else 0)
        if sprint is not None and sprint["state"] == "closed":
            done = column.category == "done"
            snapshots.append(
                {
                    "sprint_id": sprint["id"],
                    "kind": "outcome",
                    "card_id": cid,
                    "points": points,
                    "outcome": "completed" if done else "not_completed",
                    "destination": None if done else "Backlog",
                }
            )
        cards.append(card)
        for label_id in rng.sample(labels, rng.choice((0, 1, 1, 2, 3))):
            links.append({"card_id": cid, "label_id": label_id})

    _bulk_insert(conn, Card.__table__, cards)
    _bulk_insert(conn, card_label, links)
    _bulk_insert(conn, HistoryEvent.__table__, events)
    if snapshots:
        full = [{"outcome": None, "destination": None, **s} for s in snapshots]
        _bulk_insert(conn, SprintSnapshot.__table__, full)
    conn.execute(update(Project).where(Project.id == project_id).values(next_card_number=n + 1))
    project = BenchProject(project_id, key, tuple(c.id for c in columns))
    return project, active_id
