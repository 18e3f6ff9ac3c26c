"""The DB-API board reader (app/storage/dbapi_board.py: sqlite3 on SQLite, psycopg on
PostgreSQL) gives exactly the board the SQLAlchemy path gives, on both engines."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import NotFound
from app.services import Services
from app.storage import read_board as read_any
from app.storage.dbapi_board import POSTGRESQL, SQLITE
from app.storage.dbapi_board import read_projects as dbapi_projects
from app.storage.sqlite_board import read_board, read_projects


def _core_board(services: Services, project_id: int):  # type: ignore[no-untyped-def]
    with services.context.read() as uow:
        return services.board._load_board_core(uow.session, project_id)


def _assert_same(services: Services, project_id: int) -> None:
    with services.context.read() as uow:  # the engine's own fast read is there
        assert read_any(uow.session.connection(), project_id) is not None
    fast = services.board.load_board(project_id)
    core = _core_board(services, project_id)
    assert fast.project == core.project
    assert fast.columns == core.columns
    assert fast.members == core.members
    assert fast.labels == core.labels
    assert fast.sprints == core.sprints
    assert len(fast.cards) == len(core.cards)
    for a, b in zip(fast.cards, core.cards, strict=True):
        assert a == b
        # Equal is not enough for what is shown: Decimal('8') == Decimal('8.0').
        assert (str(a.points), str(a.estimate_hours), str(a.remaining_hours)) == (
            str(b.points),
            str(b.estimate_hours),
            str(b.remaining_hours),
        )
        assert (
            a.created_at.tzinfo is not None and a.created_at.utcoffset() == b.created_at.utcoffset()
        )
    assert fast.epics == core.epics


def test_demo_board_reads_the_same_both_ways(demo: Services) -> None:
    for project in demo.projects.list_projects():
        _assert_same(demo, project.id)


def test_every_field_reads_the_same_both_ways(services: Services) -> None:
    s = services
    project = s.projects.create_project("RD", "Reader")
    ann = s.projects.add_member(project.id, "Ann Lee")
    bob = s.projects.add_member(project.id, "Bob Ray")
    red = s.projects.add_label(project.id, "red")
    blue = s.projects.add_label(project.id, "blue")
    epic = s.cards.create_card(project.id, "Epic", type="epic")
    s.cards.create_card(
        project.id,
        "Dressed 🧪 漢字",
        points="2.5",
        estimate_hours="3.25",
        remaining_hours="1",
        assignee_id=ann.id,
        reporter_id=bob.id,
        parent_id=epic.id,
        label_ids=[red.id, blue.id],
        watcher_ids=[bob.id, ann.id],
        checklist=[("one", True), ("two", False)],
        due_date="2026-12-24",
        blocked=True,
        blocked_reason="waiting",
    )
    plain = s.cards.create_card(project.id, "Plain", points=8)
    done = s.workflow.list_columns(project.id)[-1]
    s.board.move_card(plain.id, done.id)  # resolved_at set
    archived = s.cards.create_card(project.id, "Gone")
    s.cards.archive_card(archived.id)
    _assert_same(s, project.id)
    board = s.board.load_board(project.id)
    assert [c.title for c in board.cards] == ["Epic", "Dressed 🧪 漢字", "Plain"]
    dressed = board.cards[1]
    assert dressed.points == Decimal("2.5") and dressed.blocked is True
    assert [lb.name for lb in dressed.labels] == ["blue", "red"]


def test_a_parent_that_is_archived_or_live_is_named_the_same_both_ways(
    services: Services,
) -> None:
    s = services
    project = s.projects.create_project("PA", "Parents")
    live = s.cards.create_card(project.id, "Live epic", type="epic")
    gone = s.cards.create_card(project.id, "Archived epic", type="epic")
    s.cards.create_card(project.id, "Under the live one", parent_id=live.id)
    s.cards.create_card(project.id, "Under the archived one", parent_id=gone.id)
    s.cards.create_card(project.id, "Orphan")
    s.cards.archive_card(gone.id)
    _assert_same(s, project.id)
    named = {c.title: (c.parent_key, c.parent_title) for c in s.board.load_board(project.id).cards}
    assert named["Under the live one"] == (live.key, "Live epic")
    assert named["Under the archived one"] == (gone.key, "Archived epic")
    assert named["Orphan"] == (None, None)


@pytest.mark.sqlite_only
def test_projects_read_the_same_both_ways(demo: Services, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        assert read_projects(conn) == demo.projects.list_projects()


def test_projects_read_the_same_through_the_driver(demo: Services, backend: str) -> None:
    flavour = POSTGRESQL if backend == "postgresql" else SQLITE
    with demo.context.read() as uow:
        driver = uow.session.connection().connection.driver_connection
        assert dbapi_projects(driver, flavour) == demo.projects.list_projects()


def test_a_teammates_zone_does_not_change_the_times_read(services: Services) -> None:
    """Times read as UTC whatever the session's time zone (PostgreSQL's TimeZone setting)."""
    project = services.projects.create_project("TZ", "Zones")
    services.cards.create_card(project.id, "When")
    with services.context.read() as uow:
        connection = uow.session.connection()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TIME ZONE 'Pacific/Kiritimati'")
        board = read_any(connection, project.id)
    assert board is not None
    [card] = board.cards
    assert card.created_at.utcoffset() == dt.timedelta(0)
    assert card == services.cards.get_card(card.id)


@pytest.mark.sqlite_only
def test_unknown_project_is_refused(services: Services, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn, pytest.raises(NotFound):
        read_board(conn, 999)
    with pytest.raises(NotFound):
        services.board.load_board(999)


def test_timestamps_read_as_aware_utc_whatever_their_text() -> None:
    from app.storage.sqlite_board import _utc

    assert _utc(None) is None
    for text, expected in [
        ("2026-01-02 10:11:12.123456", dt.datetime(2026, 1, 2, 10, 11, 12, 123456, tzinfo=dt.UTC)),
        ("2026-01-02 10:11:12", dt.datetime(2026, 1, 2, 10, 11, 12, tzinfo=dt.UTC)),
        ("2026-01-02", dt.datetime(2026, 1, 2, tzinfo=dt.UTC)),
    ]:
        value = _utc(text)
        assert value == expected and value.tzinfo is not None
